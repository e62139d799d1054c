//! The money lifecycle of partners: trial, monthly periods, reminders and pro-forma invoices
//! before each period ends, payments (by the operator or a signed webhook), denial of access when
//! a period ends unpaid, restoration on payment, and the purge 30 days after denial.
//!
//! Every step is idempotent and guarded by a unique row (an invoice per period, a billing event
//! per step and period, a payment per reference), so two instances running the scan at once
//! send nothing twice.

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::{
    access::{self, Need},
    accounts, audit, catalog, notifications, Identity,
};
use crate::{
    db::{Backend, Row},
    error::{AppError, AppResult},
    state::AppState,
};

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
    let set = super::onboarding::setting(state, REMINDER_SETTING).await?;
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

#[derive(Clone, Debug, Serialize)]
pub struct Subscription {
    pub account_id: i64,
    pub package_id: i64,
    pub package_name: String,
    pub status: String,
    pub period_start: String,
    pub period_end: String,
    #[serde(skip)]
    pub period_end_ms: i64,
    pub purge_at: Option<String>,
    pub external_invoice_id: String,
}

fn sub_from_row(r: &Row) -> Result<Subscription, sqlx::Error> {
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

pub async fn subscription(state: &AppState, account_id: i64) -> AppResult<Option<Subscription>> {
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

#[derive(Clone, Debug, Serialize)]
pub struct InvoiceLine {
    pub description: String,
    pub amount: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Invoice {
    pub id: i64,
    pub number: String,
    pub account_id: i64,
    pub account_name: String,
    pub period_start: String,
    pub period_end: String,
    pub due_at: String,
    pub currency: String,
    pub total: i64,
    pub total_label: String,
    pub status: String,
    pub lines: Vec<InvoiceLine>,
}

async fn load_invoice(state: &AppState, id: i64) -> AppResult<Option<Invoice>> {
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
pub async fn invoice(state: &AppState, who: &Identity, id: i64) -> AppResult<Invoice> {
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
    account_id: i64,
) -> AppResult<Vec<Invoice>> {
    access::account(state, who, account_id, Need::Read).await?;
    invoices_unchecked(state, account_id).await
}

/// The invoices of an account, for callers that checked access (or show a denied login the
/// invoice that would let it back in).
pub async fn invoices_unchecked(state: &AppState, account_id: i64) -> AppResult<Vec<Invoice>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE account_id = $1 ORDER BY period_start DESC",
    )
    .bind(account_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(i) = load_invoice(state, id).await? {
            out.push(i);
        }
    }
    Ok(out)
}

/// Records a billing step once; false when it was taken already (by this or another instance).
async fn once(
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
async fn ensure_invoice(
    conn: &mut sqlx::AnyConnection,
    account: i64,
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
async fn retotal(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE invoices SET total = CAST((SELECT COALESCE(SUM(amount), 0) FROM invoice_lines WHERE invoice_id = $1) AS BIGINT) \
         WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn package_line(name: &str, period_end: i64) -> String {
    format!(
        "Package {name} — {} to {}",
        crate::clock::format_ms(period_end),
        crate::clock::format_ms(period_end + PERIOD_MS)
    )
}

pub(crate) async fn owner_contacts(
    state: &AppState,
    account: i64,
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
async fn remind(state: &AppState, account: i64, end: i64, days: &[i64]) -> AppResult<bool> {
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
    let invoice = ensure_invoice(&mut tx, account, end, now).await?;
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
        for (to, name) in owner_contacts(state, account).await? {
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
                subject_account_id: Some(account),
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
            id,
            &format!("free-{id}"),
            Some(0),
            "manual",
            None,
        )
        .await?;
    }
    Ok(sent)
}

#[derive(Debug, Default, Serialize)]
pub struct ScanReport {
    pub reminders: usize,
    pub suspended: usize,
    pub purged: usize,
}

/// The period ended unpaid: deny access below the partner, keep the data for the retention
/// (counted from now when the scan comes late).
async fn suspend(state: &AppState, account: i64, end: i64) -> AppResult<bool> {
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
    let invoice = ensure_invoice(&mut tx, account, end, now).await?;
    if once(&mut tx, account, "suspended", end, now).await? {
        for (to, name) in owner_contacts(state, account).await? {
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
            subject_account_id: Some(account),
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
async fn purge(state: &AppState, account: i64) -> AppResult<bool> {
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

#[derive(Clone, Debug, Deserialize, Default)]
pub struct PaymentInput {
    #[serde(default)]
    pub reference: String,
    /// In minor units; defaults to the invoice total.
    pub amount: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PaymentResult {
    pub invoice: Invoice,
    /// False when this reference was registered before (nothing changed).
    pub registered: bool,
}

fn plain(field: &str, v: &str, max: usize) -> AppResult<String> {
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
    invoice_id: i64,
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
                "replayed",
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
        if other != Some(invoice_id) {
            return Err(AppError::conflict(
                "reference_used",
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
            "already_paid",
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
    invoice_id: i64,
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

#[derive(Clone, Debug, Deserialize)]
pub struct WebhookPayment {
    pub event_id: String,
    /// Seconds since the epoch when the provider sent it.
    pub timestamp: i64,
    pub invoice_number: String,
    pub amount: i64,
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
    let expected = super::secrets::hex(&mac.finalize().into_bytes());
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
            "invalid_json",
            format!("The JSON does not fit this call: {e}"),
        )
    })?;
    let now_s = state.now_ms() / 1000;
    if now_s.checked_sub(p.timestamp).is_none_or(|d| d.abs() > 300) {
        return Err(AppError::conflict(
            "replayed",
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
        id,
        &p.reference,
        Some(p.amount),
        "webhook",
        Some(&event_id),
    )
    .await
}

/// The partner in view changes its package: the next invoice has the new price (an open one is
/// repriced in place, so links already sent keep working).
pub async fn change_package(
    state: &AppState,
    who: &Identity,
    package_id: i64,
) -> AppResult<Subscription> {
    let account = access::account(state, who, who.view_account_id, Need::Admin).await?;
    let sub = subscription(state, account.id)
        .await?
        .ok_or_else(|| AppError::conflict("no_subscription", "This account has no package"))?;
    let package = catalog::package(state, package_id)
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
