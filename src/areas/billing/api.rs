//! JSON API of billing: a partner's package and invoices, payments (operator and webhook), the
//! data export, and the opt-in test clock.

use crate::areas::billing;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::MaybeIdentity;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::test_clock::share_test_clock;
use crate::state::AppState;
use axum::{body::Bytes, extract::State, http::HeaderMap, Extension, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    get "/billing" => overview, A::SignedIn;
    post "/billing/package" => change_package, A::SignedIn;
    get "/billing/export" => export, A::SignedIn;
    get "/invoices/{id}" => invoice, A::SignedIn;
    get "/accounts/{id}/invoices" => account_invoices, A::Account(Need::Read);
    post "/invoices/{id}/payments" => register_payment, A::Operator(Need::Admin);
    post "/payments/webhook" => webhook, A::Public;
    post "/test-clock/advance" => advance_clock, A::TestClock;
}

/// The billing of the account in view, or of the partner whose unpaid period denies access.
pub async fn overview_data(
    state: &AppState,
    who: &crate::kernel::Identity,
) -> AppResult<serde_json::Value> {
    let account = who.suspended_by.unwrap_or(who.view_account_id);
    let sub = billing::subscription(state, account).await?;
    let invoices = if who.suspended_by.is_some()
        || access::is_within(state, who.view_account_id, account).await?
    {
        billing::invoices_unchecked(state, account).await?
    } else {
        Vec::new()
    };
    Ok(json!({
        "suspended": who.suspended_by.is_some(),
        "subscription": sub,
        "invoices": invoices,
        "how_to_pay": "Pay the open invoice by bank transfer quoting its number, or through your payment provider; access comes back as soon as the payment is registered.",
    }))
}

async fn overview(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(overview_data(&state, &who).await?))
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

/// Moves the panel's clock forward and runs what became due. Exists only with PANEL_TEST_CLOCK=1.
pub async fn advance(
    state: &AppState,
    who: Option<&crate::kernel::Identity>,
    seconds: Option<i64>,
) -> AppResult<serde_json::Value> {
    if !state.config.test_clock {
        return Err(AppError::NotFound);
    }
    let who = who.ok_or(AppError::Unauthenticated)?;
    access::operator(state, who, Need::Admin).await?;
    let secs = seconds
        .ok_or_else(|| AppError::validation("seconds", "How many seconds to move forward"))?;
    if !(1..=366 * 86_400).contains(&secs) {
        return Err(AppError::validation(
            "seconds",
            "Move between 1 second and 366 days forward",
        ));
    }
    state.clock.advance_ms(secs * 1000);
    share_test_clock(state).await?;
    let report = billing::scan(state).await?;
    let jobs = crate::kernel::jobs::run_due(state).await?;
    Ok(json!({ "now": crate::clock::rfc3339(state.now_ms()), "billing": report, "jobs_run": jobs }))
}

async fn advance_clock(
    State(state): State<AppState>,
    Extension(MaybeIdentity(who)): Extension<MaybeIdentity>,
    ApiJson(body): ApiJson<AdvanceBody>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(advance(&state, who.as_ref(), body.seconds).await?))
}
