//! Pages of billing: the partner's package and invoices (and, for a denied login, why and how to
//! pay), a printable invoice, the data export, and the test clock control.

use crate::areas::billing;
use crate::areas::catalog;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::IntoResponse,
};
use serde::Deserialize;

use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    get "/billing" => billing_page, A::SignedIn, unpaid;
    post "/billing/package" => change_package, A::SignedIn;
    get "/billing/export" => export, A::SignedIn, unpaid;
    get "/invoices/{id}" => invoice_page, A::On(&crate::areas::billing::INVOICE, Need::Read), unpaid;
    post "/test-clock/advance" => advance_clock, A::TestClock;
    get "/operator/partners/{id}/billing" => partner_billing_page, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Read);
    post "/operator/partners/{id}/billing/invoice" => issue_invoice_submit, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Admin);
    post "/operator/partners/{id}/billing/payment" => payment_submit, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Admin);
    post "/operator/partners/{id}/billing/credit" => credit_submit, A::On(&crate::areas::billing::BILLED_PARTNER, Need::Admin);
}

use super::partner_pages::*;
use crate::areas::billing::InvoiceId;

#[derive(Template)]
#[template(path = "billing/billing.html")]
struct BillingTpl {
    layout: Layout,
    suspended: bool,
    sub: Option<billing::Subscription>,
    invoices: Vec<billing::Invoice>,
    packages: Vec<catalog::Package>,
    can_change: bool,
}

pub async fn billing_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let account = who.suspended_by.unwrap_or(who.view_account_id);
    let sub = billing::subscription(&state, account).await?;
    let invoices = if sub.is_some() {
        billing::invoices_unchecked(&state, account).await?
    } else {
        Vec::new()
    };
    let t = BillingTpl {
        layout: Layout::for_user(&state, &who, &headers, "Billing", "billing").await?,
        suspended: who.suspended_by.is_some(),
        can_change: who.suspended_by.is_none() && sub.is_some(),
        packages: catalog::packages(&state, false).await?,
        sub,
        invoices,
    };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize)]
pub struct PackageForm {
    package_id: Option<String>,
}

pub async fn change_package(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<PackageForm>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let Some(Ok(id)) = f.package_id.as_deref().map(str::parse::<i64>) else {
        return Ok(redirect_with_flash("/billing", "!Choose a package", secure));
    };
    match billing::change_package(&state, &who, id).await {
        Ok(s) => Ok(redirect_with_flash(
            "/billing",
            &format!(
                "Your package is now {}; the next invoice has its price.",
                s.package_name
            ),
            secure,
        )),
        Err(
            e @ (AppError::Validation { .. } | AppError::Fields(_) | AppError::Conflict { .. }),
        ) => Ok(redirect_with_flash(
            "/billing",
            &format!("!{}", e.public_message()),
            secure,
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn export(State(state): State<AppState>, PageAuth(who): PageAuth) -> PageResult {
    let v = billing::export(&state, &who).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"partner-panel-export.json\"".to_string(),
            ),
        ],
        serde_json::to_string_pretty(&v).unwrap_or_default(),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
struct InvoiceTpl {
    layout: Layout,
    inv: billing::Invoice,
    issuer: Option<crate::areas::accounts::Account>,
}

impl InvoiceTpl {
    fn money(&self, v: &i64) -> String {
        catalog::money(*v, &self.inv.currency)
    }
}

pub async fn invoice_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<InvoiceId>,
) -> PageResult {
    // A denied login may see the invoice that lets it back in.
    let inv = match billing::invoice(&state, &who, id).await {
        Err(AppError::NotFound) if who.suspended_by.is_some() => {
            let invs =
                billing::invoices_unchecked(&state, who.suspended_by.unwrap_or_default()).await?;
            invs.into_iter()
                .find(|i| i.id == id)
                .ok_or(AppError::NotFound)?
        }
        other => other?,
    };
    let t = InvoiceTpl {
        layout: Layout::for_user(&state, &who, &headers, &inv.number, "billing").await?,
        issuer: crate::areas::accounts::operator(&state.db).await?,
        inv,
    };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    days: Option<String>,
}

pub async fn advance_clock(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<AdvanceForm>,
) -> PageResult {
    let days = f.days.as_deref().and_then(|d| d.trim().parse::<i64>().ok());
    let seconds = days.map(|d| d.clamp(0, 367).saturating_mul(86_400));
    match crate::areas::billing::advance(&state, Some(&who), seconds).await {
        Ok(v) => Ok(redirect_with_flash(
            "/",
            &format!("The clock now reads {}.", v["now"].as_str().unwrap_or("")),
            state.config.secure_cookies,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => Ok(redirect_with_flash(
            "/",
            &format!("!{}", e.public_message()),
            state.config.secure_cookies,
        )),
        Err(e) => Err(e.into()),
    }
}
