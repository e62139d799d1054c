//! The JSON API under /api/v1: thin handlers over the domain.

use super::layout::PageError;
use super::MaybeIdentity;
use crate::kernel::error::AppError;
use crate::kernel::error::ErrorCode;
use crate::kernel::ids::PathId;
use crate::kernel::Identity;
use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;

/// Query parameters that cannot be read are a JSON 400, not a bare text error; values outside
/// what the document says of them (`IntoParams`) are a 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned + utoipa::IntoParams + 'static, S: Send + Sync>
    axum::extract::FromRequestParts<S> for ApiQuery<T>
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
        let query = parts.uri.query().unwrap_or("");
        let value = serde_urlencoded::from_str(query).map_err(|e| {
            AppError::bad_request(
                ErrorCode::InvalidQuery,
                format!("The query string does not fit this call: {e}"),
            )
        })?;
        super::keep_word::check_query::<T>(query)?;
        Ok(ApiQuery(value))
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
            _ => Err(super::routes::sign_in_redirect(&parts.uri)),
        }
    }
}

/// JSON body whose rejections are JSON errors with stable codes; a field sent as `null` that its
/// schema (`ToSchema`) does not declare nullable is a 422 naming it.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + utoipa::ToSchema + 'static, S: Send + Sync> FromRequest<S>
    for ApiJson<T>
{
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
        json_to::<T>(value).map(ApiJson)
    }
}

fn json_to<T: DeserializeOwned + utoipa::ToSchema + 'static>(
    value: serde_json::Value,
) -> Result<T, AppError> {
    if has_nul(&value) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidText,
            "Text must not contain NUL characters",
        ));
    }
    super::keep_word::check_nulls::<T>(&value)?;
    serde_json::from_value(value).map_err(|e| {
        AppError::bad_request(
            ErrorCode::InvalidJson,
            format!("The JSON does not fit this call: {e}"),
        )
    })
}

/// The most an upload body may hold: `Config::upload_body_limit` of the panel serving it (at
/// least `multipart::MAX_UPLOAD_BODY`; more when videos may be larger).
fn upload_limit(req: &Request) -> usize {
    req.extensions()
        .get::<crate::state::AppState>()
        .map(|s| s.config.upload_body_limit())
        .unwrap_or(super::multipart::MAX_UPLOAD_BODY)
}

/// A JSON body that may carry files (base64), so it may be larger than the usual limit, up to
/// `upload_limit`; otherwise as `ApiJson`.
pub struct ApiJsonUpload<T>(pub T);

impl<T: DeserializeOwned + utoipa::ToSchema + 'static, S: Send + Sync> FromRequest<S>
    for ApiJsonUpload<T>
{
    type Rejection = AppError;
    async fn from_request(req: Request, _state: &S) -> Result<Self, AppError> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json"));
        if !json {
            return Err(AppError::bad_request(
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON with Content-Type: application/json",
            ));
        }
        let limit = upload_limit(&req);
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::bad_request(
                ErrorCode::InvalidJson,
                format!("The body is not valid JSON: {e}"),
            )
        })?;
        json_to::<T>(value).map(ApiJsonUpload)
    }
}

/// A multipart/form-data body (an upload form), or a plain urlencoded form, read whole up to
/// `upload_limit`; an unreadable one shows an error page.
pub struct PageMultipart(pub Vec<super::multipart::Part>);

impl PageMultipart {
    /// The text of a field ("" when absent).
    pub fn field(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| p.text())
            .unwrap_or_default()
    }
    /// The files sent under a name, skipping an empty file input (no file chosen).
    pub fn files(&self, name: &str) -> Vec<(String, Vec<u8>)> {
        self.0
            .iter()
            .filter(|p| p.name == name)
            .filter_map(|p| {
                let f = p.filename.clone()?;
                (!(f.is_empty() && p.data.is_empty())).then(|| (f, p.data.clone()))
            })
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for PageMultipart {
    type Rejection = PageError;
    async fn from_request(req: Request, _state: &S) -> Result<Self, PageError> {
        let ct = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let limit = upload_limit(&req);
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| PageError(AppError::PayloadTooLarge))?;
        // A plain form (no file chosen, or a client without uploads) reads the same way.
        let parts = if ct.starts_with("application/x-www-form-urlencoded") {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .map_err(|e| {
                    PageError(AppError::bad_request(
                        ErrorCode::InvalidForm,
                        format!("The form could not be read: {e}"),
                    ))
                })?
                .into_iter()
                .map(|(name, v)| super::multipart::Part {
                    name,
                    filename: None,
                    data: v.into_bytes(),
                })
                .collect()
        } else {
            super::multipart::read(&ct, &bytes).map_err(PageError)?
        };
        if parts
            .iter()
            .any(|p| p.filename.is_none() && (p.name.contains('\0') || p.data.contains(&0)))
        {
            return Err(PageError(nul_error()));
        }
        Ok(PageMultipart(parts))
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

/// The `{id}` of the path, as the router resolved and checked it against the resource the route
/// names (see `routes::enforce`), as the id type of that resource (`ApiId<LicenseId>`). There is
/// no other way for a handler to read an id: a route without a resource kind has none to give, and
/// an id type that does not stand for the route's resource kind gives none either.
pub struct ApiId<T: PathId>(pub T);

impl<T: PathId, S: Send + Sync> FromRequestParts<S> for ApiId<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        checked::<T>(parts).map(ApiId).ok_or(AppError::NotFound)
    }
}

/// The same checked `{id}` for pages.
pub struct PageId<T: PathId>(pub T);

impl<T: PathId, S: Send + Sync> FromRequestParts<S> for PageId<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        checked::<T>(parts)
            .map(PageId)
            .ok_or_else(|| crate::kernel::http::layout::error_page(&AppError::NotFound))
    }
}

fn checked<T: PathId>(parts: &Parts) -> Option<T> {
    let c = parts
        .extensions
        .get::<crate::kernel::access::Checked>()
        .copied();
    debug_assert!(
        c.is_some(),
        "an id extractor on a route that names no resource"
    );
    let c = c?;
    let fits = T::KINDS.contains(&c.kind);
    debug_assert!(
        fits,
        "a handler asks for the id of {:?} on a route whose resource is a {:?}",
        T::KINDS,
        c.kind
    );
    fits.then(|| T::from_checked(c.id))
}
