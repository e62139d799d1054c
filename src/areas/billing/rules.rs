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
use crate::areas::catalog;
use crate::areas::catalog::PackageId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

pub const DAY_MS: i64 = 86_400_000;

/// One paid period.
pub const PERIOD_MS: i64 = 30 * DAY_MS;

/// Data is kept this long after access was denied, then purged.
pub const RETENTION_MS: i64 = 30 * DAY_MS;

/// Reminders go out this many days before a period ends (the first also brings the invoice),
/// unless the operator set other days (setting `reminder_days`, e.g. "10,3,1").
pub const REMINDER_DAYS: [i64; 2] = [7, 1];

pub const REMINDER_SETTING: &str = "reminder_days";

/// The reminder days in force, largest first.
pub async fn reminder_days(state: &AppState) -> AppResult<Vec<i64>> {
    let set = crate::areas::onboarding::setting(state, REMINDER_SETTING).await?;
    let mut days: Vec<i64> = set
        .as_deref()
        .map(|v| {
            v.split(',')
                .filter_map(|d| d.trim().parse().ok())
                .filter(|d| (1..=60).contains(d))
                .collect()
        })
        .filter(|v: &Vec<i64>| !v.is_empty())
        .unwrap_or_else(|| REMINDER_DAYS.to_vec());
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    Ok(days)
}

/// Sets the reminder days (1 to 60 days before a period ends; at most 5 of them).
pub async fn set_reminder_days(
    state: &AppState,
    who: &Identity,
    days: &[i64],
) -> AppResult<Vec<i64>> {
    access::operator(state, who, Need::Admin).await?;
    if days.is_empty() || days.len() > 5 || days.iter().any(|d| !(1..=60).contains(d)) {
        return Err(AppError::validation(
            "reminder_days",
            "Give 1 to 5 numbers of days, each from 1 to 60",
        ));
    }
    let mut d = days.to_vec();
    d.sort_unstable_by(|a, b| b.cmp(a));
    d.dedup();
    let value = d
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(REMINDER_SETTING)
        .bind(&value)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "settings.reminder_days",
            target_type: None,
            target_id: None,
            detail: Some(value),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Subscription {
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    #[schema(value_type = i64)]
    pub package_id: PackageId,
    pub package_name: String,
    #[schema(schema_with = subscription_status_values)]
    pub status: String,
    #[schema(format = DateTime)]
    pub period_start: String,
    /// Access is paid (or in trial) until then.
    #[schema(format = DateTime)]
    pub period_end: String,
    #[serde(skip)]
    pub period_end_ms: i64,
    /// When a denied partner's subtree is deleted, unless it pays.
    #[schema(format = DateTime)]
    pub purge_at: Option<String>,
    pub external_invoice_id: String,
}

fn subscription_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["trial", "active", "suspended"])
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn sub_from_row(r: &Row) -> Result<Subscription, sqlx::Error> {
    let end: i64 = r.try_get("period_end")?;
    Ok(Subscription {
        account_id: r.try_get("account_id")?,
        package_id: r.try_get("package_id")?,
        package_name: r.try_get("package_name")?,
        status: r.try_get("status")?,
        period_start: crate::clock::rfc3339(r.try_get("period_start")?),
        period_end: crate::clock::rfc3339(end),
        period_end_ms: end,
        purge_at: r
            .try_get::<Option<i64>, _>("purge_at")?
            .map(crate::clock::rfc3339),
        external_invoice_id: r.try_get("external_invoice_id")?,
    })
}

pub async fn subscription(
    state: &AppState,
    account_id: AccountId,
) -> AppResult<Option<Subscription>> {
    let row = sqlx::query(
        "SELECT s.account_id, s.package_id, p.name AS package_name, s.status, s.period_start, s.period_end, \
         s.purge_at, s.external_invoice_id FROM subscriptions s JOIN packages p ON p.id = s.package_id \
         WHERE s.account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.as_ref().map(sub_from_row).transpose()?)
}

pub(crate) async fn owner_contacts(
    state: &AppState,
    account: AccountId,
) -> AppResult<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT email, name FROM logins WHERE account_id = $1 AND role = 'owner' AND status = 'active'")
        .bind(account)
        .fetch_all(&state.db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("email")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The partner in view changes its package: the next invoice has the new price (an open one is
/// repriced in place, so links already sent keep working).
pub async fn change_package(
    state: &AppState,
    who: &Identity,
    package_id: i64,
) -> AppResult<Subscription> {
    let account = access::account(state, who, who.view_account_id, Need::Admin).await?;
    let sub = subscription(state, account.id).await?.ok_or_else(|| {
        AppError::conflict(ErrorCode::NoSubscription, "This account has no package")
    })?;
    let package = catalog::package(state, PackageId(package_id))
        .await?
        .filter(|p| p.status == "active")
        .ok_or_else(|| AppError::validation("package_id", "Choose one of the packages offered"))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE subscriptions SET package_id = $1, updated_at = $2 WHERE account_id = $3")
        .bind(package.id)
        .bind(now)
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    let open: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = $1 AND status = 'open' AND period_start >= $2",
    )
    .bind(account.id)
    .bind(sub.period_end_ms)
    .fetch_all(&mut *tx)
    .await?;
    for id in open {
        sqlx::query("UPDATE invoices SET currency = $1 WHERE id = $2")
            .bind(&package.currency)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE invoice_lines SET amount = $1, description = $2 WHERE invoice_id = $3 AND kind = 'package'",
        )
        .bind(package.monthly_price)
        .bind(package_line(&package.name, sub.period_end_ms))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        retotal(&mut tx, id).await?;
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(account.id),
            action: "billing.change_package",
            target_type: Some("package"),
            target_id: Some(package.id.to_string()),
            detail: Some(format!(
                "from {} to {} ({})",
                sub.package_name,
                package.name,
                package.price_label()
            )),
        },
    )
    .await?;
    tx.commit().await?;
    subscription(state, account.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The partner whose unpaid period denies this account's logins, if any.
pub async fn suspended_by(state: &AppState, account_id: i64) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT s.account_id FROM account_closure c JOIN subscriptions s ON s.account_id = c.ancestor_id \
         WHERE c.descendant_id = $1 AND s.status = 'suspended' LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(&state.db.pool)
    .await?)
}

/// Everything of a partner's subtree as JSON (accounts, logins without secrets, invoices), for
/// the partner to download until its data is purged.
pub async fn export(state: &AppState, who: &Identity) -> AppResult<serde_json::Value> {
    let account = access::account(state, who, who.view_account_id, Need::Admin).await?;
    let rows = sqlx::query(&format!(
        "SELECT {} FROM account_closure c JOIN accounts a ON a.id = c.descendant_id WHERE c.ancestor_id = $1 \
         AND a.status <> 'deleted' ORDER BY c.depth, a.id",
        accounts::COLUMNS
    ))
    .bind(account.id)
    .fetch_all(&state.db.pool)
    .await?;
    let accounts_list: Vec<accounts::Account> = rows
        .iter()
        .map(accounts::account_from_row)
        .collect::<Result<_, _>>()?;
    let logins: Vec<serde_json::Value> = sqlx::query(
        "SELECT l.account_id, l.email, l.name, l.role, l.status FROM account_closure c JOIN logins l ON l.account_id = c.descendant_id \
         WHERE c.ancestor_id = $1 ORDER BY l.id",
    )
    .bind(account.id)
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|r| -> Result<serde_json::Value, sqlx::Error> {
        Ok(serde_json::json!({
            "account_id": r.try_get::<i64, _>("account_id")?, "email": r.try_get::<String, _>("email")?,
            "name": r.try_get::<String, _>("name")?, "role": r.try_get::<String, _>("role")?, "status": r.try_get::<String, _>("status")?
        }))
    })
    .collect::<Result<_, _>>()?;
    let invoices = invoices(state, who, account.id).await?;
    Ok(
        serde_json::json!({ "account": account, "accounts": accounts_list, "logins": logins, "invoices": invoices,
        "subscription": subscription(state, account.id).await? }),
    )
}

/// The billing of the account in view, or of the partner whose unpaid period denies access.
pub async fn overview_data(
    state: &AppState,
    who: &crate::kernel::Identity,
) -> AppResult<serde_json::Value> {
    let account = who.suspended_by.unwrap_or(who.view_account_id);
    let sub = crate::areas::billing::subscription(state, account).await?;
    let invoices = if who.suspended_by.is_some()
        || access::is_within(state, who.view_account_id, account).await?
    {
        crate::areas::billing::invoices_unchecked(state, account).await?
    } else {
        Vec::new()
    };
    Ok(serde_json::json!({
        "suspended": who.suspended_by.is_some(),
        "subscription": sub,
        "invoices": invoices,
        "how_to_pay": "Pay the open invoice by bank transfer quoting its number, or through your payment provider; access comes back as soon as the payment is registered.",
    }))
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
    crate::kernel::test_clock::share_test_clock(state).await?;
    let report = crate::areas::billing::scan(state).await?;
    let jobs = crate::kernel::jobs::run_due(state).await?;
    Ok(
        serde_json::json!({ "now": crate::clock::rfc3339(state.now_ms()), "billing": report, "jobs_run": jobs }),
    )
}
