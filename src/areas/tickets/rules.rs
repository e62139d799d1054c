//! Opening a ticket, writing in its thread (the customer's replies, the staff's answers and
//! internal notes), setting its status, the response clock each of these moves, the emails and
//! notifications they send, and the menu badge.

use super::model::{reach, side_of, Side, Thread};
use super::settings::{current, TicketSettings};
use super::{hours::Hours, Category, Priority, TicketStatus, SERVICECENTER};
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
    pub ticket_id: i64,
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
async fn server_of(conn: &mut sqlx::AnyConnection, customer: i64) -> AppResult<i64> {
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
    customer_id: i64,
    served_by: i64,
    subject: String,
    opened_by: Option<i64>,
}

async fn lock(state: &AppState, conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Clock> {
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
        id: i64,
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
    ticket: i64,
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

/// Opens a ticket for the customer in view (members and up); it is served by the nearest
/// partner, reseller or dealer above, whose owners and admins get an email.
pub async fn open(state: &AppState, who: &Identity, input: &NewTicket) -> AppResult<Thread> {
    let view = access::account(state, who, who.view_account_id, Need::Write).await?;
    if view.kind != Kind::Customer {
        return Err(AppError::forbidden(
            "tickets are opened by customers; your queue is under Support",
        ));
    }
    let mut errors = Vec::new();
    let subject = validate::name("subject", &input.subject, MAX_SUBJECT)
        .map_err(|e| errors.extend(e.field_errors()))
        .ok();
    let message = body("message", &input.message)
        .map_err(|e| errors.extend(e.field_errors()))
        .ok();
    let category = parse_category(input.category.as_deref())
        .map_err(|e| errors.extend(e.field_errors()))
        .ok();
    let priority = parse_priority(input.priority.as_deref())
        .map_err(|e| errors.extend(e.field_errors()))
        .ok();
    let (Some(subject), Some(message), Some(category), Some(priority)) =
        (subject, message, category, priority)
    else {
        return Err(AppError::Fields(errors));
    };
    let files = super::attachments::collect(&input.attachments, &input.files)?;
    let (s, hours) = current(state).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let server = server_of(&mut tx, view.id).await?;
    let due = hours.add(now, s.response_ms(priority));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets (tenant_id, customer_id, customer_path, served_by_id, opened_by_login_id, \
         subject, category, priority, status, unanswered, counted_ms, clock_from, due_at, \
         last_message_at, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, $2, $3, $4, $5, $6, 'open', 1, 0, $7, $8, $7, $7, $7 \
         FROM accounts a WHERE a.id = $1 RETURNING id",
    )
    .bind(view.id)
    .bind(server)
    .bind(who.login.id)
    .bind(&subject)
    .bind(category)
    .bind(priority)
    .bind(now)
    .bind(due)
    .fetch_one(&mut *tx)
    .await?;
    let mid = insert_message(&mut tx, id, true, false, who, &message, now).await?;
    super::attachments::store(&mut tx, id, mid, &files, now).await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(view.id),
            action: "ticket.open",
            target_type: Some("ticket"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "“{subject}” ({priority}, {category}){}",
                files_note(&files)
            )),
        },
    )
    .await?;
    email_staff(
        state, &mut tx, server, id, &subject, &view.name, &message, true,
    )
    .await?;
    tx.commit().await?;
    thread(state, who, id).await
}

/// A ticket with its thread as the caller's side reads it.
pub async fn thread(state: &AppState, who: &Identity, id: i64) -> AppResult<Thread> {
    let (ticket, side) = reach(state, who, id, Need::Read).await?;
    if side == Side::Customer && ticket.unread {
        sqlx::query("UPDATE tickets SET customer_unread = 0 WHERE id = $1")
            .bind(id)
            .execute(&state.db.pool)
            .await?;
        sqlx::query(
            "UPDATE ticket_notifications SET read_at = $1 WHERE ticket_id = $2 AND account_id = $3 \
             AND read_at IS NULL",
        )
        .bind(state.now_ms())
        .bind(id)
        .bind(ticket.customer_id)
        .execute(&state.db.pool)
        .await?;
    }
    let messages = super::model::messages(state, id, side).await?;
    Ok(Thread { ticket, messages })
}

/// Only the internal notes of a ticket (staff side; the customer gets 403).
pub async fn notes(state: &AppState, who: &Identity, id: i64) -> AppResult<Vec<super::Message>> {
    let (_, side) = reach(state, who, id, Need::Read).await?;
    if side == Side::Customer {
        return Err(AppError::forbidden(
            "internal notes are for the service side only",
        ));
    }
    Ok(super::model::messages(state, id, side)
        .await?
        .into_iter()
        .filter(|m| m.internal)
        .collect())
}

/// Writes in the thread (members and up): the customer's reply, or the staff's answer (to the
/// customer from "Servicecenter") or internal note; with a status at the same time if given.
pub async fn write(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &NewMessage,
) -> AppResult<Thread> {
    let (ticket, side) = reach(state, who, id, Need::Write).await?;
    let text = body("text", &input.text)?;
    if side == Side::Customer && input.internal {
        return Err(AppError::forbidden(
            "internal notes are for the service side only",
        ));
    }
    let status = input
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_status)
        .transpose()?;
    if let Some(st) = status {
        if side == Side::Customer && st.staff_only() {
            return Err(AppError::forbidden(
                "only the service side sets a ticket pending or solved",
            ));
        }
    }
    let files = super::attachments::collect(&input.attachments, &input.files)?;
    let (s, hours) = current(state).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let mut c = lock(state, &mut tx, id).await?;
    let from_customer = side == Side::Customer;
    let mid = insert_message(&mut tx, id, from_customer, input.internal, who, &text, now).await?;
    super::attachments::store(&mut tx, id, mid, &files, now).await?;
    let old_status = c.status;
    if from_customer {
        // The customer wrote: the ticket is open again and waits for an answer.
        if !c.unanswered || c.status != TicketStatus::Open {
            c.pause(&hours, now);
            if !c.unanswered {
                c.counted = 0;
            }
            c.unanswered = true;
            c.status = TicketStatus::Open;
            c.resume(now);
        }
    } else if !input.internal {
        // An answer: nothing waits any more.
        c.pause(&hours, now);
        c.unanswered = false;
        c.counted = 0;
    }
    if let Some(st) = status {
        c.set_status(st, &hours, now);
    }
    c.save(&mut tx, id, &s, &hours, now).await?;
    if !input.internal {
        sqlx::query("UPDATE tickets SET last_message_at = $1, customer_unread = $2 WHERE id = $3")
            .bind(now)
            .bind(i64::from(!from_customer))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let actor = who.actor();
    let status_note = if c.status != old_status {
        format!(", status {old_status} → {}{}", c.status, files_note(&files))
    } else {
        files_note(&files)
    };
    if from_customer {
        audit::record(
            &mut tx,
            now,
            &actor,
            audit::Entry {
                subject_account_id: Some(c.customer_id),
                action: "ticket.reply",
                target_type: Some("ticket"),
                target_id: Some(id.to_string()),
                detail: Some(format!("on “{}”{status_note}", c.subject)),
            },
        )
        .await?;
        email_staff(
            state,
            &mut tx,
            c.served_by,
            id,
            &c.subject,
            &ticket.customer_name,
            &text,
            false,
        )
        .await?;
    } else if input.internal {
        audit::record(
            &mut tx,
            now,
            &actor,
            audit::Entry {
                subject_account_id: Some(who.view_account_id),
                action: "ticket.note",
                target_type: Some("ticket"),
                target_id: Some(id.to_string()),
                detail: Some(format!(
                    "on “{}” of {}{status_note}",
                    c.subject, ticket.customer_name
                )),
            },
        )
        .await?;
    } else {
        audit::record_across(
            &mut tx,
            now,
            &actor,
            audit::Entry {
                subject_account_id: Some(who.view_account_id),
                action: "ticket.answer",
                target_type: Some("ticket"),
                target_id: Some(id.to_string()),
                detail: Some(format!(
                    "on “{}” of {}{status_note}",
                    c.subject, ticket.customer_name
                )),
            },
            audit::OtherSide {
                entry: audit::Entry {
                    subject_account_id: Some(c.customer_id),
                    action: "ticket.answer",
                    target_type: Some("ticket"),
                    target_id: Some(id.to_string()),
                    detail: Some(format!("on “{}”{status_note}", c.subject)),
                },
                actor_known_as: SERVICECENTER.to_string(),
            },
        )
        .await?;
        notify_customer(
            state,
            &mut tx,
            &c,
            id,
            &format!("{SERVICECENTER} answered your ticket “{}”", c.subject),
            Some(&text),
        )
        .await?;
    }
    tx.commit().await?;
    thread(state, who, id).await
}

/// Sets the status (members and up). The customer may close or reopen its ticket; pending and
/// solved are the service side's (403 for the customer).
pub async fn set_status(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &StatusChange,
) -> AppResult<Thread> {
    let (ticket, side) = reach(state, who, id, Need::Write).await?;
    let to = parse_status(&input.status)?;
    if side == Side::Customer && to.staff_only() {
        return Err(AppError::forbidden(
            "only the service side sets a ticket pending or solved",
        ));
    }
    let (s, hours) = current(state).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let mut c = lock(state, &mut tx, id).await?;
    let from = c.status;
    if from == to {
        tx.commit().await?;
        return thread(state, who, id).await;
    }
    c.set_status(to, &hours, now);
    c.save(&mut tx, id, &s, &hours, now).await?;
    let detail = format!("“{}”: {from} → {to}", c.subject);
    if side == Side::Customer {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(c.customer_id),
                action: "ticket.status",
                target_type: Some("ticket"),
                target_id: Some(id.to_string()),
                detail: Some(detail),
            },
        )
        .await?;
    } else {
        audit::record_across(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(who.view_account_id),
                action: "ticket.status",
                target_type: Some("ticket"),
                target_id: Some(id.to_string()),
                detail: Some(format!("{detail} (customer {})", ticket.customer_name)),
            },
            audit::OtherSide {
                entry: audit::Entry {
                    subject_account_id: Some(c.customer_id),
                    action: "ticket.status",
                    target_type: Some("ticket"),
                    target_id: Some(id.to_string()),
                    detail: Some(detail),
                },
                actor_known_as: SERVICECENTER.to_string(),
            },
        )
        .await?;
        notify_customer(
            state,
            &mut tx,
            &c,
            id,
            &format!(
                "{SERVICECENTER} set your ticket “{}” to {}",
                c.subject,
                to.as_str()
            ),
            None,
        )
        .await?;
    }
    tx.commit().await?;
    thread(state, who, id).await
}

/// The menu badge: for a customer, tickets with an answer it has not opened; for the operator,
/// escalated tickets still waiting for an answer; for the others, tickets below waiting for an
/// answer.
/// The count of the Support badge (tickets waiting for the account in view), as a subquery.
pub fn badge(scope: &crate::kernel::http::menu::BadgeScope<'_>) -> Sql {
    match scope.kind {
        Kind::Customer => {
            let mut sql = Sql::new(
                "SELECT COUNT(*) FROM tickets WHERE customer_unread = 1 AND customer_id = ",
            );
            sql.int(scope.id);
            sql
        }
        // The operator's own work: tickets that escalated to it and still wait for an answer
        // (the partners answer the rest), read from the index of escalated tickets.
        Kind::Operator => Sql::new(
            "SELECT COUNT(*) FROM tickets WHERE escalated_at IS NOT NULL AND unanswered = 1 \
             AND status = 'open'",
        ),
        _ => {
            let upper = format!("{}0", scope.path.trim_end_matches('/'));
            // Counted up to the badge's cap (the menu shows "999+"), so a big queue costs
            // every page no more than a small one.
            let mut sql = Sql::new(
                "SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE unanswered = 1 AND customer_path >= ",
            );
            sql.str(scope.path)
                .push(" AND customer_path < ")
                .str(&upper)
                .push(" AND status = 'open' LIMIT 1000) x");
            sql
        }
    }
}

/// The ticket notifications of the account in view, newest first (at most 50).
pub async fn notifications(state: &AppState, who: &Identity) -> AppResult<Vec<Notification>> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    let rows: Vec<(i64, i64, String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT id, ticket_id, text, read_at, created_at FROM ticket_notifications \
         WHERE account_id = $1 ORDER BY id DESC LIMIT 50",
    )
    .bind(who.view_account_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, ticket_id, text, read, at)| Notification {
            id,
            ticket_id,
            text,
            read: read.is_some(),
            created_at: crate::clock::rfc3339(at),
        })
        .collect())
}

pub(crate) async fn notice(
    conn: &mut sqlx::AnyConnection,
    account: i64,
    ticket: i64,
    text: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO ticket_notifications (account_id, ticket_id, text, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(account)
    .bind(ticket)
    .bind(text)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- emails (templates under templates/email/tickets/) ----

#[derive(Template)]
#[template(path = "email/tickets/staff.txt")]
struct StaffText<'a> {
    name: &'a str,
    new_ticket: bool,
    customer: &'a str,
    subject: &'a str,
    text: &'a str,
    ticket_id: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/tickets/staff.html")]
struct StaffHtml<'a> {
    name: &'a str,
    new_ticket: bool,
    customer: &'a str,
    subject: &'a str,
    text: &'a str,
    ticket_id: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/tickets/customer.txt")]
struct CustomerText<'a> {
    name: &'a str,
    headline: &'a str,
    text: &'a str,
    ticket_id: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/tickets/customer.html")]
struct CustomerHtml<'a> {
    name: &'a str,
    headline: &'a str,
    text: &'a str,
    ticket_id: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/tickets/escalated.txt")]
struct EscalatedText<'a> {
    name: &'a str,
    customer: &'a str,
    served_by: &'a str,
    subject: &'a str,
    priority: &'a str,
    ticket_id: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/tickets/escalated.html")]
struct EscalatedHtml<'a> {
    name: &'a str,
    customer: &'a str,
    served_by: &'a str,
    subject: &'a str,
    priority: &'a str,
    ticket_id: i64,
    base_url: &'a str,
}

fn tpl(e: askama::Error) -> AppError {
    AppError::Internal(format!("template: {e}"))
}

pub(crate) async fn send(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    template: &'static str,
    to: &str,
    text: String,
    html: String,
) -> AppResult<()> {
    let (subject, text) = crate::kernel::notify::split_subject(text);
    crate::kernel::notify::enqueue_rendered(
        state,
        conn,
        &crate::kernel::notify::Rendered {
            template,
            to: to.to_string(),
            subject,
            text,
            html,
        },
    )
    .await?;
    Ok(())
}

/// Active owners and admins of an account: who hears about its tickets.
pub(crate) async fn managers(
    conn: &mut sqlx::AnyConnection,
    account: i64,
) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT email, name FROM logins WHERE account_id = $1 AND status = 'active' \
         AND role IN ('owner', 'admin') ORDER BY id",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await?)
}

/// Who hears about a ticket on the serving side: the owners and admins of the serving account,
/// or, when it has none (a dealer without logins of its own), of the nearest account above it
/// that has some.
async fn serving_managers(
    conn: &mut sqlx::AnyConnection,
    server: i64,
) -> AppResult<Vec<(String, String)>> {
    let above: Vec<i64> = sqlx::query_scalar(
        "SELECT ancestor_id FROM account_closure WHERE descendant_id = $1 ORDER BY depth",
    )
    .bind(server)
    .fetch_all(&mut *conn)
    .await?;
    for a in above {
        let m = managers(conn, a).await?;
        if !m.is_empty() {
            return Ok(m);
        }
    }
    Ok(Vec::new())
}

#[allow(clippy::too_many_arguments)]
async fn email_staff(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    server: i64,
    id: i64,
    subject: &str,
    customer: &str,
    text: &str,
    new_ticket: bool,
) -> AppResult<()> {
    let base_url = &state.config.base_url;
    for (to, name) in serving_managers(conn, server).await? {
        let t = StaffText {
            name: &name,
            new_ticket,
            customer,
            subject,
            text,
            ticket_id: id,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let h = StaffHtml {
            name: &name,
            new_ticket,
            customer,
            subject,
            text,
            ticket_id: id,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        send(state, conn, "ticket_staff", &to, t, h).await?;
    }
    Ok(())
}

/// Tells the customer's side (the login that opened the ticket, or the customer's owners and
/// admins): a notification in the panel and an email, both from "Servicecenter".
async fn notify_customer(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    c: &Clock,
    id: i64,
    headline: &str,
    text: Option<&str>,
) -> AppResult<()> {
    let now = state.now_ms();
    notice(conn, c.customer_id, id, headline, now).await?;
    let opener: Option<(String, String)> = match c.opened_by {
        Some(l) => {
            sqlx::query_as(
                "SELECT email, name FROM logins WHERE id = $1 AND account_id = $2 AND status = 'active'",
            )
            .bind(l)
            .bind(c.customer_id)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => None,
    };
    let to = match opener {
        Some(o) => vec![o],
        None => managers(conn, c.customer_id).await?,
    };
    let base_url = &state.config.base_url;
    let text = text.unwrap_or("");
    for (to, name) in to {
        let t = CustomerText {
            name: &name,
            headline,
            text,
            ticket_id: id,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let h = CustomerHtml {
            name: &name,
            headline,
            text,
            ticket_id: id,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        send(state, conn, "ticket_customer", &to, t, h).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn email_escalated(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    operator: i64,
    id: i64,
    customer: &str,
    served_by: &str,
    subject: &str,
    priority: &str,
) -> AppResult<()> {
    let base_url = &state.config.base_url;
    for (to, name) in managers(conn, operator).await? {
        let t = EscalatedText {
            name: &name,
            customer,
            served_by,
            subject,
            priority,
            ticket_id: id,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let h = EscalatedHtml {
            name: &name,
            customer,
            served_by,
            subject,
            priority,
            ticket_id: id,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        send(state, conn, "ticket_escalated", &to, t, h).await?;
    }
    Ok(())
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
pub fn is_customer_side(who: &Identity, customer_id: i64) -> bool {
    side_of(who, customer_id) == Side::Customer
}
