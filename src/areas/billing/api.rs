//! JSON API of billing: a partner's package and invoices, payments (operator and webhook), the
//! data export, and the opt-in test clock.

use crate::areas::billing;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
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
    post "/payments/webhook" => webhook, A::Public;
    post "/test-clock/advance" => advance_clock, A::TestClock;
}

async fn overview(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(billing::overview_data(&state, &who).await?))
}

#[derive(Deserialize)]
pub struct PackageBody {
    pub package_id: Option<i64>,
}

async fn change_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<PackageBody>,
) -> AppResult<Json<billing::Subscription>> {
    let id = body
        .package_id
        .ok_or_else(|| AppError::validation("package_id", "Choose a package"))?;
    Ok(Json(billing::change_package(&state, &who, id).await?))
}

async fn export(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(billing::export(&state, &who).await?))
}

async fn invoice(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<billing::Invoice>> {
    Ok(Json(billing::invoice(&state, &who, id).await?))
}

async fn account_invoices(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": billing::invoices(&state, &who, id).await? }),
    ))
}

async fn register_payment(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<billing::PaymentInput>,
) -> AppResult<Json<billing::PaymentResult>> {
    Ok(Json(
        billing::operator_payment(&state, &who, id, &body).await?,
    ))
}

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

#[derive(Deserialize)]
pub struct AdvanceBody {
    pub seconds: Option<i64>,
}

async fn advance_clock(
    State(state): State<AppState>,
    Extension(MaybeIdentity(who)): Extension<MaybeIdentity>,
    ApiJson(body): ApiJson<AdvanceBody>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        billing::advance(&state, who.as_ref(), body.seconds).await?,
    ))
}
