//! Escalation: a ticket whose response time (business hours) has passed without an answer goes
//! to the operator's queue, once. The scan reads only the due tickets, from the index on
//! `due_at` (set while the clock runs, cleared when it stops or the ticket escalates), so its
//! cost follows the due tickets, not all tickets.

use super::rules::{email_escalated, notice};
use crate::areas::accounts::AccountId;
use crate::areas::tickets::TicketId;
use crate::kernel::audit;
use crate::kernel::error::AppResult;
use crate::state::AppState;
use sqlx::Row as _;

/// How many due tickets one run takes at most (the next run takes the rest).
const BATCH: i64 = 500;

/// Escalates every ticket due by now; returns the ids escalated.
pub async fn scan(state: &AppState) -> AppResult<Vec<i64>> {
    let now = state.now_ms();
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM tickets WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(&state.db.pool)
    .await?;
    let mut done = Vec::new();
    for id in due {
        if escalate(state, id, now).await? {
            done.push(id);
        }
    }
    Ok(done)
}

/// Escalates one ticket if it is still due: the update is the claim, so two instances never
/// escalate the same ticket twice.
async fn escalate(state: &AppState, id: i64, now: i64) -> AppResult<bool> {
    let mut tx = state.db.begin().await?;
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE tickets SET escalated_at = $1, due_at = NULL, clock_from = NULL, updated_at = $1 \
         WHERE id = $2 AND due_at IS NOT NULL AND due_at <= $1 AND escalated_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if claimed.is_none() {
        tx.commit().await?;
        return Ok(false);
    }
    let r = sqlx::query(
        "SELECT t.subject, t.priority, c.name AS customer, s.name AS served_by, \
         (SELECT o.id FROM accounts o WHERE o.kind = 'operator' ORDER BY o.id LIMIT 1) AS operator_id \
         FROM tickets t JOIN accounts c ON c.id = t.customer_id JOIN accounts s ON s.id = t.served_by_id \
         WHERE t.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let subject: String = r.try_get("subject")?;
    let priority: String = r.try_get("priority")?;
    let customer: String = r.try_get("customer")?;
    let served_by: String = r.try_get("served_by")?;
    let operator: i64 = r.try_get("operator_id")?;
    audit::record(
        &mut tx,
        now,
        &audit::Actor::system(),
        audit::Entry {
            subject_account_id: Some(AccountId(operator)),
            action: "ticket.escalate",
            target_type: Some("ticket"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "“{subject}” of {customer} ({priority}), unanswered by {served_by}"
            )),
        },
    )
    .await?;
    notice(
        &mut tx,
        AccountId(operator),
        TicketId(id),
        &format!("Ticket “{subject}” of {customer} escalated: {served_by} did not answer in time"),
        now,
    )
    .await?;
    email_escalated(
        state, &mut tx, operator, id, &customer, &served_by, &subject, &priority,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
