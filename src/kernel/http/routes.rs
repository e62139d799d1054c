//! The route table and its enforcement.
//!
//! Every route is declared once, in its area's table, with what it needs of its caller. The same
//! lines build the router and wrap each route in [`enforce`], which signs the caller in (or not),
//! refuses a login denied for an unpaid period unless the route allows it, checks operator
//! business, and resolves the `{id}` of the path through the resource the route names: reach
//! (404, the same as a missing id) and the role's need (403). Handlers get the checked id from
//! the `ApiId`/`PageId` extractors, which only read what this step put there.

use axum::{
    extract::{FromRequestParts, RawPathParams, Request},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use super::{error_for, MaybeIdentity};
use crate::{
    kernel::{
        access::{self, Need, Resource},
        error::AppError,
    },
    state::AppState,
};

/// What a route needs of its caller; the access matrix test walks every route with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteAccess {
    /// Anyone.
    Public,
    /// A signed-in login, acting on the account in view (no id in the path).
    SignedIn,
    /// `{id}` is a resource of this kind, reached from one of its sides, with this need.
    On(&'static Resource, Need),
    /// The operator's own business: the account in view must be the operator, with this need.
    Operator(Need),
    /// The opt-in test clock: absent (404) unless PANEL_TEST_CLOCK=1, then operator admins only.
    TestClock,
}

#[derive(Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: RouteAccess,
    /// A login denied for an unpaid period may still use this route (billing, sign-out).
    pub while_unpaid: bool,
}

const fn contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut i = 0;
    while i + n.len() <= h.len() {
        let mut j = 0;
        while j < n.len() && h[i + j] == n[j] {
            j += 1;
        }
        if j == n.len() {
            return true;
        }
        i += 1;
    }
    false
}

/// A route names a resource exactly when its path has an `{id}`: checked when the table is
/// compiled, so a new route with an id and no resource kind does not build.
pub const fn is_sound(spec: &RouteSpec) -> bool {
    let has_id = contains(spec.path, "{id}");
    let names_resource = matches!(spec.access, RouteAccess::On(..));
    has_id == names_resource
}

#[doc(hidden)]
#[macro_export]
macro_rules! route_flag {
    () => {
        false
    };
    (unpaid) => {
        true
    };
}

/// Declares a router and, from the same lines, the table of its routes and their access rules,
/// so no route can exist without an entry. A line ends with `, unpaid` when a login denied for an
/// unpaid period may still use it.
#[macro_export]
macro_rules! route_table {
    ($table:ident, $router:ident; $( $method:ident $path:literal => $handler:expr, $access:expr $(, $flag:ident)? ; )*) => {
        pub const $table: &[$crate::kernel::http::RouteSpec] = &[
            $( $crate::kernel::http::RouteSpec {
                method: stringify!($method),
                path: $path,
                access: $access,
                while_unpaid: $crate::route_flag!($($flag)?),
            }, )*
        ];
        pub fn $router() -> axum::Router<$crate::state::AppState> {
            axum::Router::new() $( .route($path, {
                const SPEC: $crate::kernel::http::RouteSpec = $crate::kernel::http::RouteSpec {
                    method: stringify!($method),
                    path: $path,
                    access: $access,
                    while_unpaid: $crate::route_flag!($($flag)?),
                };
                const _: () = if !$crate::kernel::http::routes::is_sound(&SPEC) {
                    panic!("{}", concat!("route ", $path, ": a path with {id} names the resource it is (RouteAccess::On), and only such a path"));
                };
                axum::routing::$method($handler).layer(axum::middleware::from_fn(
                    |req: axum::extract::Request, next: axum::middleware::Next| {
                        $crate::kernel::http::enforce(&SPEC, req, next)
                    },
                ))
            }) )*
        }
    };
}

/// Where a signed-out caller of a page is sent: the sign-in page, coming back here after.
pub fn sign_in_redirect(uri: &axum::http::Uri) -> Response {
    let next = uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|p| *p != "/")
        .map(|p| format!("?next={}", super::layout::url_encode(p)))
        .unwrap_or_default();
    Redirect::to(&format!("/login{next}")).into_response()
}

/// Applies a route's entry of the table before its handler runs.
pub async fn enforce(spec: &'static RouteSpec, req: Request, next: Next) -> Response {
    // Under /api/v1 the router sees the path without its prefix: take the one the client sent.
    let path = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let headers = req.headers().clone();
    let is_api = path.starts_with("/api/");
    let who = match req.extensions().get::<MaybeIdentity>() {
        Some(MaybeIdentity(Some(w))) => Some(w.clone()),
        _ => None,
    };
    // A partner's unpaid period denies its logins and all below it everything but billing.
    if let Some(w) = &who {
        if w.suspended_by.is_some() && !spec.while_unpaid {
            return if is_api {
                AppError::PaymentRequired(
                    "Access is suspended: the period ended unpaid. GET /api/v1/billing shows the open invoice and how to pay.".into(),
                )
                .into_response()
            } else {
                Redirect::to("/billing").into_response()
            };
        }
    }
    let (resource, need) = match spec.access {
        RouteAccess::Public | RouteAccess::SignedIn | RouteAccess::TestClock => {
            return next.run(req).await
        }
        RouteAccess::Operator(need) => (None, need),
        RouteAccess::On(res, need) => (Some(res), need),
    };
    let Some(who) = who else {
        return if is_api {
            AppError::Unauthenticated.into_response()
        } else {
            sign_in_redirect(req.uri())
        };
    };
    let Some(state) = req.extensions().get::<AppState>().cloned() else {
        return error_for(&path, &headers, AppError::Internal("no state".into()));
    };
    let Some(res) = resource else {
        return match access::operator(&state, &who, need).await {
            Ok(_) => next.run(req).await,
            Err(e) => error_for(&path, &headers, e),
        };
    };
    let (mut parts, body) = req.into_parts();
    let id = match RawPathParams::from_request_parts(&mut parts, &()).await {
        Ok(params) => params
            .iter()
            .find(|(k, _)| *k == "id")
            .and_then(|(_, v)| v.parse::<i64>().ok()),
        Err(_) => None,
    };
    let Some(id) = id else {
        return error_for(&path, &headers, AppError::NotFound);
    };
    match access::resource(&state, &who, res, id, need).await {
        Ok(checked) => {
            parts.extensions.insert(checked);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(e) => error_for(&path, &headers, e),
    }
}
