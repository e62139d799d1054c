//! Server-rendered pages: thin handlers, askama templates, forms and flash messages.

use crate::areas::accounts;
use crate::areas::accounts::AccountId;
use crate::kernel::enums::Kind;
use crate::kernel::error::current_request_id;
use crate::kernel::error::AppError;
use crate::kernel::http::cookies;
use crate::kernel::http::menu::{self, MenuSection};
use crate::kernel::http::when;
use crate::kernel::query::Sql;
use crate::kernel::secrets;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::Request,
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use sqlx::Row as _;

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
    /// The menu: what the account in view and the login's role there can use.
    pub menu: Vec<MenuSection>,
    /// The login's time zone: every time on the page is shown in it.
    pub tz: jiff::tz::TimeZone,
    /// The brand the login sees (its own account's rebrand information, else the nearest
    /// account's above it); none: the panel's own look.
    pub brand: Option<crate::areas::customers::Brand>,
}

impl Layout {
    /// A flash that starts with "!" is an error.
    pub fn flash_is_error(&self) -> bool {
        self.flash.as_deref().is_some_and(|f| f.starts_with('!'))
    }
    pub fn flash_text(&self) -> &str {
        self.flash.as_deref().unwrap_or("").trim_start_matches('!')
    }
    /// A time as `<time>` markup in the login's zone (use with `|safe`): see `when::html`.
    pub fn when(&self, value: &str) -> String {
        when::html(value, &self.tz)
    }
    /// The same for epoch milliseconds.
    pub fn when_ms(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        when::html_ms(*ms.borrow(), &self.tz)
    }
}

pub struct UserBar {
    pub login_name: String,
    pub login_email: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub account_kind: Kind,
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
        // The account in view as the session read it, else read now.
        let account = match &who.view {
            Some(a) if a.id == who.view_account_id => a.clone(),
            _ => accounts::get(&state.db, who.view_account_id)
                .await?
                .ok_or(AppError::NotFound)?,
        };
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
                    .map(|s| {
                        (s + crate::areas::accounts::acting::MAX_ACTING_MS - state.now_ms())
                            / 60_000
                    })
                    .unwrap_or(0)
            }
            _ => 0,
        };
        let operator_view = account.kind == Kind::Operator;
        let entries: Vec<_> = crate::areas::menu().collect();
        let plan = menu::build(
            &menu::BadgeScope {
                who,
                id: account.id.get(),
                kind: account.kind,
                path: &account.path,
            },
            nav,
            crate::areas::MENU_GROUPS,
            &entries,
        );
        // The brand and every badge of the menu, in one statement.
        let mut sql = Sql::new("SELECT br.*");
        for (i, (_, count)) in plan.badges.iter().enumerate() {
            sql.push(", (")
                .append(count)
                .push(&format!(") AS badge_{i}"));
        }
        sql.push(" FROM (SELECT 1 AS one) one LEFT JOIN (")
            .append(&crate::areas::customers::brand::seen_from_sql(
                who.home_account_id,
            ))
            .push(") br ON 1 = 1");
        let row = sql.query().fetch_one(&state.db.pool).await?;
        let counts = (0..plan.badges.len())
            .map(|i| row.try_get::<i64, _>(format!("badge_{i}").as_str()))
            .collect::<Result<Vec<_>, _>>()?;
        let menu = plan.fill(&counts);
        let brand = crate::areas::customers::brand::brand_from_joined_row(&row)?;
        Ok(Layout {
            brand,
            menu,
            tz: when::zone(who.login.time_zone.as_deref()),
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
            brand: None,
            menu: Vec::new(),
            tz: jiff::tz::TimeZone::UTC,
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
#[template(path = "layout/error.html")]
struct ErrorTpl {
    layout: Layout,
    status: u16,
    message: String,
    code: &'static str,
}

/// An error as a page: the status, a clear message and the request id.
pub fn error_page(e: &AppError) -> Response {
    if matches!(e, AppError::Internal(_)) {
        tracing::error!(request_id = %current_request_id(), error = ?e, "internal error");
    }
    let layout = Layout {
        brand: None,
        menu: Vec::new(),
        tz: jiff::tz::TimeZone::UTC,
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
        code: e.code().as_str(),
        layout,
    };
    let mut r = match tpl.render() {
        Ok(html) => (e.status(), Html(html)).into_response(),
        Err(_) => (e.status(), e.public_message()).into_response(),
    };
    r.extensions_mut().insert(ErrorShown {
        message: tpl.message,
        code: tpl.code,
    });
    r
}

/// Marks an error page, so that `frame_errors` can show it inside the signed-in layout.
#[derive(Clone)]
struct ErrorShown {
    message: String,
    code: &'static str,
}

/// An error page answered to a signed-in login is shown inside its layout: the menu, the
/// header and, while acting, the banner with its Exit. Signed out, it stays as it was.
pub(crate) async fn frame_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let who = req
        .extensions()
        .get::<super::MaybeIdentity>()
        .and_then(|m| m.0.clone());
    let headers = req.headers().clone();
    let resp = next.run(req).await;
    // A fragment asked by htmx is not a page: it keeps the bare error.
    if headers.contains_key("hx-request") {
        return resp;
    }
    let (Some(who), Some(shown)) = (who, resp.extensions().get::<ErrorShown>().cloned()) else {
        return resp;
    };
    let status = resp.status();
    let Ok(mut layout) = Layout::for_user(&state, &who, &headers, "Error", "").await else {
        return resp;
    };
    layout.flash = None;
    let tpl = ErrorTpl {
        status: status.as_u16(),
        message: shown.message,
        code: shown.code,
        layout,
    };
    match tpl.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            for (k, v) in resp.headers() {
                if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                    r.headers_mut().append(k, v.clone());
                }
            }
            r
        }
        Err(_) => resp,
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

/// A page handler's error, answered with the error page (status, message, code, request id).
/// Page handlers return `PageResult` and use `?`; the errors a form shows to its user (field
/// errors, conflicts) are matched before, where the form is rendered again or the flash set.
#[derive(Debug)]
pub struct PageError(pub AppError);

/// What a page handler returns.
pub type PageResult<T = Response> = Result<T, PageError>;

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

/// A page rendered with 200.
pub(crate) fn show<T: Template>(state: &AppState, tpl: &T, layout: &Layout) -> PageResult {
    Ok(render(
        StatusCode::OK,
        tpl,
        layout,
        state.config.secure_cookies,
    ))
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
