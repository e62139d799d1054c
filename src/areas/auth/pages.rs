//! Server-rendered pages: thin handlers, askama templates, forms and flash messages.

use crate::areas::accounts::logins;
use crate::areas::auth;
use crate::kernel::enums::Role;
use crate::kernel::error::AppError;
use crate::kernel::http::cookies;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::*;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::secrets;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use serde::Deserialize;

use crate::areas::auth::ApiTokenId;
use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    get "/login" => login_page, A::Public;
    post "/login" => login_submit, A::Public;
    post "/logout" => logout, A::SignedIn, unpaid;
    get "/profile" => profile_page, A::SignedIn;
    post "/profile" => profile_submit, A::SignedIn;
    post "/profile/password" => password_submit, A::SignedIn;
    get "/profile/tokens" => tokens_page, A::SignedIn;
    post "/profile/tokens" => token_create, A::SignedIn;
    post "/profile/tokens/{id}/revoke" => token_revoke, A::On(&crate::areas::auth::API_TOKEN, Need::Read);
}

#[derive(Template)]
#[template(path = "auth/login.html")]
pub(crate) struct LoginTpl {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

pub(crate) fn pre_csrf(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookies::get(headers, cookies::PRE_CSRF) {
        Some(v) if v.len() == 32 => (v, None),
        _ => {
            let v = secrets::random_hex(16);
            let c = cookies::set(cookies::PRE_CSRF, &v, None, false);
            (v, Some(c))
        }
    }
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    // A malformed or repeated `next` is ignored rather than refused: this page must always open.
    let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
        .unwrap_or_default();
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let q = NextQuery {
        next: param("next"),
    };
    let (csrf, set) = pre_csrf(&headers);
    let mut layout = Layout::anonymous("Sign in", &csrf, &headers);
    // Reached through a brand's own sign-in link: the page wears that brand.
    if let Some(key) = param("brand").filter(|k| k.len() <= 80) {
        if let Ok(mut conn) = state.db.pool.acquire().await {
            layout.brand = crate::areas::customers::brand::brand_by_key(&mut conn, &key)
                .await
                .ok()
                .flatten();
        }
    }
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
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    /// The browser's time zone (set by the page's script), kept when the login has none.
    browser_time_zone: Option<String>,
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> PageResult {
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
        Ok(auth::SignIn::SecondStep {
            step, challenge, ..
        }) => Ok(super::two_factor_pages::to_second_step(
            &state,
            step,
            &challenge,
            &next,
            form.browser_time_zone.as_deref(),
        )),
        Ok(auth::SignIn::Session(s)) => {
            if let Some(tz) = form.browser_time_zone.as_deref() {
                logins::adopt_time_zone(&state, &s.login, tz).await?;
            }
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
            Ok(r)
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        // The form again, with the reason.
        Err(e) => {
            let (csrf, _) = pre_csrf(&headers);
            let layout = Layout::anonymous("Sign in", &csrf, &headers);
            let tpl = LoginTpl {
                email: form.email.chars().take(254).collect(),
                next,
                error: Some(e.public_message()),
                layout,
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

pub(crate) async fn logout(State(state): State<AppState>, PageAuth(who): PageAuth) -> PageResult {
    auth::sign_out(&state, &who).await?;
    let mut r = redirect_with_flash("/login", "You are signed out.", state.config.secure_cookies);
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SESSION, state.config.secure_cookies),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "auth/profile.html")]
pub(crate) struct ProfileTpl {
    layout: Layout,
    name: String,
    email: String,
    role: Role,
    /// The login's time zone ("" when not set) and the names offered.
    time_zone: String,
    zones: Vec<String>,
    /// The errors of each form, beside its fields (the shared form component).
    profile_errors: FormErrors,
    password_errors: FormErrors,
}

const PROFILE_FIELDS: &[&str] = &["name", "email", "current_password", "time_zone"];
const PASSWORD_FIELDS: &[&str] = &["current_password", "new_password", "confirm_password"];

pub(crate) async fn profile_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
) -> Result<ProfileTpl, AppError> {
    Ok(ProfileTpl {
        layout: Layout::for_user(state, who, headers, "My profile", "profile").await?,
        name: who.login.name.clone(),
        email: who.login.email.clone(),
        role: who.login.role,
        time_zone: who.login.time_zone.clone().unwrap_or_default(),
        zones: {
            let mut z = crate::kernel::http::when::zone_names();
            if let Some(own) = who.login.time_zone.as_ref().filter(|t| !z.contains(t)) {
                z.insert(0, own.clone());
            }
            z
        },
        profile_errors: FormErrors::default(),
        password_errors: FormErrors::default(),
    })
}

pub(crate) async fn profile_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    who.require_own_identity()?;
    let tpl = profile_view(&state, &who, &headers).await?;
    show(&state, &tpl, &tpl.layout)
}

#[derive(Deserialize)]
pub(crate) struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    current_password: Option<String>,
    time_zone: Option<String>,
}

pub(crate) async fn profile_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ProfileForm>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    match logins::update_profile(
        &state,
        &who,
        &form.name,
        &form.email,
        form.current_password.as_deref(),
        form.time_zone.as_deref(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            "/profile",
            "Your profile was saved.",
            secure,
        )),
        Err(e @ (AppError::Internal(_) | AppError::Forbidden(_))) => Err(e.into()),
        Err(e @ AppError::TooManyRequests { .. }) => Ok(locked_out(&state, &e)),
        // The form again, as it was sent, with the reason beside the field.
        Err(e) => {
            let mut tpl = profile_view(&state, &who, &headers).await?;
            tpl.name = form.name;
            tpl.email = form.email;
            tpl.time_zone = form.time_zone.unwrap_or_default();
            tpl.profile_errors = FormErrors::from_error(&e, PROFILE_FIELDS);
            Ok(render(e.status(), &tpl, &tpl.layout, secure))
        }
    }
}

/// Too many wrong current passwords: the session has ended; back to the sign-in page, saying why.
fn locked_out(state: &AppState, e: &AppError) -> Response {
    let secure = state.config.secure_cookies;
    let mut r = redirect_with_flash("/login", &format!("You were signed out: {}", e), secure);
    r.headers_mut()
        .append(header::SET_COOKIE, cookies::clear(cookies::SESSION, secure));
    r
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub(crate) async fn password_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<PasswordForm>,
) -> PageResult {
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
        Ok(()) => Ok(redirect_with_flash(
            "/profile",
            "Your password was changed. Your other sessions were signed out.",
            secure,
        )),
        Err(e @ (AppError::Internal(_) | AppError::Forbidden(_))) => Err(e.into()),
        Err(e @ AppError::TooManyRequests { .. }) => Ok(locked_out(&state, &e)),
        // The form again, with the reason beside the field.
        Err(e) => {
            let mut tpl = profile_view(&state, &who, &headers).await?;
            tpl.password_errors = FormErrors::from_error(&e, PASSWORD_FIELDS);
            Ok(render(e.status(), &tpl, &tpl.layout, secure))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/tokens.html")]
pub(crate) struct TokensTpl {
    layout: Layout,
    list: crate::kernel::query::Page<auth::ApiToken>,
    table: crate::kernel::http::table::Table,
    notice: Option<String>,
    new_secret: Option<String>,
    errors: FormErrors,
    typed: String,
}

pub(crate) async fn tokens_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    mut params: crate::kernel::http::table::ListParams,
) -> Result<TokensTpl, AppError> {
    use crate::kernel::http::table::{plain, sortable, Table};
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) = params.sort(&auth::TOKEN_SORTS, true) {
        notice = Some(format!("{message}: the newest are shown first instead."));
        params = params.without_sort();
    }
    let order = params.sort(&auth::TOKEN_SORTS, true)?;
    let list = auth::tokens_page(state, who, &params).await?;
    let table = Table::new(
        "tokens",
        "/profile/tokens",
        &[],
        vec![
            sortable("Name", "name"),
            plain("Starts with"),
            sortable("Created", "created"),
            sortable("Last used", "last_used"),
            plain("Status"),
            plain(""),
        ],
        &order,
        &list,
    );
    Ok(TokensTpl {
        layout: Layout::for_user(state, who, headers, "API tokens", "tokens").await?,
        list,
        table,
        notice,
        new_secret: None,
        errors: FormErrors::default(),
        typed: String::new(),
    })
}

pub(crate) async fn tokens_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    crate::kernel::http::PageQuery(params): crate::kernel::http::PageQuery<
        crate::kernel::http::table::ListParams,
    >,
) -> PageResult {
    let tpl = tokens_view(&state, &who, &headers, params).await?;
    show(&state, &tpl, &tpl.layout)
}

#[derive(Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    name: String,
}

pub(crate) async fn token_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<TokenForm>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let created = auth::create_token(&state, &who, &form.name).await;
    let (status, secret, errors) = match created {
        Ok((_, secret)) => (StatusCode::CREATED, Some(secret), FormErrors::default()),
        Err(e @ (AppError::Internal(_) | AppError::Forbidden(_))) => return Err(e.into()),
        // The page again, with the reason beside the name and the name as typed.
        Err(e) => (e.status(), None, FormErrors::from_error(&e, &["name"])),
    };
    let mut tpl = tokens_view(&state, &who, &headers, Default::default()).await?;
    if secret.is_none() {
        tpl.typed = form.name.clone();
    }
    tpl.new_secret = secret;
    tpl.errors = errors;
    // The secret is on this page once: keep it out of caches.
    let mut r = render(status, &tpl, &tpl.layout, secure);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

pub(crate) async fn token_revoke(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    crate::kernel::http::PageId(id): crate::kernel::http::PageId<ApiTokenId>,
) -> PageResult {
    auth::revoke_token(&state, &who, id).await?;
    Ok(redirect_with_flash(
        "/profile/tokens",
        "The token was revoked.",
        state.config.secure_cookies,
    ))
}
