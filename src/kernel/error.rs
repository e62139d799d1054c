//! One error type for the whole panel, with stable snake_case codes.

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

tokio::task_local! {
    /// The id of the request being served, for error bodies and logs.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> String {
    REQUEST_ID.try_with(|id| id.clone()).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; names the field.
    #[error("{message}")]
    Validation { field: String, message: String },
    /// Input that cannot be read at all (bad JSON, wrong content type).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("sign in first")]
    Unauthenticated,
    #[error("email or password is incorrect")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("the form has expired or did not come from this panel; reload the page and try again")]
    CsrfFailed,
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("too many failed sign-in attempts; try again in {} minute(s)", (.retry_after_secs + 59) / 60)]
    TooManyRequests { retry_after_secs: i64 },
    #[error("{0}")]
    PaymentRequired(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("payload too large")]
    PayloadTooLarge,
    /// Infrastructure failure: logged with detail, answered opaquely.
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.to_string(),
            message: message.into(),
        }
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::BadRequest { code, .. } => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::CsrfFailed => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::TooManyRequests { .. } => "too_many_attempts",
            AppError::PaymentRequired(_) => "account_suspended",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::CsrfFailed => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown to people: never internal detail.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => format!(
                "Something went wrong on our side. Quote request id {} when you report it.",
                current_request_id()
            ),
            other => {
                let m = other.to_string();
                let mut c = m.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => m,
                }
            }
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(request_id = %current_request_id(), error = %detail, "internal error");
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(format!("database: {e}"))
    }
}

/// Every error code, for the OpenAPI document and the test that each is documented.
pub const ALL_CODES: &[&str] = &[
    "validation_failed",
    "invalid_json",
    "unsupported_media_type",
    "invalid_form",
    "invalid_query",
    "invalid_act_as",
    "already_acting",
    "not_acting",
    "parent_inactive",
    "name_taken",
    "duplicate_request",
    "already_decided",
    "already_paid",
    "already_linked",
    "requester_inactive",
    "channel_gone",
    "request_expired",
    "account_suspended",
    "reference_used",
    "replayed",
    "no_subscription",
    "invalid_text",
    "not_a_session",
    "too_many_tokens",
    "unauthenticated",
    "invalid_credentials",
    "forbidden",
    "csrf_failed",
    "not_found",
    "email_taken",
    "too_many_attempts",
    "method_not_allowed",
    "payload_too_large",
    "internal_error",
    "limit_reached",
];

/// Every error answer.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// A stable code; the message says it for people.
    #[schema(schema_with = error_code)]
    pub code: &'a str,
    pub message: String,
    /// The body field or query parameter at fault, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<&'a str>,
    /// Quote it when reporting a problem: it is in the logs.
    pub request_id: String,
}

fn error_code() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(ALL_CODES)
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
                field: self.field(),
                request_id: current_request_id(),
            },
        };
        let mut resp = (self.status(), Json(body)).into_response();
        if let AppError::TooManyRequests { retry_after_secs } = self {
            if let Ok(v) = retry_after_secs.max(1).to_string().parse() {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}
