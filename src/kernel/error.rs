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
    /// Several fields break rules at once (422): every one of them, first the first one.
    #[error("{}", .0.first().map(|f| f.message.as_str()).unwrap_or("invalid input"))]
    Fields(Vec<FieldError>),
    /// A field breaks a rule that has a code of its own (422, with `field`), e.g. an amount.
    #[error("{message}")]
    Field {
        code: ErrorCode,
        field: String,
        message: String,
    },
    /// Input that cannot be read at all (bad JSON, wrong content type).
    #[error("{message}")]
    BadRequest { code: ErrorCode, message: String },
    #[error("sign in first")]
    Unauthenticated,
    /// A credential that is no login's is refused (401 with its own code, e.g. a device or probe token).
    #[error("{message}")]
    Unauthorized { code: ErrorCode, message: String },
    #[error("email or password is incorrect")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("the form has expired or did not come from this panel; reload the page and try again")]
    CsrfFailed,
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    #[error("too many failed sign-in attempts; try again in {} minute(s)", (.retry_after_secs + 59) / 60)]
    TooManyRequests { retry_after_secs: i64 },
    /// Too many requests of one kind (e.g. password reset links) for an email or address.
    #[error("{message}")]
    Throttled {
        message: String,
        retry_after_secs: i64,
    },
    #[error("{0}")]
    PaymentRequired(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("payload too large")]
    PayloadTooLarge,
    /// A `Range` that asks for no byte of the file, or that cannot be read (416, with
    /// `Content-Range: bytes */length`).
    #[error("the range asked for is not within the file's {length} bytes")]
    RangeNotSatisfiable { length: u64 },
    /// Infrastructure failure: logged with detail, answered opaquely.
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// One field at fault and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.to_string(),
            message: message.into(),
        }
    }
    pub fn field_code(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        AppError::Field {
            code,
            field: field.to_string(),
            message: message.into(),
        }
    }
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Validation { .. } | AppError::Fields(_) => ErrorCode::ValidationFailed,
            AppError::BadRequest { code, .. }
            | AppError::Unauthorized { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Field { code, .. } => *code,
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::CsrfFailed => ErrorCode::CsrfFailed,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::TooManyRequests { .. } | AppError::Throttled { .. } => {
                ErrorCode::TooManyAttempts
            }
            AppError::PaymentRequired(_) => ErrorCode::AccountSuspended,
            AppError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            AppError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            AppError::RangeNotSatisfiable { .. } => ErrorCode::RangeNotSatisfiable,
            AppError::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } | AppError::Fields(_) | AppError::Field { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::CsrfFailed => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } | AppError::Throttled { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
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
            AppError::Validation { field, .. } | AppError::Field { field, .. } => Some(field),
            AppError::Fields(f) => f.first().map(|f| f.field.as_str()),
            _ => None,
        }
    }

    /// Every field at fault (one for `Validation`), empty for other errors.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Validation { field, message } => vec![FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            AppError::Fields(f) => f.clone(),
            _ => Vec::new(),
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

/// Declares `ErrorCode` and, from the same lines, `ErrorCode::ALL` and `ALL_CODES`, so no code
/// can exist without being listed (and documented).
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, )*) => {
        /// Every error code the panel answers with: the stable snake_case `error.code` of the JSON
        /// API (also shown on error pages).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in the order of the declaration.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The code as it appears in error bodies.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $text, )*
                }
            }
        }

        /// The strings of `ErrorCode::ALL`, for the OpenAPI document.
        pub const ALL_CODES: &[&str] = &[ $( $text, )* ];
    };
}

error_codes! {
    /// A field breaks a rule (422, with `field`, and `fields` listing every field at fault).
    ValidationFailed = "validation_failed",
    InvalidJson = "invalid_json",
    UnsupportedMediaType = "unsupported_media_type",
    /// A page form that cannot be read (error page only).
    InvalidForm = "invalid_form",
    InvalidQuery = "invalid_query",
    InvalidActAs = "invalid_act_as",
    /// Text with NUL characters.
    InvalidText = "invalid_text",
    AlreadyActing = "already_acting",
    NotActing = "not_acting",
    NotASession = "not_a_session",
    ParentInactive = "parent_inactive",
    NameTaken = "name_taken",
    EmailTaken = "email_taken",
    DuplicateRequest = "duplicate_request",
    AlreadyDecided = "already_decided",
    AlreadyLinked = "already_linked",
    RequesterInactive = "requester_inactive",
    ChannelGone = "channel_gone",
    RequestExpired = "request_expired",
    LimitReached = "limit_reached",
    /// The holder of a license tried to switch it off, or back on after an account above switched
    /// it off: only an account above may (409).
    OnlyFromAbove = "only_from_above",
    TooManyTokens = "too_many_tokens",
    /// A password reset link that was already used (422, with `field` token).
    ResetLinkUsed = "reset_link_used",
    /// A password reset link older than 30 minutes (422, with `field` token).
    ResetLinkExpired = "reset_link_expired",
    /// A password reset link that does not exist, or whose login was removed (422, with `field` token).
    ResetLinkInvalid = "reset_link_invalid",
    /// A two-factor code (or recovery code) that is not right (422, with `field` code).
    CodeInvalid = "code_invalid",
    /// A two-factor code already accepted once (422, with `field` code).
    CodeReused = "code_reused",
    /// The second step of a sign-in whose challenge is unknown or older than five minutes
    /// (422, with `field` challenge).
    SignInStepExpired = "sign_in_step_expired",
    /// Two-factor sign-in is already on for the login (409).
    TwoFactorOn = "two_factor_on",
    /// Two-factor sign-in is not set up for the login (409).
    TwoFactorOff = "two_factor_off",
    /// A policy requires two-factor sign-in of the login, so it cannot be turned off (409).
    TwoFactorRequired = "two_factor_required",
    NoSubscription = "no_subscription",
    /// An amount that is not a number of money, e.g. "abc" (422, with `field`).
    AmountInvalid = "amount_invalid",
    /// An amount of zero or less (422, with `field`).
    AmountNotPositive = "amount_not_positive",
    /// An amount with more than two decimals (422, with `field`).
    AmountTooPrecise = "amount_too_precise",
    /// A billing action sent without `"confirm": true` (422, with `field` confirm).
    ConfirmationRequired = "confirmation_required",
    AlreadyPaid = "already_paid",
    ReferenceUsed = "reference_used",
    Replayed = "replayed",
    /// The partner's period ended unpaid (402).
    AccountSuspended = "account_suspended",
    /// A ticket calendar without any working time (422, with `field`).
    NoWorkingHours = "no_working_hours",
    /// An attachment larger than the cap (422, field `attachments`).
    AttachmentTooLarge = "attachment_too_large",
    /// An attachment whose bytes are not of an allowed type (422, field `attachments`).
    AttachmentTypeRefused = "attachment_type_refused",
    /// A video larger than PANEL_MEDIA_MAX_VIDEO_BYTES (422, field `video`).
    VideoTooLarge = "video_too_large",
    /// A video whose bytes are not an MP4 (a known brand, its boxes whole) or a WebM (422, field
    /// `video`).
    VideoTypeRefused = "video_type_refused",
    /// A video whose file does not say how long it lasts, and no `duration_s` given (422, field
    /// `duration_s`).
    VideoDurationUnknown = "video_duration_unknown",
    /// A media player (its player ID or MAC) is connected to an account already (409).
    AlreadyConnected = "already_connected",
    /// A device token that is unknown, replaced or revoked (401, device protocol).
    DeviceTokenInvalid = "device_token_invalid",
    /// A brand logo larger than 512 KiB (422, field `logo`).
    LogoTooLarge = "logo_too_large",
    /// A brand logo whose bytes are not PNG, JPEG or SVG (422, field `logo`).
    LogoTypeRefused = "logo_type_refused",
    /// An SVG logo that carries scripts, event handlers or outside references (422, field `logo`).
    LogoUnsafe = "logo_unsafe",
    /// A brand colour that is not `#rgb` or `#rrggbb` (422, with `field`).
    ColorInvalid = "color_invalid",
    /// Sites and probes belong to customer accounts; this account is of another kind (409).
    NotACustomer = "not_a_customer",
    /// A probe moves only to another site of the same customer (422, field `site_id`).
    SiteOfAnotherCustomer = "site_of_another_customer",
    /// An enrollment code that is not known (422, field `code`; counted like a failed sign-in).
    EnrollmentInvalid = "enrollment_invalid",
    /// An enrollment code used already: each registers one probe (422, field `code`).
    EnrollmentUsed = "enrollment_used",
    /// An enrollment code past its time (422, field `code`).
    EnrollmentExpired = "enrollment_expired",
    /// An enrollment code revoked from the panel (422, field `code`).
    EnrollmentRevoked = "enrollment_revoked",
    /// A probe token that is unknown, revoked or of a disabled probe (401; counted like a
    /// failed sign-in).
    ProbeTokenInvalid = "probe_token_invalid",
    /// A page cursor (`after`, `before`) that cannot be read, or of another sort or direction
    /// than the list asked for (422, with `field`).
    CursorInvalid = "cursor_invalid",
    Unauthenticated = "unauthenticated",
    InvalidCredentials = "invalid_credentials",
    Forbidden = "forbidden",
    CsrfFailed = "csrf_failed",
    NotFound = "not_found",
    TooManyAttempts = "too_many_attempts",
    MethodNotAllowed = "method_not_allowed",
    PayloadTooLarge = "payload_too_large",
    /// A `Range` of a clip's video outside its bytes or unreadable (416, device protocol).
    RangeNotSatisfiable = "range_not_satisfiable",
    InternalError = "internal_error",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

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
    pub code: ErrorCode,
    pub message: String,
    /// The body field or query parameter at fault, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<&'a str>,
    /// Every field at fault, each with its message, for `validation_failed` (`field` and
    /// `message` repeat the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub fields: Option<Vec<FieldError>>,
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
                fields: Some(self.field_errors()).filter(|f| !f.is_empty()),
                request_id: current_request_id(),
            },
        };
        let mut resp = (self.status(), Json(body)).into_response();
        if let AppError::RangeNotSatisfiable { length } = self {
            if let Ok(v) = format!("bytes */{length}").parse() {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
        }
        if let AppError::TooManyRequests { retry_after_secs }
        | AppError::Throttled {
            retry_after_secs, ..
        } = self
        {
            if let Ok(v) = retry_after_secs.max(1).to_string().parse() {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::{ErrorCode, ALL_CODES};

    #[test]
    fn codes_are_unique_snake_case_and_serialize_as_listed() {
        let mut seen = std::collections::HashSet::new();
        assert_eq!(ErrorCode::ALL.len(), ALL_CODES.len());
        for (code, text) in ErrorCode::ALL.iter().zip(ALL_CODES) {
            assert_eq!(code.as_str(), *text);
            assert!(seen.insert(*text), "{text} twice");
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert_eq!(serde_json::to_string(code).unwrap(), format!("\"{text}\""));
        }
    }
}
