//! Server-rendered pages: thin handlers, askama templates, forms and flash messages.

use askama::Template;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Extension,
};

#[path = "billing_pages.rs"]
pub mod billing;
#[path = "network_pages.rs"]
pub mod networks;
#[path = "onboarding_pages.rs"]
pub mod onboarding;
#[path = "request_pages.rs"]
pub mod requests;
#[path = "tree_pages.rs"]
pub mod tree;
use serde::Deserialize;

use super::{api, cookies, PageAuth, PageForm, RequestMeta};
use crate::{
    domain::{accounts, audit, auth, logins, secrets, Identity},
    error::{current_request_id, AppError},
    state::AppState,
};

use super::RouteAccess as A;
use crate::domain::access::Need;

crate::route_table! { ROUTES, routes;
    get "/" => dashboard, A::SignedIn;
    get "/login" => login_page, A::Public;
    post "/login" => login_submit, A::Public;
    post "/logout" => logout, A::SignedIn;
    get "/profile" => profile_page, A::SignedIn;
    post "/profile" => profile_submit, A::SignedIn;
    post "/profile/password" => password_submit, A::SignedIn;
    get "/profile/tokens" => tokens_page, A::SignedIn;
    post "/profile/tokens" => token_create, A::SignedIn;
    post "/profile/tokens/{id}/revoke" => token_revoke, A::SignedIn;
    get "/accounts" => tree::accounts_page, A::SignedIn;
    get "/accounts/{id}" => tree::account_page, A::Account(Need::Read);
    post "/accounts/{id}" => tree::account_update, A::Account(Need::Write);
    post "/accounts/{id}/children" => tree::child_create, A::Account(Need::Write);
    post "/accounts/{id}/status" => tree::status_submit, A::AccountBelow(Need::Admin);
    get "/accounts/{id}/delete" => tree::delete_page, A::AccountBelow(Need::Admin);
    post "/accounts/{id}/delete" => tree::delete_submit, A::AccountBelow(Need::Admin);
    post "/accounts/{id}/logins" => tree::login_create, A::Account(Need::Admin);
    post "/logins/{id}" => tree::login_update, A::Login;
    post "/logins/{id}/delete" => tree::login_delete, A::Login;
    post "/act-as" => tree::act_as_start, A::SignedIn;
    post "/act-as/exit" => tree::act_as_exit, A::SignedIn;
    post "/act-as/renew" => tree::act_as_renew, A::SignedIn;
    get "/switcher" => tree::switcher, A::SignedIn;
    get "/audit" => tree::audit_page, A::SignedIn;
    get "/audit.csv" => tree::audit_csv, A::SignedIn;
    get "/billing" => billing::billing_page, A::SignedIn;
    post "/billing/package" => billing::change_package, A::SignedIn;
    get "/billing/export" => billing::export, A::SignedIn;
    get "/invoices/{id}" => billing::invoice_page, A::SignedIn;
    post "/test-clock/advance" => billing::advance_clock, A::TestClock;
    get "/plans" => onboarding::plans, A::Public;
    post "/register" => onboarding::register, A::Public;
    get "/operator/requests" => onboarding::requests, A::Operator(Need::Read);
    post "/operator/requests/{id}/approve" => onboarding::approve, A::Operator(Need::Admin);
    post "/operator/requests/{id}/reject" => onboarding::reject, A::Operator(Need::Admin);
    post "/operator/settings" => onboarding::settings, A::Operator(Need::Admin);
    get "/operator/history" => onboarding::history, A::Operator(Need::Read);
    get "/operator/history.csv" => onboarding::history_csv, A::Operator(Need::Read);
    get "/operator/packages" => onboarding::packages, A::Operator(Need::Read);
    post "/operator/packages" => onboarding::package_create, A::Operator(Need::Admin);
    post "/operator/packages/{id}" => onboarding::package_update, A::Operator(Need::Admin);
    post "/operator/packages/{id}/status" => onboarding::package_status, A::Operator(Need::Admin);
    post "/operator/addons" => onboarding::addon_create, A::Operator(Need::Admin);
    post "/operator/addons/{id}/status" => onboarding::addon_status, A::Operator(Need::Admin);
    get "/operator/partners" => onboarding::partners, A::Operator(Need::Read);
    post "/operator/partners/{id}" => onboarding::partner_update, A::Operator(Need::Admin);
    post "/operator/invoices/{id}/payments" => onboarding::payment, A::Operator(Need::Admin);
    get "/channels" => requests::channels_page, A::SignedIn;
    post "/channels" => requests::channel_create, A::SignedIn;
    post "/channels/{id}" => requests::channel_update, A::SignedIn;
    post "/channels/{id}/delete" => requests::channel_delete, A::SignedIn;
    post "/channels/{id}/followers" => requests::channel_follower, A::SignedIn;
    get "/requests" => requests::my_requests, A::SignedIn;
    post "/requests" => requests::request_create, A::SignedIn;
    post "/requests/{id}/withdraw" => requests::request_withdraw, A::SignedIn;
    get "/inbox" => requests::inbox, A::SignedIn;
    post "/inbox/{id}/approve" => requests::inbox_approve, A::SignedIn;
    post "/inbox/{id}/reject" => requests::inbox_reject, A::SignedIn;
    get "/inbox/history" => requests::history, A::SignedIn;
    get "/inbox/history.csv" => requests::history_csv, A::SignedIn;
    post "/operator/ad-packages" => requests::ad_package_create, A::Operator(Need::Admin);
    post "/operator/ad-packages/{id}/status" => requests::ad_package_status, A::Operator(Need::Admin);
    get "/dealers" => networks::dealers_page, A::SignedIn;
    post "/dealers" => networks::dealer_create, A::SignedIn;
    get "/dealers/{id}" => networks::dealer_page, A::AccountBelow(Need::Read);
    post "/dealers/{id}" => networks::dealer_update, A::AccountBelow(Need::Write);
    post "/dealers/{id}/status" => networks::dealer_status, A::AccountBelow(Need::Admin);
    get "/dealers/{id}/delete" => networks::dealer_delete_page, A::AccountBelow(Need::Admin);
    post "/dealers/{id}/delete" => networks::dealer_delete, A::AccountBelow(Need::Admin);
    get "/reseller-settings" => networks::settings_page, A::SignedIn;
    post "/reseller-settings" => networks::settings_submit, A::SignedIn;
    get "/partner-directory" => networks::directory_page, A::SignedIn;
    post "/partner-directory/{id}/request" => requests::request_partner, A::SignedIn;
    get "/resellers" => requests::resellers_page, A::SignedIn;
    post "/resellers/{id}/remove" => requests::reseller_remove, A::SignedIn;
    get "/my-partner" => requests::my_partner_page, A::SignedIn;
    post "/my-partner/leave" => requests::leave_partner, A::SignedIn;
    get "/engagements" => requests::engagements_page, A::SignedIn;
    post "/my-partner/channels/{id}/followers" => requests::my_partner_follower, A::SignedIn;
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `k=v&…` of the filter values that are set, for pager and export links.
pub(crate) fn query_string(pairs: &[(&str, &Option<String>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", url_encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// What the layout shows around every page.
pub struct Layout {
    pub title: String,
    pub nav: &'static str,
    pub user: Option<UserBar>,
    pub csrf: String,
    pub flash: Option<String>,
    pub request_id: String,
    /// With PANEL_TEST_CLOCK=1: the panel's (moved) time, shown in a banner on every page.
    pub test_clock: Option<String>,
    /// The account in view is the operator (its own menu entries and controls).
    pub operator_view: bool,
}

impl Layout {
    /// A flash that starts with "!" is an error.
    pub fn flash_is_error(&self) -> bool {
        self.flash.as_deref().is_some_and(|f| f.starts_with('!'))
    }
    pub fn flash_text(&self) -> &str {
        self.flash.as_deref().unwrap_or("").trim_start_matches('!')
    }
}

pub struct UserBar {
    pub login_name: String,
    pub login_email: String,
    pub account_id: i64,
    pub account_name: String,
    pub account_kind: String,
    pub acting_as: bool,
    pub home_account_name: String,
    /// Minutes left before acting as another account ends by itself.
    pub acting_minutes_left: i64,
}

impl Layout {
    pub(crate) async fn for_user(
        state: &AppState,
        who: &Identity,
        headers: &HeaderMap,
        title: &str,
        nav: &'static str,
    ) -> Result<Layout, AppError> {
        let account = accounts::get(&state.db, who.view_account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Self::for_user_in(state, who, headers, title, nav, account).await
    }

    /// The layout when the handler already read the account in view.
    pub(crate) async fn for_user_in(
        state: &AppState,
        who: &Identity,
        headers: &HeaderMap,
        title: &str,
        nav: &'static str,
        account: accounts::Account,
    ) -> Result<Layout, AppError> {
        let home = if who.acting_as.is_some() {
            accounts::get(&state.db, who.home_account_id)
                .await?
                .map(|a| a.name)
                .unwrap_or_default()
        } else {
            account.name.clone()
        };
        let acting_minutes_left = match who.session_id() {
            Some(sid) if who.acting_as.is_some() => {
                let since: Option<i64> =
                    sqlx::query_scalar("SELECT acting_since FROM sessions WHERE id = $1")
                        .bind(sid)
                        .fetch_optional(&state.db.pool)
                        .await?
                        .flatten();
                since
                    .map(|s| (s + crate::domain::acting::MAX_ACTING_MS - state.now_ms()) / 60_000)
                    .unwrap_or(0)
            }
            _ => 0,
        };
        let operator_view = account.kind == "operator";
        Ok(Layout {
            test_clock: state
                .config
                .test_clock
                .then(|| crate::clock::format_ms(state.now_ms())),
            operator_view,
            title: title.to_string(),
            nav,
            user: Some(UserBar {
                login_name: who.login.name.clone(),
                login_email: who.login.email.clone(),
                account_id: account.id,
                account_name: account.name,
                account_kind: account.kind,
                acting_as: who.acting_as.is_some(),
                home_account_name: home,
                acting_minutes_left,
            }),
            csrf: who.csrf_token().to_string(),
            flash: cookies::read_flash(headers),
            request_id: current_request_id(),
        })
    }

    pub(crate) fn anonymous(title: &str, csrf: &str, headers: &HeaderMap) -> Layout {
        Layout {
            test_clock: None,
            operator_view: false,
            title: title.to_string(),
            nav: "",
            user: None,
            csrf: csrf.to_string(),
            flash: cookies::read_flash(headers),
            request_id: current_request_id(),
        }
    }
}

/// Renders a page; clears the flash cookie once its message has been shown.
pub(crate) fn render<T: Template>(
    status: StatusCode,
    tpl: &T,
    layout: &Layout,
    secure: bool,
) -> Response {
    match tpl.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            if layout.flash.is_some() {
                r.headers_mut()
                    .append(header::SET_COOKIE, cookies::clear(cookies::FLASH, secure));
            }
            r
        }
        Err(e) => error_page(&AppError::Internal(format!("template: {e}"))),
    }
}

pub(crate) fn redirect_with_flash(to: &str, message: &str, secure: bool) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, cookies::flash(message, secure));
    r
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorTpl {
    layout: Layout,
    status: u16,
    message: String,
}

/// An error as a page: the status, a clear message and the request id.
pub fn error_page(e: &AppError) -> Response {
    if matches!(e, AppError::Internal(_)) {
        tracing::error!(request_id = %current_request_id(), error = ?e, "internal error");
    }
    let layout = Layout {
        test_clock: None,
        operator_view: false,
        title: "Error".into(),
        nav: "",
        user: None,
        csrf: String::new(),
        flash: None,
        request_id: current_request_id(),
    };
    let tpl = ErrorTpl {
        status: e.status().as_u16(),
        message: e.public_message(),
        layout,
    };
    match tpl.render() {
        Ok(html) => (e.status(), Html(html)).into_response(),
        Err(_) => (e.status(), e.public_message()).into_response(),
    }
}

/// A form whose CSRF token did not match: back to where it came from, with a message.
pub fn csrf_failed_page(req: &Request) -> Response {
    let path = req.uri().path();
    let back = if path == "/login" { "/login" } else { "/" };
    let mut r = redirect_with_flash(back, &AppError::CsrfFailed.public_message(), false);
    if path == "/login" {
        r.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::PRE_CSRF, &secrets::random_hex(16), None, false),
        );
    }
    r
}

// ---- sign in and out ----

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginTpl {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && n.len() <= 2000
                && !n[1..].starts_with(['/', '\\'])
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
                && !n.contains("://") =>
        {
            // Redirects carry ASCII only: anything else is percent-encoded.
            let mut out = String::with_capacity(n.len());
            for c in n.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
            out
        }
        _ => "/".to_string(),
    }
}

fn pre_csrf(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookies::get(headers, cookies::PRE_CSRF) {
        Some(v) if v.len() == 32 => (v, None),
        _ => {
            let v = secrets::random_hex(16);
            let c = cookies::set(cookies::PRE_CSRF, &v, None, false);
            (v, Some(c))
        }
    }
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    // A malformed or repeated `next` is ignored rather than refused: this page must always open.
    let next = serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "next").map(|(_, v)| v));
    let q = NextQuery { next };
    let (csrf, set) = pre_csrf(&headers);
    let layout = Layout::anonymous("Sign in", &csrf, &headers);
    let tpl = LoginTpl {
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
        layout,
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
    r
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Response {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let client = auth::Client {
        ip: &meta.ip,
        user_agent: ua,
        request_id: &meta.id,
    };
    let next = safe_next(form.next.as_deref());
    match auth::sign_in(&state, &form.email, &form.password, &client).await {
        Ok(s) => {
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(
                    cookies::SESSION,
                    &s.token,
                    None,
                    state.config.secure_cookies,
                ),
            );
            r
        }
        Err(e @ AppError::Internal(_)) => error_page(&e),
        Err(e) => {
            let (csrf, _) = pre_csrf(&headers);
            let layout = Layout::anonymous("Sign in", &csrf, &headers);
            let tpl = LoginTpl {
                email: form.email.chars().take(254).collect(),
                next,
                error: Some(e.public_message()),
                layout,
            };
            render(e.status(), &tpl, &tpl.layout, state.config.secure_cookies)
        }
    }
}

async fn logout(State(state): State<AppState>, PageAuth(who): PageAuth) -> Response {
    if let Err(e) = auth::sign_out(&state, &who).await {
        return error_page(&e);
    }
    let mut r = redirect_with_flash("/login", "You are signed out.", state.config.secure_cookies);
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SESSION, state.config.secure_cookies),
    );
    r
}

// ---- dashboard ----

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct DashboardTpl {
    layout: Layout,
    d: api::Dashboard,
    recent: Vec<audit::AuditRecord>,
}

impl DashboardTpl {
    fn when(&self, ms: &i64) -> String {
        crate::clock::format_ms(*ms)
    }
}

async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> Response {
    let r = async {
        let layout = Layout::for_user(&state, &who, &headers, "Dashboard", "dashboard").await?;
        let d = match api::dashboard_data(&state, &who).await {
            Err(AppError::Forbidden(_)) => return Ok(None),
            other => other?,
        };
        let recent = if who.acting_as.is_none() {
            audit::for_login(&state.db, who.login.id, 8).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>(Some(DashboardTpl { layout, d, recent }))
    }
    .await;
    match r {
        Ok(Some(tpl)) => render(
            StatusCode::OK,
            &tpl,
            &tpl.layout,
            state.config.secure_cookies,
        ),
        Ok(None) => redirect_with_flash(
            "/accounts",
            "!Your login has no dashboard rights.",
            state.config.secure_cookies,
        ),
        Err(e) => error_page(&e),
    }
}

// ---- profile ----

#[derive(Template)]
#[template(path = "pages/profile.html")]
struct ProfileTpl {
    layout: Layout,
    name: String,
    email: String,
    role: String,
    profile_error: Option<(String, String)>,
    password_error: Option<(String, String)>,
}

impl ProfileTpl {
    fn err_for(&self, which: &str, field: &str) -> String {
        let e = if which == "profile" {
            &self.profile_error
        } else {
            &self.password_error
        };
        match e {
            Some((f, m)) if f == field => m.clone(),
            _ => String::new(),
        }
    }
    fn general_err(&self, which: &str) -> String {
        let e = if which == "profile" {
            &self.profile_error
        } else {
            &self.password_error
        };
        match e {
            Some((f, m)) if f.is_empty() => m.clone(),
            _ => String::new(),
        }
    }
}

async fn profile_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
) -> Result<ProfileTpl, AppError> {
    Ok(ProfileTpl {
        layout: Layout::for_user(state, who, headers, "My profile", "profile").await?,
        name: who.login.name.clone(),
        email: who.login.email.clone(),
        role: who.login.role.clone(),
        profile_error: None,
        password_error: None,
    })
}

async fn profile_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> Response {
    if let Err(e) = who.require_own_identity() {
        return error_page(&e);
    }
    match profile_view(&state, &who, &headers).await {
        Ok(tpl) => render(
            StatusCode::OK,
            &tpl,
            &tpl.layout,
            state.config.secure_cookies,
        ),
        Err(e) => error_page(&e),
    }
}

fn field_error(e: &AppError) -> (String, String) {
    (e.field().unwrap_or("").to_string(), e.public_message())
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    current_password: Option<String>,
}

async fn profile_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ProfileForm>,
) -> Response {
    let secure = state.config.secure_cookies;
    match logins::update_profile(
        &state,
        &who,
        &form.name,
        &form.email,
        form.current_password.as_deref(),
    )
    .await
    {
        Ok(_) => redirect_with_flash("/profile", "Your profile was saved.", secure),
        Err(e @ (AppError::Internal(_) | AppError::Forbidden(_))) => error_page(&e),
        Err(e) => match profile_view(&state, &who, &headers).await {
            Ok(mut tpl) => {
                tpl.name = form.name;
                tpl.email = form.email;
                tpl.profile_error = Some(field_error(&e));
                render(e.status(), &tpl, &tpl.layout, secure)
            }
            Err(e) => error_page(&e),
        },
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn password_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<PasswordForm>,
) -> Response {
    let secure = state.config.secure_cookies;
    match logins::change_password(
        &state,
        &who,
        &form.current_password,
        &form.new_password,
        Some(&form.confirm_password),
    )
    .await
    {
        Ok(()) => redirect_with_flash(
            "/profile",
            "Your password was changed. Your other sessions were signed out.",
            secure,
        ),
        Err(e @ (AppError::Internal(_) | AppError::Forbidden(_))) => error_page(&e),
        Err(e) => match profile_view(&state, &who, &headers).await {
            Ok(mut tpl) => {
                tpl.password_error = Some(field_error(&e));
                render(e.status(), &tpl, &tpl.layout, secure)
            }
            Err(e) => error_page(&e),
        },
    }
}

// ---- API tokens ----

#[derive(Template)]
#[template(path = "pages/tokens.html")]
struct TokensTpl {
    layout: Layout,
    tokens: Vec<auth::ApiToken>,
    new_secret: Option<String>,
    error: Option<String>,
}

async fn tokens_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
) -> Result<TokensTpl, AppError> {
    Ok(TokensTpl {
        layout: Layout::for_user(state, who, headers, "API tokens", "tokens").await?,
        tokens: auth::list_tokens(state, who).await?,
        new_secret: None,
        error: None,
    })
}

async fn tokens_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> Response {
    match tokens_view(&state, &who, &headers).await {
        Ok(tpl) => render(
            StatusCode::OK,
            &tpl,
            &tpl.layout,
            state.config.secure_cookies,
        ),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn token_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<TokenForm>,
) -> Response {
    let secure = state.config.secure_cookies;
    let created = auth::create_token(&state, &who, &form.name).await;
    let (status, secret, error) = match created {
        Ok((_, secret)) => (StatusCode::CREATED, Some(secret), None),
        Err(e @ (AppError::Internal(_) | AppError::Forbidden(_))) => return error_page(&e),
        Err(e) => (e.status(), None, Some(e.public_message())),
    };
    match tokens_view(&state, &who, &headers).await {
        Ok(mut tpl) => {
            tpl.new_secret = secret;
            tpl.error = error;
            // The secret is on this page once: keep it out of caches.
            let mut r = render(status, &tpl, &tpl.layout, secure);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => error_page(&e),
    }
}

async fn token_revoke(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    super::PageId(id): super::PageId,
) -> Response {
    match auth::revoke_token(&state, &who, id).await {
        Ok(()) => redirect_with_flash(
            "/profile/tokens",
            "The token was revoked.",
            state.config.secure_cookies,
        ),
        Err(e) => error_page(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed() {
        assert_eq!(safe_next(Some("/accounts?page=2")), "/accounts?page=2");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n",
            "https://evil.example",
            "evil",
            "/a\\b",
            "/x?u=http://e",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/accounts?q=Café")), "/accounts?q=Caf%C3%A9");
    }
}
