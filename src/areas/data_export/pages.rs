//! The "Export my data" page: what the export holds, and its download.

use crate::areas::data_export;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};

crate::route_table! { ROUTES, routes;
    get "/me/export" => export_page, A::SignedIn;
    get "/me/export.json" => export_download, A::SignedIn;
}

#[derive(Template)]
#[template(path = "data_export/page.html")]
struct ExportTpl {
    layout: Layout,
    account: String,
    all_logins: bool,
}

pub async fn export_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let view = access::account(&state, &who, who.view_account_id, Need::Read).await?;
    let t = ExportTpl {
        layout: Layout::for_user(&state, &who, &headers, "Export my data", "data-export").await?,
        account: view.name.clone(),
        all_logins: access::allows(access::effective_role(&who), Need::Admin),
    };
    show(&state, &t, &t.layout)
}

pub async fn export_download(State(state): State<AppState>, PageAuth(who): PageAuth) -> PageResult {
    Ok(data_export::download(
        &data_export::export(&state, &who).await?,
    )?)
}
