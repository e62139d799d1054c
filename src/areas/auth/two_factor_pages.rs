//! Two-factor sign-in pages: the code step after the password (and the set-up a login that must
//! use a second factor is led to), the login's own page under My profile, and an account's page
//! where its owners and admins reset a login's second factor and the operator sets who must use
//! one.

use super::pages::pre_csrf;
use super::two_factor as tf;
use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::kernel::access::Need;
use crate::kernel::enums::{Kind, Role};
use crate::kernel::error::AppError;
use crate::kernel::http::cookies;
use crate::kernel::http::layout::*;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/login/two-factor" => code_page, A::Public;
    post "/login/two-factor" => code_submit, A::Public;
    get "/login/two-factor/enrol" => enrol_page, A::Public;
    post "/login/two-factor/enrol" => enrol_submit, A::Public;
    get "/profile/two-factor" => profile_two_factor_page, A::SignedIn;
    post "/profile/two-factor/start" => profile_start, A::SignedIn;
    post "/profile/two-factor/confirm" => profile_confirm, A::SignedIn;
    post "/profile/two-factor/recovery-codes" => profile_recovery_codes, A::SignedIn;
    post "/profile/two-factor/disable" => profile_disable, A::SignedIn;
    get "/accounts/{id}/two-factor" => account_two_factor_page, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/two-factor/policy" => account_policy_submit, A::On(&crate::areas::auth::TWO_FACTOR_POLICY, Need::Admin);
    post "/logins/{id}/two-factor/reset" => login_reset_submit, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
}

/// After a right password: the challenge in a cookie, and on to the code (or set-up) page.
pub(crate) fn to_second_step(
    state: &AppState,
    step: tf::Step,
    challenge: &str,
    next: &str,
    _browser_time_zone: Option<&str>,
) -> Response {
    let page = match step {
        tf::Step::Code => "/login/two-factor",
        tf::Step::Enrol => "/login/two-factor/enrol",
    };
    let to = format!(
        "{page}?{}",
        serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
    );
    let mut r = Redirect::to(&to).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            cookies::SIGN_IN_STEP,
            challenge,
            Some(tf::CHALLENGE_MINUTES * 60),
            state.config.secure_cookies,
        ),
    );
    r
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/two_factor_code.html")]
pub(crate) struct CodeTpl {
    layout: Layout,
    next: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/two_factor_enrol.html")]
pub(crate) struct EnrolTpl {
    layout: Layout,
    /// Where the code form posts.
    action: &'static str,
    next: String,
    secret: String,
    qr_svg: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/two_factor_codes.html")]
pub(crate) struct CodesTpl {
    layout: Layout,
    codes: Vec<String>,
    next: String,
}

fn signed_in_response(state: &AppState, token: &str, to: Response) -> Response {
    let mut r = to;
    let secure = state.config.secure_cookies;
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, token, None, secure),
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SIGN_IN_STEP, secure),
    );
    r
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

/// Back to the sign-in page when the challenge is gone (expired, used, or never there).
fn start_again(state: &AppState, message: &str) -> Response {
    let mut r = redirect_with_flash("/login", message, state.config.secure_cookies);
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SIGN_IN_STEP, state.config.secure_cookies),
    );
    r
}

fn code_tpl(
    headers: &HeaderMap,
    next: String,
    error: Option<String>,
) -> (CodeTpl, Option<header::HeaderValue>) {
    let (csrf, set) = pre_csrf(headers);
    (
        CodeTpl {
            layout: Layout::anonymous("Two-factor sign-in", &csrf, headers),
            next,
            error,
        },
        set,
    )
}

pub(crate) async fn code_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    if cookies::get(&headers, cookies::SIGN_IN_STEP).is_none() {
        return start_again(&state, "Sign in with your password first.");
    }
    let (tpl, set) = code_tpl(&headers, safe_next(q.next.as_deref()), None);
    let mut r = render(
        StatusCode::OK,
        &tpl,
        &tpl.layout,
        state.config.secure_cookies,
    );
    if let Some(c) = set {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
    browser_time_zone: Option<String>,
}

pub(crate) async fn code_submit(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> PageResult {
    let next = safe_next(form.next.as_deref());
    let challenge = cookies::get(&headers, cookies::SIGN_IN_STEP).unwrap_or_default();
    match tf::complete_sign_in(&state, &challenge, &form.code, &client(&meta, &headers)).await {
        Ok(s) => {
            if let Some(tz) = form.browser_time_zone.as_deref() {
                logins::adopt_time_zone(&state, &s.login, tz).await?;
            }
            Ok(signed_in_response(
                &state,
                &s.token,
                Redirect::to(&next).into_response(),
            ))
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) if e.code() == crate::kernel::error::ErrorCode::SignInStepExpired => Ok(
            start_again(&state, "That sign-in has expired; sign in again."),
        ),
        Err(e) => {
            let (tpl, _) = code_tpl(&headers, next, Some(e.public_message()));
            Ok(render(
                e.status(),
                &tpl,
                &tpl.layout,
                state.config.secure_cookies,
            ))
        }
    }
}

pub(crate) async fn enrol_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> PageResult {
    let challenge = cookies::get(&headers, cookies::SIGN_IN_STEP).unwrap_or_default();
    let e = match tf::enrolment_for_challenge(&state, &challenge).await {
        Ok(e) => e,
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(_) => return Ok(start_again(&state, "Sign in with your password first.")),
    };
    let (csrf, set) = pre_csrf(&headers);
    let tpl = EnrolTpl {
        layout: Layout::anonymous("Set up two-factor sign-in", &csrf, &headers),
        action: "/login/two-factor/enrol",
        next: safe_next(q.next.as_deref()),
        secret: e.secret,
        qr_svg: e.qr_svg,
        error: None,
    };
    let mut r = render(
        StatusCode::OK,
        &tpl,
        &tpl.layout,
        state.config.secure_cookies,
    );
    if let Some(c) = set {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(r)
}

pub(crate) async fn enrol_submit(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> PageResult {
    let next = safe_next(form.next.as_deref());
    let challenge = cookies::get(&headers, cookies::SIGN_IN_STEP).unwrap_or_default();
    match tf::enrol_and_sign_in(&state, &challenge, &form.code, &client(&meta, &headers)).await {
        Ok((s, codes)) => {
            let (csrf, _) = pre_csrf(&headers);
            let tpl = CodesTpl {
                layout: Layout::anonymous("Your recovery codes", &csrf, &headers),
                codes,
                next,
            };
            let page = render(
                StatusCode::OK,
                &tpl,
                &tpl.layout,
                state.config.secure_cookies,
            );
            Ok(signed_in_response(&state, &s.token, page))
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) if e.code() == crate::kernel::error::ErrorCode::SignInStepExpired => Ok(
            start_again(&state, "That sign-in has expired; sign in again."),
        ),
        Err(e) => {
            let en = tf::enrolment_for_challenge(&state, &challenge).await?;
            let (csrf, _) = pre_csrf(&headers);
            let tpl = EnrolTpl {
                layout: Layout::anonymous("Set up two-factor sign-in", &csrf, &headers),
                action: "/login/two-factor/enrol",
                next,
                secret: en.secret,
                qr_svg: en.qr_svg,
                error: Some(e.public_message()),
            };
            Ok(render(
                e.status(),
                &tpl,
                &tpl.layout,
                state.config.secure_cookies,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/two_factor.html")]
pub(crate) struct ProfileTpl {
    layout: Layout,
    status: tf::TwoFactorStatus,
    /// An enrolment started and not confirmed yet.
    pending: Option<tf::Enrolment>,
    error: Option<String>,
    /// Which form the error belongs to.
    error_of: &'static str,
}

async fn profile_tpl(
    state: &AppState,
    who: &crate::kernel::Identity,
    headers: &HeaderMap,
    error: Option<(&'static str, String)>,
) -> Result<ProfileTpl, PageError> {
    let status = tf::status(state, who).await?;
    let pending = if status.enabled {
        None
    } else {
        tf::pending(state, who).await?
    };
    let (error_of, error) = match error {
        Some((of, e)) => (of, Some(e)),
        None => ("", None),
    };
    Ok(ProfileTpl {
        layout: Layout::for_user(state, who, headers, "Two-factor sign-in", "profile").await?,
        status,
        pending,
        error,
        error_of,
    })
}

pub(crate) async fn profile_two_factor_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let tpl = profile_tpl(&state, &who, &headers, None).await?;
    show(&state, &tpl, &tpl.layout)
}

pub(crate) async fn profile_start(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
) -> PageResult {
    tf::begin(&state, &who).await?;
    Ok(Redirect::to("/profile/two-factor").into_response())
}

#[derive(Deserialize)]
pub(crate) struct ProfileCodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

/// The profile page again with the error beside the form it belongs to (what was typed in a
/// code field is not kept: a code is good for 30 seconds).
async fn profile_error(
    state: &AppState,
    who: &crate::kernel::Identity,
    headers: &HeaderMap,
    of: &'static str,
    e: AppError,
) -> PageResult {
    if matches!(
        e,
        AppError::Internal(_) | AppError::Forbidden(_) | AppError::TooManyRequests { .. }
    ) {
        return Err(e.into());
    }
    let tpl = profile_tpl(state, who, headers, Some((of, e.public_message()))).await?;
    Ok(render(
        e.status(),
        &tpl,
        &tpl.layout,
        state.config.secure_cookies,
    ))
}

pub(crate) async fn profile_confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ProfileCodeForm>,
) -> PageResult {
    match tf::confirm(&state, &who, &form.code).await {
        Ok(codes) => codes_page(&state, &who, &headers, codes).await,
        Err(e) => profile_error(&state, &who, &headers, "confirm", e).await,
    }
}

async fn codes_page(
    state: &AppState,
    who: &crate::kernel::Identity,
    headers: &HeaderMap,
    codes: Vec<String>,
) -> PageResult {
    let tpl = CodesTpl {
        layout: Layout::for_user(state, who, headers, "Your recovery codes", "profile").await?,
        codes,
        next: "/profile/two-factor".into(),
    };
    show(state, &tpl, &tpl.layout)
}

pub(crate) async fn profile_recovery_codes(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ProfileCodeForm>,
) -> PageResult {
    match tf::new_recovery_codes(&state, &who, &form.code).await {
        Ok(codes) => codes_page(&state, &who, &headers, codes).await,
        Err(e) => profile_error(&state, &who, &headers, "recovery", e).await,
    }
}

pub(crate) async fn profile_disable(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ProfileCodeForm>,
) -> PageResult {
    match tf::disable(&state, &who, &form.password, &form.code).await {
        Ok(()) => Ok(redirect_with_flash(
            "/profile/two-factor",
            "Two-factor sign-in is off: your password alone signs you in.",
            state.config.secure_cookies,
        )),
        Err(e @ AppError::TooManyRequests { .. }) if who.session_id().is_some() => {
            // At the password lockout the session has ended: back to the sign-in page.
            Ok(redirect_with_flash(
                "/login",
                &format!("You were signed out: {e}"),
                state.config.secure_cookies,
            ))
        }
        Err(e) => profile_error(&state, &who, &headers, "disable", e).await,
    }
}

#[derive(Template)]
#[template(path = "auth/two_factor_account.html")]
pub(crate) struct AccountTpl {
    layout: Layout,
    account: accounts::Account,
    logins: Vec<(logins::Login, bool)>,
    can_admin: bool,
    /// The operator's owners and admins set the policy.
    can_set_policy: bool,
    policy: tf::Policy,
    roles: Vec<&'static str>,
}

impl AccountTpl {
    fn requires(&self, role: &str) -> bool {
        self.policy.roles.iter().any(|r| r == role)
    }
}

pub(crate) async fn account_two_factor_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let account = accounts::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let home = accounts::get(&state.db, who.home_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = crate::kernel::access::effective_role(&who);
    let can_admin = crate::kernel::access::allows(role, Need::Admin);
    let tpl = AccountTpl {
        layout: Layout::for_user(
            &state,
            &who,
            &headers,
            &format!("Two-factor sign-in of {}", account.name),
            "accounts",
        )
        .await?,
        logins: tf::logins_of(&state, id).await?,
        can_admin,
        can_set_policy: can_admin && home.kind == Kind::Operator && who.acting_as.is_none(),
        policy: tf::policy(&state, id).await?,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        account,
    };
    show(&state, &tpl, &tpl.layout)
}

#[derive(Deserialize)]
pub(crate) struct PolicyForm {
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    admin: Option<String>,
    #[serde(default)]
    member: Option<String>,
    #[serde(default)]
    viewer: Option<String>,
    #[serde(default)]
    below: Option<String>,
}

pub(crate) async fn account_policy_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<PolicyForm>,
) -> PageResult {
    let roles: Vec<String> = [
        ("owner", &form.owner),
        ("admin", &form.admin),
        ("member", &form.member),
        ("viewer", &form.viewer),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(r, _)| r.to_string())
    .collect();
    let p = tf::set_policy(&state, &who, id, &roles, form.below.is_some()).await?;
    let said = if p.below {
        "Every login of this account and below must use two-factor sign-in from its next sign-in."
            .to_string()
    } else if p.roles.is_empty() {
        "Nobody of this account is required to use two-factor sign-in.".to_string()
    } else {
        format!(
            "Logins of this account with the role {} must use two-factor sign-in from their next sign-in.",
            p.roles.join(" or ")
        )
    };
    Ok(redirect_with_flash(
        &format!("/accounts/{id}/two-factor"),
        &said,
        state.config.secure_cookies,
    ))
}

pub(crate) async fn login_reset_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LoginId>,
) -> PageResult {
    let login = logins::get(&state, id).await?.ok_or(AppError::NotFound)?;
    tf::reset(&state, &who, id).await?;
    Ok(redirect_with_flash(
        &format!("/accounts/{}/two-factor", login.account_id),
        &format!(
            "The second factor of {} was reset: it signs in with its password (and sets up a new one where required).",
            login.email
        ),
        state.config.secure_cookies,
    ))
}
