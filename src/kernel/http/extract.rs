//! The JSON API under /api/v1: thin handlers over the domain.

use super::layout::PageError;
use super::MaybeIdentity;
use crate::kernel::error::AppError;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use serde::de::DeserializeOwned;

/// Query parameters that cannot be read are a JSON 400, not a bare text error.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, AppError> {
        if crate::kernel::http::query_has_nul(parts.uri.query().unwrap_or("")) {
            return Err(AppError::bad_request(
                ErrorCode::InvalidText,
                "Text must not contain NUL characters",
            ));
        }
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(ApiQuery)
            .map_err(|e| {
                AppError::bad_request(
                    ErrorCode::InvalidQuery,
                    format!("The query string does not fit this call: {e}"),
                )
            })
    }
}

pub fn csv_response(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A CSV download sent as its rows are read.
pub fn csv_stream_response(name: &str, rx: crate::kernel::csv::Stream) -> Response {
    let body = axum::body::Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
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
                    .map(|p| format!("?next={}", crate::kernel::http::layout::url_encode(p)))
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
                    ErrorCode::UnsupportedMediaType,
                    "Send the body as JSON with Content-Type: application/json",
                ))
            }
            Err(JsonRejection::BytesRejection(_)) => return Err(AppError::PayloadTooLarge),
            Err(e) => {
                return Err(AppError::bad_request(
                    ErrorCode::InvalidJson,
                    format!("The body is not valid JSON: {}", e.body_text()),
                ))
            }
        };
        if has_nul(&value) {
            return Err(AppError::bad_request(
                ErrorCode::InvalidText,
                "Text must not contain NUL characters",
            ));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|e| {
            AppError::bad_request(
                ErrorCode::InvalidJson,
                format!("The JSON does not fit this call: {e}"),
            )
        })
    }
}

pub(crate) fn has_nul(v: &serde_json::Value) -> bool {
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
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| PageError(AppError::PayloadTooLarge))?;
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) {
            Ok(pairs)
                if pairs
                    .iter()
                    .any(|(k, v)| k.contains('\0') || v.contains('\0')) =>
            {
                return Err(PageError(nul_error()))
            }
            _ => {}
        }
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(PageForm)
            .map_err(|e| {
                PageError(AppError::bad_request(
                    ErrorCode::InvalidForm,
                    format!("The form could not be read: {e}"),
                ))
            })
    }
}

/// Query parameters for pages; unreadable ones show an error page.
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        if query_has_nul(parts.uri.query().unwrap_or("")) {
            return Err(PageError(nul_error()));
        }
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(PageQuery)
            .map_err(|e| {
                PageError(AppError::bad_request(
                    ErrorCode::InvalidQuery,
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

pub(crate) fn nul_error() -> AppError {
    AppError::bad_request(
        ErrorCode::InvalidText,
        "Text must not contain NUL characters",
    )
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
                .map_err(|_| crate::kernel::http::layout::error_page(&AppError::NotFound)),
            Err(_) => Err(crate::kernel::http::layout::error_page(&AppError::NotFound)),
        }
    }
}
