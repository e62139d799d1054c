//! The money lifecycle of partners: trial, monthly periods, reminders and pro-forma invoices
//! before each period ends, payments (by the operator or a signed webhook), denial of access when
//! a period ends unpaid, restoration on payment, and the purge 30 days after denial.
//!
//! Every step is idempotent and guarded by a unique row (an invoice per period, a billing event
//! per step and period, a payment per reference), so two instances running the scan at once
//! send nothing twice.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::billing::InvoiceId;
use crate::areas::catalog;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceLine {
    pub description: String,
    pub amount: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Invoice {
    #[schema(value_type = i64)]
    pub id: InvoiceId,
    pub number: String,
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    pub account_name: String,
    pub period_start: String,
    pub period_end: String,
    pub due_at: String,
    pub currency: String,
    /// Minor units: the sum of the lines.
    pub total: i64,
    pub total_label: String,
    #[schema(schema_with = invoice_status_values)]
    pub status: String,
    pub lines: Vec<InvoiceLine>,
}

fn invoice_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["open", "paid"])
}

pub(crate) async fn load_invoice(state: &AppState, id: InvoiceId) -> AppResult<Option<Invoice>> {
    let row = sqlx::query(
        "SELECT i.id, i.number, i.account_id, a.name AS account_name, i.period_start, i.period_end, i.due_at, \
         i.currency, i.total, i.status FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let lines = sqlx::query(
        "SELECT description, amount FROM invoice_lines WHERE invoice_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|l| {
        Ok(InvoiceLine {
            description: l.try_get("description")?,
            amount: l.try_get("amount")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let currency: String = r.try_get("currency")?;
    let total: i64 = r.try_get("total")?;
    Ok(Some(Invoice {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        account_id: r.try_get("account_id")?,
        account_name: r.try_get("account_name")?,
        period_start: crate::clock::format_ms(r.try_get("period_start")?),
        period_end: crate::clock::format_ms(r.try_get("period_end")?),
        due_at: crate::clock::format_ms(r.try_get("due_at")?),
        total_label: catalog::money(total, &currency),
        currency,
        total,
        status: r.try_get("status")?,
        lines,
    }))
}

/// An invoice the identity may see: its own partner's, or any for the operator.
pub async fn invoice(state: &AppState, who: &Identity, id: InvoiceId) -> AppResult<Invoice> {
    let inv = load_invoice(state, id).await?.ok_or(AppError::NotFound)?;
    if !access::is_within(state, who.view_account_id, inv.account_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(inv)
}

/// The invoices of a partner in view (or, for the operator, of any partner below).
pub async fn invoices(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
) -> AppResult<Vec<Invoice>> {
    access::account(state, who, account_id, Need::Read).await?;
    invoices_unchecked(state, account_id).await
}

/// The invoices of an account, for callers that checked access (or show a denied login the
/// invoice that would let it back in).
pub async fn invoices_unchecked(
    state: &AppState,
    account_id: AccountId,
) -> AppResult<Vec<Invoice>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = $1 ORDER BY period_start DESC",
    )
    .bind(account_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(i) = load_invoice(state, InvoiceId(id)).await? {
            out.push(i);
        }
    }
    Ok(out)
}

/// Records a billing step once; false when it was taken already (by this or another instance).
pub(crate) async fn once(
    conn: &mut sqlx::AnyConnection,
    account: i64,
    kind: &str,
    period_end: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "INSERT INTO billing_events (account_id, kind, period_end, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, kind, period_end) DO NOTHING",
    )
    .bind(account)
    .bind(kind)
    .bind(period_end)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Makes (once) the pro-forma invoice for the period after `period_end`, at the price of the
/// package the subscription has now; returns its id. Safe against a concurrent maker.
pub(crate) async fn ensure_invoice(
    conn: &mut sqlx::AnyConnection,
    account: AccountId,
    period_end: i64,
    now: i64,
) -> AppResult<i64> {
    let pkg = sqlx::query(
        "SELECT p.name, p.monthly_price, p.currency FROM subscriptions s JOIN packages p ON p.id = s.package_id \
         WHERE s.account_id = $1",
    )
    .bind(account)
    .fetch_one(&mut *conn)
    .await?;
    let (name, price, currency): (String, i64, String) = (
        pkg.try_get("name")?,
        pkg.try_get("monthly_price")?,
        pkg.try_get("currency")?,
    );
    let created = sqlx::query(
        "INSERT INTO invoices (number, account_id, period_start, period_end, due_at, currency, total, created_at) \
         VALUES ($1, $2, $3, $4, $3, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(format!("PRO-{account}-{}", period_end / DAY_MS))
    .bind(account)
    .bind(period_end)
    .bind(period_end + PERIOD_MS)
    .bind(&currency)
    .bind(price)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM invoices WHERE account_id = $1 AND period_start = $2")
            .bind(account)
            .bind(period_end)
            .fetch_one(&mut *conn)
            .await?;
    if created {
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, description, amount) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(package_line(&name, period_end))
        .bind(price)
        .execute(&mut *conn)
        .await?;
        // Add-ons switched on for the partner, billed in the package's currency.
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, description, amount, kind) \
             SELECT $1, 'Add-on ' || a.name, pa.price, 'addon' FROM partner_addons pa JOIN addons a ON a.id = pa.addon_id \
             WHERE pa.account_id = $2 AND pa.currency = $3 ORDER BY a.name",
        )
        .bind(id)
        .bind(account)
        .bind(&currency)
        .execute(&mut *conn)
        .await?;
        retotal(conn, id).await?;
    }
    Ok(id)
}

/// Sets an invoice's total to the sum of its lines.
pub(crate) async fn retotal(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE invoices SET total = CAST((SELECT COALESCE(SUM(amount), 0) FROM invoice_lines WHERE invoice_id = $1) AS BIGINT) \
         WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) fn package_line(name: &str, period_end: i64) -> String {
    format!(
        "Package {name} — {} to {}",
        crate::clock::format_ms(period_end),
        crate::clock::format_ms(period_end + PERIOD_MS)
    )
}
