//! The money lifecycle of partners: trial, monthly periods, reminders and pro-forma invoices
//! before each period ends, payments (by the operator or a signed webhook), denial of access when
//! a period ends unpaid, restoration on payment, and the purge 30 days after denial.
//!
//! Every step is idempotent and guarded by a unique row (an invoice per period, a billing event
//! per step and period, a payment per reference), so two instances running the scan at once
//! send nothing twice.

use super::*;
use crate::areas::billing::InvoiceId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct PaymentInput {
    /// The payment's reference (e.g. the bank transfer's); the same one twice changes nothing.
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub reference: String,
    /// In minor units; defaults to the invoice total, and must equal it.
    #[schema(nullable = false)]
    pub amount: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentResult {
    pub invoice: Invoice,
    /// False when this reference was registered before (nothing changed).
    pub registered: bool,
}

pub(crate) fn plain(field: &str, v: &str, max: usize) -> AppResult<String> {
    let v = v.trim();
    if v.is_empty() || v.len() > max || v.chars().any(|c| c.is_control()) {
        return Err(AppError::validation(
            field,
            format!("{field} must be 1 to {max} characters of text"),
        ));
    }
    Ok(v.to_string())
}

/// Registers a payment of an invoice: marks it paid and extends the package to the end of the
/// invoiced period; a suspended partner gets access back at once. The same reference twice
/// changes nothing; a second payment of a paid invoice is refused. With `event_id` (webhook),
/// the event is recorded in the same transaction, so a failed delivery can be retried.
pub async fn register_payment(
    state: &AppState,
    actor: &audit::Actor,
    invoice_id: InvoiceId,
    reference: &str,
    amount: Option<i64>,
    source: &str,
    event_id: Option<&str>,
) -> AppResult<PaymentResult> {
    let reference = plain("reference", reference, 100)?;
    let inv = load_invoice(state, invoice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let amount = amount.unwrap_or(inv.total);
    if amount != inv.total {
        return Err(AppError::validation(
            "amount",
            format!("The invoice is for {}", inv.total_label),
        ));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    if let Some(ev) = event_id {
        let fresh = sqlx::query("INSERT INTO webhook_events (event_id, received_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING")
            .bind(ev)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if !fresh {
            return Err(AppError::conflict(
                ErrorCode::Replayed,
                "This event was received before",
            ));
        }
    }
    let inserted = sqlx::query(
        "INSERT INTO payments (invoice_id, reference, amount, currency, source, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (reference) DO NOTHING",
    )
    .bind(invoice_id)
    .bind(&reference)
    .bind(amount)
    .bind(&inv.currency)
    .bind(source)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        let other: Option<i64> =
            sqlx::query_scalar("SELECT invoice_id FROM payments WHERE reference = $1")
                .bind(&reference)
                .fetch_optional(&mut *tx)
                .await?;
        if other != Some(invoice_id.get()) {
            return Err(AppError::conflict(
                ErrorCode::ReferenceUsed,
                "This payment reference was used for another invoice",
            ));
        }
        tx.commit().await?;
        let invoice = load_invoice(state, invoice_id)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(PaymentResult {
            invoice,
            registered: false,
        });
    }
    let paid = sqlx::query(
        "UPDATE invoices SET status = 'paid', paid_at = $1 WHERE id = $2 AND status = 'open'",
    )
    .bind(now)
    .bind(invoice_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if paid == 0 {
        return Err(AppError::conflict(
            ErrorCode::AlreadyPaid,
            "This invoice is paid already",
        ));
    }
    let r = sqlx::query("SELECT period_start, period_end FROM invoices WHERE id = $1")
        .bind(invoice_id)
        .fetch_one(&mut *tx)
        .await?;
    let (start, end): (i64, i64) = (r.try_get("period_start")?, r.try_get("period_end")?);
    // Paid through the invoiced period; a denied partner is back at once.
    sqlx::query(
        "UPDATE subscriptions SET period_start = CASE WHEN period_end < $2 THEN $1 ELSE period_start END, \
         period_end = CASE WHEN period_end < $2 THEN $2 ELSE period_end END, \
         status = CASE WHEN $2 > $3 THEN 'active' ELSE status END, \
         suspended_at = CASE WHEN $2 > $3 THEN NULL ELSE suspended_at END, \
         purge_at = CASE WHEN $2 > $3 THEN NULL ELSE purge_at END, updated_at = $3 WHERE account_id = $4",
    )
    .bind(start)
    .bind(end)
    .bind(now)
    .bind(inv.account_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(inv.account_id),
            action: "billing.payment",
            target_type: Some("invoice"),
            target_id: Some(invoice_id.to_string()),
            detail: Some(format!(
                "{} {} ({source}, reference {reference})",
                inv.number, inv.total_label
            )),
        },
    )
    .await?;
    tx.commit().await?;
    let invoice = load_invoice(state, invoice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PaymentResult {
        invoice,
        registered: true,
    })
}

/// The operator registers a payment in the panel.
pub async fn operator_payment(
    state: &AppState,
    who: &Identity,
    invoice_id: InvoiceId,
    input: &PaymentInput,
) -> AppResult<PaymentResult> {
    access::operator(state, who, Need::Admin).await?;
    register_payment(
        state,
        &who.actor(),
        invoice_id,
        &input.reference,
        input.amount,
        "manual",
        None,
    )
    .await
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct WebhookPayment {
    /// The provider's id of this delivery; the same one twice is refused.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub event_id: String,
    /// Seconds since the epoch when the provider sent it.
    pub timestamp: i64,
    /// The invoice's number, e.g. as quoted on the transfer.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub invoice_number: String,
    /// Minor units; must equal the invoice total.
    pub amount: i64,
    /// The payment's reference at the provider.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub reference: String,
}

/// A payment provider's call, signed with HMAC-SHA256 over the body (hex, header
/// X-Signature). Replays (same event, or more than five minutes off) are refused.
pub async fn webhook(
    state: &AppState,
    secret: &str,
    signature: &str,
    body: &[u8],
) -> AppResult<PaymentResult> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    mac.update(body);
    let expected = crate::kernel::secrets::hex(&mac.finalize().into_bytes());
    let given = signature
        .trim()
        .trim_start_matches("sha256=")
        .to_ascii_lowercase();
    if expected.len() != given.len()
        || expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            != 0
    {
        return Err(AppError::Forbidden("the signature does not match".into()));
    }
    let p: WebhookPayment = serde_json::from_slice(body).map_err(|e| {
        AppError::bad_request(
            ErrorCode::InvalidJson,
            format!("The JSON does not fit this call: {e}"),
        )
    })?;
    let now_s = state.now_ms() / 1000;
    if now_s.checked_sub(p.timestamp).is_none_or(|d| d.abs() > 300) {
        return Err(AppError::conflict(
            ErrorCode::Replayed,
            "This delivery is too old or from the future; send a fresh one",
        ));
    }
    let event_id = plain("event_id", &p.event_id, 100)?;
    let number = plain("invoice_number", &p.invoice_number, 100)?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM invoices WHERE number = $1")
        .bind(&number)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = audit::Actor {
        login_email: Some("payment provider".into()),
        ..Default::default()
    };
    register_payment(
        state,
        &actor,
        InvoiceId(id),
        &p.reference,
        Some(p.amount),
        "webhook",
        Some(&event_id),
    )
    .await
}
