//! The player protocol's handlers under /device/v1 (documented in the OpenAPI document with the
//! tag `device`): no session and no CSRF; the device token goes in `Authorization: Bearer`.

use super::device;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

crate::route_table! { ROUTES, routes;
    post "/device/v1/register" => register, A::Public;
    get "/device/v1/playlist" => playlist, A::Public;
    post "/device/v1/report" => report, A::Public;
    get "/device/v1/media/{clip}" => media, A::Public;
}

struct DeviceSecurity;

impl utoipa::Modify for DeviceSecurity {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "device_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The device token from `POST /device/v1/register` (a media player's, no login's)",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(register, playlist, report, media),
    modifiers(&DeviceSecurity),
    tags((name = "device", description = "The media players' protocol: register, poll (ETag, long poll), report"))
)]
pub struct Doc;

fn ip(meta: &Option<Extension<RequestMeta>>) -> String {
    meta.as_ref()
        .map(|m| m.ip.clone())
        .unwrap_or_else(|| "unknown".into())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

#[utoipa::path(post, path = "/register", tag = "device", operation_id = "deviceRegister",
    summary = "A device registers with its player ID and MAC: a device token once its player is connected and licensed, else it waits for activation",
    request_body = device::Register,
    security(()),
    responses(
        (status = 200, description = "Registered: the token (any earlier token of this player stops working)", body = device::Registered),
        (status = 202, description = "Waiting for activation: not connected to an account yet, its license not active yet, or a player ID and MAC of different players (counted like a failed sign-in); no token", body = device::Registered),
        (status = 400, description = "The body is not JSON (`invalid_json`, `unsupported_media_type`)", body = E),
        (status = 422, description = "Not a player ID, or not a MAC address (`validation_failed`, with `field`)", body = E),
        (status = 429, description = "Too many failures from this address (`too_many_attempts`, Retry-After)", body = E),
    ))]
async fn register(
    State(state): State<AppState>,
    meta: Option<Extension<RequestMeta>>,
    ApiJson(body): ApiJson<device::Register>,
) -> AppResult<Response> {
    let r = device::register(&state, &ip(&meta), &body).await?;
    let status = if r.token.is_some() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(r)).into_response())
}

/// How long a poll may wait for a change.
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PollQuery {
    /// Long poll: hold the answer up to this many seconds until the version changes (0: answer
    /// at once).
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<i64>,
}

#[utoipa::path(get, path = "/playlist", tag = "device", operation_id = "devicePlaylist",
    summary = "Poll for the playlist: 304 when the version sent in If-None-Match is current, else the playlist, its version (ETag) and the poll interval",
    params(
        PollQuery,
        ("If-None-Match" = Option<String>, Header, description = "The version the player shows (the last ETag)"),
    ),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The playlist (ETag header: its version)", body = device::Playlist),
        (status = 304, description = "Unchanged: no body"),
        (status = 400, description = "A query parameter cannot be read as its type (`invalid_query`)", body = E),
        (status = 401, description = "The device token is missing, unknown, replaced or revoked (`device_token_invalid`): register again; counted like a failed sign-in", body = E),
        (status = 403, description = "The player license is not active (`forbidden`)", body = E),
        (status = 422, description = "`wait` outside 0 to 30 (`validation_failed`, field `wait`)", body = E),
        (status = 429, description = "Too many failures from this address (`too_many_attempts`, Retry-After)", body = E),
    ))]
async fn playlist(
    State(state): State<AppState>,
    meta: Option<Extension<RequestMeta>>,
    ApiQuery(q): ApiQuery<PollQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let have = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let token = bearer(&headers);
    let wait = q.wait.unwrap_or(0).clamp(0, device::MAX_WAIT_S);
    let r = device::poll(&state, &ip(&meta), token.as_deref(), have.as_deref(), wait).await?;
    Ok(match r {
        device::Poll::Unchanged { etag } => (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, format!("\"{etag}\"")),
                (header::CACHE_CONTROL, "no-cache".to_string()),
            ],
        )
            .into_response(),
        device::Poll::Changed(p) => (
            StatusCode::OK,
            [
                (header::ETAG, format!("\"{}\"", p.version)),
                (header::CACHE_CONTROL, "no-cache".to_string()),
            ],
            Json(*p),
        )
            .into_response(),
    })
}

#[utoipa::path(post, path = "/report", tag = "device", operation_id = "deviceReport",
    summary = "The device reports the version it shows",
    request_body = device::Report,
    security(("device_token" = [])),
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "The body is not JSON (`invalid_json`, `unsupported_media_type`)", body = E),
        (status = 401, description = "The device token is missing, unknown, replaced or revoked (`device_token_invalid`)", body = E),
        (status = 422, description = "No version (`validation_failed`, field `version`)", body = E),
        (status = 429, description = "Too many failures from this address (`too_many_attempts`, Retry-After)", body = E),
    ))]
async fn report(
    State(state): State<AppState>,
    meta: Option<Extension<RequestMeta>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<device::Report>,
) -> AppResult<StatusCode> {
    device::report(&state, &ip(&meta), bearer(&headers).as_deref(), &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A signed link's parameters.
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaLink {
    /// When the link stops working (seconds since the epoch).
    pub exp: Option<i64>,
    /// The link's signature.
    #[param(max_length = 64)]
    pub sig: Option<String>,
}

#[utoipa::path(get, path = "/media/{clip}", tag = "device", operation_id = "deviceMedia",
    summary = "A clip's image or video by the signed, expiring link a playlist item gives (`media_url`); a video answers range requests",
    description = "An image is sent whole. A video is sent with `Accept-Ranges: bytes` and an ETag: \
        `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` gets 206 with `Content-Range: bytes a-b/length` and those bytes; \
        a range outside the file (or one that cannot be read) gets 416 with `Content-Range: bytes */length`. \
        An `If-Range` that is not the current ETag gets the whole video (200). Several ranges at once get the whole video.",
    params(
        ("clip" = i64, Path, description = "A clip id"),
        MediaLink,
        ("Range" = Option<String>, Header, description = "Videos: the bytes wanted, e.g. `bytes=0-1048575`"),
        ("If-Range" = Option<String>, Header, description = "Videos: the ETag the player holds; another one gets the whole video"),
    ),
    security(()),
    responses(
        (status = 200, description = "The image or the whole video (Content-Type image/png, image/jpeg, video/mp4 or video/webm; videos with Accept-Ranges, ETag, Content-Length)",
            content((String = "image/png"), (String = "image/jpeg"), (String = "video/mp4"), (String = "video/webm"))),
        (status = 206, description = "The video's bytes asked for by `Range` (Content-Range: bytes a-b/length)",
            content((String = "video/mp4"), (String = "video/webm"))),
        (status = 400, description = "A query parameter cannot be read as its type (`invalid_query`)", body = E),
        (status = 404, description = "No such image or video, or the link expired or is forged (`not_found`)", body = E),
        (status = 416, description = "A range outside the video or one that cannot be read (`range_not_satisfiable`; Content-Range: bytes */length)", body = E),
        (status = 422, description = "A clip id that is not a number, or `sig` longer than 64 (`validation_failed`)", body = E),
    ))]
async fn media(
    State(state): State<AppState>,
    axum::extract::Path(clip): axum::extract::Path<String>,
    ApiQuery(q): ApiQuery<MediaLink>,
    headers: HeaderMap,
) -> AppResult<Response> {
    use super::video::{self, Range};
    let clip: i64 = clip
        .parse()
        .map_err(|_| crate::kernel::error::AppError::validation("clip", "A clip id is a number"))?;
    let media = super::clips::media_by_link(
        &state,
        clip,
        q.exp.unwrap_or(0),
        q.sig.as_deref().unwrap_or(""),
    )
    .await?;
    let v = match media {
        super::clips::Media::Image { content_type, data } => {
            return Ok((
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
                ],
                data,
            )
                .into_response())
        }
        super::clips::Media::Video(v) => v,
    };
    let etag = v.etag();
    let text = |name: header::HeaderName| headers.get(name).and_then(|h| h.to_str().ok());
    // A range of another version of the video is no use: the whole current one instead.
    let fresh = text(header::IF_RANGE).is_none_or(|t| t.trim() == etag);
    let asked = if fresh {
        video::range(text(header::RANGE), v.bytes)
    } else {
        Range::Whole
    };
    let (status, start, end) = match asked {
        Range::Whole => (StatusCode::OK, 0, v.bytes - 1),
        Range::Part(a, b) => (StatusCode::PARTIAL_CONTENT, a, b),
        Range::Unsatisfiable => {
            return Err(crate::kernel::error::AppError::RangeNotSatisfiable { length: v.bytes })
        }
    };
    let mut resp = Response::new(axum::body::Body::from_stream(video::stream(
        &state, &v, start, end,
    )));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = header::HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, v.content_type.clone());
    set(header::CONTENT_LENGTH, (end - start + 1).to_string());
    set(header::ACCEPT_RANGES, "bytes".into());
    set(header::ETAG, etag);
    set(header::CACHE_CONTROL, "private, max-age=3600".into());
    if status == StatusCode::PARTIAL_CONTENT {
        set(
            header::CONTENT_RANGE,
            format!("bytes {start}-{end}/{}", v.bytes),
        );
    }
    Ok(resp)
}
