//! The account tree: kinds, parents, and the closure table that answers "is X below Y".

use super::*;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::db::Db;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::query::like_contains;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// How many accounts of each kind sit below an account (directly and in all), from the rollups.
#[derive(Clone, Debug, Serialize, Default, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub children: i64,
    pub in_subtree: i64,
}

pub async fn counts_below(db: &Db, account_id: i64) -> Result<Vec<KindCount>, sqlx::Error> {
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

pub async fn login_count(db: &Db, account_id: i64) -> Result<i64, sqlx::Error> {
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
    pub page: i64,
    pub per_page: i64,
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
    })
}

/// Checks a list filter and builds its SQL. The subtree's size (from the rollups) picks the
/// plan: a page sorted by name walks the name index, checking each account against the closure,
/// when the subtree is big (at least `WALK_INDEX_FROM`) and holds at least 1% of all accounts, so
/// that a page is found within a few thousand index entries; otherwise the subtree is read as a
/// range of paths and sorted.
pub fn plan_list(
    root: &Account,
    children_only: bool,
    f: &ListFilter,
    sizes: TreeSizes,
) -> AppResult<ListPlan> {
    let TreeSizes {
        below: total_below,
        all: all_accounts,
        path: root_path,
    } = sizes;
    let root_id = root.id;
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::validation(
            "q",
            "Search text must be at most 100 characters",
        ));
    }
    let kind = f.kind.as_deref().filter(|k| !k.is_empty());
    if kind.is_some_and(|k| !KINDS.contains(&k)) {
        return Err(AppError::validation(
            "kind",
            "Kind must be operator, partner, reseller, dealer or customer",
        ));
    }
    let status = f.status.as_deref().filter(|s| !s.is_empty());
    if status.is_some_and(|s| s != "active" && s != "inactive") {
        return Err(AppError::validation(
            "status",
            "Status must be active or inactive",
        ));
    }
    let sort = match f.sort.as_deref().unwrap_or("name") {
        "name" | "" => "a.name",
        "created" => "a.created_at",
        "kind" => "a.kind",
        "status" => "a.status",
        _ => {
            return Err(AppError::validation(
                "sort",
                "Sort by name, created, kind or status",
            ))
        }
    };
    let dir = match f.dir.as_deref().unwrap_or("asc") {
        "asc" | "" => "ASC",
        "desc" => "DESC",
        _ => return Err(AppError::validation("dir", "Direction must be asc or desc")),
    };
    let (page, per_page) = paging(f.page, f.per_page);
    let walk_index = !children_only
        && sort == "a.name"
        && q.is_none()
        && total_below >= WALK_INDEX_FROM
        && total_below * 100 >= all_accounts;

    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM "));
    if children_only {
        sql.push("accounts a WHERE a.parent_id = ").int(root_id);
    } else if walk_index {
        sql.push("accounts a WHERE EXISTS (SELECT 1 FROM account_closure c WHERE c.ancestor_id = ")
            .int(root_id)
            .push(" AND c.descendant_id = a.id AND c.depth > 0)");
    } else {
        // Everything below is one range of paths: after `/1/2/`, before `/1/20`.
        let upper = format!("{}0", root_path.trim_end_matches('/'));
        sql.push("accounts a WHERE a.path > ")
            .str(&root_path)
            .push(" AND a.path < ")
            .str(&upper);
    }
    sql.push(" AND a.status <> 'deleted'");
    if let Some(k) = kind {
        sql.push(" AND a.kind = ").str(k);
    }
    if let Some(s) = status {
        sql.push(" AND a.status = ").str(s);
    }
    if let Some(q) = q {
        sql.push(" AND LOWER(a.name) LIKE ")
            .str(&like_contains(q))
            .push(" ESCAPE '\\'");
    }
    let total = if q.is_none() && status.is_none() && kind.is_none() && !children_only {
        Ok(total_below)
    } else if q.is_none() && status.is_none() {
        let col = if children_only { "direct" } else { "total" };
        let mut t = Sql::new(&format!(
            "SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM account_rollup WHERE account_id = "
        ));
        t.int(root_id);
        if let Some(k) = kind {
            t.push(" AND kind = ").str(k);
        }
        Err(t)
    } else {
        Err(Sql {
            text: format!(
                "SELECT COUNT(*) FROM ({}) x",
                sql.text
                    .replacen(&format!("SELECT {COLUMNS} FROM "), "SELECT a.id FROM ", 1)
            ),
            args: sql.args.clone(),
        })
    };
    sql.push(&format!(" ORDER BY {sort} {dir}, a.id {dir} LIMIT "))
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    Ok(ListPlan {
        items: sql,
        total,
        page,
        per_page,
    })
}

/// Runs a list plan.
pub async fn run_list(db: &Db, plan: &ListPlan) -> Result<Page<Account>, sqlx::Error> {
    let total = match &plan.total {
        Ok(t) => *t,
        Err(sql) => sql.scalar::<i64>().fetch_one(&db.pool).await?,
    };
    let rows = plan.items.query().fetch_all(&db.pool).await?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total,
        page: plan.page,
        per_page: plan.per_page,
    })
}

/// Lists the accounts below `root` (only its children when `children_only`), filtered, sorted and paged.
pub async fn list(
    state: &AppState,
    who: &Identity,
    root: i64,
    children_only: bool,
    f: &ListFilter,
) -> AppResult<Page<Account>> {
    Ok(list_with_root(state, who, root, children_only, f).await?.1)
}

/// Like `list`, also giving back the root account (read once, with the access check).
pub async fn list_with_root(
    state: &AppState,
    who: &Identity,
    root: i64,
    children_only: bool,
    f: &ListFilter,
) -> AppResult<(Account, Page<Account>)> {
    // One round trip: the root if the caller reaches it, with the sizes that pick the plan.
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
    };
    let plan = plan_list(&root, children_only, f, sizes)?;
    let page = run_list(&state.db, &plan).await?;
    Ok((root, page))
}
