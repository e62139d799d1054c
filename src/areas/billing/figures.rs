//! Billing figures for dashboards: what the operator watches (trials ending this week, open and
//! overdue invoices, partners denied for non-payment) and a partner's own package and invoices.

use super::{invoices_unchecked, subscription, Invoice, Subscription};
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

const WEEK_MS: i64 = 7 * 86_400_000;
/// How many partners the operator's lists name (the counts are complete).
const NAMED: i64 = 5;

/// A partner named on the operator's dashboard, with the time that matters (a trial's end,
/// the purge of a denied partner).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardPartnerDue)]
pub struct PartnerDue {
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    pub name: String,
    #[schema(format = DateTime)]
    pub at: String,
    #[serde(skip)]
    pub at_ms: i64,
}

/// What the operator watches in billing.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardOperatorBilling)]
pub struct OperatorBilling {
    /// Trials ending within the next 7 days.
    pub trials_ending_this_week: i64,
    /// The first of them, soonest first.
    pub trials_ending: Vec<PartnerDue>,
    pub open_invoices: i64,
    /// Open invoices past their due date.
    pub overdue_invoices: i64,
    /// Partners whose period ended unpaid (denied the panel until they pay).
    pub denied_partners: i64,
    /// The first of them, by purge date (`at`).
    pub denied: Vec<PartnerDue>,
}

async fn named(state: &AppState, sql: &str, binds: &[i64]) -> AppResult<Vec<PartnerDue>> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let rows = q.fetch_all(&state.db.pool).await?;
    rows.iter()
        .map(|r| {
            let at_ms: i64 = r.try_get("at")?;
            Ok(PartnerDue {
                account_id: r.try_get("account_id")?,
                name: r.try_get("name")?,
                at: crate::clock::rfc3339(at_ms),
                at_ms,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The operator's billing figures (operator only).
pub async fn operator_billing(state: &AppState, who: &Identity) -> AppResult<OperatorBilling> {
    access::operator(state, who, Need::Read).await?;
    let now = state.now_ms();
    let live = "JOIN accounts a ON a.id = s.account_id AND a.status <> 'deleted'";
    let trials_ending_this_week: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM subscriptions s {live} \
         WHERE s.status = 'trial' AND s.period_end >= $1 AND s.period_end < $2"
    ))
    .bind(now)
    .bind(now + WEEK_MS)
    .fetch_one(&state.db.pool)
    .await?;
    let trials_ending = named(
        state,
        &format!(
            "SELECT s.account_id, a.name, s.period_end AS at FROM subscriptions s {live} \
             WHERE s.status = 'trial' AND s.period_end >= $1 AND s.period_end < $2 \
             ORDER BY s.period_end, s.account_id LIMIT $3"
        ),
        &[now, now + WEEK_MS, NAMED],
    )
    .await?;
    let inv = sqlx::query(
        "SELECT COUNT(*) AS open, \
         CAST(COALESCE(SUM(CASE WHEN i.due_at < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
         FROM invoices i JOIN accounts a ON a.id = i.account_id AND a.status <> 'deleted' \
         WHERE i.status = 'open'",
    )
    .bind(now)
    .fetch_one(&state.db.pool)
    .await?;
    let denied_partners: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM subscriptions s {live} WHERE s.status = 'suspended'"
    ))
    .fetch_one(&state.db.pool)
    .await?;
    let denied = named(
        state,
        &format!(
            "SELECT s.account_id, a.name, COALESCE(s.purge_at, s.period_end) AS at \
             FROM subscriptions s {live} WHERE s.status = 'suspended' \
             ORDER BY COALESCE(s.purge_at, s.period_end), s.account_id LIMIT $1"
        ),
        &[NAMED],
    )
    .await?;
    Ok(OperatorBilling {
        trials_ending_this_week,
        trials_ending,
        open_invoices: inv.try_get("open")?,
        overdue_invoices: inv.try_get("overdue")?,
        denied_partners,
        denied,
    })
}

/// A partner's (or reseller's) own package and the invoices it still has to pay.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardPackageStatus)]
pub struct PackageStatus {
    pub subscription: Subscription,
    /// Open invoices, newest first.
    pub open_invoices: Vec<Invoice>,
    /// Some open invoice is past its due date.
    pub overdue: bool,
}

/// The package status of an account that holds a package itself (None when it has none), for
/// callers that checked access to it.
pub async fn package_status(
    state: &AppState,
    account_id: AccountId,
) -> AppResult<Option<PackageStatus>> {
    let Some(subscription) = subscription(state, account_id).await? else {
        return Ok(None);
    };
    let open_invoices: Vec<Invoice> = invoices_unchecked(state, account_id)
        .await?
        .into_iter()
        .filter(|i| i.status == "open")
        .collect();
    let now = state.now_ms();
    let overdue = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM invoices WHERE account_id = $1 AND status = 'open' AND due_at < $2 LIMIT 1",
    )
    .bind(account_id)
    .bind(now)
    .fetch_optional(&state.db.pool)
    .await?
    .is_some();
    Ok(Some(PackageStatus {
        subscription,
        open_invoices,
        overdue,
    }))
}
