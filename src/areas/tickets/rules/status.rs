//! Setting a ticket's status.

use super::*;
use crate::areas::tickets::TicketId;

/// Sets the status (members and up). The customer may close or reopen its ticket; pending and
/// solved are the service side's (403 for the customer).
pub async fn set_status(
    state: &AppState,
    who: &Identity,
    id: TicketId,
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
