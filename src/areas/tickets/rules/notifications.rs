//! The Support badge and the ticket notifications of an account.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::tickets::TicketId;

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
            ticket_id: TicketId(ticket_id),
            text,
            read: read.is_some(),
            created_at: crate::clock::rfc3339(at),
        })
        .collect())
}

pub(crate) async fn notice(
    conn: &mut sqlx::AnyConnection,
    account: AccountId,
    ticket: TicketId,
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
