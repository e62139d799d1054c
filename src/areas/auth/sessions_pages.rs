//! The Sessions page of My profile, and an admin's "End sessions" on an account's logins.

use crate::areas::accounts::LoginId;
use crate::areas::auth::sessions::{self, SessionInfo};
use crate::areas::auth::SessionId;
use crate::kernel::access::Need;
use crate::kernel::http::layout::*;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageId;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};

crate::route_table! { ROUTES, routes;
    get "/profile/sessions" => sessions_page, A::SignedIn;
    post "/profile/sessions/{id}/end" => session_end, A::On(&crate::areas::auth::SESSION, Need::Read);
    post "/logins/{id}/sessions/end" => login_sessions_end, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
}

#[derive(Template)]
#[template(path = "auth/sessions.html")]
pub(crate) struct SessionsTpl {
    layout: Layout,
    items: Vec<SessionInfo>,
}

pub(crate) async fn sessions_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let items = sessions::list_sessions(&state, &who).await?;
    let tpl = SessionsTpl {
        layout: Layout::for_user(&state, &who, &headers, "Sessions", "sessions").await?,
        items,
    };
    show(&state, &tpl, &tpl.layout)
}

pub(crate) async fn session_end(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<SessionId>,
) -> PageResult {
    let current = who.session_id() == Some(id);
    sessions::end_session(&state, &who, id).await?;
    let secure = state.config.secure_cookies;
    if current {
        return Ok(redirect_with_flash(
            "/login",
            "You were signed out: that session has ended.",
            secure,
        ));
    }
    Ok(redirect_with_flash(
        "/profile/sessions",
        "The session was ended: that browser is signed out.",
        secure,
    ))
}

pub(crate) async fn login_sessions_end(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LoginId>,
) -> PageResult {
    let account = crate::areas::accounts::logins::get(&state, id)
        .await?
        .map(|l| l.account_id)
        .ok_or(crate::kernel::error::AppError::NotFound)?;
    let n = sessions::end_login_sessions(&state, &who, id).await?;
    Ok(redirect_with_flash(
        &format!("/accounts/{account}"),
        &format!("{n} session(s) of the login ended."),
        state.config.secure_cookies,
    ))
}
