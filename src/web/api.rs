//! The JSON API under /api/v1: thin handlers over the domain.

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{cookies, ApiId, ApiJson, Auth, RequestMeta, RouteAccess};
use crate::{
    domain::{accounts, acting, audit, auth, logins, query::Page, Identity},
    error::{AppError, AppResult},
    state::AppState,
};

use crate::domain::access::Need;
use RouteAccess as A;

crate::route_table! { ROUTES, routes;
    post "/auth/login" => login, A::Public;
    post "/auth/logout" => logout, A::SignedIn;
    get "/me" => me, A::SignedIn;
    patch "/me" => update_me, A::SignedIn;
    post "/me/password" => change_password, A::SignedIn;
    get "/me/activity" => activity, A::SignedIn;
    get "/me/tokens" => list_tokens, A::SignedIn;
    post "/me/tokens" => create_token, A::SignedIn;
    delete "/me/tokens/{id}" => revoke_token, A::SignedIn;
    get "/dashboard" => dashboard, A::SignedIn;
    get "/accounts/{id}" => get_account, A::Account(Need::Read);
    patch "/accounts/{id}" => update_account, A::Account(Need::Write);
    get "/accounts/{id}/children" => list_children, A::Account(Need::Read);
    post "/accounts/{id}/children" => create_child, A::Account(Need::Write);
    get "/accounts/{id}/subtree" => search_subtree, A::Account(Need::Read);
    post "/accounts/{id}/status" => set_status, A::AccountBelow(Need::Admin);
    get "/accounts/{id}/deletion" => deletion_preview, A::AccountBelow(Need::Admin);
    delete "/accounts/{id}" => delete_account, A::AccountBelow(Need::Admin);
    get "/accounts/{id}/logins" => list_logins, A::Account(Need::Read);
    post "/accounts/{id}/logins" => create_login, A::Account(Need::Admin);
    patch "/logins/{id}" => update_login, A::Login;
    delete "/logins/{id}" => delete_login, A::Login;
    post "/act-as" => act_as_start, A::SignedIn;
    post "/act-as/exit" => act_as_exit, A::SignedIn;
    post "/act-as/renew" => act_as_renew, A::SignedIn;
    get "/audit" => audit_search, A::SignedIn;
    get "/audit.csv" => audit_csv, A::SignedIn;
}

/// Query parameters that cannot be read are a JSON 400, not a bare text error.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, AppError> {
        if super::query_has_nul(parts.uri.query().unwrap_or("")) {
            return Err(AppError::bad_request(
                "invalid_text",
                "Text must not contain NUL characters",
            ));
        }
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(ApiQuery)
            .map_err(|e| {
                AppError::bad_request(
                    "invalid_query",
                    format!("The query string does not fit this call: {e}"),
                )
            })
    }
}

#[derive(Deserialize)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

#[derive(Serialize)]
pub struct MeBody {
    pub login: logins::Login,
    /// The account in view (the login's own, or the one it acts as).
    pub account: accounts::Account,
    pub home_account: accounts::Account,
    pub acting_as: Option<i64>,
    pub via: &'static str,
}

async fn me_body(state: &AppState, who: &Identity) -> AppResult<MeBody> {
    let account = accounts::get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let home_account = if who.home_account_id == who.view_account_id {
        account.clone()
    } else {
        accounts::get(&state.db, who.home_account_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    Ok(MeBody {
        login: who.login.clone(),
        account,
        home_account,
        acting_as: who.acting_as,
        via: if who.session_id().is_some() {
            "session"
        } else {
            "token"
        },
    })
}

async fn login(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> AppResult<Response> {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let s = auth::sign_in(
        &state,
        &body.email,
        &body.password,
        &auth::Client {
            ip: &meta.ip,
            user_agent: ua,
            request_id: &meta.id,
        },
    )
    .await?;
    let account = accounts::get(&state.db, s.login.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let cookie = cookies::set(
        cookies::SESSION,
        &s.token,
        None,
        state.config.secure_cookies,
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "login": s.login, "account": account, "csrf_token": s.csrf_token })),
    )
        .into_response())
}

async fn logout(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Response> {
    auth::sign_out(&state, &who).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            cookies::clear(cookies::SESSION, state.config.secure_cookies),
        )],
    )
        .into_response())
}

async fn me(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Json<MeBody>> {
    Ok(Json(me_body(&state, &who).await?))
}

#[derive(Deserialize)]
pub struct UpdateMe {
    pub name: Option<String>,
    pub email: Option<String>,
    pub current_password: Option<String>,
}

async fn update_me(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<UpdateMe>,
) -> AppResult<Json<MeBody>> {
    let name = body.name.unwrap_or_else(|| who.login.name.clone());
    let email = body.email.unwrap_or_else(|| who.login.email.clone());
    let login = logins::update_profile(
        &state,
        &who,
        &name,
        &email,
        body.current_password.as_deref(),
    )
    .await?;
    let who = Identity { login, ..who };
    Ok(Json(me_body(&state, &who).await?))
}

#[derive(Deserialize)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<ChangePassword>,
) -> AppResult<StatusCode> {
    logins::change_password(
        &state,
        &who,
        &body.current_password,
        &body.new_password,
        None,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn activity(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    who.require_own_identity()?;
    let items = audit::for_login(&state.db, who.login.id, 50).await?;
    Ok(Json(json!({ "items": items })))
}

async fn list_tokens(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": auth::list_tokens(&state, &who).await? }),
    ))
}

#[derive(Deserialize)]
pub struct CreateToken {
    pub name: String,
}

async fn create_token(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<CreateToken>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let (token, secret) = auth::create_token(&state, &who, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": token, "secret": secret })),
    ))
}

async fn revoke_token(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<StatusCode> {
    auth::revoke_token(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
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

async fn dashboard(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Json<Dashboard>> {
    Ok(Json(dashboard_data(&state, &who).await?))
}

// ---- the account tree ----

async fn get_account(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<accounts::Account>> {
    Ok(Json(
        crate::domain::access::account(&state, &who, id, Need::Read).await?,
    ))
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

// ---- acting as another account ----

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

// ---- audit log ----

async fn audit_search(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<audit::AuditFilter>,
) -> AppResult<Json<Page<audit::AuditRecord>>> {
    Ok(Json(audit::search(&state, &who, &f).await?))
}

pub fn csv_response(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A CSV download sent as its rows are read.
pub fn csv_stream_response(name: &str, rx: crate::domain::csv_out::Stream) -> Response {
    let body = axum::body::Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
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
