//! Requests and the approval inbox: a partner asks (an add-on, a broadcast to non-followers, an
//! advertising package, an ad campaign); the account the request is addressed to (the operator)
//! approves or rejects it once, and approval takes effect in the same transaction.

use super::*;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::db::Row;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryFilter {
    /// Part of the partner's name (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only this type.
    #[serde(rename = "type")]
    #[param(schema_with = history_kinds)]
    pub kind: Option<String>,
    /// Only this decision.
    #[param(schema_with = decision_values)]
    pub decision: Option<String>,
    /// First day (YYYY-MM-DD, UTC), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, UTC), inclusive; not before `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Sort key: date (default, newest first), partner, type or decision; ties by request.
    #[param(schema_with = history_sort_values)]
    pub sort: Option<String>,
    /// asc or desc (default: desc for date, asc for the others).
    #[param(schema_with = history_dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The sort keys of the decision history and the SQL behind each.
pub const HISTORY_SORTS: [(&str, &str); 4] = [
    ("date", "h.decided_at"),
    ("partner", "h.partner"),
    ("type", "h.kind"),
    ("decision", "h.status"),
];

fn history_sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["date", "partner", "type", "decision"])
}

fn history_dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

impl HistoryFilter {
    /// The sort asked for, checked against `HISTORY_SORTS` (422 naming `sort` or `dir`).
    pub fn order(&self) -> AppResult<crate::kernel::http::table::Sort> {
        let p = crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            ..Default::default()
        };
        let mut s = p.sort(&HISTORY_SORTS, true)?;
        if s.key == "date" && self.dir.as_deref().map(str::trim).unwrap_or("").is_empty() {
            s.desc = true;
        }
        Ok(s)
    }
}

fn history_kinds() -> utoipa::openapi::Object {
    let kinds: Vec<&str> = std::iter::once("partnership")
        .chain(super::KINDS.iter().map(|(k, _)| *k))
        .collect();
    crate::kernel::http::openapi::one_of(&kinds)
}

fn decision_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["approved", "rejected"])
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: i64,
    #[serde(rename = "type")]
    #[schema(schema_with = history_kinds)]
    pub kind: String,
    pub type_label: String,
    pub title: String,
    pub partner: String,
    #[schema(schema_with = decision_values)]
    pub decision: String,
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub decided_at: String,
    /// The email of the login that decided.
    pub decided_by: String,
}

/// Decisions of the account in view: its requests, and for the operator its partnership requests.
pub fn history_sql(operator: bool, view: AccountId, f: &HistoryFilter) -> AppResult<Sql> {
    let mut sql = Sql::new(
        "SELECT h.id, h.kind, h.title, h.partner, h.status, h.reason, h.decided_at, h.decided_by FROM (\
         SELECT r.id, r.kind, r.title, a.name AS partner, r.status, r.reason, r.decided_at, \
         COALESCE(r.decided_by_email, '') AS decided_by \
         FROM requests r JOIN accounts a ON a.id = r.account_id \
         WHERE r.addressee_id = ",
    );
    sql.int(view)
        .push(" AND r.status IN ('approved', 'rejected')");
    if operator {
        sql.push(
            " UNION ALL SELECT p.id, 'partnership', p.company_name || CASE WHEN p.kind = 'reseller' THEN ' (reseller, ' ELSE ' (' END || p.package_name || ')', p.company_name, \
             p.status, p.reason, p.decided_at, COALESCE(p.decided_by_email, '') \
             FROM partnership_requests p WHERE p.status <> 'pending'",
        );
    }
    sql.push(") h WHERE 1 = 1");
    sql.name_contains("h.partner", f.q.as_deref())?;
    match f.kind.as_deref().map(str::trim).unwrap_or("") {
        "" => {}
        "partnership" => {
            sql.push(" AND h.kind = 'partnership'");
        }
        k => {
            if let Some(k) = check_kind(Some(k))? {
                sql.push(" AND h.kind = ").str(k.as_str());
            }
        }
    }
    match f.decision.as_deref().unwrap_or("") {
        "" => {}
        d @ ("approved" | "rejected") => {
            sql.push(" AND h.status = ").str(d);
        }
        _ => {
            return Err(AppError::validation(
                "decision",
                "Decision is approved or rejected",
            ))
        }
    }
    let from = match f.from.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => Some(validate::day("from", v)?),
        None => None,
    };
    let to = match f.to.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => Some(validate::day("to", v)? + 86_400_000),
        None => None,
    };
    if let (Some(a), Some(b)) = (from, to) {
        if b <= a {
            return Err(AppError::validation(
                "to",
                "The last day must not come before the first",
            ));
        }
    }
    if let Some(a) = from {
        sql.push(" AND h.decided_at >= ").int(a);
    }
    if let Some(b) = to {
        sql.push(" AND h.decided_at < ").int(b);
    }
    Ok(sql)
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn decision_from_row(r: &Row) -> Result<Decision, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Decision {
        id: r.try_get("id")?,
        type_label: kind_label(&kind).to_string(),
        kind,
        title: r.try_get("title")?,
        partner: r.try_get("partner")?,
        decision: r.try_get("status")?,
        reason: r.try_get("reason")?,
        decided_at: r
            .try_get::<Option<i64>, _>("decided_at")?
            .map(crate::clock::rfc3339)
            .unwrap_or_default(),
        decided_by: r.try_get("decided_by")?,
    })
}

pub(crate) async fn history_base(
    state: &AppState,
    who: &Identity,
    f: &HistoryFilter,
) -> AppResult<Sql> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    let operator = access::operator(state, who, Need::Read).await.is_ok();
    history_sql(operator, who.view_account_id, f)
}

pub async fn history(
    state: &AppState,
    who: &Identity,
    f: &HistoryFilter,
) -> AppResult<Page<Decision>> {
    let order = f.order()?;
    let sql = history_base(state, who, f).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let total = count.scalar::<i64>().fetch_one(&state.db.pool).await?;
    let mut sql = sql;
    // Requests and partnership requests have ids of their own: the type breaks their ties.
    let d = if order.desc { "DESC" } else { "ASC" };
    sql.push(&order.order_by("h.id"))
        .push(&format!(", h.kind {d}"))
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    Ok(Page {
        items: rows
            .iter()
            .map(decision_from_row)
            .collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// The filtered history as CSV, streamed: rows go out in chunks as they are read, so memory
/// stays flat however many there are. Filters are checked before the first byte.
pub async fn history_csv(
    state: &AppState,
    who: &Identity,
    f: &HistoryFilter,
) -> AppResult<crate::kernel::csv::Stream> {
    let mut sql = history_base(state, who, f).await?;
    sql.push(HISTORY_ORDER);
    Ok(crate::kernel::csv::stream(
        state.db.pool.clone(),
        sql,
        &HISTORY_HEADER,
        |r: &Row, w: &mut crate::kernel::csv::Writer| {
            let d = decision_from_row(r)?;
            w.row(&[
                &d.decided_at,
                &d.type_label,
                &d.title,
                &d.partner,
                &d.decision,
                d.reason.as_deref().unwrap_or(""),
                &d.decided_by,
                &d.id.to_string(),
            ]);
            Ok(())
        },
    ))
}

/// What a customer (an end-user) is shown: the broadcasts sent to it (from channels it does not
/// follow, since it exists) and the ad campaigns live now.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Engagements {
    pub broadcasts: Vec<Request>,
    pub ads: Vec<Request>,
}

pub async fn engagements(state: &AppState, who: &Identity) -> AppResult<Engagements> {
    let me = access::account(state, who, who.view_account_id, Need::Read).await?;
    if me.kind != Kind::Customer {
        return Err(AppError::forbidden("engagements are shown to customers"));
    }
    let now = state.now_ms();
    let mut b = Sql::new(SELECT);
    b.push(" WHERE r.kind = 'broadcast' AND b.status = 'sent' AND b.sent_at >= (SELECT created_at FROM accounts WHERE id = ")
        .int(me.id)
        .push(") AND NOT EXISTS (SELECT 1 FROM channel_followers f WHERE f.channel_id = r.channel_id AND f.customer_id = ")
        .int(me.id)
        .push(") ORDER BY b.sent_at DESC, r.id DESC LIMIT 50");
    let mut a = Sql::new(SELECT);
    a.push(" WHERE r.kind = 'ad' AND r.status = 'approved' AND r.starts_at <= ")
        .int(now)
        .push(" AND r.ends_at > ")
        .int(now)
        .push(" AND a.status = 'active' ORDER BY r.starts_at DESC, r.id DESC LIMIT 20");
    let read = |rows: Vec<Row>| {
        rows.iter()
            .map(|r| from_row(r, now))
            .collect::<Result<Vec<_>, _>>()
    };
    let mut e = Engagements {
        broadcasts: read(b.query().fetch_all(&state.db.pool).await?)?,
        ads: read(a.query().fetch_all(&state.db.pool).await?)?,
    };
    seen_by(state, who, &mut e.broadcasts).await?;
    seen_by(state, who, &mut e.ads).await?;
    Ok(e)
}
