//! Server-rendered pages: thin handlers, askama templates, forms and flash messages.

use crate::areas::licenses::overview::{rows_of, Row};
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
    /// License totals as tiles and bars, each number a link to exactly its list.
    rows: Vec<Row>,
    /// The viewer may act as a partner below (the "Login as partner" box).
    act_as: bool,
}

impl DashboardTpl {
    fn plural(&self, n: &i64, one: &str, many: &str) -> String {
        format!("{n} {}", if *n == 1 { one } else { many })
    }
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
    let act_as = d.quick_actions.iter().any(|q| q.action == "act_as");
    let t = DashboardTpl {
        layout,
        rows: rows_of(&d.licenses),
        act_as,
        d,
    };
    show(&state, &t, &t.layout)
}
