//! The ticket emails: to the serving staff, to the customer, and of escalation.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::tickets::TicketId;

// ---- emails (templates under templates/email/tickets/) ----

#[derive(Template)]
#[template(path = "email/tickets/staff.txt")]
struct StaffText<'a> {
    name: &'a str,
    new_ticket: bool,
    customer: &'a str,
    subject: &'a str,
    text: &'a str,
    ticket_id: TicketId,
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
    ticket_id: TicketId,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/tickets/customer.txt")]
struct CustomerText<'a> {
    name: &'a str,
    headline: &'a str,
    text: &'a str,
    ticket_id: TicketId,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/tickets/customer.html")]
struct CustomerHtml<'a> {
    name: &'a str,
    headline: &'a str,
    text: &'a str,
    ticket_id: TicketId,
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
    ticket_id: TicketId,
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
    ticket_id: TicketId,
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
    account: AccountId,
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
        let m = managers(conn, AccountId(a)).await?;
        if !m.is_empty() {
            return Ok(m);
        }
    }
    Ok(Vec::new())
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn email_staff(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    server: i64,
    id: TicketId,
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
            ticket_id: TicketId(id.get()),
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
            ticket_id: TicketId(id.get()),
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
pub(super) async fn notify_customer(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    c: &Clock,
    id: TicketId,
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
            ticket_id: TicketId(id.get()),
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let h = CustomerHtml {
            name: &name,
            headline,
            text,
            ticket_id: TicketId(id.get()),
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
    for (to, name) in managers(conn, AccountId(operator)).await? {
        let t = EscalatedText {
            name: &name,
            customer,
            served_by,
            subject,
            priority,
            ticket_id: TicketId(id),
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
            ticket_id: TicketId(id),
            base_url,
        }
        .render()
        .map_err(tpl)?;
        send(state, conn, "ticket_escalated", &to, t, h).await?;
    }
    Ok(())
}
