//! HTTP: the router, the request pipeline (request id, metrics, identity, CSRF) and extractors.

use crate::areas::auth;
use crate::kernel::error::AppError;
use crate::kernel::error::REQUEST_ID;
use crate::kernel::secrets;
use crate::kernel::Identity;
use crate::state::AppState;
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use std::{net::SocketAddr, time::Instant};
use tower_http::set_header::SetResponseHeaderLayer;

crate::route_table! { ROUTES, routes;
    get "/api/openapi.json" => openapi::document, RouteAccess::Public;
    get "/api/docs" => openapi::docs_page, RouteAccess::Public;
    get "/healthz" => healthz, RouteAccess::Public;
    get "/readyz" => readyz, RouteAccess::Public;
    get "/metrics" => metrics::render_guarded, RouteAccess::Public;
}

pub mod access_log;
pub mod assets;
pub mod cookies;
pub mod extract;
pub mod form;
pub mod keep_word;
pub mod layout;
pub mod menu;
pub mod metrics;
pub mod multipart;
pub mod openapi;
pub mod routes;
pub mod table;
pub mod when;

pub use extract::*;
pub use routes::{enforce, RouteAccess, RouteSpec};

pub const MAX_BODY: usize = 1024 * 1024;

/// The prefix of the device protocol (media players): its own tokens, no sessions.
pub const DEVICE_PREFIX: &str = "/device/";

pub fn router(state: AppState) -> Router {
    let mut pages = Router::new();
    let mut api = Router::new();
    for t in tables() {
        if t.api {
            api = api.merge((t.router)());
        } else {
            pages = pages.merge((t.router)());
        }
    }
    pages
        .nest("/api/v1", api)
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layout::frame_errors,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), identify))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_context,
        ))
        // The security headers of every answer.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// One route table: its routes, the router built from the same lines, and whether it is served
/// under /api/v1.
pub struct Table {
    pub routes: &'static [RouteSpec],
    pub router: fn() -> Router<AppState>,
    pub api: bool,
}

/// The kernel's own tables (operations, assets) and every area's.
pub fn tables() -> Vec<Table> {
    let mut v = vec![
        Table {
            routes: ROUTES,
            router: routes,
            api: false,
        },
        Table {
            routes: assets::ROUTES,
            router: assets::routes,
            api: false,
        },
    ];
    v.extend(crate::areas::route_tables());
    v
}

/// Every route with its full path: pages, operations and assets as they are, the API's under
/// /api/v1.
pub fn all_routes() -> Vec<(String, &'static RouteSpec)> {
    let mut v: Vec<(String, &'static RouteSpec)> = Vec::new();
    for t in tables() {
        for r in t.routes {
            let path = if t.api {
                format!("/api/v1{}", r.path)
            } else {
                r.path.to_string()
            };
            v.push((path, r));
        }
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
        || path.starts_with("/probe/")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.starts_with("application/json"))
}

async fn fallback(req: Request) -> Response {
    if wants_json(req.uri().path(), req.headers()) {
        AppError::NotFound.into_response()
    } else {
        layout::error_page(&AppError::NotFound)
    }
}

async fn method_not_allowed(req: Request) -> Response {
    if wants_json(req.uri().path(), req.headers()) {
        AppError::MethodNotAllowed.into_response()
    } else {
        layout::error_page(&AppError::MethodNotAllowed)
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

/// Gives each request an id (in logs, error bodies and the X-Request-Id header), counts it for
/// /metrics and logs it. Kept by hand rather than tower-http's SetRequestId: that one keeps an id
/// the client sent, and ours must not be chosen by the client (it ends up in the audit log); the
/// one log line per request carries the route and timing the metrics use as well.
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
    if path != "/healthz" && path != "/metrics" {
        access_log::log(&state.config, &id, method.as_str(), &path, status, elapsed);
    }
    resp
}

/// The identity of a request, if any (set by `identify`).
#[derive(Clone)]
pub struct MaybeIdentity(pub Option<Identity>);

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub(crate) fn error_for(path: &str, headers: &HeaderMap, e: AppError) -> Response {
    if wants_json(path, headers) {
        e.into_response()
    } else {
        layout::error_page(&e)
    }
}

/// Resolves the session cookie or Bearer token to an identity, and checks CSRF on every
/// state-changing request made with a cookie: an `X-CSRF-Token` header, or a `csrf_token`
/// form field. Before sign-in, forms carry the value of the `pp_csrf` cookie instead.
async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    crate::kernel::test_clock::sync_test_clock(&state).await;
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or(RequestMeta {
            id: String::new(),
            ip: "unknown".into(),
        });
    let path = req.uri().path().to_string();
    // /metrics checks its own bearer token (PANEL_METRICS_TOKEN), which is no API token; so
    // does the probe protocol (/probe/…: enrollment codes and probe tokens, no login).
    if path == "/metrics" || path.starts_with("/probe/") {
        return next.run(req).await;
    }
    // The device protocol carries device tokens, no login's: no session, no CSRF (see
    // areas::media::device); the route table marks its routes public.
    if path.starts_with(DEVICE_PREFIX) {
        let mut req = req;
        req.extensions_mut().insert(MaybeIdentity(None));
        req.extensions_mut().insert(state);
        return next.run(req).await;
    }
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
            match crate::areas::accounts::acting::apply_header(&state, who, target).await {
                Ok(who) => Some(who),
                Err(e) => return error_for(&path, &headers, e),
            }
        }
        (identity, _) => identity,
    };

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
        // An upload form (multipart) carries its token as a field too: read it from the
        // buffered body, which goes on to the handler unchanged.
        let multipart = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .filter(|c| c.starts_with("multipart/form-data"))
            .map(str::to_string);
        let mut form_token = None;
        if let (Some(ct), None) = (&multipart, &header_token) {
            let (parts, body) = req.into_parts();
            let bytes = match to_bytes(body, state.config.upload_body_limit()).await {
                Ok(b) => b,
                Err(_) => return error_for(&path, &headers, AppError::PayloadTooLarge),
            };
            form_token = multipart::boundary(ct)
                .and_then(|b| multipart::parse(&bytes, &b))
                .and_then(|p| {
                    p.into_iter()
                        .find(|p| p.name == "csrf_token" && p.filename.is_none())
                })
                .map(|p| p.text());
            req = Request::from_parts(parts, Body::from(bytes));
        }
        let is_form = is_form || multipart.is_some();
        if is_form && header_token.is_none() && form_token.is_none() && multipart.is_none() {
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
                    layout::csrf_failed_page(&req)
                };
            }
        }
    }
    req.extensions_mut().insert(MaybeIdentity(identity));
    req.extensions_mut().insert(state);
    next.run(req).await
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
