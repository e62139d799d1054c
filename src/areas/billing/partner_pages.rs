//! The operator's billing page of one partner: its package and invoices, and on demand: issue
//! the next invoice now, register a payment, grant a credit; each after a confirmation screen
//! that names the amount and the partner.

use crate::areas::accounts::AccountId;
use crate::areas::billing;
use crate::kernel::error::AppError;
use crate::kernel::error::ErrorCode;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
};
use serde::Deserialize;

/// A confirmation waiting on the page: the question, where the form goes, what it sends again.
pub(crate) struct Confirm {
    question: String,
    action: &'static str,
    fields: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "billing/partner_billing.html")]
pub(crate) struct PartnerBillingTpl {
    layout: Layout,
    b: billing::PartnerBilling,
    /// The total of the next invoice, for the payment form.
    next_total: String,
    /// The form with an error (invoice, payment, credit), the field and the message.
    error: Option<(&'static str, String, String)>,
    confirm: Option<Confirm>,
    /// What was typed, kept.
    amount: String,
    reference: String,
    reason: String,
}

impl PartnerBillingTpl {
    fn when(&self, ms: &i64) -> String {
        crate::clock::format_ms(*ms)
    }
    /// The day of an RFC 3339 time.
    fn day(&self, t: &str) -> String {
        t.get(..10).unwrap_or(t).to_string()
    }
    /// The error of a field of a form, or "".
    fn err(&self, form: &str, field: &str) -> String {
        match &self.error {
            Some((f, fld, m)) if *f == form && fld == field => m.clone(),
            _ => String::new(),
        }
    }
    /// An error of the form not tied to one of its fields.
    fn general(&self, form: &str) -> String {
        match &self.error {
            Some((f, fld, m))
                if *f == form && !["amount", "reference", "reason"].contains(&fld.as_str()) =>
            {
                m.clone()
            }
            _ => String::new(),
        }
    }
    fn is_form(&self, form: &str) -> bool {
        matches!(&self.error, Some((f, _, _)) if *f == form)
    }
}

async fn view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: AccountId,
) -> Result<PartnerBillingTpl, AppError> {
    let b = billing::partner_billing(state, who, id).await?;
    let title = format!("Billing of {}", b.partner_name);
    Ok(PartnerBillingTpl {
        layout: Layout::for_user(state, who, headers, &title, "partners").await?,
        next_total: billing::next_total(state, id).await?.unwrap_or_default(),
        b,
        error: None,
        confirm: None,
        amount: String::new(),
        reference: String::new(),
        reason: String::new(),
    })
}

pub async fn partner_billing_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let mut t = view(&state, &who, &headers, id).await?;
    t.amount = t.next_total.clone();
    Ok(render(
        StatusCode::OK,
        &t,
        &t.layout,
        state.config.secure_cookies,
    ))
}

/// The three forms' fields; `confirm=1` is the confirmation screen's answer.
#[derive(Deserialize, Default)]
pub struct OnDemandForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    reason: String,
    confirm: Option<String>,
}

/// After an on-demand action: done → back with a flash; not confirmed yet → the confirmation
/// screen; a rule broken → the page again with the error beside its field and what was typed.
#[allow(clippy::too_many_arguments)]
async fn answer(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: AccountId,
    form: &'static str,
    action: &'static str,
    f: OnDemandForm,
    r: Result<billing::OnDemandResult, AppError>,
    done: impl FnOnce(&billing::OnDemandResult) -> String,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let back = format!("/operator/partners/{id}/billing");
    match r {
        Ok(v) => Ok(redirect_with_flash(&back, &done(&v), secure)),
        Err(
            e @ (AppError::Validation { .. } | AppError::Field { .. } | AppError::Conflict { .. }),
        ) => {
            let mut t = view(state, who, headers, id).await?;
            t.amount = f.amount.clone();
            t.reference = f.reference.clone();
            t.reason = f.reason.clone();
            let status = if e.code() == ErrorCode::ConfirmationRequired {
                t.confirm = Some(Confirm {
                    question: e.public_message(),
                    action,
                    fields: vec![
                        ("amount", f.amount),
                        ("reference", f.reference),
                        ("reason", f.reason),
                    ],
                });
                StatusCode::OK
            } else {
                t.error = Some((
                    form,
                    e.field().unwrap_or("").to_string(),
                    e.public_message(),
                ));
                e.status()
            };
            Ok(render(status, &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}

fn confirmed(f: &OnDemandForm) -> Option<bool> {
    Some(f.confirm.as_deref() == Some("1"))
}

fn amount_value(f: &OnDemandForm) -> Option<serde_json::Value> {
    Some(serde_json::Value::String(f.amount.clone()))
}

pub async fn issue_invoice_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(f): PageForm<OnDemandForm>,
) -> PageResult {
    let input = billing::IssueInvoiceInput {
        confirm: confirmed(&f),
    };
    let r = billing::issue_invoice(&state, &who, id, &input).await;
    answer(
        &state,
        &who,
        &headers,
        id,
        "invoice",
        "invoice",
        f,
        r,
        |v| {
            if v.issued {
                format!(
                    "Invoice {} of {} issued for {}.",
                    v.invoice.number, v.invoice.total_label, v.invoice.account_name
                )
            } else {
                format!(
                    "Invoice {} of {} for {} was open already; nothing new was issued.",
                    v.invoice.number, v.invoice.total_label, v.invoice.account_name
                )
            }
        },
    )
    .await
}

pub async fn payment_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(f): PageForm<OnDemandForm>,
) -> PageResult {
    let input = billing::PaymentNowInput {
        amount: amount_value(&f),
        reference: f.reference.clone(),
        confirm: confirmed(&f),
    };
    let r = billing::payment_now(&state, &who, id, &input).await;
    answer(
        &state,
        &who,
        &headers,
        id,
        "payment",
        "payment",
        f,
        r,
        |v| {
            format!(
                "Payment registered: {} for {} (invoice {}); paid until {}.",
                v.invoice.total_label,
                v.invoice.account_name,
                v.invoice.number,
                v.subscription
                    .as_ref()
                    .map(|s| crate::clock::format_ms(s.period_end_ms))
                    .unwrap_or_default()
            )
        },
    )
    .await
}

pub async fn credit_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(f): PageForm<OnDemandForm>,
) -> PageResult {
    let input = billing::CreditInput {
        amount: amount_value(&f),
        reason: f.reason.clone(),
        confirm: confirmed(&f),
    };
    let r = billing::credit(&state, &who, id, &input).await;
    let typed = f.amount.clone();
    answer(
        &state,
        &who,
        &headers,
        id,
        "credit",
        "credit",
        f,
        r,
        move |v| {
            format!(
                "Credit of {typed} granted to {}: invoice {} now {} ({}).",
                v.invoice.account_name, v.invoice.number, v.invoice.total_label, v.invoice.status
            )
        },
    )
    .await
}
