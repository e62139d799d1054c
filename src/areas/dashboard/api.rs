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

crate::route_table! { ROUTES, routes;
    get "/dashboard" => dashboard, A::SignedIn;
}

#[derive(Serialize)]
pub struct Dashboard {
    pub account: accounts::Account,
    pub below: Vec<accounts::KindCount>,
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

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(dashboard_data(&state, &who).await?))
}
