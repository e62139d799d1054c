//! The JSON API under /api/v1: thin handlers over the domain.

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
    Extension, Json, Router,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{cookies, ApiJson, Auth, RequestMeta};
use crate::{
    domain::{accounts, audit, auth, logins, Identity},
    error::{AppError, AppResult},
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me).patch(update_me))
        .route("/me/password", post(change_password))
        .route("/me/activity", get(activity))
        .route("/me/tokens", get(list_tokens).post(create_token))
        .route("/me/tokens/{id}", delete(revoke_token))
        .route("/dashboard", get(dashboard))
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
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
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
