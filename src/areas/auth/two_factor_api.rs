//! The JSON API of two-factor sign-in: the second step of a sign-in, a login's own second
//! factor, an admin's reset, and the operator's policy.

use super::api::{signed_in, LoginAnswer};
use super::two_factor as tf;
use crate::areas::accounts;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess;
use crate::state::AppState;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use serde::{Deserialize, Serialize};
use RouteAccess as A;

use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    post "/auth/login/two-factor" => sign_in_with_code, A::Public;
    post "/auth/login/two-factor/enrolment" => sign_in_enrolment, A::Public;
    post "/auth/login/two-factor/enrolment/confirm" => sign_in_enrol_confirm, A::Public;
    get "/me/two-factor" => two_factor_status, A::SignedIn;
    post "/me/two-factor" => begin_two_factor, A::SignedIn;
    post "/me/two-factor/confirm" => confirm_two_factor, A::SignedIn;
    post "/me/two-factor/recovery-codes" => new_recovery_codes, A::SignedIn;
    post "/me/two-factor/disable" => disable_two_factor, A::SignedIn;
    delete "/logins/{id}/two-factor" => reset_two_factor, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
    get "/accounts/{id}/two-factor-policy" => two_factor_policy, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    put "/accounts/{id}/two-factor-policy" => set_two_factor_policy, A::On(&crate::areas::auth::TWO_FACTOR_POLICY, Need::Admin);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    sign_in_with_code,
    sign_in_enrolment,
    sign_in_enrol_confirm,
    two_factor_status,
    begin_two_factor,
    confirm_two_factor,
    new_recovery_codes,
    disable_two_factor,
    reset_two_factor,
    two_factor_policy,
    set_two_factor_policy,
))]
pub struct Doc;

/// A sign-in waiting for its second step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SecondStepAnswer {
    /// `code`: send a code from the authenticator (or a recovery code); `enrol`: this login must
    /// set up a second factor first.
    #[schema(pattern = "^(code|enrol)$")]
    pub second_step: String,
    /// Carries this sign-in to its second step; valid for five minutes.
    pub challenge: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeCode {
    /// The `challenge` the password step answered with.
    pub challenge: String,
    /// Six digits from the authenticator app, or one of the recovery codes.
    #[schema(max_length = 32)]
    pub code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeOnly {
    pub challenge: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// Six digits from the authenticator app (recovery codes where the route says so).
    #[schema(max_length = 32)]
    pub code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableBody {
    pub password: String,
    /// Six digits from the authenticator app, or a recovery code.
    #[schema(max_length = 32)]
    pub code: String,
}

/// An enrolment to add to an authenticator app.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnrolmentAnswer {
    /// The shared secret in base32.
    pub secret: String,
    /// What the QR code carries.
    pub otpauth_uri: String,
}

impl From<tf::Enrolment> for EnrolmentAnswer {
    fn from(e: tf::Enrolment) -> Self {
        EnrolmentAnswer {
            secret: e.secret,
            otpauth_uri: e.otpauth_uri,
        }
    }
}

/// Ten single-use recovery codes, shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// A sign-in completed by setting up a second factor: who signed in, and the recovery codes.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnrolledSignIn {
    pub login: crate::areas::accounts::logins::Login,
    pub account: accounts::Account,
    /// Send it as the `X-CSRF-Token` header on every state-changing call made with the cookie.
    pub csrf_token: String,
    /// Ten single-use recovery codes, shown this once.
    pub recovery_codes: Vec<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// Roles of the account's own logins that must use a second factor (owner, admin, member,
    /// viewer).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Every login of the account and of every account below it must.
    #[serde(default)]
    pub below: bool,
}

fn client<'a>(meta: &'a RequestMeta, headers: &'a HeaderMap) -> super::Client<'a> {
    super::Client {
        ip: &meta.ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
        request_id: &meta.id,
    }
}

#[utoipa::path(post, path = "/auth/login/two-factor", tag = "auth", operation_id = "signInWithCode",
    summary = "The second step of a sign-in: a code from the authenticator, or a recovery code",
    description = "Sets the `pp_session` cookie, as `POST /auth/login` does without a second factor.",
    security(()),
    request_body = ChallengeCode,
    responses(
        (status = 200, description = "Signed in", body = LoginAnswer),
        (status = 409, description = "The login must set up a second factor first (`two_factor_off`)", body = E),
        (status = 422, description = "Wrong code (`code_invalid`), a code used before (`code_reused`), or an unknown or expired challenge (`sign_in_step_expired`)", body = E),
        (status = 429, description = "Five wrong codes: locked for the lockout window (`too_many_attempts`)", body = E),
    ))]
pub(crate) async fn sign_in_with_code(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChallengeCode>,
) -> AppResult<Response> {
    let s = tf::complete_sign_in(
        &state,
        &body.challenge,
        &body.code,
        &client(&meta, &headers),
    )
    .await?;
    signed_in(&state, s).await
}

#[utoipa::path(post, path = "/auth/login/two-factor/enrolment", tag = "auth", operation_id = "signInEnrolment",
    summary = "For a login that must use a second factor: the secret to add to an authenticator app",
    security(()),
    request_body = ChallengeOnly,
    responses(
        (status = 200, description = "The enrolment (the same one until it is confirmed)", body = EnrolmentAnswer),
        (status = 409, description = "The login has a second factor already (`two_factor_on`)", body = E),
        (status = 422, description = "Unknown or expired challenge (`sign_in_step_expired`)", body = E),
    ))]
pub(crate) async fn sign_in_enrolment(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ChallengeOnly>,
) -> AppResult<Json<EnrolmentAnswer>> {
    Ok(Json(
        tf::enrolment_for_challenge(&state, &body.challenge)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/auth/login/two-factor/enrolment/confirm", tag = "auth", operation_id = "signInEnrolConfirm",
    summary = "Confirm the new second factor with a code and complete the sign-in",
    security(()),
    request_body = ChallengeCode,
    responses(
        (status = 200, description = "Signed in; the recovery codes are shown this once", body = EnrolledSignIn),
        (status = 409, description = "The login has a second factor already (`two_factor_on`)", body = E),
        (status = 422, description = "Wrong code (`code_invalid`) or an unknown or expired challenge (`sign_in_step_expired`)", body = E),
        (status = 429, description = "Five wrong codes (`too_many_attempts`)", body = E),
    ))]
pub(crate) async fn sign_in_enrol_confirm(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChallengeCode>,
) -> AppResult<Response> {
    let (s, codes) = tf::enrol_and_sign_in(
        &state,
        &body.challenge,
        &body.code,
        &client(&meta, &headers),
    )
    .await?;
    let account = accounts::get(&state.db, s.login.account_id)
        .await?
        .ok_or(crate::kernel::error::AppError::NotFound)?;
    let cookie = crate::kernel::http::cookies::set(
        crate::kernel::http::cookies::SESSION,
        &s.token,
        None,
        state.config.secure_cookies,
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(EnrolledSignIn {
            login: s.login,
            account,
            csrf_token: s.csrf_token,
            recovery_codes: codes,
        }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/me/two-factor", tag = "auth", operation_id = "twoFactorStatus",
    summary = "Whether the signed-in login uses a second factor, and whether it must",
    responses(
        (status = 200, description = "The status", body = tf::TwoFactorStatus),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
    ))]
pub(crate) async fn two_factor_status(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<tf::TwoFactorStatus>> {
    Ok(Json(tf::status(&state, &who).await?))
}

#[utoipa::path(post, path = "/me/two-factor", tag = "auth", operation_id = "beginTwoFactor",
    summary = "Start setting up a second factor: a new secret, in force once a code confirms it",
    responses(
        (status = 201, description = "The enrolment", body = EnrolmentAnswer),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 409, description = "Already on (`two_factor_on`)", body = E),
    ))]
pub(crate) async fn begin_two_factor(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<(StatusCode, Json<EnrolmentAnswer>)> {
    Ok((
        StatusCode::CREATED,
        Json(tf::begin(&state, &who).await?.into()),
    ))
}

#[utoipa::path(post, path = "/me/two-factor/confirm", tag = "auth", operation_id = "confirmTwoFactor",
    summary = "Confirm the new second factor with a code from the app; answers the recovery codes",
    request_body = CodeBody,
    responses(
        (status = 200, description = "On; the recovery codes are shown this once", body = RecoveryCodes),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 409, description = "No enrolment started (`two_factor_off`) or already on (`two_factor_on`)", body = E),
        (status = 422, description = "Wrong code (`code_invalid`)", body = E),
        (status = 429, description = "Five wrong codes (`too_many_attempts`)", body = E),
    ))]
pub(crate) async fn confirm_two_factor(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<CodeBody>,
) -> AppResult<Json<RecoveryCodes>> {
    let recovery_codes = tf::confirm(&state, &who, &body.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

#[utoipa::path(post, path = "/me/two-factor/recovery-codes", tag = "auth", operation_id = "newRecoveryCodes",
    summary = "Ten new recovery codes (the old ones stop working); needs a code",
    request_body = CodeBody,
    responses(
        (status = 200, description = "The new codes, shown this once", body = RecoveryCodes),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 409, description = "Not on (`two_factor_off`)", body = E),
        (status = 422, description = "Wrong code (`code_invalid`) or one used before (`code_reused`)", body = E),
        (status = 429, description = "Five wrong codes (`too_many_attempts`)", body = E),
    ))]
pub(crate) async fn new_recovery_codes(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<CodeBody>,
) -> AppResult<Json<RecoveryCodes>> {
    let recovery_codes = tf::new_recovery_codes(&state, &who, &body.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

#[utoipa::path(post, path = "/me/two-factor/disable", tag = "auth", operation_id = "disableTwoFactor",
    summary = "Turn the second factor off; needs the password and a code",
    request_body = DisableBody,
    responses(
        (status = 204, description = "Off"),
        (status = 403, description = "Not while acting as another account (`forbidden`)", body = E),
        (status = 409, description = "Not on (`two_factor_off`), or a policy requires it (`two_factor_required`)", body = E),
        (status = 422, description = "Wrong password (`validation_failed`, field `password`), wrong code (`code_invalid`) or one used before (`code_reused`)", body = E),
        (status = 429, description = "Too many wrong passwords or codes (`too_many_attempts`)", body = E),
    ))]
pub(crate) async fn disable_two_factor(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<DisableBody>,
) -> AppResult<StatusCode> {
    tf::disable(&state, &who, &body.password, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/logins/{id}/two-factor", tag = "accounts", operation_id = "resetTwoFactor",
    summary = "Reset the second factor of a login you manage (owners and admins), e.g. after a lost phone",
    params(("id" = i64, Path, description = "The login's id")),
    responses(
        (status = 204, description = "Reset: the login signs in with its password (and enrols anew where required)"),
        (status = 403, description = "Only owners and admins (`forbidden`)", body = E),
        (status = 404, description = "No such login in reach (`not_found`)", body = E),
        (status = 409, description = "The login has no second factor (`two_factor_off`)", body = E),
    ))]
pub(crate) async fn reset_two_factor(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LoginId>,
) -> AppResult<StatusCode> {
    tf::reset(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/accounts/{id}/two-factor-policy", tag = "accounts", operation_id = "twoFactorPolicy",
    summary = "Who of an account must use a second factor",
    params(("id" = i64, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The policy (no roles and `below` false: nobody is required)", body = tf::Policy),
        (status = 404, description = "No such account in reach (`not_found`)", body = E),
    ))]
pub(crate) async fn two_factor_policy(
    State(state): State<AppState>,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<tf::Policy>> {
    Ok(Json(tf::policy(&state, id).await?))
}

#[utoipa::path(put, path = "/accounts/{id}/two-factor-policy", tag = "accounts", operation_id = "setTwoFactorPolicy",
    summary = "The operator requires a second factor of chosen roles of an account's logins, or of every login of the account and below",
    params(("id" = i64, Path, description = "The account's id")),
    request_body = PolicyBody,
    responses(
        (status = 200, description = "The policy now", body = tf::Policy),
        (status = 403, description = "Only the operator's owners and admins (`forbidden`)", body = E),
        (status = 404, description = "No such account in reach (`not_found`)", body = E),
        (status = 422, description = "An unknown role (`validation_failed`, field `roles`)", body = E),
    ))]
pub(crate) async fn set_two_factor_policy(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<PolicyBody>,
) -> AppResult<Json<tf::Policy>> {
    Ok(Json(
        tf::set_policy(&state, &who, id, &body.roles, body.below).await?,
    ))
}
