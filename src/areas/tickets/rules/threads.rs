//! Opening a ticket, reading its thread and notes, and writing in it.

use super::*;
use crate::areas::tickets::TicketId;

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
    let files = crate::areas::tickets::attachments::collect(&input.attachments, &input.files)?;
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
    let mid = insert_message(&mut tx, TicketId(id), true, false, who, &message, now).await?;
    crate::areas::tickets::attachments::store(&mut tx, TicketId(id), mid, &files, now).await?;
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
        state,
        &mut tx,
        server,
        TicketId(id),
        &subject,
        &view.name,
        &message,
        true,
    )
    .await?;
    tx.commit().await?;
    thread(state, who, TicketId(id)).await
}

/// A ticket with its thread as the caller's side reads it.
pub async fn thread(state: &AppState, who: &Identity, id: TicketId) -> AppResult<Thread> {
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
    let messages = crate::areas::tickets::model::messages(state, id, side).await?;
    Ok(Thread { ticket, messages })
}

/// Only the internal notes of a ticket (staff side; the customer gets 403).
pub async fn notes(
    state: &AppState,
    who: &Identity,
    id: TicketId,
) -> AppResult<Vec<crate::areas::tickets::Message>> {
    let (_, side) = reach(state, who, id, Need::Read).await?;
    if side == Side::Customer {
        return Err(AppError::forbidden(
            "internal notes are for the service side only",
        ));
    }
    Ok(crate::areas::tickets::model::messages(state, id, side)
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
    id: TicketId,
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
    let files = crate::areas::tickets::attachments::collect(&input.attachments, &input.files)?;
    let (s, hours) = current(state).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let mut c = lock(state, &mut tx, id).await?;
    let from_customer = side == Side::Customer;
    let mid = insert_message(&mut tx, id, from_customer, input.internal, who, &text, now).await?;
    crate::areas::tickets::attachments::store(&mut tx, id, mid, &files, now).await?;
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
