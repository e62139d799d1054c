//! The JSON API under /api/v1: thin handlers over the domain.

use crate::areas::accounts;
use crate::areas::accounts::acting;
use crate::areas::accounts::logins;
use crate::areas::auth::api::{me_body, MeBody};
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppResult;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess;
use crate::kernel::http::*;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::Deserialize;
use serde_json::json;
use RouteAccess as A;

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}" => get_account, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    patch "/accounts/{id}" => update_account, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    get "/accounts/{id}/children" => list_children, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/children" => create_child, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    get "/accounts/{id}/subtree" => search_subtree, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/status" => set_status, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    get "/accounts/{id}/deletion" => deletion_preview, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    delete "/accounts/{id}" => delete_account, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    get "/accounts/{id}/logins" => list_logins, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/logins" => create_login, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    patch "/logins/{id}" => update_login, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
    delete "/logins/{id}" => delete_login, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
    post "/act-as" => act_as_start, A::SignedIn;
    post "/act-as/exit" => act_as_exit, A::SignedIn;
    post "/act-as/renew" => act_as_renew, A::SignedIn;
    get "/audit" => audit_search, A::SignedIn;
    get "/audit.csv" => audit_csv, A::SignedIn;
}

async fn get_account(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<accounts::Account>> {
    Ok(Json(accounts::load(&state, id).await?))
}

async fn update_account(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<accounts::AccountUpdate>,
) -> AppResult<Json<accounts::Account>> {
    Ok(Json(accounts::update(&state, &who, id, &body).await?))
}

async fn list_children(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiQuery(f): ApiQuery<accounts::ListFilter>,
) -> AppResult<Json<Page<accounts::Account>>> {
    Ok(Json(accounts::list(&state, &who, id, true, &f).await?))
}

async fn search_subtree(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiQuery(f): ApiQuery<accounts::ListFilter>,
) -> AppResult<Json<Page<accounts::Account>>> {
    Ok(Json(accounts::list(&state, &who, id, false, &f).await?))
}

async fn create_child(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<accounts::AccountInput>,
) -> AppResult<(StatusCode, Json<accounts::Account>)> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::create_child(&state, &who, id, &body).await?),
    ))
}

#[derive(Deserialize)]
pub struct StatusBody {
    #[serde(default)]
    pub status: String,
}

async fn set_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<accounts::Account>> {
    Ok(Json(
        accounts::set_status(&state, &who, id, body.status.trim()).await?,
    ))
}

async fn deletion_preview(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<accounts::DeletionPreview>> {
    Ok(Json(accounts::deletion_preview(&state, &who, id).await?))
}

#[derive(Deserialize, Default)]
pub struct DeleteAccount {
    pub confirm_accounts: Option<i64>,
}

async fn delete_account(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiQuery(q): ApiQuery<DeleteAccount>,
) -> AppResult<Json<accounts::DeletionPreview>> {
    Ok(Json(
        accounts::delete(&state, &who, id, q.confirm_accounts).await?,
    ))
}

async fn list_logins(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": logins::list_for_account(&state, &who, id).await? }),
    ))
}

async fn create_login(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<logins::LoginInput>,
) -> AppResult<(StatusCode, Json<logins::Login>)> {
    Ok((
        StatusCode::CREATED,
        Json(logins::create_for_account(&state, &who, id, &body).await?),
    ))
}

async fn update_login(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<logins::LoginUpdate>,
) -> AppResult<Json<logins::Login>> {
    Ok(Json(logins::update_login(&state, &who, id, &body).await?))
}

#[derive(Deserialize, Default)]
pub struct ConfirmQuery {
    pub confirm: Option<bool>,
}

async fn delete_login(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiQuery(q): ApiQuery<ConfirmQuery>,
) -> AppResult<StatusCode> {
    logins::delete_login(&state, &who, id, q.confirm.unwrap_or(false)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ActAsBody {
    pub account_id: i64,
}

async fn act_as_start(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<ActAsBody>,
) -> AppResult<Json<MeBody>> {
    let account = acting::start(&state, &who, body.account_id).await?;
    let who = Identity {
        view_account_id: account.id,
        acting_as: Some(account.id),
        ..who
    };
    Ok(Json(me_body(&state, &who).await?))
}

async fn act_as_exit(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Json<MeBody>> {
    acting::exit(&state, &who).await?;
    let who = Identity {
        view_account_id: who.home_account_id,
        acting_as: None,
        ..who
    };
    Ok(Json(me_body(&state, &who).await?))
}

async fn act_as_renew(State(state): State<AppState>, Auth(who): Auth) -> AppResult<StatusCode> {
    acting::renew(&state, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn audit_search(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<audit::AuditFilter>,
) -> AppResult<Json<Page<audit::AuditRecord>>> {
    Ok(Json(audit::search(&state, &who, &f).await?))
}

async fn audit_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<audit::AuditFilter>,
) -> AppResult<Response> {
    Ok(csv_response(
        "audit.csv",
        audit::export_csv(&state, &who, &f).await?,
    ))
}
