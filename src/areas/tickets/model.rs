//! Tickets as stored and as each side reads them: the row, the thread, the queue with its
//! filters, sort and pages, and the CSV. The customer's side never gets a staff name, a staff
//! email, an internal note or the escalation: staff messages are from "Servicecenter".

use super::{Category, Priority, TicketStatus, SERVICECENTER};
use crate::areas::accounts::AccountId;
use crate::areas::tickets::TicketId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::db::Row;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::http::table::{ListParams, Sort};
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// Which side of a ticket the caller is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The customer that opened it (any of its logins, or someone acting as it).
    Customer,
    /// An account above the customer: the serving partner, reseller or dealer, those above it,
    /// the operator.
    Staff,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    #[schema(value_type = i64)]
    pub id: TicketId,
    pub subject: String,
    #[schema(value_type = String, example = "problem")]
    pub category: Category,
    #[schema(value_type = String, example = "normal")]
    pub priority: Priority,
    #[schema(value_type = String, example = "open")]
    pub status: TicketStatus,
    #[schema(value_type = i64)]
    pub customer_id: AccountId,
    pub customer_name: String,
    /// True while the customer's latest message has no answer.
    pub unanswered: bool,
    /// Who wrote the latest message the customer sees: "Servicecenter" for every answer, else
    /// the customer.
    pub last_reply_by: String,
    /// An answer the customer has not opened yet (customer side).
    pub unread: bool,
    #[schema(format = DateTime)]
    pub last_message_at: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Staff side only: the account that serves the ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub served_by_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub served_by_name: Option<String>,
    /// Staff side only: when the ticket escalates if nobody answers (null: the clock is not
    /// running).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = DateTime)]
    pub due_at: Option<String>,
    /// Staff side only: when it escalated to the operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = DateTime)]
    pub escalated_at: Option<String>,
    /// Staff side only: unanswered past its response time.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub overdue: Option<bool>,
    #[serde(skip)]
    pub created_ms: i64,
    #[serde(skip)]
    pub last_ms: i64,
    #[serde(skip)]
    pub due_ms: Option<i64>,
    #[serde(skip)]
    pub escalated_ms: Option<i64>,
}

/// One message of the thread as the caller may read it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = TicketMessage)]
pub struct Message {
    pub id: i64,
    /// Written by the customer's side; false: an answer or a note of the staff.
    pub from_customer: bool,
    /// An internal note (staff side only; the customer never gets these).
    pub internal: bool,
    /// "Servicecenter" for every staff message; the customer's login name otherwise.
    pub author: String,
    /// Staff side only: the staff login that wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub staff_author: Option<String>,
    /// The text as written: shown as text, never as HTML.
    pub body: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Files attached to this message (downloaded at `download`, under /api/v1 for the API).
    pub attachments: Vec<super::attachments::Attachment>,
    #[serde(skip)]
    pub created_ms: i64,
}

/// A ticket with its thread.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Thread {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
}

pub(crate) const COLUMNS: &str = "t.id, t.subject, t.category, t.priority, t.status, \
    t.customer_id, c.name AS customer_name, t.served_by_id, s.name AS served_by_name, \
    t.unanswered, t.due_at, t.escalated_at, t.customer_unread, t.last_message_at, t.created_at";

pub(crate) const FROM: &str = " FROM tickets t JOIN accounts c ON c.id = t.customer_id \
    JOIN accounts s ON s.id = t.served_by_id";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; some fields follow from the clock; some fields depend on the side that reads it.
pub(crate) fn from_row(r: &Row, side: Side, now: i64) -> Result<Ticket, sqlx::Error> {
    let unanswered: i64 = r.try_get("unanswered")?;
    let due: Option<i64> = r.try_get("due_at")?;
    let esc: Option<i64> = r.try_get("escalated_at")?;
    let created: i64 = r.try_get("created_at")?;
    let last: i64 = r.try_get("last_message_at")?;
    let customer_name: String = r.try_get("customer_name")?;
    let staff = side == Side::Staff;
    let unanswered = unanswered == 1;
    Ok(Ticket {
        id: r.try_get("id")?,
        subject: r.try_get("subject")?,
        category: r.try_get("category")?,
        priority: r.try_get("priority")?,
        status: r.try_get("status")?,
        customer_id: r.try_get("customer_id")?,
        last_reply_by: if unanswered {
            customer_name.clone()
        } else {
            SERVICECENTER.to_string()
        },
        customer_name,
        unanswered,
        unread: r.try_get::<i64, _>("customer_unread")? == 1,
        last_message_at: crate::clock::rfc3339(last),
        created_at: crate::clock::rfc3339(created),
        served_by_id: if staff {
            Some(r.try_get("served_by_id")?)
        } else {
            None
        },
        served_by_name: if staff {
            Some(r.try_get("served_by_name")?)
        } else {
            None
        },
        due_at: due.filter(|_| staff).map(crate::clock::rfc3339),
        escalated_at: esc.filter(|_| staff).map(crate::clock::rfc3339),
        overdue: staff.then(|| unanswered && (esc.is_some() || due.is_some_and(|d| d <= now))),
        created_ms: created,
        last_ms: last,
        due_ms: if staff { due } else { None },
        escalated_ms: if staff { esc } else { None },
    })
}

/// The side of the caller for a ticket of `customer_id` (already reached).
pub fn side_of(who: &Identity, customer_id: AccountId) -> Side {
    if who.view_account_id == customer_id {
        Side::Customer
    } else {
        Side::Staff
    }
}

async fn row(state: &AppState, id: TicketId) -> AppResult<Row> {
    sqlx::query(&format!("SELECT {COLUMNS}{FROM} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

/// A ticket the identity reaches (its customer in view or below) with `need`, as its side
/// reads it; 404 otherwise.
pub async fn reach(
    state: &AppState,
    who: &Identity,
    id: TicketId,
    need: Need,
) -> AppResult<(Ticket, Side)> {
    let r = row(state, id).await?;
    let customer: i64 = r.try_get("customer_id")?;
    access::account(state, who, AccountId(customer), need).await?;
    let side = side_of(who, AccountId(customer));
    Ok((from_row(&r, side, state.now_ms())?, side))
}

/// The thread of a ticket as `side` reads it.
pub async fn messages(state: &AppState, id: TicketId, side: Side) -> AppResult<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT id, from_customer, internal, author_name, body, created_at FROM ticket_messages \
         WHERE ticket_id = $1 AND (internal = 0 OR $2 = 1) ORDER BY id",
    )
    .bind(id)
    .bind(i64::from(side == Side::Staff))
    .fetch_all(&state.db.pool)
    .await?;
    let mut files = super::attachments::listed(state, id, side).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mid: i64 = r.try_get("id")?;
        let (mine, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(|a| a.message_id == mid);
        files = rest;
        let from_customer = r.try_get::<i64, _>("from_customer")? == 1;
        let name: String = r.try_get("author_name")?;
        let created: i64 = r.try_get("created_at")?;
        out.push(Message {
            id: r.try_get("id")?,
            from_customer,
            internal: r.try_get::<i64, _>("internal")? == 1,
            author: if from_customer {
                name.clone()
            } else {
                SERVICECENTER.to_string()
            },
            staff_author: (!from_customer && side == Side::Staff).then_some(name),
            body: r.try_get("body")?,
            created_at: crate::clock::rfc3339(created),
            attachments: mine,
            created_ms: created,
        });
    }
    Ok(out)
}

fn status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(TicketStatus::TEXTS)
}
fn priority_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(Priority::TEXTS)
}
fn sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&[
        "last_message",
        "age",
        "priority",
        "status",
        "subject",
        "customer",
        "due",
    ])
}
fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

/// Sort keys of the queue; the first is the default (newest message first).
pub const SORTS: [(&str, &str); 7] = [
    ("last_message", "t.last_message_at"),
    ("age", "t.created_at"),
    (
        "priority",
        "CASE t.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END",
    ),
    ("status", "t.status"),
    ("subject", "t.subject"),
    ("customer", "c.name"),
    ("due", "t.due_at"),
];

/// The filters of the ticket list: a customer's own tickets, or the queue of every ticket of
/// the customers below the account in view (all of them for the operator).
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketFilter {
    /// Part of the subject or the customer's name, any case.
    #[param(max_length = 100)]
    pub q: Option<String>,
    #[param(schema_with = status_values)]
    pub status: Option<String>,
    #[param(schema_with = priority_values)]
    pub priority: Option<String>,
    /// Only the tickets of this customer (in view or below).
    #[param(value_type = Option<i64>)]
    pub customer_id: Option<AccountId>,
    /// Only tickets whose customer's latest message has no answer.
    pub unanswered: Option<bool>,
    /// Only tickets unanswered past their response time (escalated ones included).
    pub overdue: Option<bool>,
    /// Only tickets that escalated to the operator.
    pub escalated: Option<bool>,
    /// Sort key (default last_message, newest first; `age` is oldest first).
    #[param(schema_with = sort_values)]
    pub sort: Option<String>,
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl TicketFilter {
    pub fn list_params(&self) -> ListParams {
        ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
    pub fn sort(&self) -> AppResult<Sort> {
        let mut s = self.list_params().sort(&SORTS, true)?;
        // Age reads "oldest first" unless a direction is asked for.
        if s.key == "age" && blank(&self.dir).is_none() {
            s.desc = false;
        }
        Ok(s)
    }
}

/// The checked WHERE of a list, its side and its order.
pub(crate) async fn filter_sql(
    state: &AppState,
    who: &Identity,
    f: &TicketFilter,
    select: &str,
) -> AppResult<(Sql, Side, String)> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    let mut sql = Sql::new(&format!("SELECT {select}{FROM} WHERE 1 = 1"));
    let side = if view.kind == Kind::Customer {
        sql.push(" AND t.customer_id = ").int(view.id);
        Side::Customer
    } else {
        if view.kind != Kind::Operator {
            let upper = format!("{}0", view.path.trim_end_matches('/'));
            sql.push(" AND t.customer_path >= ")
                .str(&view.path)
                .push(" AND t.customer_path < ")
                .str(&upper);
        }
        Side::Staff
    };
    if let Some(s) = blank(&f.status) {
        let s = TicketStatus::parse(s).ok_or_else(|| {
            AppError::validation("status", "Status must be open, pending, solved or closed")
        })?;
        sql.push(" AND t.status = ").str(s.as_str());
    }
    if let Some(p) = blank(&f.priority) {
        let p = Priority::parse(p).ok_or_else(|| {
            AppError::validation("priority", "Priority must be low, normal, high or urgent")
        })?;
        sql.push(" AND t.priority = ").str(p.as_str());
    }
    if let Some(c) = f.customer_id {
        if !access::is_within(state, who.view_account_id, c).await? {
            return Err(AppError::validation(
                "customer_id",
                "No such customer in view or below",
            ));
        }
        sql.push(" AND t.customer_id = ").int(c);
    }
    if f.unanswered == Some(true) {
        sql.push(" AND t.unanswered = 1");
    }
    if f.overdue == Some(true) && side == Side::Staff {
        sql.push(" AND t.unanswered = 1 AND (t.escalated_at IS NOT NULL OR (t.due_at IS NOT NULL AND t.due_at <= ")
            .int(state.now_ms())
            .push("))");
    }
    if f.escalated == Some(true) && side == Side::Staff {
        sql.push(" AND t.escalated_at IS NOT NULL");
    }
    if let Some(q) = blank(&f.q) {
        if q.chars().count() > 100 {
            return Err(AppError::validation(
                "q",
                "Search text must be at most 100 characters",
            ));
        }
        let like = crate::kernel::query::like_contains(q);
        sql.push(" AND (LOWER(t.subject) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\' OR LOWER(c.name) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\')");
    }
    let sort = f.sort()?;
    Ok((sql, side, sort.order_by("t.id")))
}

/// A queue's count stops here (shown as "1,000+"): counting every matching ticket of a big
/// queue would cost more than reading its page.
pub const TOTAL_CAP: i64 = 1000;

/// A page of the tickets of the caller's side.
pub async fn list(state: &AppState, who: &Identity, f: &TicketFilter) -> AppResult<Page<Ticket>> {
    let (mut sql, side, order) = filter_sql(state, who, f, COLUMNS).await?;
    let (page, per_page) = f.list_params().paging();
    let counted = Sql {
        text: format!(
            "SELECT COUNT(*) FROM ({} LIMIT {}) x",
            sql.text
                .replacen(&format!("SELECT {COLUMNS}"), "SELECT t.id", 1),
            TOTAL_CAP + 1
        ),
        args: sql.args.clone(),
    }
    .scalar::<i64>()
    .fetch_one(&state.db.pool)
    .await?;
    let total_capped = counted > TOTAL_CAP;
    let total = counted.min(TOTAL_CAP);
    sql.push(&order)
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    let now = state.now_ms();
    Ok(Page {
        items: rows
            .iter()
            .map(|r| from_row(r, side, now))
            .collect::<Result<_, _>>()?,
        total,
        total_capped,
        page,
        per_page,
    })
}

const CSV_HEADER: [&str; 10] = [
    "id",
    "subject",
    "customer",
    "category",
    "priority",
    "status",
    "unanswered",
    "last_reply_by",
    "last_message_at",
    "created_at",
];

/// The filtered list as CSV (streamed); "Servicecenter" is the last reply of every answer.
pub async fn list_csv(
    state: &AppState,
    who: &Identity,
    f: &TicketFilter,
) -> AppResult<crate::kernel::csv::Stream> {
    let (mut sql, side, order) = filter_sql(state, who, f, COLUMNS).await?;
    sql.push(&order);
    let now = state.now_ms();
    Ok(crate::kernel::csv::stream(
        state.db.pool.clone(),
        sql,
        &CSV_HEADER,
        move |r: &Row, w: &mut crate::kernel::csv::Writer| {
            let t = from_row(r, side, now)?;
            w.row(&[
                &t.id.to_string(),
                &t.subject,
                &t.customer_name,
                t.category.as_str(),
                t.priority.as_str(),
                t.status.as_str(),
                if t.unanswered { "yes" } else { "no" },
                &t.last_reply_by,
                &t.last_message_at,
                &t.created_at,
            ]);
            Ok(())
        },
    ))
}

/// A ticket with its thread exactly as its customer reads it (for the customer's data export):
/// answers from "Servicecenter", no internal note, no staff name, no escalation.
pub async fn customer_thread(state: &AppState, id: i64) -> AppResult<Thread> {
    let r = row(state, TicketId(id)).await?;
    let ticket = from_row(&r, Side::Customer, state.now_ms())?;
    let messages = messages(state, TicketId(id), Side::Customer).await?;
    Ok(Thread { ticket, messages })
}
