//! Partner onboarding: public registration, partnership requests, the operator's decision, the
//! history of decisions, operator settings and "My partners".

use super::*;
use crate::areas::accounts;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::validate::text;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryFilter {
    /// Part of the partner (company) name (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only this decision.
    #[param(schema_with = decision_values)]
    pub decision: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn decision_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["approved", "rejected"])
}

fn subscription_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of_or_null(&["trial", "active", "suspended"])
}

pub(crate) fn history_sql(f: &HistoryFilter) -> AppResult<Sql> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM partnership_requests WHERE status <> 'pending'"
    ));
    sql.name_contains("company_name", f.q.as_deref())?;
    match f.decision.as_deref().unwrap_or("") {
        "" => {}
        d @ ("approved" | "rejected") => {
            sql.push(" AND status = ").str(d);
        }
        _ => {
            return Err(AppError::validation(
                "decision",
                "Decision is approved or rejected",
            ))
        }
    }
    Ok(sql)
}

/// Decided requests, newest first, searchable by partner name.
pub async fn history(
    state: &AppState,
    who: &Identity,
    f: &HistoryFilter,
) -> AppResult<Page<PartnershipRequest>> {
    access::operator(state, who, Need::Read).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let sql = history_sql(f)?;
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let total = count.scalar::<i64>().fetch_one(&state.db.pool).await?;
    let mut sql = sql;
    sql.push(" ORDER BY decided_at DESC, id DESC LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

pub async fn history_csv(
    state: &AppState,
    who: &Identity,
    f: &HistoryFilter,
) -> AppResult<Vec<u8>> {
    access::operator(state, who, Need::Read).await?;
    let mut sql = history_sql(f)?;
    sql.push(" ORDER BY decided_at DESC, id DESC LIMIT 100000");
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    let mut w = crate::kernel::csv::Writer::new();
    w.row(&[
        "decided_at",
        "partner",
        "contact",
        "email",
        "package",
        "price",
        "decision",
        "reason",
        "decided_by",
    ]);
    for r in rows.iter().map(from_row) {
        let r = r?;
        w.row(&[
            r.decided_at.as_deref().unwrap_or(""),
            &r.company_name,
            &r.contact_name,
            &r.email,
            &r.package_name,
            &r.price_label,
            &r.status,
            r.reason.as_deref().unwrap_or(""),
            r.decided_by.as_deref().unwrap_or(""),
        ]);
    }
    Ok(w.finish())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PartnerRow {
    pub account: accounts::Account,
    pub package_name: Option<String>,
    #[schema(schema_with = subscription_status_values)]
    pub subscription_status: Option<String>,
    #[schema(format = DateTime)]
    pub period_end: Option<String>,
    pub external_invoice_id: String,
    /// The partner's channels, with follower counts.
    pub channels: Vec<crate::areas::channels::Channel>,
    /// Add-ons switched on for the partner.
    pub addons: Vec<String>,
}

/// The partners directly under the operator, with package and status.
/// The sort keys of My partners and the SQL behind each (ties by id).
pub const PARTNER_SORTS: [(&str, &str); 4] = [
    ("name", "a.name"),
    ("package", "COALESCE(p.name, '')"),
    ("status", "COALESCE(s.status, '')"),
    ("period_end", "COALESCE(s.period_end, 0)"),
];

pub async fn my_partners(
    state: &AppState,
    who: &Identity,
    q: Option<&str>,
    params: &crate::kernel::http::table::ListParams,
) -> AppResult<crate::kernel::query::Page<PartnerRow>> {
    partners_where(state, who, q, None, params).await
}

/// One partner directly under the operator, as My partners lists it (404 otherwise).
pub async fn my_partner(state: &AppState, who: &Identity, id: AccountId) -> AppResult<PartnerRow> {
    let params = crate::kernel::http::table::ListParams::default();
    partners_where(state, who, None, Some(id.get()), &params)
        .await?
        .items
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

async fn partners_where(
    state: &AppState,
    who: &Identity,
    q: Option<&str>,
    only: Option<i64>,
    params: &crate::kernel::http::table::ListParams,
) -> AppResult<crate::kernel::query::Page<PartnerRow>> {
    let order = params.sort(&PARTNER_SORTS, false)?;
    let (page, per_page) = params.paging();
    let op = access::operator(state, who, Need::Read).await?;
    let mut sql = Sql::new(&format!(
        "SELECT {}, p.name AS package_name, s.status AS sub_status, s.period_end, COALESCE(s.external_invoice_id, '') AS ext \
         FROM accounts a LEFT JOIN subscriptions s ON s.account_id = a.id LEFT JOIN packages p ON p.id = s.package_id \
         WHERE a.parent_id = ",
        accounts::COLUMNS
    ));
    sql.int(op.id)
        .push(" AND a.kind = 'partner' AND a.status <> 'deleted'");
    if let Some(id) = only {
        sql.push(" AND a.id = ").int(id);
    }
    crate::kernel::db::search::push_name_filter(&mut sql, "a", q)?;
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let total = count.scalar::<i64>().fetch_one(&state.db.pool).await?;
    sql.push(&order.order_by("a.id"))
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(PartnerRow {
            account: accounts::account_from_row(&r)?,
            package_name: r.try_get("package_name")?,
            subscription_status: r.try_get("sub_status")?,
            period_end: r
                .try_get::<Option<i64>, _>("period_end")?
                .map(crate::clock::rfc3339),
            external_invoice_id: r.try_get("ext")?,
            channels: Vec::new(),
            addons: Vec::new(),
        });
    }
    let ids: Vec<AccountId> = out.iter().map(|p| p.account.id).collect();
    for c in crate::areas::channels::of_accounts(state, &ids).await? {
        if let Some(p) = out.iter_mut().find(|p| p.account.id == c.account_id) {
            p.channels.push(c);
        }
    }
    if !ids.is_empty() {
        let list = ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!(
            "SELECT pa.account_id, a.name FROM partner_addons pa JOIN addons a ON a.id = pa.addon_id \
             WHERE pa.account_id IN ({list}) ORDER BY a.name"
        ))
        .fetch_all(&state.db.pool)
        .await?;
        for r in rows {
            let id: i64 = r.try_get("account_id")?;
            if let Some(p) = out.iter_mut().find(|p| p.account.id == id) {
                p.addons.push(r.try_get("name")?);
            }
        }
    }
    Ok(crate::kernel::query::Page {
        items: out,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// Sets the id the operator's billing system knows a partner by.
pub async fn set_external_invoice_id(
    state: &AppState,
    who: &Identity,
    partner: AccountId,
    value: &str,
) -> AppResult<()> {
    let op = access::operator(state, who, Need::Admin).await?;
    let value = text("external_invoice_id", value, 100, false)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE subscriptions SET external_invoice_id = $1, updated_at = $2 WHERE account_id = $3 \
         AND account_id IN (SELECT id FROM accounts WHERE parent_id = $4 AND kind = 'partner')",
    )
    .bind(&value)
    .bind(now)
    .bind(partner)
    .bind(op.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(partner),
            action: "partner.external_invoice_id",
            target_type: Some("account"),
            target_id: Some(partner.to_string()),
            detail: Some(value),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
