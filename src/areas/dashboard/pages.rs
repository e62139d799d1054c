//! Server-rendered pages: thin handlers, askama templates, forms and flash messages.

use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::*;
use crate::kernel::http::PageAuth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};

crate::route_table! { ROUTES, routes;
    get "/" => dashboard, A::SignedIn;
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
pub(crate) struct DashboardTpl {
    layout: Layout,
    d: super::api::Dashboard,
    recent: Vec<audit::AuditRecord>,
}

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let layout = Layout::for_user(&state, &who, &headers, "Dashboard", "dashboard").await?;
    let d = match super::api::dashboard_data(&state, &who).await {
        Err(AppError::Forbidden(_)) => {
            return Ok(redirect_with_flash(
                "/accounts",
                "!Your login has no dashboard rights.",
                state.config.secure_cookies,
            ))
        }
        other => other?,
    };
    let recent = if who.acting_as.is_none() {
        audit::for_login(&state.db, who.login.id, 8).await?
    } else {
        Vec::new()
    };
    let t = DashboardTpl { layout, d, recent };
    show(&state, &t, &t.layout)
}
