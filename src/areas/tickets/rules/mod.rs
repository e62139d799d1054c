//! Opening a ticket, writing in its thread (the customer's replies, the staff's answers and
//! internal notes), setting its status, the response clock each of these moves, the emails and
//! notifications they send, and the menu badge.

use super::model::{reach, side_of, Side, Thread};
use super::settings::{current, TicketSettings};
use super::{hours::Hours, Category, Priority, TicketStatus, SERVICECENTER};
use crate::areas::accounts::AccountId;
use crate::areas::tickets::TicketId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Backend;
use crate::kernel::enums::Kind;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::query::Sql;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

mod emails;
mod notifications;
mod status;
mod threads;
pub(crate) use emails::*;
pub use notifications::*;
pub use status::*;
pub use threads::*;

pub const MAX_SUBJECT: usize = 150;
pub const MAX_BODY: usize = 10_000;

/// A new ticket (the customer in view, members and up).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct NewTicket {
    #[serde(default)]
    #[schema(required = true, max_length = 150)]
    pub subject: String,
    #[serde(default)]
    #[schema(required = true, max_length = 10000)]
    pub message: String,
    /// question, problem, billing, feature or other (default question).
    #[schema(nullable = false)]
    pub category: Option<String>,
    /// low, normal (default), high or urgent.
    #[schema(nullable = false)]
    pub priority: Option<String>,
    /// Files to attach (at most 5, each at most 5 MiB: PNG, JPEG, PDF or plain text).
    #[serde(default)]
    pub attachments: Vec<super::attachments::AttachmentUpload>,
    /// Files a page form sent.
    #[serde(skip)]
    pub files: Vec<super::attachments::Upload>,
}

/// A message in the thread: the customer's reply, or an answer of the staff; `internal` makes
/// it a note the customer never sees (staff only). `status` sets the status at the same time.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct NewMessage {
    /// The message (`message` is accepted too, as when opening a ticket).
    #[serde(default, alias = "message")]
    #[schema(required = true, max_length = 10000)]
    pub text: String,
    #[serde(default)]
    pub internal: bool,
    #[schema(nullable = false)]
    pub status: Option<String>,
    /// Files to attach (at most 5, each at most 5 MiB: PNG, JPEG, PDF or plain text); those of
    /// an internal note are as internal as the note.
    #[serde(default)]
    pub attachments: Vec<super::attachments::AttachmentUpload>,
    /// Files a page form sent.
    #[serde(skip)]
    pub files: Vec<super::attachments::Upload>,
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct StatusChange {
    /// open, pending, solved or closed; the customer may only close or reopen.
    #[serde(default)]
    #[schema(required = true)]
    pub status: String,
}

/// A notice about a ticket for the account in view ("Servicecenter answered …").
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = TicketNotification)]
pub struct Notification {
    pub id: i64,
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    pub text: String,
    pub read: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn parse_priority(v: Option<&str>) -> AppResult<Priority> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Priority::Normal),
        Some(v) => Priority::parse(v).ok_or_else(|| {
            AppError::validation("priority", "Priority must be low, normal, high or urgent")
        }),
    }
}

fn parse_category(v: Option<&str>) -> AppResult<Category> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Category::Question),
        Some(v) => Category::parse(v).ok_or_else(|| {
            AppError::validation(
                "category",
                "Category must be question, problem, billing, feature or other",
            )
        }),
    }
}

pub fn parse_status(v: &str) -> AppResult<TicketStatus> {
    TicketStatus::parse(v.trim()).ok_or_else(|| {
        AppError::validation("status", "Status must be open, pending, solved or closed")
    })
}

fn body(field: &str, v: &str) -> AppResult<String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(AppError::validation(field, "Write a message"));
    }
    if t.chars().count() > MAX_BODY {
        return Err(AppError::validation(
            field,
            format!("A message is at most {MAX_BODY} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::validation(
            field,
            "Text must not contain control characters",
        ));
    }
    Ok(t.to_string())
}

/// The nearest partner, reseller or dealer above a customer: the account that serves it.
async fn server_of(conn: &mut sqlx::AnyConnection, customer: AccountId) -> AppResult<i64> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT a.id FROM account_closure c JOIN accounts a ON a.id = c.ancestor_id \
         WHERE c.descendant_id = $1 AND c.depth > 0 AND a.kind IN ('partner', 'reseller', 'dealer') \
         ORDER BY c.depth LIMIT 1",
    )
    .bind(customer)
    .fetch_optional(&mut *conn)
    .await?;
    match id {
        Some(id) => Ok(id),
        None => Ok(sqlx::query_scalar(
            "SELECT COALESCE(parent_id, id) FROM accounts WHERE id = $1",
        )
        .bind(customer)
        .fetch_one(&mut *conn)
        .await?),
    }
}

/// The clock's state of a ticket, read under a lock in a write transaction.
struct Clock {
    status: TicketStatus,
    priority: Priority,
    unanswered: bool,
    counted: i64,
    from: Option<i64>,
    escalated: bool,
    customer_id: AccountId,
    served_by: i64,
    subject: String,
    opened_by: Option<i64>,
}

async fn lock(state: &AppState, conn: &mut sqlx::AnyConnection, id: TicketId) -> AppResult<Clock> {
    let lock = if state.db.backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let r = sqlx::query(&format!(
        "SELECT status, priority, unanswered, counted_ms, clock_from, escalated_at, customer_id, \
         served_by_id, subject, opened_by_login_id FROM tickets WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Clock {
        status: r.try_get("status")?,
        priority: r.try_get("priority")?,
        unanswered: r.try_get::<i64, _>("unanswered")? == 1,
        counted: r.try_get("counted_ms")?,
        from: r.try_get("clock_from")?,
        escalated: r.try_get::<Option<i64>, _>("escalated_at")?.is_some(),
        customer_id: r.try_get("customer_id")?,
        served_by: r.try_get("served_by_id")?,
        subject: r.try_get("subject")?,
        opened_by: r.try_get("opened_by_login_id")?,
    })
}

impl Clock {
    /// Whether the response clock runs: waiting for an answer, open (not pending on the
    /// customer, not solved or closed), and not escalated yet (a ticket escalates once).
    fn runs(&self) -> bool {
        self.unanswered && self.status == TicketStatus::Open && !self.escalated
    }

    /// Stops counting at `now`, keeping the business time counted so far.
    fn pause(&mut self, hours: &Hours, now: i64) {
        if let Some(f) = self.from.take() {
            self.counted += hours.between(f, now);
        }
    }

    /// Starts (or resumes) counting at `now` when it should run.
    fn resume(&mut self, now: i64) {
        if self.runs() && self.from.is_none() {
            self.from = Some(now);
        }
    }

    fn due(&self, s: &TicketSettings, hours: &Hours) -> Option<i64> {
        match (self.runs(), self.from) {
            (true, Some(f)) => Some(hours.add(f, s.response_ms(self.priority) - self.counted)),
            _ => None,
        }
    }

    async fn save(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: TicketId,
        s: &TicketSettings,
        hours: &Hours,
        now: i64,
    ) -> AppResult<()> {
        sqlx::query(
            "UPDATE tickets SET status = $1, unanswered = $2, counted_ms = $3, clock_from = $4, \
             due_at = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(self.status)
        .bind(i64::from(self.unanswered))
        .bind(self.counted)
        .bind(self.from)
        .bind(self.due(s, hours))
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// A new status, moving the clock: pending pauses it, solved and closed end the wait,
    /// open again resumes it (a reopened ticket waits for an answer from now).
    fn set_status(&mut self, to: TicketStatus, hours: &Hours, now: i64) {
        let from = self.status;
        if from == to {
            return;
        }
        self.pause(hours, now);
        match to {
            TicketStatus::Solved | TicketStatus::Closed => {
                self.unanswered = false;
                self.counted = 0;
            }
            TicketStatus::Open if matches!(from, TicketStatus::Solved | TicketStatus::Closed) => {
                self.unanswered = true;
                self.counted = 0;
            }
            _ => {}
        }
        self.status = to;
        self.resume(now);
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_message(
    conn: &mut sqlx::AnyConnection,
    ticket: TicketId,
    from_customer: bool,
    internal: bool,
    who: &Identity,
    text: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO ticket_messages (ticket_id, from_customer, internal, author_login_id, \
         author_account_id, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id",
    )
    .bind(ticket)
    .bind(i64::from(from_customer))
    .bind(i64::from(internal))
    .bind(who.login.id)
    .bind(who.view_account_id)
    // Someone from above acting as the customer writes as Servicecenter: the customer's thread
    // never names another account's staff (the login stays in author_login_id and the audit).
    .bind(if who.acting_as.is_some() {
        SERVICECENTER
    } else {
        who.login.name.as_str()
    })
    .bind(text)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// ", with 2 attachments" for the audit, or nothing.
fn files_note(files: &[super::attachments::Checked]) -> String {
    match files.len() {
        0 => String::new(),
        1 => format!(", with attachment “{}”", files[0].name),
        n => format!(", with {n} attachments"),
    }
}

/// Whether the caller is on the customer's side of a ticket of `customer_id`.
pub fn is_customer_side(who: &Identity, customer_id: AccountId) -> bool {
    side_of(who, customer_id) == Side::Customer
}
