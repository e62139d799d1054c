//! The JSON API under /api/v1: thin handlers over the domain.

use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::auth;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::cookies;
use crate::kernel::http::openapi::Items;
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

use crate::areas::accounts::LoginId;
use crate::areas::auth::ApiTokenId;
use crate::areas::auth::SessionId;
use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    post "/auth/login" => login, A::Public;
    post "/auth/logout" => logout, A::SignedIn, unpaid;
    post "/auth/password-reset" => request_password_reset, A::Public;
    post "/auth/password-reset/confirm" => confirm_password_reset, A::Public;
    get "/me" => me, A::SignedIn, unpaid;
    patch "/me" => update_me, A::SignedIn;
    post "/me/password" => change_password, A::SignedIn;
    get "/me/activity" => activity, A::SignedIn;
    get "/me/tokens" => list_tokens, A::SignedIn;
    post "/me/tokens" => create_token, A::SignedIn;
    delete "/me/tokens/{id}" => revoke_token, A::On(&crate::areas::auth::API_TOKEN, Need::Read);
    get "/me/sessions" => list_sessions, A::SignedIn;
    delete "/me/sessions/{id}" => end_session, A::On(&crate::areas::auth::SESSION, Need::Read);
    delete "/logins/{id}/sessions" => end_login_sessions, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    login,
    logout,
    request_password_reset,
    confirm_password_reset,
    me,
    update_me,
    change_password,
    activity,
    list_tokens,
    create_token,
    revoke_token,
    list_sessions,
    end_session,
    end_login_sessions
))]
pub struct Doc;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = LoginRequest)]
pub struct LoginBody {
    /// The login's email address, or a dealer's username.
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
}

/// The answer of a sign-in.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = LoginResponse)]
pub struct LoginAnswer {
    pub login: logins::Login,
    pub account: accounts::Account,
    /// Send it as the `X-CSRF-Token` header on every state-changing call made with the cookie.
    pub csrf_token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Me)]
pub struct MeBody {
    pub login: logins::Login,
    /// The account in view (the login's own, or the one it acts as).
    pub account: accounts::Account,
    pub home_account: accounts::Account,
    /// The account acted as, if any.
    pub acting_as: Option<i64>,
    /// How the call is authenticated.
    #[schema(schema_with = via_values)]
    pub via: &'static str,
}

fn via_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["session", "token"])
}

/// `{ "token": ..., "secret": ... }`: the secret is shown only here.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: auth::ApiToken,
    /// The token to send as `Authorization: Bearer <secret>`; shown once.
    pub secret: String,
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
        acting_as: who.acting_as.map(i64::from),
        via: if who.session_id().is_some() {
            "session"
        } else {
            "token"
        },
    })
}

#[utoipa::path(post, path = "/auth/login", tag = "auth", operation_id = "login",
    summary = "Sign in with email (or a dealer's username) and password",
    description = "Sets the `pp_session` cookie. State-changing calls made with that cookie send the returned `csrf_token` as the `X-CSRF-Token` header.",
    security(()),
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = LoginAnswer),
        (status = 202, description = "The password is right and the login has (or must set up) a second factor: no session yet. Send the code with the `challenge` to `POST /auth/login/two-factor` (or, for `second_step` \"enrol\", set one up with `POST /auth/login/two-factor/enrolment`)", body = auth::two_factor_api::SecondStepAnswer),
        (status = 401, description = "Email or password is incorrect (`invalid_credentials`); the same for an unknown email", body = E),
        (status = 403, description = "The login or its account is inactive (`forbidden`)", body = E),
        (status = 422, description = "Email or password empty (`validation_failed`, with `field`)", body = E),
        (status = 429, description = "Too many failed attempts for this email or address (`too_many_attempts`); see Retry-After", body = E),
    ))]
pub(crate) async fn login(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> AppResult<Response> {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let client = auth::Client {
        ip: &meta.ip,
        user_agent: ua,
        request_id: &meta.id,
    };
    match auth::sign_in(&state, &body.email, &body.password, &client).await? {
        auth::SignIn::Session(s) => signed_in(&state, s).await,
        auth::SignIn::SecondStep {
            step,
            challenge,
            expires_at,
        } => Ok((
            StatusCode::ACCEPTED,
            Json(auth::two_factor_api::SecondStepAnswer {
                second_step: step.as_str().to_string(),
                challenge,
                expires_at: crate::clock::rfc3339(expires_at),
            }),
        )
            .into_response()),
    }
}

/// The answer of a completed sign-in: the session cookie, and who signed in.
pub(crate) async fn signed_in(state: &AppState, s: auth::NewSession) -> AppResult<Response> {
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
        Json(LoginAnswer {
            login: s.login,
            account,
            csrf_token: s.csrf_token,
        }),
    )
        .into_response())
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth", operation_id = "logout",
    summary = "End this session",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        (status = 400, description = "Called with an API token (`not_a_session`)", body = E),
    ))]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordResetRequest {
    /// The email address the login signs in with.
    #[schema(format = Email)]
    pub email: String,
}

/// The same answer whether or not a login uses the address.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PasswordResetRequested {
    pub message: String,
    /// How long the link works.
    pub expires_in_minutes: i64,
}

fn client<'a>(meta: &'a RequestMeta, headers: &'a HeaderMap) -> auth::Client<'a> {
    auth::Client {
        ip: &meta.ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
        request_id: &meta.id,
    }
}

#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", operation_id = "requestPasswordReset",
    summary = "Forgot password: email a single-use link to choose a new password",
    description = "Answers the same whether or not a login uses the address. The link works once, for 30 minutes; only a hash of it is kept. At most 3 links per email and 20 per address in 15 minutes (counted in the database).",
    security(()),
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If a login uses the address, a link was emailed to it", body = PasswordResetRequested),
        (status = 422, description = "Email empty or too long (`validation_failed`, with `field`)", body = E),
        (status = 429, description = "Too many links asked for this email or address (`too_many_attempts`); see Retry-After", body = E),
    ))]
pub(crate) async fn request_password_reset(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> AppResult<(StatusCode, Json<PasswordResetRequested>)> {
    auth::reset::request_reset(&state, &body.email, &client(&meta, &headers)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(PasswordResetRequested {
            message: "If a login signs in with this address, a link to choose a new password was emailed to it.".into(),
            expires_in_minutes: auth::reset::RESET_LINK_MINUTES,
        }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordResetConfirm {
    /// The token of the emailed link (`/reset-password?token=…`).
    pub token: String,
    #[schema(format = Password, min_length = 10, max_length = 256)]
    pub new_password: String,
}

#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth", operation_id = "confirmPasswordReset",
    summary = "Set a new password with a reset link; ends every session of the login",
    security(()),
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Changed; sign in with the new password"),
        (status = 403, description = "The login or its account is inactive (`forbidden`)", body = E),
        (status = 422, description = "A link already used (`reset_link_used`), expired (`reset_link_expired`), unknown or of a removed login (`reset_link_invalid`), each with `field` token; or a weak new password (`validation_failed`)", body = E),
    ))]
pub(crate) async fn confirm_password_reset(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordResetConfirm>,
) -> AppResult<StatusCode> {
    auth::reset::reset_password(
        &state,
        &body.token,
        &body.new_password,
        None,
        &client(&meta, &headers),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/me", tag = "me", operation_id = "getMe",
    summary = "The signed-in login, the account in view and the home account",
    responses((status = 200, description = "Me", body = MeBody)))]
pub(crate) async fn me(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Json<MeBody>> {
    Ok(Json(me_body(&state, &who).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateMe {
    /// Left out: unchanged.
    #[schema(
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    /// Left out: unchanged. A new email needs `current_password`.
    #[schema(nullable = false, format = Email)]
    pub email: Option<String>,
    #[schema(nullable = false, format = Password)]
    pub current_password: Option<String>,
    /// Left out: unchanged. The IANA time zone pages show times in (e.g. `Europe/Amsterdam`);
    /// an empty string clears it (pages then use UTC). An unknown name is refused (422).
    #[schema(nullable = false, max_length = 64, example = "Europe/Amsterdam")]
    pub time_zone: Option<String>,
}

#[utoipa::path(patch, path = "/me", tag = "me", operation_id = "updateMe",
    summary = "Change own name, email (a new email needs current_password) and time zone",
    request_body = UpdateMe,
    responses(
        (status = 200, description = "Saved", body = MeBody),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 409, description = "Email used by another login (`email_taken`)", body = E),
        (status = 422, description = "Invalid field, a field sent as null, or a wrong current password (`validation_failed`, with `field`)", body = E),
        (status = 429, description = "Too many wrong passwords for this login or address, counted with failed sign-ins (`too_many_attempts`); the session used ends; see Retry-After", body = E),
    ))]
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
        body.time_zone.as_deref(),
    )
    .await?;
    let who = Identity { login, ..who };
    Ok(Json(me_body(&state, &who).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangePassword {
    #[schema(format = Password)]
    pub current_password: String,
    #[schema(format = Password, min_length = 10, max_length = 256)]
    pub new_password: String,
}

#[utoipa::path(post, path = "/me/password", tag = "me", operation_id = "changePassword",
    summary = "Change own password; ends the login's other sessions",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 422, description = "Wrong current password or weak new one (`validation_failed`, with `field`)", body = E),
        (status = 429, description = "Too many wrong passwords for this login or address, counted with failed sign-ins (`too_many_attempts`); the session used ends; see Retry-After", body = E),
    ))]
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

#[utoipa::path(get, path = "/me/activity", tag = "me", operation_id = "myActivity",
    summary = "The latest 50 audit records of the signed-in login",
    responses(
        (status = 200, description = "Records", body = Items<crate::kernel::audit::AuditRecord>),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
    ))]
pub(crate) async fn activity(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    who.require_own_identity()?;
    let items = audit::for_login(&state.db, who.login.id, 50).await?;
    Ok(Json(json!({ "items": items })))
}

#[utoipa::path(get, path = "/me/tokens", tag = "me", operation_id = "listTokens",
    summary = "The login's API tokens",
    responses(
        (status = 200, description = "Tokens", body = Items<auth::ApiToken>),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
    ))]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": auth::list_tokens(&state, &who).await? }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateToken {
    #[schema(
        max_length = 60,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: String,
}

#[utoipa::path(post, path = "/me/tokens", tag = "me", operation_id = "createToken",
    summary = "Create an API token; its secret is returned only here",
    request_body = CreateToken,
    responses(
        (status = 201, description = "Created", body = CreatedToken),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 409, description = "Too many active tokens (`too_many_tokens`)", body = E),
        (status = 422, description = "Invalid name (`validation_failed`)", body = E),
    ))]
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

#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "me", operation_id = "revokeToken",
    summary = "Revoke an API token",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 404, description = "No such active token of this login (`not_found`)", body = E),
    ))]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ApiTokenId>,
) -> AppResult<StatusCode> {
    auth::revoke_token(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/me/sessions", tag = "me", operation_id = "listSessions",
    summary = "The signed-in login's live sessions: browser, address, started, last seen, acting as",
    responses(
        (status = 200, description = "Sessions, the latest seen first", body = Items<auth::sessions::SessionInfo>),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
    ))]
pub(crate) async fn list_sessions(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": auth::sessions::list_sessions(&state, &who).await? }),
    ))
}

#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "me", operation_id = "endSession",
    summary = "End one of the signed-in login's sessions (the current one signs out)",
    params(("id" = i64, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 404, description = "No such session of this login (`not_found`)", body = E),
    ))]
pub(crate) async fn end_session(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<SessionId>,
) -> AppResult<StatusCode> {
    auth::sessions::end_session(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many sessions ended.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionsEnded {
    pub ended: u64,
}

#[utoipa::path(delete, path = "/logins/{id}/sessions", tag = "accounts", operation_id = "endLoginSessions",
    summary = "End every session of a login you manage (owners and admins); its API tokens stay",
    params(("id" = i64, Path, description = "The login's id")),
    responses(
        (status = 200, description = "Ended", body = SessionsEnded),
        (status = 403, description = "Only owners and admins (`forbidden`)", body = E),
        (status = 404, description = "No such login in reach (`not_found`)", body = E),
    ))]
pub(crate) async fn end_login_sessions(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LoginId>,
) -> AppResult<Json<SessionsEnded>> {
    let ended = auth::sessions::end_login_sessions(&state, &who, id).await?;
    Ok(Json(SessionsEnded { ended }))
}
