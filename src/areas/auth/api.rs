//! The JSON API under /api/v1: thin handlers over the domain.

use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::auth;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::http::cookies;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess;
use crate::kernel::Identity;
use crate::state::AppState;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use RouteAccess as A;

use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    post "/auth/login" => login, A::Public;
    post "/auth/logout" => logout, A::SignedIn, unpaid;
    get "/me" => me, A::SignedIn, unpaid;
    patch "/me" => update_me, A::SignedIn;
    post "/me/password" => change_password, A::SignedIn;
    get "/me/activity" => activity, A::SignedIn;
    get "/me/tokens" => list_tokens, A::SignedIn;
    post "/me/tokens" => create_token, A::SignedIn;
    delete "/me/tokens/{id}" => revoke_token, A::On(&crate::areas::auth::API_TOKEN, Need::Read);
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

pub(crate) async fn me_body(state: &AppState, who: &Identity) -> AppResult<MeBody> {
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

pub(crate) async fn login(
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

pub(crate) async fn logout(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Response> {
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

pub(crate) async fn me(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Json<MeBody>> {
    Ok(Json(me_body(&state, &who).await?))
}

#[derive(Deserialize)]
pub struct UpdateMe {
    pub name: Option<String>,
    pub email: Option<String>,
    pub current_password: Option<String>,
}

pub(crate) async fn update_me(
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

pub(crate) async fn change_password(
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

pub(crate) async fn activity(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    who.require_own_identity()?;
    let items = audit::for_login(&state.db, who.login.id, 50).await?;
    Ok(Json(json!({ "items": items })))
}

pub(crate) async fn list_tokens(
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

pub(crate) async fn create_token(
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

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<StatusCode> {
    auth::revoke_token(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
