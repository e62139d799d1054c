//! Billing on demand: the operator issues a partner's next invoice now, registers a payment, or
//! grants a credit, at any time (not only once the reminder made the invoice). Each action needs
//! its confirmation (`confirm: true`); amounts are checked before anything is written.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::billing::InvoiceId;
use crate::areas::catalog;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};

/// Parses an amount of money in major units ("49", "49.5", "49.00"; a JSON number too) into
/// minor units. Refused with its own code: not a number, zero or less, more than two decimals.
pub fn parse_amount(field: &str, raw: Option<&serde_json::Value>) -> AppResult<i64> {
    let text = match raw {
        None | Some(serde_json::Value::Null) => {
            return Err(AppError::field_code(
                ErrorCode::AmountInvalid,
                field,
                "Give an amount, e.g. 49.00",
            ))
        }
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => String::new(),
    };
    amount_from_text(field, &text)
}

/// The same for text typed into a form.
pub fn amount_from_text(field: &str, text: &str) -> AppResult<i64> {
    let t = text.trim();
    let invalid = || {
        AppError::field_code(
            ErrorCode::AmountInvalid,
            field,
            format!("\"{t}\" is not an amount: write it like 49.00"),
        )
    };
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || frac.is_some_and(|f| !all_digits(f)) || whole.len() > 9 {
        return Err(invalid());
    }
    let frac = frac.unwrap_or("");
    if frac.len() > 2 {
        return Err(AppError::field_code(
            ErrorCode::AmountTooPrecise,
            field,
            "An amount has at most two decimals, e.g. 49.99",
        ));
    }
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| invalid())?;
    let minor = whole * 100 + cents;
    if neg || minor == 0 {
        return Err(AppError::field_code(
            ErrorCode::AmountNotPositive,
            field,
            "The amount must be more than zero",
        ));
    }
    Ok(minor)
}

fn confirmed(confirm: Option<bool>, what: String) -> AppResult<()> {
    if confirm == Some(true) {
        Ok(())
    } else {
        Err(AppError::field_code(
            ErrorCode::ConfirmationRequired,
            "confirm",
            format!("{what}? Confirm to go ahead."),
        ))
    }
}

/// Issue the partner's next invoice now.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct IssueInvoiceInput {
    /// Must be true: the action is confirmed.
    #[schema(nullable = false)]
    pub confirm: Option<bool>,
}

/// Register a payment of the partner: it pays its open invoice (issued now if there is none),
/// which extends the package by the invoiced period.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct PaymentNowInput {
    /// In major units as text ("49.00") or a number; must be the open invoice's total.
    #[schema(value_type = String, example = "49.00", nullable = false)]
    pub amount: Option<serde_json::Value>,
    /// The payment's reference (e.g. the bank transfer's).
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub reference: String,
    /// Must be true: the action is confirmed.
    #[schema(nullable = false)]
    pub confirm: Option<bool>,
}

/// Grant a credit: a line taking the amount off the partner's open invoice (issued now if there
/// is none); a credit of the whole total pays the invoice.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct CreditInput {
    /// In major units as text ("10.00") or a number; at most the open invoice's total.
    #[schema(value_type = String, example = "10.00", nullable = false)]
    pub amount: Option<serde_json::Value>,
    /// Why (shown on the invoice).
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub reason: String,
    /// Must be true: the action is confirmed.
    #[schema(nullable = false)]
    pub confirm: Option<bool>,
}

/// What an on-demand action did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OnDemandResult {
    /// The invoice acted on (after the action).
    pub invoice: Invoice,
    /// True when the invoice was issued by this call.
    pub issued: bool,
    /// The package now.
    pub subscription: Option<Subscription>,
}

/// A partner's billing as the operator sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PartnerBilling {
    #[schema(value_type = i64)]
    pub partner_id: AccountId,
    pub partner_name: String,
    pub subscription: Option<Subscription>,
    /// Newest first.
    pub invoices: Vec<Invoice>,
}

pub(crate) async fn partner_name(state: &AppState, id: AccountId) -> AppResult<String> {
    sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn partner_billing(
    state: &AppState,
    who: &Identity,
    partner: AccountId,
) -> AppResult<PartnerBilling> {
    access::operator(state, who, Need::Read).await?;
    Ok(PartnerBilling {
        partner_id: partner,
        partner_name: partner_name(state, partner).await?,
        subscription: subscription(state, partner).await?,
        invoices: invoices_unchecked(state, partner).await?,
    })
}

async fn sub_or_refuse(state: &AppState, partner: AccountId) -> AppResult<Subscription> {
    subscription(state, partner).await?.ok_or_else(|| {
        AppError::conflict(
            ErrorCode::NoSubscription,
            "This partner has no package: give it one first",
        )
    })
}

/// The next invoice (for the period after the paid one), made in `tx` if missing: (id, total,
/// currency, made now).
async fn next_invoice(
    tx: &mut sqlx::AnyConnection,
    sub: &Subscription,
    now: i64,
) -> AppResult<(i64, i64, String, bool)> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = $1 AND period_start = $2")
            .bind(sub.account_id)
            .bind(sub.period_end_ms)
            .fetch_optional(&mut *tx)
            .await?;
    let id = ensure_invoice(tx, sub.account_id, sub.period_end_ms, now).await?;
    let (total, currency): (i64, String) = {
        use sqlx::Row as _;
        let r = sqlx::query("SELECT total, currency FROM invoices WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        (r.try_get("total")?, r.try_get("currency")?)
    };
    Ok((id, total, currency, existing.is_none()))
}

async fn result(
    state: &AppState,
    partner: AccountId,
    invoice: i64,
    issued: bool,
) -> AppResult<OnDemandResult> {
    Ok(OnDemandResult {
        invoice: load_invoice(state, InvoiceId(invoice))
            .await?
            .ok_or(AppError::NotFound)?,
        issued,
        subscription: subscription(state, partner).await?,
    })
}

/// Issues the partner's next invoice now (or answers the one open already, `issued` false).
pub async fn issue_invoice(
    state: &AppState,
    who: &Identity,
    partner: AccountId,
    input: &IssueInvoiceInput,
) -> AppResult<OnDemandResult> {
    access::operator(state, who, Need::Admin).await?;
    let name = partner_name(state, partner).await?;
    let sub = sub_or_refuse(state, partner).await?;
    confirmed(
        input.confirm,
        format!("Issue the next invoice of {name} now"),
    )?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (id, total, currency, made) = next_invoice(&mut tx, &sub, now).await?;
    if made {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(partner),
                action: "billing.invoice",
                target_type: Some("invoice"),
                target_id: Some(id.to_string()),
                detail: Some(format!(
                    "issued on demand: {}",
                    catalog::money(total, &currency)
                )),
            },
        )
        .await?;
    }
    tx.commit().await?;
    result(state, partner, id, made).await
}

/// Registers a payment of the partner's open invoice (issued now if there is none). The amount
/// must be the invoice's total; a wrong one writes nothing.
pub async fn payment_now(
    state: &AppState,
    who: &Identity,
    partner: AccountId,
    input: &PaymentNowInput,
) -> AppResult<OnDemandResult> {
    access::operator(state, who, Need::Admin).await?;
    let amount = parse_amount("amount", input.amount.as_ref())?;
    let reference = plain("reference", &input.reference, 100)?;
    let name = partner_name(state, partner).await?;
    let sub = sub_or_refuse(state, partner).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (id, total, currency, made) = next_invoice(&mut tx, &sub, now).await?;
    if amount != total {
        // Dropped: nothing is written.
        return Err(AppError::validation(
            "amount",
            format!(
                "The open invoice of {name} is for {}; register that amount",
                catalog::money(total, &currency)
            ),
        ));
    }
    confirmed(
        input.confirm,
        format!(
            "Register a payment of {} for {name}",
            catalog::money(amount, &currency)
        ),
    )?;
    tx.commit().await?;
    register_payment(
        state,
        &who.actor(),
        InvoiceId(id),
        &reference,
        Some(amount),
        "manual",
        None,
    )
    .await?;
    result(state, partner, id, made).await
}

/// Grants a credit on the partner's open invoice (issued now if there is none): at most its
/// total; a credit of the whole total pays it.
pub async fn credit(
    state: &AppState,
    who: &Identity,
    partner: AccountId,
    input: &CreditInput,
) -> AppResult<OnDemandResult> {
    access::operator(state, who, Need::Admin).await?;
    let amount = parse_amount("amount", input.amount.as_ref())?;
    let reason = plain("reason", &input.reason, 200)?;
    let name = partner_name(state, partner).await?;
    let sub = sub_or_refuse(state, partner).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (id, total, currency, made) = next_invoice(&mut tx, &sub, now).await?;
    if amount > total {
        return Err(AppError::validation(
            "amount",
            format!(
                "A credit can be at most the open invoice's total, {}",
                catalog::money(total, &currency)
            ),
        ));
    }
    let label = catalog::money(amount, &currency);
    confirmed(input.confirm, format!("Grant {name} a credit of {label}"))?;
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, description, amount, kind) VALUES ($1, $2, $3, 'credit')",
    )
    .bind(id)
    .bind(format!("Credit: {reason}"))
    .bind(-amount)
    .execute(&mut *tx)
    .await?;
    retotal(&mut tx, id).await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(partner),
            action: "billing.credit",
            target_type: Some("invoice"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{label}: {reason}")),
        },
    )
    .await?;
    tx.commit().await?;
    if amount == total {
        // The credit covers the whole invoice: it is paid, and the package extended.
        register_payment(
            state,
            &who.actor(),
            InvoiceId(id),
            &format!("credit-{id}"),
            Some(0),
            "credit",
            None,
        )
        .await?;
    }
    result(state, partner, id, made).await
}

/// The total of the partner's next invoice, as it is or would be issued now (nothing is kept).
pub async fn next_total(state: &AppState, partner: AccountId) -> AppResult<Option<String>> {
    let Some(sub) = subscription(state, partner).await? else {
        return Ok(None);
    };
    let mut tx = state.db.begin().await?;
    let (_, total, _, _) = next_invoice(&mut tx, &sub, state.now_ms()).await?;
    tx.tx.rollback().await?;
    Ok(Some(format!("{}.{:02}", total / 100, total % 100)))
}
