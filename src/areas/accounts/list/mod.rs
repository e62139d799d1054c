//! The account tree: kinds, parents, and the closure table that answers "is X below Y".

use super::*;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::db::search;
use crate::kernel::db::Backend;
use crate::kernel::db::Db;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

mod plan;
mod quick;
pub use plan::*;
pub use quick::*;

/// How many accounts of each kind sit below an account (directly and in all), from the rollups.
#[derive(Clone, Debug, Serialize, Default, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub children: i64,
    pub in_subtree: i64,
}

pub async fn counts_below(db: &Db, account_id: AccountId) -> Result<Vec<KindCount>, sqlx::Error> {
    let rows = sqlx::query("SELECT kind, direct, total FROM account_rollup WHERE account_id = $1")
        .bind(account_id)
        .fetch_all(&db.pool)
        .await?;
    by_kind(&rows, "direct", "total")
}

/// One entry per kind below the operator, filled from rows of (kind, direct, total).
pub(crate) fn by_kind(
    rows: &[Row],
    direct: &str,
    total: &str,
) -> Result<Vec<KindCount>, sqlx::Error> {
    let mut out: Vec<KindCount> = KINDS[1..]
        .iter()
        .map(|k| KindCount {
            kind: k.to_string(),
            ..Default::default()
        })
        .collect();
    for r in rows {
        let kind: String = r.try_get("kind")?;
        if let Some(k) = out.iter_mut().find(|k| k.kind == kind) {
            k.children = r.try_get(direct)?;
            k.in_subtree = r.try_get(total)?;
        }
    }
    Ok(out)
}

/// The same counts computed from the tree itself (for checks that the rollups are right).
pub async fn counts_below_live(db: &Db, account_id: i64) -> Result<Vec<KindCount>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.kind AS kind, COUNT(CASE WHEN c.depth = 1 THEN 1 END) AS children, COUNT(*) AS in_subtree \
         FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND c.depth > 0 AND a.status <> 'deleted' GROUP BY a.kind",
    )
    .bind(account_id)
    .fetch_all(&db.pool)
    .await?;
    by_kind(&rows, "children", "in_subtree")
}

pub async fn subtree_total(db: &Db, id: i64, kind: Option<&str>) -> Result<i64, sqlx::Error> {
    // SUM is NUMERIC on PostgreSQL: cast back to a 64-bit integer.
    let mut q = Sql::new(
        "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM account_rollup WHERE account_id = ",
    );
    q.int(id);
    if let Some(k) = kind {
        q.push(" AND kind = ").str(k);
    }
    q.scalar::<i64>().fetch_one(&db.pool).await
}

pub async fn login_count(db: &Db, account_id: AccountId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM logins WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&db.pool)
        .await
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFilter {
    /// Part of the name, any case (empty: any name).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only this kind.
    #[param(schema_with = kind_values)]
    pub kind: Option<String>,
    /// Only this status.
    #[param(schema_with = status_values)]
    pub status: Option<String>,
    /// Sort key: name (default), created, kind or status.
    #[param(schema_with = sort_values)]
    pub sort: Option<String>,
    /// asc (default) or desc.
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
    /// The rows after this cursor (a page's `next_after`), in the same sort and direction:
    /// deep pages found through the index instead of counting rows past an offset. `page` is
    /// then only given back, to number the page. A cursor that cannot be read, or of another
    /// sort or direction: 422 `cursor_invalid` with `field` = `after`.
    pub after: Option<String>,
    /// The rows before this cursor (a page's `prev_before`), as `after` the other way.
    pub before: Option<String>,
}

/// Where a keyset page starts: after (or before) the row with this sort value and id, in a
/// sort and direction of its own. Sent as opaque text (URL-safe base64 of
/// `{sort}:{a|d}:{id}:{value}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub sort: String,
    pub desc: bool,
    pub id: i64,
    pub value: CursorValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CursorValue {
    Int(i64),
    Text(String),
}

impl Cursor {
    pub fn encode(&self) -> String {
        use base64::Engine as _;
        let value = match &self.value {
            CursorValue::Int(n) => n.to_string(),
            CursorValue::Text(t) => t.clone(),
        };
        let d = if self.desc { "d" } else { "a" };
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{}:{d}:{}:{value}", self.sort, self.id))
    }

    /// Reads a cursor of the list sorted by `sort` (`desc`); anything else is a 422
    /// `cursor_invalid` naming `field`.
    pub fn decode(text: &str, sort: &str, desc: bool, field: &str) -> AppResult<Cursor> {
        use base64::Engine as _;
        let bad = |why: &str| {
            AppError::field_code(
                ErrorCode::CursorInvalid,
                field,
                format!("This page cursor {why}: start again from the first page"),
            )
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| bad("cannot be read"))?;
        let text = String::from_utf8(bytes).map_err(|_| bad("cannot be read"))?;
        let mut parts = text.splitn(4, ':');
        let (Some(k), Some(d), Some(id), Some(value)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("cannot be read"));
        };
        let id: i64 = id.parse().map_err(|_| bad("cannot be read"))?;
        let c_desc = match d {
            "a" => false,
            "d" => true,
            _ => return Err(bad("cannot be read")),
        };
        if k != sort || c_desc != desc {
            return Err(bad("belongs to another sort or direction"));
        }
        let value = if sort == "created" {
            CursorValue::Int(value.parse().map_err(|_| bad("cannot be read"))?)
        } else {
            if value.chars().count() > 400 {
                return Err(bad("cannot be read"));
            }
            CursorValue::Text(value.to_string())
        };
        Ok(Cursor {
            sort: k.to_string(),
            desc,
            id,
            value,
        })
    }
}

fn kind_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(super::KINDS)
}

fn status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["active", "inactive"])
}

fn sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["name", "created", "kind", "status"])
}

fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

/// Lists the accounts below `root` (only its children when `children_only`), filtered, sorted and paged.
/// The SQL a list runs: the page of rows, and how its total is counted (or the total itself,
/// when the rollups already tell it).
pub struct ListPlan {
    pub items: Sql,
    pub total: Result<i64, Sql>,
    /// The total is counted up to this many (a larger count is given as the cap, capped).
    pub total_cap: Option<i64>,
    pub page: i64,
    pub per_page: i64,
    /// The sort key (name, created, kind, status) and direction, for the cursors of the page.
    pub sort: &'static str,
    pub desc: bool,
    /// A page asked for `before` a cursor: read the other way round, then put back in order.
    pub backwards: bool,
    /// A page asked for by cursor (`after` or `before`), not by number.
    pub by_cursor: bool,
}

/// A page of accounts with the cursors of the pages around it.
pub struct Listed {
    pub page: Page<Account>,
    /// The cursor of the page after (none: this is the last page).
    pub next_after: Option<String>,
    /// The cursor of the page before (none: this is the first page).
    pub prev_before: Option<String>,
}

/// A page of accounts, as the API gives it: a page by number, or by cursor.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AccountPage {
    pub items: Vec<Account>,
    /// Rows matching, on all pages; when `total_capped`, at least this many.
    pub total: i64,
    /// True when `total` is a cap reached while counting, not the exact number.
    pub total_capped: bool,
    /// The page number asked for (with a cursor: as sent, only a label).
    pub page: i64,
    pub per_page: i64,
    /// Send as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
    /// Send as `before` for the page before; null on the first page.
    pub prev_before: Option<String>,
}

impl From<Listed> for AccountPage {
    fn from(l: Listed) -> AccountPage {
        AccountPage {
            items: l.page.items,
            total: l.page.total,
            total_capped: l.page.total_capped,
            page: l.page.page,
            per_page: l.page.per_page,
            next_after: l.next_after,
            prev_before: l.prev_before,
        }
    }
}

/// Sizes that choose a list's plan, read in one query.
#[derive(Clone, Debug)]
pub struct TreeSizes {
    /// Accounts below the root of the list.
    pub below: i64,
    /// Accounts in the whole panel (below the operator).
    pub all: i64,
    /// The root's path.
    pub path: String,
    /// For a search text of three characters or more: the accounts of the whole panel whose
    /// name holds it, counted up to `SEARCH_CANDIDATES` (see `search_candidates`).
    pub candidates: Option<i64>,
}

pub async fn tree_sizes(db: &Db, root: &Account) -> Result<TreeSizes, sqlx::Error> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN r.account_id = $1 THEN r.total ELSE 0 END), 0) AS BIGINT) AS below, \
                CAST(COALESCE(SUM(CASE WHEN a.parent_id IS NULL THEN r.total ELSE 0 END), 0) AS BIGINT) AS everything \
         FROM account_rollup r JOIN accounts a ON a.id = r.account_id \
         WHERE r.account_id = $1 OR r.account_id = (SELECT id FROM accounts WHERE kind = 'operator')",
    )
    .bind(root.id)
    .fetch_one(&db.pool)
    .await?;
    Ok(TreeSizes {
        below: r.try_get("below")?,
        all: r.try_get("everything")?,
        path: root.path.clone(),
        candidates: None,
    })
}

/// Subtrees of at most this many accounts are searched by reading them (a range of paths).
pub const SEARCH_SCAN_UP_TO: i64 = 5000;
/// A fragment found in fewer accounts than this (in the whole panel) is searched through the
/// trigram index; one found more often walks the subtree's accounts by name instead, where
/// matches are dense enough that a page is found within a few thousand index entries.
pub const SEARCH_CANDIDATES: i64 = 5000;
/// A search that walks the name index counts its matches up to this many: past it the total is
/// given as this number with `total_capped` (shown as "1,000+").
pub const SEARCH_TOTAL_CAP: i64 = 1000;

/// How a name search over a subtree finds its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchPlan {
    /// Read the subtree (a range of paths, or the children) and test each folded name.
    Scan,
    /// Take the accounts the trigram index gives for the fragment and keep those in the subtree.
    Candidates,
    /// Walk the subtree's accounts by name and test each folded name, stopping at a page.
    Walk,
}

/// How many accounts of the whole panel the trigram index gives for a search text, counted up
/// to `SEARCH_CANDIDATES` (`None` when the text is shorter than three characters).
pub async fn search_candidates(db: &Db, q: Option<&str>) -> Result<Option<i64>, sqlx::Error> {
    let Some(fq) = q.map(str::trim).filter(|q| !q.is_empty()).map(search::fold) else {
        return Ok(None);
    };
    if !search::uses_trigrams(&fq) || fq.chars().count() > 100 {
        return Ok(None);
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM (");
    search::push_candidates(&mut sql, db.backend, &fq);
    sql.push(&format!(" LIMIT {SEARCH_CANDIDATES}) x"));
    Ok(Some(sql.scalar::<i64>().fetch_one(&db.pool).await?))
}

/// Runs a list plan.
pub async fn run_list(db: &Db, plan: &ListPlan) -> Result<Page<Account>, sqlx::Error> {
    Ok(run_listed(db, plan).await?.page)
}

/// Runs a list plan, with the cursors of the pages around the page.
pub async fn run_listed(db: &Db, plan: &ListPlan) -> Result<Listed, sqlx::Error> {
    let mut total = match &plan.total {
        Ok(t) => *t,
        Err(sql) => sql.scalar::<i64>().fetch_one(&db.pool).await?,
    };
    let capped = plan.total_cap.is_some_and(|cap| total > cap);
    if let Some(cap) = plan.total_cap.filter(|_| capped) {
        total = cap;
    }
    let mut rows = plan.items.query().fetch_all(&db.pool).await?;
    // The extra row: more rows lie that way.
    let more = rows.len() as i64 > plan.per_page;
    rows.truncate(plan.per_page as usize);
    if plan.backwards {
        rows.reverse();
    }
    let (has_next, has_prev) = match (plan.by_cursor, plan.backwards) {
        (true, true) => (true, more),
        (true, false) => (more, true),
        (false, _) => (more, plan.page > 1),
    };
    let next_after = match rows.last() {
        Some(r) if has_next => Some(cursor_of(r, plan.sort, plan.desc)?),
        _ => None,
    };
    let prev_before = match rows.first() {
        Some(r) if has_prev => Some(cursor_of(r, plan.sort, plan.desc)?),
        _ => None,
    };
    Ok(Listed {
        page: Page {
            items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
            total,
            total_capped: capped,
            page: plan.page,
            per_page: plan.per_page,
        },
        next_after,
        prev_before,
    })
}

/// Lists the accounts below `root` (only its children when `children_only`), filtered, sorted and paged.
pub async fn list(
    state: &AppState,
    who: &Identity,
    root: AccountId,
    children_only: bool,
    f: &ListFilter,
) -> AppResult<Listed> {
    Ok(list_with_root(state, who, root, children_only, f).await?.1)
}

/// Like `list`, also giving back the root account (read once, with the access check).
pub async fn list_with_root(
    state: &AppState,
    who: &Identity,
    root: AccountId,
    children_only: bool,
    f: &ListFilter,
) -> AppResult<(Account, Listed)> {
    let (root, sizes) = reached_root(state, who, root).await?;
    let plan = plan_with_candidates(&state.db, &root, children_only, f, sizes).await?;
    let listed = run_listed(&state.db, &plan).await?;
    Ok((root, listed))
}

/// Plans a list, first counting the trigram index's candidates when a search over a subtree too
/// big to read whole may take them (see `plan_list`).
pub(super) async fn plan_with_candidates(
    db: &Db,
    root: &Account,
    children_only: bool,
    f: &ListFilter,
    sizes: TreeSizes,
) -> AppResult<ListPlan> {
    let candidates = if children_only || sizes.below <= SEARCH_SCAN_UP_TO {
        None
    } else {
        search_candidates(db, f.q.as_deref()).await?
    };
    let sizes = TreeSizes {
        candidates,
        ..sizes
    };
    plan_list(db.backend, root, children_only, f, sizes)
}

/// The root of a list if the caller reaches it (404 otherwise, 403 without the role to read),
/// with the sizes that pick the plan (no search candidates yet), in one round trip.
pub(super) async fn reached_root(
    state: &AppState,
    who: &Identity,
    root: AccountId,
) -> AppResult<(Account, TreeSizes)> {
    let q = format!(
        "SELECT {COLUMNS}, \
           (SELECT CAST(COALESCE(SUM(r.total), 0) AS BIGINT) FROM account_rollup r WHERE r.account_id = a.id) AS below, \
           (SELECT CAST(COALESCE(SUM(r.total), 0) AS BIGINT) FROM account_rollup r \
             WHERE r.account_id = (SELECT o.id FROM accounts o WHERE o.kind = 'operator')) AS everything \
         FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND c.descendant_id = $2 AND a.status <> 'deleted'"
    );
    let row = sqlx::query(&q)
        .bind(who.view_account_id)
        .bind(root)
        .fetch_optional(&state.db.pool)
        .await?;
    let Some(row) = row else {
        return Err(AppError::NotFound);
    };
    access::require(who, Need::Read)?;
    let root = from_row(&row)?;
    let sizes = TreeSizes {
        below: row.try_get("below")?,
        all: row.try_get("everything")?,
        path: root.path.clone(),
        candidates: None,
    };
    Ok((root, sizes))
}
