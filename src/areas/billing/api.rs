//! JSON API of billing: a partner's package and invoices, payments (operator and webhook), the
//! data export, and the opt-in test clock.

use crate::areas::accounts::AccountId;
use crate::areas::billing;
use crate::areas::billing::InvoiceId;
use crate::areas::catalog::PackageId;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::openapi::Items;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::MaybeIdentity;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{body::Bytes, extract::State, http::HeaderMap, Extension, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    get "/billing" => overview, A::SignedIn, unpaid;
    post "/billing/package" => change_package, A::SignedIn;
    get "/billing/export" => export, A::SignedIn, unpaid;
    get "/invoices/{id}" => invoice, A::On(&crate::areas::billing::INVOICE, Need::Read), unpaid;
    get "/accounts/{id}/invoices" => account_invoices, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/invoices/{id}/payments" => register_payment, A::On(&crate::areas::billing::INVOICE_TO_PAY, Need::Admin);
    get "/partners/{id}/billing" => partner_billing, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Read);
    post "/partners/{id}/billing/invoice" => issue_invoice, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Admin);
    post "/partners/{id}/billing/payment" => payment_now, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Admin);
    post "/partners/{id}/billing/credit" => credit, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Admin);
    post "/payments/webhook" => webhook, A::Public;
    post "/test-clock/advance" => advance_clock, A::TestClock;
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    overview,
    change_package,
    export,
    invoice,
    account_invoices,
    register_payment,
    partner_billing,
    issue_invoice,
    payment_now,
    credit,
    webhook,
    advance_clock
))]
pub struct Doc;

/// The billing of the account in view, or of the partner whose unpaid period denies access.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Billing {
    /// True for a login denied for an unpaid period.
    pub suspended: bool,
    /// The package of the account (a partner or reseller), if it has one.
    pub subscription: Option<billing::Subscription>,
    pub invoices: Vec<billing::Invoice>,
    pub how_to_pay: String,
}

/// Everything of the partner in view (`GET /billing/export`).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DataExport {
    pub account: crate::areas::accounts::Account,
    /// The account and every account below it.
    pub accounts: Vec<crate::areas::accounts::Account>,
    /// The logins below, without secrets.
    pub logins: Vec<ExportedLogin>,
    pub invoices: Vec<billing::Invoice>,
    pub subscription: Option<billing::Subscription>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExportedLogin {
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: String,
}

/// What moving the test clock did.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClockAdvance {
    /// The panel's time now.
    #[schema(format = DateTime)]
    pub now: String,
    pub billing: billing::ScanReport,
    /// Jobs that ran.
    pub jobs_run: i64,
}

#[utoipa::path(get, path = "/billing", tag = "billing", operation_id = "billing",
    summary = "The package, status and invoices of the account in view",
    description = "For a login denied for an unpaid period: of the partner concerned, with how to pay.",
    responses((status = 200, description = "Billing", body = Billing)))]
async fn overview(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(billing::overview_data(&state, &who).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PackageChoice)]
pub struct PackageBody {
    #[schema(value_type = Option<i64>, required = true, nullable = false)]
    pub package_id: Option<PackageId>,
}

#[utoipa::path(post, path = "/billing/package", tag = "billing", operation_id = "changePackage",
    summary = "Change the package of the partner in view (owners and admins); the next invoice has its price",
    request_body = PackageBody,
    responses(
        (status = 200, description = "Changed", body = billing::Subscription),
        (status = 403, description = "The role is too weak (`forbidden`)", body = E),
        (status = 409, description = "No package here (`no_subscription`)", body = E),
        (status = 422, description = "package_id missing, null, unknown or retired (`validation_failed`, field `package_id`)", body = E),
    ))]
async fn change_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<PackageBody>,
) -> AppResult<Json<billing::Subscription>> {
    let id = body
        .package_id
        .ok_or_else(|| AppError::validation("package_id", "Choose a package"))?;
    Ok(Json(billing::change_package(&state, &who, id.get()).await?))
}

#[utoipa::path(get, path = "/billing/export", tag = "billing", operation_id = "exportData",
    summary = "Everything of the partner in view as JSON (accounts, logins without secrets, invoices); available until the purge",
    responses(
        (status = 200, description = "Export", body = DataExport),
        (status = 403, description = "The role is too weak (owners and admins) (`forbidden`)", body = E),
    ))]
async fn export(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(billing::export(&state, &who).await?))
}

#[utoipa::path(get, path = "/invoices/{id}", tag = "billing", operation_id = "getInvoice",
    summary = "One invoice of the account in view or below",
    params(("id" = i64, Path, description = "An invoice id")),
    responses(
        (status = 200, description = "Invoice", body = billing::Invoice),
        (status = 404, description = "No such invoice, or one outside your reach (`not_found`)", body = E),
    ))]
async fn invoice(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<InvoiceId>,
) -> AppResult<Json<billing::Invoice>> {
    Ok(Json(billing::invoice(&state, &who, id).await?))
}

#[utoipa::path(get, path = "/accounts/{id}/invoices", tag = "billing", operation_id = "accountInvoices",
    summary = "The invoices of an account",
    params(("id" = i64, Path, description = "An account id")),
    responses((status = 200, description = "Invoices", body = Items<billing::Invoice>)))]
async fn account_invoices(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": billing::invoices(&state, &who, id).await? }),
    ))
}

#[utoipa::path(post, path = "/invoices/{id}/payments", tag = "billing", operation_id = "registerPayment",
    summary = "The operator registers a payment: the invoice is paid and the package extended",
    description = "A suspended partner gets access back at once. The same reference twice changes nothing.",
    params(("id" = i64, Path, description = "An invoice id")),
    request_body = billing::PaymentInput,
    responses(
        (status = 200, description = "Registered (or already registered)", body = billing::PaymentResult),
        (status = 404, description = "No such invoice (`not_found`)", body = E),
        (status = 409, description = "Reference used for another invoice (`reference_used`), or the invoice is paid already (`already_paid`)", body = E),
        (status = 422, description = "Missing reference or wrong amount (`validation_failed`, with `field`)", body = E),
    ))]
async fn register_payment(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<InvoiceId>,
    ApiJson(body): ApiJson<billing::PaymentInput>,
) -> AppResult<Json<billing::PaymentResult>> {
    Ok(Json(
        billing::operator_payment(&state, &who, id, &body).await?,
    ))
}

#[utoipa::path(get, path = "/partners/{id}/billing", tag = "billing", operation_id = "partnerBilling",
    summary = "The operator: a partner's package and invoices",
    params(("id" = i64, Path, description = "A partner's (or reseller's) account id")),
    responses(
        (status = 200, description = "Billing of the partner", body = billing::PartnerBilling),
        (status = 404, description = "No such partner (`not_found`)", body = E),
    ))]
async fn partner_billing(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<billing::PartnerBilling>> {
    Ok(Json(billing::partner_billing(&state, &who, id).await?))
}

#[utoipa::path(post, path = "/partners/{id}/billing/invoice", tag = "billing", operation_id = "issueInvoiceNow",
    summary = "The operator issues the partner's next invoice now (any time, not only after the reminder)",
    description = "Answers the invoice open already (`issued` false) when there is one. Needs `\"confirm\": true`.",
    params(("id" = i64, Path, description = "A partner's (or reseller's) account id")),
    request_body = billing::IssueInvoiceInput,
    responses(
        (status = 200, description = "The invoice", body = billing::OnDemandResult),
        (status = 404, description = "No such partner (`not_found`)", body = E),
        (status = 409, description = "The partner has no package (`no_subscription`)", body = E),
        (status = 422, description = "Not confirmed (`confirmation_required`, field `confirm`)", body = E),
    ))]
async fn issue_invoice(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<billing::IssueInvoiceInput>,
) -> AppResult<Json<billing::OnDemandResult>> {
    Ok(Json(billing::issue_invoice(&state, &who, id, &body).await?))
}

#[utoipa::path(post, path = "/partners/{id}/billing/payment", tag = "billing", operation_id = "registerPaymentNow",
    summary = "The operator registers a payment of the partner at any time: its open invoice (issued now if there is none) is paid and the package extended",
    description = "The amount is in major units (\"49.00\"; a JSON number is taken too) and must be the open invoice's total. Needs `\"confirm\": true`. A refused call writes nothing.",
    params(("id" = i64, Path, description = "A partner's (or reseller's) account id")),
    request_body = billing::PaymentNowInput,
    responses(
        (status = 200, description = "Registered", body = billing::OnDemandResult),
        (status = 404, description = "No such partner (`not_found`)", body = E),
        (status = 409, description = "No package (`no_subscription`), the reference was used for another invoice (`reference_used`)", body = E),
        (status = 422, description = "Amount not a number (`amount_invalid`), zero or negative (`amount_not_positive`), more than two decimals (`amount_too_precise`), not the invoice's total or reference missing (`validation_failed`), not confirmed (`confirmation_required`); with `field`", body = E),
    ))]
async fn payment_now(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<billing::PaymentNowInput>,
) -> AppResult<Json<billing::OnDemandResult>> {
    Ok(Json(billing::payment_now(&state, &who, id, &body).await?))
}

#[utoipa::path(post, path = "/partners/{id}/billing/credit", tag = "billing", operation_id = "grantCredit",
    summary = "The operator grants the partner a credit on its open invoice (issued now if there is none)",
    description = "The amount is in major units and at most the invoice's total; a credit of the whole total pays the invoice. Needs `\"confirm\": true`. A refused call writes nothing.",
    params(("id" = i64, Path, description = "A partner's (or reseller's) account id")),
    request_body = billing::CreditInput,
    responses(
        (status = 200, description = "Granted", body = billing::OnDemandResult),
        (status = 404, description = "No such partner (`not_found`)", body = E),
        (status = 409, description = "No package (`no_subscription`)", body = E),
        (status = 422, description = "Amount not a number (`amount_invalid`), zero or negative (`amount_not_positive`), more than two decimals (`amount_too_precise`), above the invoice's total or reason missing (`validation_failed`), not confirmed (`confirmation_required`); with `field`", body = E),
    ))]
async fn credit(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<billing::CreditInput>,
) -> AppResult<Json<billing::OnDemandResult>> {
    Ok(Json(billing::credit(&state, &who, id, &body).await?))
}

#[utoipa::path(post, path = "/payments/webhook", tag = "billing", operation_id = "paymentWebhook",
    summary = "A payment provider reports a payment",
    description = "Signed: header X-Signature = hex HMAC-SHA256 of the raw body with the shared secret (PANEL_PAYMENT_WEBHOOK_SECRET). Refused when replayed (same event_id, or timestamp more than 5 minutes off).",
    security(()),
    params(("X-Signature" = String, Header, description = "Hex HMAC-SHA256 of the body (optionally prefixed sha256=)")),
    request_body = billing::WebhookPayment,
    responses(
        (status = 200, description = "Registered", body = billing::PaymentResult),
        (status = 403, description = "Bad signature (`forbidden`)", body = E),
        (status = 404, description = "No webhook secret configured, or unknown invoice (`not_found`)", body = E),
        (status = 409, description = "Replayed (`replayed`), the reference was used for another invoice (`reference_used`), or the invoice is paid already (`already_paid`)", body = E),
        (status = 422, description = "Invalid field (`validation_failed`, with `field`)", body = E),
    ))]
async fn webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<billing::PaymentResult>> {
    let Some(secret) = state.config.payment_webhook_secret.clone() else {
        return Err(AppError::NotFound);
    };
    let sig = headers
        .get("x-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(Json(
        billing::webhook(&state, secret.expose(), sig, &body).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AdvanceBody {
    #[schema(required = true, nullable = false, minimum = 1, maximum = 31622400)]
    pub seconds: Option<i64>,
}

#[utoipa::path(post, path = "/test-clock/advance", tag = "billing", operation_id = "advanceTestClock",
    summary = "Only with PANEL_TEST_CLOCK=1 (otherwise 404): the operator moves the panel's clock forward",
    description = "Due billing steps and jobs run at once.",
    request_body = AdvanceBody,
    responses(
        (status = 200, description = "The new time and what ran", body = ClockAdvance),
        (status = 422, description = "seconds missing or out of range (`validation_failed`, field `seconds`)", body = E),
    ))]
async fn advance_clock(
    State(state): State<AppState>,
    Extension(MaybeIdentity(who)): Extension<MaybeIdentity>,
    ApiJson(body): ApiJson<AdvanceBody>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        billing::advance(&state, who.as_ref(), body.seconds).await?,
    ))
}
