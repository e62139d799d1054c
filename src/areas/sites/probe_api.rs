//! The probe protocol under /probe/v1: public, answered only to an enrollment code (to register)
//! or a probe token (`Authorization: Bearer <token>`, to check in). A code or token that does
//! not work is counted for the address like a failed sign-in, and refused with 429 once the
//! address is locked. A probe token is no API token: it opens nothing else.

use super::model::*;
use super::probes::{self, Caller};
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::ApiJson;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    Extension, Json,
};

crate::route_table! { ROUTES, routes;
    post "/probe/v1/enroll" => enroll_probe, A::Public;
    post "/probe/v1/check-in" => probe_check_in, A::Public;
}

struct ProbeSecurity;

impl utoipa::Modify for ProbeSecurity {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        api.components.get_or_insert_with(Default::default).add_security_scheme(
            "probe_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A probe's own token, answered once by `POST /probe/v1/enroll` (only its hash is kept)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The probe protocol's part of the document (paths relative to /probe/v1).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(enroll_probe, probe_check_in),
    modifiers(&ProbeSecurity),
    tags((name = "probe protocol", description = "What a probe calls: register with an enrollment code, then check in with its token at the interval the panel tells it"))
)]
pub struct Doc;

fn caller<'a>(meta: &'a RequestMeta) -> Caller<'a> {
    Caller {
        ip: &meta.ip,
        request_id: &meta.id,
    }
}

#[utoipa::path(post, path = "/enroll", tag = "probe protocol", operation_id = "enrollProbe",
    summary = "Register a probe with an enrollment code of its site: it gets its own token (shown this once) and the interval to check in at",
    request_body = EnrollRequest,
    security(()),
    responses(
        (status = 201, description = "Registered", body = EnrollAnswer),
        (status = 400, description = "The body is not JSON or does not fit (`invalid_json`, `unsupported_media_type`), or text holds NUL (`invalid_text`)", body = E),
        (status = 413, description = "The body is larger than 1 MiB (`payload_too_large`)", body = E),
        (status = 422, description = "An empty or too long name, host or version (`validation_failed`, with `field`); a code that is not known (`enrollment_invalid`, counted like a failed sign-in), used already (`enrollment_used`), expired (`enrollment_expired`) or revoked (`enrollment_revoked`), field `code`", body = E),
        (status = 429, description = "Too many unknown codes or tokens from this address (`too_many_attempts`, with Retry-After)", body = E),
        (status = 500, description = "Internal error (`internal_error`), with a request id", body = E),
    ))]
async fn enroll_probe(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<EnrollRequest>,
) -> AppResult<(StatusCode, Json<EnrollAnswer>)> {
    Ok((
        StatusCode::CREATED,
        Json(probes::enroll(&state, &caller(&meta), &body).await?),
    ))
}

#[utoipa::path(post, path = "/check-in", tag = "probe protocol", operation_id = "probeCheckIn",
    summary = "A probe checks in with its token (send `{}` or its version and host)",
    description = "Written at most once per interval, whatever the probe sends and however often: a check-in less than an interval after the last one written answers `recorded: false` and when to come back (`next_check_in_seconds`). A version or host sent then is kept at the next check-in written.",
    request_body = CheckIn,
    security(("probe_token" = [])),
    responses(
        (status = 200, description = "Checked in", body = CheckInAnswer),
        (status = 400, description = "The body is not JSON or does not fit (`invalid_json`, `unsupported_media_type`), or text holds NUL (`invalid_text`)", body = E),
        (status = 401, description = "No probe token, or one that is unknown, revoked or of a disabled probe (`probe_token_invalid`, counted like a failed sign-in)", body = E),
        (status = 413, description = "The body is larger than 1 MiB (`payload_too_large`)", body = E),
        (status = 422, description = "A too long version or host, or control characters (`validation_failed`, with `field`)", body = E),
        (status = 429, description = "Too many unknown codes or tokens from this address (`too_many_attempts`, with Retry-After)", body = E),
        (status = 500, description = "Internal error (`internal_error`), with a request id", body = E),
    ))]
async fn probe_check_in(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CheckIn>,
) -> AppResult<Json<CheckInAnswer>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    Ok(Json(
        probes::check_in(&state, &caller(&meta), token, &body).await?,
    ))
}
