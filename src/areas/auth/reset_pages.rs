//! The forgot-password pages: ask for a link (`/forgot-password`), then choose a new password
//! with it (`/reset-password?token=…`). Thin handlers over `reset`.

use super::pages::pre_csrf;
use super::reset;
use crate::areas::auth;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::*;
use crate::kernel::http::PageForm;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::Response,
    Extension,
};
use serde::Deserialize;

use crate::state::AppState;

crate::route_table! { ROUTES, routes;
    get "/forgot-password" => forgot_password_page, A::Public;
    post "/forgot-password" => forgot_password_submit, A::Public;
    get "/reset-password" => reset_password_page, A::Public;
    post "/reset-password" => reset_password_submit, A::Public;
}

#[derive(Template)]
#[template(path = "auth/forgot_password.html")]
pub(crate) struct ForgotTpl {
    layout: Layout,
    email: String,
    sent: bool,
    minutes: i64,
    errors: FormErrors,
}

/// Renders an anonymous page, setting the pre-sign-in CSRF cookie when it was missing; the
/// page (which may carry a reset token) is kept out of caches (the panel's Referrer-Policy,
/// same-origin, keeps it from other sites).
fn anonymous_page<T: Template>(
    state: &AppState,
    status: StatusCode,
    tpl: &T,
    layout: &Layout,
    set: Option<HeaderValue>,
) -> Response {
    let mut r = render(status, tpl, layout, state.config.secure_cookies);
    if let Some(c) = set {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(crate) async fn forgot_password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let (csrf, set) = pre_csrf(&headers);
    let tpl = ForgotTpl {
        layout: Layout::anonymous("Forgot password", &csrf, &headers),
        email: String::new(),
        sent: false,
        minutes: reset::RESET_LINK_MINUTES,
        errors: FormErrors::default(),
    };
    anonymous_page(&state, StatusCode::OK, &tpl, &tpl.layout, set)
}

#[derive(Deserialize)]
pub(crate) struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub(crate) async fn forgot_password_submit(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<ForgotForm>,
) -> PageResult {
    let client = client(&meta, &headers);
    let result = reset::request_reset(&state, &form.email, &client).await;
    let (csrf, set) = pre_csrf(&headers);
    let mut tpl = ForgotTpl {
        layout: Layout::anonymous("Forgot password", &csrf, &headers),
        email: form.email.chars().take(254).collect(),
        sent: false,
        minutes: reset::RESET_LINK_MINUTES,
        errors: FormErrors::default(),
    };
    let status = match result {
        Ok(()) => {
            tpl.sent = true;
            StatusCode::OK
        }
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => {
            tpl.errors = FormErrors::from_error(&e, &["email"]);
            e.status()
        }
    };
    Ok(anonymous_page(&state, status, &tpl, &tpl.layout, set))
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

#[derive(Template)]
#[template(path = "auth/reset_password.html")]
pub(crate) struct ResetTpl {
    layout: Layout,
    token: String,
    /// The login the link is for (its email), when the link can be used.
    email: Option<String>,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: Option<String>,
}

pub(crate) async fn reset_password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> PageResult {
    // A malformed query is read as no token: the page says the link is not valid.
    let q = serde_urlencoded::from_str::<TokenQuery>(raw.as_deref().unwrap_or(""))
        .unwrap_or(TokenQuery { token: None });
    let token: String = q.token.unwrap_or_default().chars().take(128).collect();
    let (csrf, set) = pre_csrf(&headers);
    let mut tpl = ResetTpl {
        layout: Layout::anonymous("Choose a new password", &csrf, &headers),
        token: token.clone(),
        email: None,
        errors: FormErrors::default(),
    };
    let status = match reset::find_link(&state, &token).await {
        Ok(link) => {
            tpl.email = Some(link.login.email);
            StatusCode::OK
        }
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => {
            tpl.errors = FormErrors::from_error(&e, &[]);
            e.status()
        }
    };
    Ok(anonymous_page(&state, status, &tpl, &tpl.layout, set))
}

#[derive(Deserialize)]
pub(crate) struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub(crate) async fn reset_password_submit(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<ResetForm>,
) -> PageResult {
    let client = client(&meta, &headers);
    match reset::reset_password(
        &state,
        &form.token,
        &form.new_password,
        Some(&form.confirm_password),
        &client,
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            "/login",
            "Your password was changed and every session of your login was signed out. Sign in with the new password.",
            state.config.secure_cookies,
        )),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => {
            let (csrf, set) = pre_csrf(&headers);
            // The form stays while the link is good; a spent link shows only why.
            let email = reset::find_link(&state, &form.token)
                .await
                .ok()
                .map(|l| l.login.email);
            let tpl = ResetTpl {
                layout: Layout::anonymous("Choose a new password", &csrf, &headers),
                token: form.token.chars().take(128).collect(),
                email,
                errors: FormErrors::from_error(&e, &["new_password", "confirm_password"]),
            };
            Ok(anonymous_page(&state, e.status(), &tpl, &tpl.layout, set))
        }
    }
}
