//! The JSON API under /api/v1: thin handlers over the domain.

use crate::areas::accounts;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess;
use crate::kernel::Identity;
use crate::state::AppState;
use axum::{extract::State, Json};
use serde::Serialize;
use RouteAccess as A;

#[derive(utoipa::OpenApi)]
#[openapi(paths(dashboard))]
pub struct Doc;

crate::route_table! { ROUTES, routes;
    get "/dashboard" => dashboard, A::SignedIn;
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub account: accounts::Account,
    /// Accounts below by kind: directly and in all.
    pub below: Vec<accounts::KindCount>,
    /// Logins of the account.
    pub logins: i64,
}

pub async fn dashboard_data(state: &AppState, who: &Identity) -> AppResult<Dashboard> {
    if !who.login.dashboard_rights && who.acting_as.is_none() {
        return Err(AppError::forbidden("your login has no dashboard rights"));
    }
    let account = accounts::get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Dashboard {
        below: accounts::counts_below(&state.db, account.id).await?,
        logins: accounts::login_count(&state.db, account.id).await?,
        account,
    })
}

#[utoipa::path(get, path = "/dashboard", tag = "dashboard", operation_id = "dashboard",
    summary = "Figures of the account in view: its kind and the accounts below it by kind",
    responses(
        (status = 200, description = "Dashboard", body = Dashboard),
        (status = 403, description = "The login has no dashboard rights (`forbidden`)", body = crate::kernel::error::ErrorBody),
    ))]
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(dashboard_data(&state, &who).await?))
}
