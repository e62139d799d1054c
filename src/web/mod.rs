//! HTTP: the router, the request pipeline (request id, metrics, identity, CSRF) and extractors.

use std::{net::SocketAddr, time::Instant};

use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, FromRequest, FromRequestParts, MatchedPath, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    Router,
};
use serde::de::DeserializeOwned;

use crate::{
    domain::{auth, secrets, Identity},
    error::{AppError, REQUEST_ID},
    state::AppState,
};

pub mod api;
pub mod api_billing;
pub mod api_networks;
pub mod api_onboarding;
pub mod api_requests;
pub mod assets;
pub mod cookies;
pub mod metrics;
pub mod openapi;
pub mod pages;

pub const MAX_BODY: usize = 1024 * 1024;

/// What a route needs of its caller; the access test walks every route of every table with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteAccess {
    /// Anyone.
    Public,
    /// A signed-in login, acting on itself.
    SignedIn,
    /// `{id}` is an account the caller must reach (the account in view or below), with this need.
    Account(crate::domain::access::Need),
    /// `{id}` is an account strictly below the account in view.
    AccountBelow(crate::domain::access::Need),
    /// `{id}` is a login of an account the caller reaches (owners and admins).
    Login,
    /// The operator's own business: the account in view must be the operator, with this need.
    Operator(crate::domain::access::Need),
    /// The opt-in test clock: absent (404) unless PANEL_TEST_CLOCK=1, then operator admins only.
    TestClock,
}

pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: RouteAccess,
}

/// Declares a router and, from the same lines, the table of its routes and their access rules,
/// so no route can exist without an entry.
#[macro_export]
macro_rules! route_table {
    ($table:ident, $router:ident; $( $method:ident $path:literal => $handler:expr, $access:expr; )*) => {
        pub const $table: &[$crate::web::RouteSpec] = &[
            $( $crate::web::RouteSpec { method: stringify!($method), path: $path, access: $access }, )*
        ];
        pub fn $router() -> axum::Router<$crate::state::AppState> {
            axum::Router::new() $( .route($path, axum::routing::$method($handler)) )*
        }
    };
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest(
            "/api/v1",
            api::routes()
                .merge(api_onboarding::routes())
                .merge(api_billing::routes())
                .merge(api_requests::routes())
                .merge(api_networks::routes()),
        )
        .merge(operational_routes())
        .merge(assets::routes())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), identify))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_context,
        ))
        .with_state(state)
}

route_table! { OPERATIONAL_ROUTES, operational_routes;
    get "/api/openapi.json" => openapi::document, RouteAccess::Public;
    get "/api/docs" => openapi::docs_page, RouteAccess::Public;
    get "/healthz" => healthz, RouteAccess::Public;
    get "/readyz" => readyz, RouteAccess::Public;
    get "/metrics" => metrics::render, RouteAccess::Public;
}

/// Every route outside /api/v1 (pages, operations, assets) and, under /api/v1, the API's.
pub fn all_routes() -> Vec<(String, &'static RouteSpec)> {
    let mut v: Vec<(String, &'static RouteSpec)> = Vec::new();
    for r in pages::ROUTES
        .iter()
        .chain(OPERATIONAL_ROUTES)
        .chain(assets::ROUTES)
    {
        v.push((r.path.to_string(), r));
    }
    for r in api::ROUTES
        .iter()
        .chain(api_onboarding::ROUTES)
        .chain(api_billing::ROUTES)
        .chain(api_requests::ROUTES)
        .chain(api_networks::ROUTES)
    {
        v.push((format!("/api/v1{}", r.path), r));
    }
    v
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

fn wants_json(path: &str, headers: &HeaderMap) -> bool {
    path.starts_with("/api/")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.starts_with("application/json"))
}

async fn fallback(req: Request) -> Response {
    if wants_json(req.uri().path(), req.headers()) {
        AppError::NotFound.into_response()
    } else {
        pages::error_page(&AppError::NotFound)
    }
}

async fn method_not_allowed(req: Request) -> Response {
    if wants_json(req.uri().path(), req.headers()) {
        AppError::MethodNotAllowed.into_response()
    } else {
        pages::error_page(&AppError::MethodNotAllowed)
    }
}

/// The client's address: the socket peer, or the first X-Forwarded-For hop behind a trusted proxy.
fn client_ip(state: &AppState, req: &Request) -> String {
    if state.config.trust_proxy {
        if let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        {
            return ip.to_string();
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[derive(Clone)]
pub struct RequestMeta {
    pub id: String,
    pub ip: String,
}

/// Outermost: gives each request an id (in logs, error bodies and the X-Request-Id header),
/// counts it for /metrics and logs it.
async fn request_context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let id = secrets::random_hex(8);
    let ip = client_ip(&state, &req);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    req.extensions_mut()
        .insert(RequestMeta { id: id.clone(), ip });
    let started = Instant::now();
    let mut resp = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    state
        .metrics
        .observe(method.as_str(), &route, status, elapsed);
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let headers = resp.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if path != "/healthz" && path != "/metrics" {
        tracing::info!(request_id = %id, method = %method, path = %path, status, ms = elapsed.as_millis() as u64, "request");
    }
    resp
}

/// The identity of a request, if any (set by `identify`).
#[derive(Clone)]
pub struct MaybeIdentity(pub Option<Identity>);

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn error_for(path: &str, headers: &HeaderMap, e: AppError) -> Response {
    if wants_json(path, headers) {
        e.into_response()
    } else {
        pages::error_page(&e)
    }
}

/// Resolves the session cookie or Bearer token to an identity, and checks CSRF on every
/// state-changing request made with a cookie: an `X-CSRF-Token` header, or a `csrf_token`
/// form field. Before sign-in, forms carry the value of the `pp_csrf` cookie instead.
async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    api_billing::sync_test_clock(&state).await;
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or(RequestMeta {
            id: String::new(),
            ip: "unknown".into(),
        });
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());

    let identity = if let Some(token) = bearer {
        match auth::resolve_token(&state, &token, &meta.ip, &meta.id).await {
            Ok(Some(i)) => Some(i),
            Ok(None) => {
                return AppError::Unauthenticated.into_response();
            }
            Err(e) => return error_for(&path, &headers, e),
        }
    } else if let Some(token) = cookies::get(&headers, cookies::SESSION) {
        match auth::resolve_session(&state, &token, &meta.ip, &meta.id).await {
            Ok(i) => i,
            Err(e) => return error_for(&path, &headers, e),
        }
    } else {
        None
    };

    let identity = match (
        identity,
        headers.get("x-act-as").and_then(|v| v.to_str().ok()),
    ) {
        (Some(who), Some(target)) => {
            match crate::domain::acting::apply_header(&state, who, target).await {
                Ok(who) => Some(who),
                Err(e) => return error_for(&path, &headers, e),
            }
        }
        (identity, _) => identity,
    };

    // A partner's unpaid period denies its logins and all below it everything but billing.
    if let Some(who) = &identity {
        if who.suspended_by.is_some() && !allowed_while_suspended(req.method(), &path) {
            return if path.starts_with("/api/") {
                AppError::PaymentRequired(
                    "Access is suspended: the period ended unpaid. GET /api/v1/billing shows the open invoice and how to pay.".into(),
                )
                .into_response()
            } else {
                Redirect::to("/billing").into_response()
            };
        }
    }

    let mut req = req;
    if is_state_changing(req.method()) && !matches!(&identity, Some(i) if i.session_id().is_none())
    {
        let expected = match &identity {
            Some(i) => Some(i.csrf_token().to_string()),
            None => cookies::get(&headers, cookies::PRE_CSRF),
        };
        let header_token = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        let mut form_token = None;
        if is_form && header_token.is_none() {
            let (parts, body) = req.into_parts();
            let bytes = match to_bytes(body, MAX_BODY).await {
                Ok(b) => b,
                Err(_) => return error_for(&path, &headers, AppError::PayloadTooLarge),
            };
            form_token = form_urlencoded_field(&bytes, "csrf_token");
            req = Request::from_parts(parts, Body::from(bytes));
        }
        let presented = header_token.or(form_token);
        let anonymous_api = identity.is_none() && path.starts_with("/api/");
        // An API call with no session needs no CSRF token: it carries no ambient authority.
        if !anonymous_api {
            let ok = match (&expected, &presented) {
                (Some(e), Some(p)) => !e.is_empty() && constant_time_eq(e.as_bytes(), p.as_bytes()),
                _ => false,
            };
            if !ok {
                return if path.starts_with("/api/") || !is_form {
                    AppError::CsrfFailed.into_response()
                } else {
                    pages::csrf_failed_page(&req)
                };
            }
        }
    }
    req.extensions_mut().insert(MaybeIdentity(identity));
    next.run(req).await
}

/// What a login denied for an unpaid period may still do: read billing, invoices and the
/// export, and sign out.
fn allowed_while_suspended(method: &Method, path: &str) -> bool {
    if matches!(path, "/logout" | "/api/v1/auth/logout") {
        return *method == Method::POST;
    }
    if *method != Method::GET && *method != Method::HEAD {
        return false;
    }
    path.starts_with("/assets/")
        || path.starts_with("/invoices/")
        || path.starts_with("/api/v1/invoices/")
        || matches!(
            path,
            "/billing"
                | "/billing/export"
                | "/logout"
                | "/api/v1/billing"
                | "/api/v1/billing/export"
                | "/api/v1/auth/logout"
                | "/api/v1/me"
        )
}

pub fn form_urlencoded_field(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed-in identity for the JSON API: 401 with a JSON error otherwise.
pub struct Auth(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        match parts.extensions.get::<MaybeIdentity>() {
            Some(MaybeIdentity(Some(i))) => Ok(Auth(i.clone())),
            _ => Err(AppError::Unauthenticated),
        }
    }
}

/// A signed-in identity for pages: a redirect to the login page otherwise.
pub struct PageAuth(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for PageAuth {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match parts.extensions.get::<MaybeIdentity>() {
            Some(MaybeIdentity(Some(i))) => Ok(PageAuth(i.clone())),
            _ => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .filter(|p| *p != "/")
                    .map(|p| format!("?next={}", pages::url_encode(p)))
                    .unwrap_or_default();
                Err(Redirect::to(&format!("/login{next}")).into_response())
            }
        }
    }
}

/// JSON body whose rejections are JSON errors with stable codes.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::JsonRejection;
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(JsonRejection::MissingJsonContentType(_)) => {
                return Err(AppError::bad_request(
                    "unsupported_media_type",
                    "Send the body as JSON with Content-Type: application/json",
                ))
            }
            Err(JsonRejection::BytesRejection(_)) => return Err(AppError::PayloadTooLarge),
            Err(e) => {
                return Err(AppError::bad_request(
                    "invalid_json",
                    format!("The body is not valid JSON: {}", e.body_text()),
                ))
            }
        };
        if has_nul(&value) {
            return Err(AppError::bad_request(
                "invalid_text",
                "Text must not contain NUL characters",
            ));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|e| {
            AppError::bad_request(
                "invalid_json",
                format!("The JSON does not fit this call: {e}"),
            )
        })
    }
}

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// A form body; a malformed one shows an error page instead of a bare 4xx.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| pages::error_page(&AppError::PayloadTooLarge))?;
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) {
            Ok(pairs)
                if pairs
                    .iter()
                    .any(|(k, v)| k.contains('\0') || v.contains('\0')) =>
            {
                return Err(pages::error_page(&AppError::bad_request(
                    "invalid_text",
                    "Text must not contain NUL characters",
                )))
            }
            _ => {}
        }
        match serde_urlencoded::from_bytes::<T>(&bytes) {
            Ok(v) => Ok(PageForm(v)),
            Err(e) => Err(pages::error_page(&AppError::bad_request(
                "invalid_form",
                format!("The form could not be read: {e}"),
            ))),
        }
    }
}

/// Query parameters for pages; unreadable ones show an error page.
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        if query_has_nul(parts.uri.query().unwrap_or("")) {
            return Err(pages::error_page(&nul_error()));
        }
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(PageQuery)
            .map_err(|e| {
                pages::error_page(&AppError::bad_request(
                    "invalid_query",
                    format!("The address could not be read: {e}"),
                ))
            })
    }
}

/// True when any name or value of a query string holds a NUL character.
pub fn query_has_nul(query: &str) -> bool {
    query.contains("%00")
        || serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(|pairs| {
                pairs
                    .iter()
                    .any(|(k, v)| k.contains('\0') || v.contains('\0'))
            })
            .unwrap_or(false)
}

fn nul_error() -> AppError {
    AppError::bad_request("invalid_text", "Text must not contain NUL characters")
}

/// A numeric `{id}` in the path for the API: anything else is simply not found (JSON).
pub struct ApiId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(s)) => s.parse().map(ApiId).map_err(|_| AppError::NotFound),
            Err(_) => Err(AppError::NotFound),
        }
    }
}

/// A numeric `{id}` in the path for pages: anything else shows the not-found page.
pub struct PageId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PageId {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(s)) => s
                .parse()
                .map(PageId)
                .map_err(|_| pages::error_page(&AppError::NotFound)),
            Err(_) => Err(pages::error_page(&AppError::NotFound)),
        }
    }
}
