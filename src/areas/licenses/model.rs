//! Licenses as stored: the row, reading it, the list of a subtree with its filters, the CSV.

use super::{LicenseState, LicenseType};
use crate::areas::accounts::AccountId;
use crate::areas::licenses::LicenseId;
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

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct License {
    #[schema(value_type = i64)]
    pub id: LicenseId,
    #[schema(value_type = String, example = "login")]
    pub license_type: LicenseType,
    #[schema(value_type = String, example = "active")]
    pub state: LicenseState,
    /// The account that holds it.
    #[schema(value_type = i64)]
    pub holder_id: AccountId,
    pub holder_name: String,
    #[schema(value_type = String)]
    pub holder_kind: Kind,
    /// The account (the holder or one above it) that created it.
    #[schema(value_type = i64)]
    pub issuer_id: AccountId,
    pub issuer_name: String,
    /// A partner license: the partner account it created.
    #[schema(value_type = Option<i64>)]
    pub bound_account_id: Option<AccountId>,
    /// What it is bound to where no account is (a player, a machine); empty for none.
    pub bound_to: String,
    /// Seats of a login or agent license; null for the other types.
    pub seats: Option<i64>,
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// Null: it does not end.
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[serde(skip)]
    pub ends_ms: Option<i64>,
    #[serde(skip)]
    pub starts_ms: i64,
}

impl License {
    /// The end as a day for forms (`2026-12-31`), or empty.
    pub fn end_day(&self) -> String {
        self.ends_at
            .as_deref()
            .map(|e| e.chars().take(10).collect())
            .unwrap_or_default()
    }
    pub fn start_day(&self) -> String {
        self.starts_at.chars().take(10).collect()
    }
}

pub(crate) const COLUMNS: &str =
    "l.id, l.license_type, l.state, l.holder_id, h.name AS holder_name, \
    h.kind AS holder_kind, l.issuer_id, i.name AS issuer_name, l.bound_account_id, l.bound_to, \
    l.seats, l.starts_at, l.ends_at, l.created_at";

pub(crate) const FROM: &str = " FROM licenses l JOIN accounts h ON h.id = l.holder_id \
    JOIN accounts i ON i.id = l.issuer_id";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn from_row(r: &Row) -> Result<License, sqlx::Error> {
    let ends: Option<i64> = r.try_get("ends_at")?;
    let starts: i64 = r.try_get("starts_at")?;
    Ok(License {
        id: r.try_get("id")?,
        license_type: r.try_get("license_type")?,
        state: r.try_get("state")?,
        holder_id: r.try_get("holder_id")?,
        holder_name: r.try_get("holder_name")?,
        holder_kind: r.try_get("holder_kind")?,
        issuer_id: r.try_get("issuer_id")?,
        issuer_name: r.try_get("issuer_name")?,
        bound_account_id: r.try_get("bound_account_id")?,
        bound_to: r.try_get("bound_to")?,
        seats: r.try_get("seats")?,
        starts_at: crate::clock::rfc3339(starts),
        ends_at: ends.map(crate::clock::rfc3339),
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        ends_ms: ends,
        starts_ms: starts,
    })
}

/// A license by id, unchecked (the router checked the id, or the caller did).
pub async fn get(state: &AppState, id: LicenseId) -> AppResult<License> {
    let row = sqlx::query(&format!("SELECT {COLUMNS}{FROM} WHERE l.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(from_row(&row)?)
}

/// A license whose holder the identity reaches with `need`; 404 otherwise.
pub async fn reach(
    state: &AppState,
    who: &Identity,
    id: LicenseId,
    need: Need,
) -> AppResult<License> {
    let l = get(state, id).await?;
    access::account(state, who, l.holder_id, need).await?;
    Ok(l)
}

fn type_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(LicenseType::TEXTS)
}
fn state_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(LicenseState::TEXTS)
}
fn sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(SORTS)
}
fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

const SORTS: &[&str] = &[
    "ends_at",
    "starts_at",
    "holder",
    "type",
    "state",
    "created_at",
];

/// The filters of the license list (the account in view and below).
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenseFilter {
    /// Part of the holder's name, any case (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only this type.
    #[serde(rename = "type")]
    #[param(rename = "type", schema_with = type_values)]
    pub license_type: Option<String>,
    /// Only this state.
    #[param(schema_with = state_values)]
    pub state: Option<String>,
    /// Only licenses held by this account (in view or below).
    pub holder_id: Option<String>,
    /// Ending on or after this day (YYYY-MM-DD).
    pub ends_from: Option<String>,
    /// Ending before the end of this day (YYYY-MM-DD).
    pub ends_to: Option<String>,
    /// Sort column (default ends_at).
    #[param(schema_with = sort_values)]
    pub sort: Option<String>,
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub fn parse_type(field: &str, v: &str) -> AppResult<LicenseType> {
    LicenseType::parse(v.trim()).ok_or_else(|| {
        AppError::validation(
            field,
            "Type must be development, partner, agent, login or player",
        )
    })
}

pub fn parse_state(field: &str, v: &str) -> AppResult<LicenseState> {
    LicenseState::parse(v.trim()).ok_or_else(|| {
        AppError::validation(field, "State must be pending, active, inactive or expired")
    })
}

/// The WHERE part of the list (after `WHERE`), checked: the subtree of the account in view,
/// then each filter. Returns the SQL and the sort clause.
pub(crate) async fn filter_sql(
    state: &AppState,
    who: &Identity,
    f: &LicenseFilter,
) -> AppResult<(Sql, String)> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    let ty = blank(&f.license_type)
        .map(|t| parse_type("type", t))
        .transpose()?;
    let st = blank(&f.state)
        .map(|s| parse_state("state", s))
        .transpose()?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS}{FROM} WHERE 1 = 1"));
    let mut by_end = None;
    if view.kind != Kind::Operator {
        let upper = format!("{}0", view.path.trim_end_matches('/'));
        by_end = walks_by_end(state, &view, ty, st, f).await?;
        let path = if by_end == Some(true) {
            // Walked in `licenses_by_end`, testing the subtree on each row found: SQLite (no
            // histogram of paths without STAT4) would otherwise read the subtree's matches by
            // path and sort them all (the largest partner: 39 ms instead of 0.7).
            "+l.holder_path"
        } else {
            "l.holder_path"
        };
        sql.push(&format!(" AND {path} >= "))
            .str(&view.path)
            .push(&format!(" AND {path} < "))
            .str(&upper);
    }
    if let Some(t) = ty {
        sql.push(" AND l.license_type = ").str(t.as_str());
    }
    if let Some(s) = st {
        sql.push(" AND l.state = ").str(s.as_str());
    }
    if let Some(h) = blank(&f.holder_id) {
        let id: i64 = h
            .parse()
            .map_err(|_| AppError::validation("holder_id", "Holder must be an account id"))?;
        if !access::is_within(state, who.view_account_id, AccountId(id)).await? {
            return Err(AppError::validation(
                "holder_id",
                "No such account in view or below",
            ));
        }
        sql.push(" AND l.holder_id = ").int(id);
    }
    let from = blank(&f.ends_from)
        .map(|d| validate::day("ends_from", d))
        .transpose()?;
    let to = blank(&f.ends_to)
        .map(|d| validate::day("ends_to", d).map(|t| t + 86_400_000))
        .transpose()?;
    if let (Some(a), Some(b)) = (from, to) {
        if b <= a {
            return Err(AppError::validation(
                "ends_to",
                "The last day comes before the first",
            ));
        }
    }
    if let Some(a) = from {
        sql.push(" AND l.ends_at >= ").int(a);
    }
    if let Some(b) = to {
        sql.push(" AND l.ends_at < ").int(b);
    }
    sql.name_contains("h.name", f.q.as_deref())?;
    let dir = match blank(&f.dir) {
        None | Some("asc") => "ASC",
        Some("desc") => "DESC",
        Some(_) => return Err(AppError::validation("dir", "Direction must be asc or desc")),
    };
    let col = match blank(&f.sort).unwrap_or("ends_at") {
        "ends_at" => "l.ends_at",
        "starts_at" => "l.starts_at",
        "holder" => "h.name",
        "type" => "l.license_type",
        "state" => "l.state",
        "created_at" => "l.created_at",
        _ => {
            return Err(AppError::validation(
                "sort",
                "Sort by ends_at, starts_at, holder, type, state or created_at",
            ))
        }
    };
    // Licenses without an end sort last going up, first going down (the same on both databases).
    // A small subtree reads its few matches by path and sorts them: the `+` keeps SQLite from
    // walking `licenses_by_end` for them instead (all 83,000 agent licenses for a partner
    // holding 16: 396 ms instead of 0.3).
    let first = if by_end == Some(false) { "+" } else { "" };
    let order = if col == "l.ends_at" {
        format!(" ORDER BY {first}CASE WHEN l.ends_at IS NULL THEN 1 ELSE 0 END {dir}, l.ends_at {dir}, l.id {dir}")
    } else {
        format!(" ORDER BY {col} {dir}, l.id {dir}")
    };
    Ok((sql, order))
}

/// For a list of one type and state sorted by end, below the operator, on SQLite (PostgreSQL
/// weighs the subtree's range from its statistics): whether to walk `licenses_by_end` in its
/// order, testing the subtree on each row (`Some(true)`), or to read the subtree's matches by
/// path and sort them (`Some(false)`). Walk when the subtree holds at least 1% of those licenses
/// anywhere (the counters say), so that a page is found within about 100 rows per row shown.
/// `None`: another list, left to the planner.
async fn walks_by_end(
    state: &AppState,
    view: &crate::areas::accounts::Account,
    ty: Option<LicenseType>,
    st: Option<LicenseState>,
    f: &LicenseFilter,
) -> AppResult<Option<bool>> {
    let (Some(ty), Some(st)) = (ty, st) else {
        return Ok(None);
    };
    if state.db.backend != crate::kernel::db::Backend::Sqlite
        || !matches!(blank(&f.sort), None | Some("ends_at"))
    {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT COALESCE((SELECT n FROM license_totals WHERE account_id = $1 AND license_type = $2 AND state = $3), 0) AS here, \
                COALESCE((SELECT t.n FROM license_totals t JOIN accounts o ON o.id = t.account_id \
                  WHERE o.kind = 'operator' AND t.license_type = $2 AND t.state = $3), 0) AS everywhere",
    )
    .bind(view.id)
    .bind(ty)
    .bind(st)
    .fetch_one(&state.db.pool)
    .await?;
    let here: i64 = row.try_get("here")?;
    let everywhere: i64 = row.try_get("everywhere")?;
    Ok(Some(here > 0 && here * 100 >= everywhere))
}

/// A page of the licenses of the account in view and below.
pub async fn list(state: &AppState, who: &Identity, f: &LicenseFilter) -> AppResult<Page<License>> {
    let (mut sql, order) = filter_sql(state, who, f).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    // Filtered by type and state only (a tile of the totals): the count is the counters' own,
    // one indexed read at any size instead of counting every matching row.
    let by_counters = [&f.q, &f.holder_id, &f.ends_from, &f.ends_to]
        .iter()
        .all(|v| blank(v).is_none());
    let count = Sql {
        text: sql.text.replacen(
            &format!("SELECT {COLUMNS}{FROM}"),
            "SELECT COUNT(*) FROM licenses l JOIN accounts h ON h.id = l.holder_id",
            1,
        ),
        args: sql.args.clone(),
    };
    sql.push(&order)
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    // The total and the rows read at once, each on its own connection.
    let total = async {
        if !by_counters {
            return Ok::<i64, AppError>(count.scalar::<i64>().fetch_one(&state.db.pool).await?);
        }
        let t = super::totals::of_account(state, who.view_account_id).await?;
        let ty = blank(&f.license_type).and_then(super::LicenseType::parse);
        let st = blank(&f.state).and_then(super::LicenseState::parse);
        Ok(t.types
            .iter()
            .filter(|x| ty.is_none_or(|ty| ty == x.license_type))
            .flat_map(|x| x.states.iter())
            .filter(|c| st.is_none_or(|st| st == c.state))
            .map(|c| c.count)
            .sum())
    };
    let rows = async { Ok::<_, AppError>(sql.query().fetch_all(&state.db.pool).await?) };
    let (total, rows) = tokio::try_join!(total, rows)?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

const CSV_HEADER: [&str; 11] = [
    "id",
    "type",
    "state",
    "holder",
    "holder_id",
    "issuer",
    "seats",
    "bound_to",
    "starts_at",
    "ends_at",
    "created_at",
];

/// The filtered list as CSV, streamed (like the decision history); filters checked first.
pub async fn list_csv(
    state: &AppState,
    who: &Identity,
    f: &LicenseFilter,
) -> AppResult<crate::kernel::csv::Stream> {
    let (mut sql, order) = filter_sql(state, who, f).await?;
    sql.push(&order);
    Ok(crate::kernel::csv::stream(
        state.db.pool.clone(),
        sql,
        &CSV_HEADER,
        |r: &Row, w: &mut crate::kernel::csv::Writer| {
            let l = from_row(r)?;
            let bound = match l.bound_account_id {
                Some(id) => format!("account {id}"),
                None => l.bound_to.clone(),
            };
            w.row(&[
                &l.id.to_string(),
                l.license_type.as_str(),
                l.state.as_str(),
                &l.holder_name,
                &l.holder_id.to_string(),
                &l.issuer_name,
                &l.seats.map(|s| s.to_string()).unwrap_or_default(),
                &bound,
                &l.starts_at,
                l.ends_at.as_deref().unwrap_or(""),
                &l.created_at,
            ]);
            Ok(())
        },
    ))
}
