//! The demo's support desk: Café Aurora's tickets (one answered by Northwind, one waiting, one
//! high-priority about a dark screen) and a published release note, made through the same rules
//! the panel uses, so the queue, the badges and What's new have something to show.

use crate::areas::accounts::logins;
use crate::areas::auth::ApiTokenId;
use crate::areas::{release_notes, tickets};
use crate::kernel::error::AppError;
use crate::kernel::identity::{AuthVia, Identity};
use crate::state::AppState;

/// Who a demo login is, as the rules see it (signed in at its own account, not acting).
pub(super) async fn as_login(state: &AppState, email: &str) -> Result<Identity, AppError> {
    let login = logins::find_by_email(state, email)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Identity {
        home_account_id: login.account_id,
        view_account_id: login.account_id,
        login,
        acting_as: None,
        via: AuthVia::Token {
            token_id: ApiTokenId(0),
        },
        ip: "demo".into(),
        request_id: "demo".into(),
        suspended_by: None,
        view: None,
    })
}

pub async fn load(state: &AppState) -> Result<(), AppError> {
    let cafe = as_login(state, "cafe@northwind.example").await?;
    let northwind = as_login(state, "owner@northwind.example").await?;
    let operator = as_login(state, "operator@demo.example").await?;
    let ticket =
        |subject: &str, message: &str, category: &str, priority: &str| tickets::NewTicket {
            subject: subject.into(),
            message: message.into(),
            category: Some(category.into()),
            priority: Some(priority.into()),
            ..Default::default()
        };
    let answered = tickets::open(
        state,
        &cafe,
        &ticket(
            "How do I change the opening hours on the screen?",
            "Our winter hours start next week. Where do I change them?",
            "question",
            "normal",
        ),
    )
    .await?;
    let reply = |text: &str, internal: bool| tickets::NewMessage {
        text: text.into(),
        internal,
        status: None,
        ..Default::default()
    };
    tickets::write(
        state,
        &northwind,
        answered.ticket.id,
        &reply(
            "Open Messages and offers, choose the opening hours card and edit the times. They show within a minute.",
            false,
        ),
    )
    .await?;
    tickets::write(
        state,
        &northwind,
        answered.ticket.id,
        &reply(
            "Second time they ask this winter: add it to the onboarding mail.",
            true,
        ),
    )
    .await?;
    tickets::open(
        state,
        &cafe,
        &ticket(
            "The screen in the window stays black",
            "Since this morning the screen shows nothing, although it is switched on.",
            "problem",
            "high",
        ),
    )
    .await?;
    tickets::open(
        state,
        &cafe,
        &ticket(
            "Two invoices this month?",
            "We received two invoices for November. Is one of them a mistake?",
            "billing",
            "low",
        ),
    )
    .await?;
    release_notes::create(
        state,
        &operator,
        &release_notes::NoteInput {
            title: "Support tickets in every panel".into(),
            body: "Customers open tickets under **Support**; the partner above answers them as Servicecenter.\n\n- Filters for unanswered and overdue tickets\n- Escalation to the operator after the response time".into(),
            audience: Vec::new(),
            publish: true,
        },
    )
    .await?;
    Ok(())
}
