//! The money lifecycle of partners: trial, monthly periods, reminders and pro-forma invoices
//! before each period ends, payments (by the operator or a signed webhook), denial of access when
//! a period ends unpaid, restoration on payment, and the purge 30 days after denial.
//!
//! Every step is idempotent and guarded by a unique row (an invoice per period, a billing event
//! per step and period, a payment per reference), so two instances running the scan at once
//! send nothing twice.

use super::*;
use crate::areas::accounts;
use crate::areas::accounts::AccountId;
use crate::areas::billing::InvoiceId;
use crate::areas::catalog;
use crate::kernel::audit;
use crate::kernel::db::Backend;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::notify as notifications;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

/// One pass over every subscription: reminders and invoices before a period ends, denial when it
/// ended unpaid, purge when the retention ran out. Safe to run often and on several instances;
/// a partner whose step fails is logged and the others go on.
pub async fn scan(state: &AppState) -> AppResult<ScanReport> {
    let now = state.now_ms();
    let mut report = ScanReport::default();
    let reminder_days = reminder_days(state).await?;
    let horizon = now + reminder_days[0] * DAY_MS;
    let rows = sqlx::query(
        "SELECT account_id, status, period_end FROM subscriptions \
         WHERE (status IN ('trial', 'active') AND period_end <= $1) OR (status = 'suspended' AND purge_at <= $2)",
    )
    .bind(horizon)
    .bind(now)
    .fetch_all(&state.db.pool)
    .await?;
    for r in rows {
        let account: i64 = r.try_get("account_id")?;
        let status: String = r.try_get("status")?;
        let end: i64 = r.try_get("period_end")?;
        let step = async {
            if status == "suspended" {
                if purge(state, account).await? {
                    report.purged += 1;
                }
            } else if now >= end {
                if suspend(state, account, end).await? {
                    report.suspended += 1;
                }
            } else if remind(state, account, end, &reminder_days).await? {
                report.reminders += 1;
            }
            Ok::<_, AppError>(())
        };
        if let Err(e) = step.await {
            tracing::warn!(account, error = %e, "billing step failed; the next scan tries again");
        }
    }
    Ok(report)
}

/// Before a period ends: makes the invoice for the next one and sends the reminder of the
/// nearest due day once (days already passed are marked taken, not sent). A free invoice is
/// settled at once. True when a reminder went out.
pub(crate) async fn remind(
    state: &AppState,
    account: i64,
    end: i64,
    days: &[i64],
) -> AppResult<bool> {
    let now = state.now_ms();
    let due: Vec<i64> = days
        .iter()
        .copied()
        .filter(|d| now >= end - d * DAY_MS)
        .collect();
    let Some(&nearest) = due.iter().min() else {
        return Ok(false);
    };
    let mut tx = state.db.begin().await?;
    let invoice = ensure_invoice(&mut tx, AccountId(account), end, now).await?;
    let mut sent = false;
    for d in &due {
        let fresh = once(&mut tx, account, &format!("reminder_{d}d"), end, now).await?;
        if !fresh || *d != nearest {
            continue;
        }
        let r = sqlx::query("SELECT number, total, currency, status FROM invoices WHERE id = $1")
            .bind(invoice)
            .fetch_one(&mut *tx)
            .await?;
        let (number, total, currency, inv_status): (String, i64, String, String) = (
            r.try_get("number")?,
            r.try_get("total")?,
            r.try_get("currency")?,
            r.try_get("status")?,
        );
        if inv_status != "open" || total == 0 {
            continue;
        }
        for (to, name) in owner_contacts(state, AccountId(account)).await? {
            notifications::enqueue(
                state,
                &mut tx,
                &notifications::Message::PaymentReminder {
                    to,
                    name,
                    days: *d,
                    period_end: crate::clock::format_ms(end),
                    invoice_number: number.clone(),
                    invoice_id: invoice,
                    amount: catalog::money(total, &currency),
                },
            )
            .await?;
        }
        audit::record(
            &mut tx,
            now,
            &audit::Actor::system(),
            audit::Entry {
                subject_account_id: Some(AccountId(account)),
                action: "billing.reminder",
                target_type: Some("invoice"),
                target_id: Some(invoice.to_string()),
                detail: Some(format!("{d} day(s) before the period ends")),
            },
        )
        .await?;
        sent = true;
    }
    let free: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE id = $1 AND total = 0 AND status = 'open'",
    )
    .bind(invoice)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    if let Some(id) = free {
        // Nothing to pay: the period is extended as if paid.
        register_payment(
            state,
            &audit::Actor::system(),
            InvoiceId(id),
            &format!("free-{id}"),
            Some(0),
            "manual",
            None,
        )
        .await?;
    }
    Ok(sent)
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ScanReport {
    pub reminders: usize,
    pub suspended: usize,
    pub purged: usize,
}

/// The period ended unpaid: deny access below the partner, keep the data for the retention
/// (counted from now when the scan comes late).
pub(crate) async fn suspend(state: &AppState, account: i64, end: i64) -> AppResult<bool> {
    let now = state.now_ms();
    let since = end.max(now);
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE subscriptions SET status = 'suspended', suspended_at = $1, purge_at = $2, updated_at = $3 \
         WHERE account_id = $4 AND status IN ('trial', 'active') AND period_end = $5",
    )
    .bind(since)
    .bind(since + RETENTION_MS)
    .bind(now)
    .bind(account)
    .bind(end)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    let invoice = ensure_invoice(&mut tx, AccountId(account), end, now).await?;
    if once(&mut tx, account, "suspended", end, now).await? {
        for (to, name) in owner_contacts(state, AccountId(account)).await? {
            notifications::enqueue(
                state,
                &mut tx,
                &notifications::Message::AccessSuspended {
                    to,
                    name,
                    invoice_id: invoice,
                    purge_at: crate::clock::format_ms(since + RETENTION_MS),
                },
            )
            .await?;
        }
    }
    audit::record(
        &mut tx,
        now,
        &audit::Actor::system(),
        audit::Entry {
            subject_account_id: Some(AccountId(account)),
            action: "billing.suspend",
            target_type: Some("account"),
            target_id: Some(account.to_string()),
            detail: Some(format!(
                "unpaid; data kept until {}",
                crate::clock::format_ms(since + RETENTION_MS)
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes a suspended partner's whole subtree for good, once its retention ran out.
pub(crate) async fn purge(state: &AppState, account: i64) -> AppResult<bool> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let due: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT account_id FROM subscriptions WHERE account_id = $1 AND status = 'suspended' AND purge_at <= $2{}",
        if state.db.backend == Backend::Postgres { " FOR UPDATE" } else { "" }
    ))
    .bind(account)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if due.is_none() {
        return Ok(false);
    }
    // Ties to other trees end first, each side outside told (by the panel) what it may see.
    crate::areas::networks::close_ties(&mut tx, now, AccountId(account), None).await?;
    // Every row elsewhere that names them is forgotten with them.
    super::forget::forget_subtree(&mut tx, account).await?;
    let (accounts_n, logins_n) = accounts::remove_subtree(&mut tx, account).await?;
    // The purge is audited without the personal data that went with it.
    audit::record(&mut tx, now, &audit::Actor::system(), audit::Entry {
        subject_account_id: None,
        action: "billing.purge",
        target_type: Some("account"),
        target_id: Some(account.to_string()),
        detail: Some(format!("{accounts_n} account(s) and {logins_n} login(s) deleted after the retention period")),
    })
    .await?;
    tx.commit().await?;
    Ok(true)
}
