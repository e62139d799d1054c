//! JSON API of onboarding: packages, add-ons, registration, partnership requests, My partners.

use crate::areas::accounts::AccountId;
use crate::areas::onboarding;
use crate::areas::onboarding::PartnershipRequestId;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::csv_response;
use crate::kernel::http::openapi::Items;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, response::Response, Extension, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    post "/registrations" => register, A::Public;
    get "/partnership-requests" => pending, A::Operator(Need::Read);
    post "/partnership-requests/{id}/approve" => approve, A::On(&crate::areas::onboarding::PARTNERSHIP_REQUEST, Need::Admin);
    post "/partnership-requests/{id}/reject" => reject, A::On(&crate::areas::onboarding::PARTNERSHIP_REQUEST, Need::Admin);
    get "/partnership-requests/history" => history, A::Operator(Need::Read);
    get "/partnership-requests/history.csv" => history_csv, A::Operator(Need::Read);
    get "/partners" => partners, A::Operator(Need::Read);
    patch "/partners/{id}" => update_partner, A::On(&crate::areas::onboarding::PARTNER, Need::Admin);
    get "/settings" => get_settings, A::Operator(Need::Admin);
    put "/settings" => put_settings, A::Operator(Need::Admin);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    register,
    pending,
    approve,
    reject,
    history,
    history_csv,
    partners,
    update_partner,
    get_settings,
    put_settings
))]
pub struct Doc;

#[utoipa::path(post, path = "/registrations", tag = "onboarding", operation_id = "register",
    summary = "Register as a partner or a reseller",
    description = "Becomes a pending partnership request (approved at once when the operator turned automatic approval on). At most 5 per address per hour.",
    security(()),
    request_body = onboarding::Registration,
    responses(
        (status = 201, description = "Request made", body = onboarding::PartnershipRequest),
        (status = 409, description = "A request for this email is pending (`duplicate_request`), or the email is in use (`email_taken`)", body = E),
        (status = 422, description = "A required field missing, an invalid field, or a field sent as null (`validation_failed`, with `field`)", body = E),
        (status = 429, description = "Too many registrations from this address (`too_many_attempts`)", body = E),
    ))]
async fn register(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<onboarding::Registration>,
) -> AppResult<(StatusCode, Json<onboarding::PartnershipRequest>)> {
    Ok((
        StatusCode::CREATED,
        Json(onboarding::register(&state, &body, &meta.ip, &meta.id).await?),
    ))
}

#[utoipa::path(get, path = "/partnership-requests", tag = "onboarding", operation_id = "pendingRequests",
    summary = "Pending partnership requests, oldest first (operator)",
    responses((status = 200, description = "Requests", body = Items<onboarding::PartnershipRequest>)))]
async fn pending(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": onboarding::pending(&state, &who).await? }),
    ))
}

#[utoipa::path(post, path = "/partnership-requests/{id}/approve", tag = "onboarding", operation_id = "approveRequest",
    summary = "Approve: creates the partner (or reseller), its owner login (emailed) and its trial",
    params(("id" = i64, Path, description = "A partnership request id")),
    responses(
        (status = 200, description = "Approved", body = onboarding::PartnershipRequest),
        (status = 404, description = "No such request (`not_found`)", body = E),
        (status = 409, description = "Already decided (`already_decided`) or email in use (`email_taken`)", body = E),
    ))]
async fn approve(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PartnershipRequestId>,
) -> AppResult<Json<onboarding::PartnershipRequest>> {
    Ok(Json(onboarding::approve(&state, &who, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RejectBody {
    /// Emailed to the applicant; line breaks allowed.
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 1000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub reason: String,
}

#[utoipa::path(post, path = "/partnership-requests/{id}/reject", tag = "onboarding", operation_id = "rejectRequest",
    summary = "Reject with a reason, which is emailed to the applicant",
    params(("id" = i64, Path, description = "A partnership request id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "Rejected", body = onboarding::PartnershipRequest),
        (status = 404, description = "No such request (`not_found`)", body = E),
        (status = 409, description = "Already decided (`already_decided`)", body = E),
        (status = 422, description = "Reason missing or invalid (`validation_failed`, field `reason`)", body = E),
    ))]
async fn reject(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PartnershipRequestId>,
    ApiJson(body): ApiJson<RejectBody>,
) -> AppResult<Json<onboarding::PartnershipRequest>> {
    Ok(Json(
        onboarding::reject(&state, &who, id, &body.reason).await?,
    ))
}

#[utoipa::path(get, path = "/partnership-requests/history", tag = "onboarding", operation_id = "requestHistory",
    summary = "Decided requests, newest first, searchable by partner name",
    params(onboarding::HistoryFilter),
    responses(
        (status = 200, description = "Page of requests", body = Page<onboarding::PartnershipRequest>),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn history(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<onboarding::HistoryFilter>,
) -> AppResult<Json<Page<onboarding::PartnershipRequest>>> {
    Ok(Json(onboarding::history(&state, &who, &f).await?))
}

#[utoipa::path(get, path = "/partnership-requests/history.csv", tag = "onboarding", operation_id = "requestHistoryCsv",
    summary = "The filtered history as CSV",
    params(onboarding::HistoryFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn history_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<onboarding::HistoryFilter>,
) -> AppResult<Response> {
    Ok(csv_response(
        "partnership-history.csv",
        onboarding::history_csv(&state, &who, &f).await?,
    ))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnersQuery {
    /// Part of the name, any case (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Sort key: name (default), package, status or period_end; ties by id. Unknown keys: 422
    /// `validation_failed` with field `sort`.
    #[param(schema_with = partner_sort_values)]
    pub sort: Option<String>,
    /// asc (default) or desc.
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn partner_sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["name", "package", "status", "period_end"])
}

fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

impl PartnersQuery {
    pub fn list_params(&self) -> crate::kernel::http::table::ListParams {
        crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[utoipa::path(get, path = "/partners", tag = "onboarding", operation_id = "myPartners",
    summary = "My partners: every partner under the operator with package, status, external invoice id, channels and add-ons",
    params(PartnersQuery),
    responses(
        (status = 200, description = "Partners", body = Items<onboarding::PartnerRow>),
        (status = 422, description = "q longer than 100 characters, an unknown sort or dir, page below 1 or per_page outside 1..=100 (`validation_failed`, with `field`)", body = E),
    ))]
async fn partners(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<PartnersQuery>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": onboarding::my_partners(&state, &who, q.q.as_deref(), &q.list_params()).await?.items }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PartnerUpdate {
    /// The partner's id in an external invoicing system; empty to clear it.
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub external_invoice_id: String,
}

#[utoipa::path(patch, path = "/partners/{id}", tag = "onboarding", operation_id = "updatePartner",
    summary = "Set the external invoice id of a partner",
    params(("id" = i64, Path, description = "A partner's account id")),
    request_body = PartnerUpdate,
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "Not a partner directly under the operator (`not_found`)", body = E),
        (status = 422, description = "Invalid field (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_partner(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<PartnerUpdate>,
) -> AppResult<StatusCode> {
    onboarding::set_external_invoice_id(&state, &who, id, &body.external_invoice_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/settings", tag = "onboarding", operation_id = "getSettings",
    summary = "Operator settings",
    responses((status = 200, description = "Settings", body = Settings)))]
async fn get_settings(
    State(state): State<AppState>,
    Auth(_who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    let on = onboarding::setting(&state, onboarding::AUTO_APPROVE)
        .await?
        .as_deref()
        == Some("1");
    let days = crate::areas::billing::reminder_days(&state).await?;
    Ok(Json(
        json!({ "auto_approve_partners": on, "reminder_days": days }),
    ))
}

/// The operator's settings.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// Registrations are approved at once.
    pub auto_approve_partners: bool,
    /// Days before a period ends when reminders go out; the first brings the invoice.
    pub reminder_days: Vec<i64>,
}

/// What to change; at least one of the two.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(min_properties = 1)]
pub struct SettingsBody {
    #[schema(nullable = false)]
    pub auto_approve_partners: Option<bool>,
    /// Days before a period ends when reminders go out, e.g. [7, 1].
    #[schema(schema_with = reminder_days)]
    pub reminder_days: Option<Vec<i64>>,
}

/// 1 to 5 days, each 1 to 60.
fn reminder_days() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Integer))
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int64,
                )))
                .minimum(Some(1))
                .maximum(Some(60)),
        )
        .min_items(Some(1))
        .max_items(Some(5))
        .description(Some(
            "Days before a period ends when reminders go out, e.g. [7, 1]",
        ))
        .build()
}

#[utoipa::path(put, path = "/settings", tag = "onboarding", operation_id = "putSettings",
    summary = "Change operator settings; fields left out stay",
    request_body = SettingsBody,
    responses(
        (status = 200, description = "Settings", body = Settings),
        (status = 422, description = "Neither field sent (`validation_failed`, field `auto_approve_partners`), a field sent as null, or reminder days outside 1 to 60, more than 5 or none (`validation_failed`, field `reminder_days`)", body = E),
    ))]
async fn put_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<SettingsBody>,
) -> AppResult<Json<serde_json::Value>> {
    if body.auto_approve_partners.is_none() && body.reminder_days.is_none() {
        return Err(crate::kernel::error::AppError::validation(
            "auto_approve_partners",
            "Send auto_approve_partners and/or reminder_days",
        ));
    }
    if let Some(days) = &body.reminder_days {
        crate::areas::billing::set_reminder_days(&state, &who, days).await?;
    }
    if let Some(on) = body.auto_approve_partners {
        onboarding::set_auto_approve(&state, &who, on).await?;
    }
    get_settings(State(state), Auth(who)).await
}
