//! The SQL of customers: a page of the customers directly under an account (the page of ids
//! first, walking the index, then their rows), one customer, the counts shown beside them.

use super::model::*;
use crate::areas::accounts::AccountId;
use crate::kernel::db::search;
use crate::kernel::db::Db;
use crate::kernel::http::table::Sort;
use crate::kernel::query::Sql;

/// A customer's row with its owner and counts; `{ids}` is the query of the ids to show.
const CUSTOMER_COLUMNS: &str = "a.id, a.name, a.email, a.status, a.parent_id AS owner_id, \
     p.name AS owner_name, p.kind AS owner_kind, a.created_at, \
     (SELECT COUNT(*) FROM logins l WHERE l.account_id = a.id) AS logins, \
     (SELECT COUNT(*) FROM brands b WHERE b.account_id = a.id) AS rebranded";

/// The filter of a list, already checked.
pub struct ListQuery<'a> {
    pub owner_id: AccountId,
    pub q: Option<&'a str>,
    pub status: Option<&'a str>,
    pub sort: Sort,
    pub page: i64,
    pub per_page: i64,
}

/// The ids of the customers directly under the owner, filtered (no order).
fn ids_sql(l: &ListQuery) -> Sql {
    let mut sql = Sql::new("SELECT a.id FROM accounts a WHERE a.parent_id = ");
    sql.int(l.owner_id)
        .push(" AND a.kind = 'customer' AND a.status <> 'deleted'");
    if let Some(q) = l.q {
        sql.push(" AND (a.name_folded LIKE ")
            .str(&search::like_pattern(&search::fold(q)))
            .push(" ESCAPE '\\' OR LOWER(COALESCE(a.email, '')) LIKE ")
            .str(&crate::kernel::query::like_contains(q))
            .push(" ESCAPE '\\')");
    }
    if let Some(s) = l.status {
        sql.push(" AND a.status = ").str(s);
    }
    sql
}

/// A page of customers and the number of all that match.
pub async fn list(db: &Db, l: &ListQuery<'_>) -> Result<(i64, Vec<Customer>), sqlx::Error> {
    let ids = ids_sql(l);
    // The total and the page read at once, each on its own connection.
    let total = async {
        if l.q.is_none() && l.status.is_none() {
            // Every customer directly under the owner is in its rollup.
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(COALESCE(SUM(direct), 0) AS BIGINT) FROM account_rollup \
                 WHERE account_id = $1 AND kind = 'customer'",
            )
            .bind(l.owner_id)
            .fetch_one(&db.pool)
            .await
        } else {
            Sql {
                text: format!("SELECT COUNT(*) FROM ({}) x", ids.text),
                args: ids.args.clone(),
            }
            .scalar::<i64>()
            .fetch_one(&db.pool)
            .await
        }
    };
    let order = l.sort.order_by("a.id");
    // The page's ids walk the index in order; only their rows are read and counted. The page
    // is the outer loop (CROSS JOIN keeps that order on SQLite, a plain join on PostgreSQL):
    // else SQLite 3.46 may meet the outer ORDER BY by walking the name index of every account
    // in the panel and probing the page for each (12 ms instead of 0.6 ms for 10,000
    // customers, growing with the whole panel).
    let mut sql = Sql {
        text: format!("SELECT {CUSTOMER_COLUMNS} FROM ({}{order} LIMIT ", ids.text),
        args: ids.args.clone(),
    };
    sql.int(l.per_page)
        .push(" OFFSET ")
        .int((l.page - 1) * l.per_page)
        .push(&format!(
            ") pg CROSS JOIN accounts a JOIN accounts p ON p.id = a.parent_id WHERE a.id = pg.id{order}"
        ));
    let (total, rows) = tokio::try_join!(total, sql.query().fetch_all(&db.pool))?;
    let items = rows
        .iter()
        .map(customer_from_row)
        .collect::<Result<_, _>>()?;
    Ok((total, items))
}

/// One customer (not deleted).
pub async fn get(db: &Db, id: AccountId) -> Result<Option<Customer>, sqlx::Error> {
    let q = format!(
        "SELECT {CUSTOMER_COLUMNS} FROM accounts a JOIN accounts p ON p.id = a.parent_id \
         WHERE a.id = $1 AND a.kind = 'customer' AND a.status <> 'deleted'"
    );
    let row = sqlx::query(&q).bind(id).fetch_optional(&db.pool).await?;
    row.as_ref().map(customer_from_row).transpose()
}

/// Sets a customer's name and email in `tx`.
pub async fn update_in(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    id: AccountId,
    name: &str,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE accounts SET name = $1, email = $2, updated_at = $3, name_folded = $5 WHERE id = $4",
    )
    .bind(name)
    .bind(email)
    .bind(now)
    .bind(id)
    .bind(search::fold(name))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The accounts directly under `owner_id` that have customers of their own (partners, resellers,
/// dealers), by name, with how many customers each has; at most `limit`.
/// Up to this many partners, resellers and dealers directly below, `rows_below` sorts them all.
const FEW_BELOW: i64 = 2000;

pub async fn rows_below(
    db: &Db,
    owner_id: AccountId,
    q: Option<&str>,
    limit: i64,
) -> Result<Vec<(i64, String, String, i64)>, sqlx::Error> {
    // How many there are, from the rollup: none (the common case: a partner with only
    // customers below) reads nothing more; a few are read through the (parent_id, kind, id)
    // index and sorted; many are read walking the children by name until the page is full
    // (walking by name past thousands of customers to find a few would cost the page).
    let below: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(direct), 0) AS BIGINT) FROM account_rollup \
         WHERE account_id = $1 AND kind IN ('partner', 'reseller', 'dealer')",
    )
    .bind(owner_id)
    .fetch_one(&db.pool)
    .await?;
    if below == 0 {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT a.id, a.name, a.kind, COALESCE((SELECT r.direct FROM account_rollup r \
         WHERE r.account_id = a.id AND r.kind = 'customer'), 0) AS customers FROM ",
    );
    if below <= FEW_BELOW {
        // CROSS JOIN keeps the ids of the kinds as SQLite's outer loop.
        sql.push("(SELECT k.id FROM accounts k WHERE k.parent_id = ")
            .int(owner_id)
            .push(
                " AND k.kind IN ('partner', 'reseller', 'dealer')) k CROSS JOIN accounts a \
                 WHERE a.id = k.id",
            );
    } else {
        sql.push("accounts a WHERE a.parent_id = ")
            .int(owner_id)
            .push(" AND a.kind IN ('partner', 'reseller', 'dealer')");
    }
    sql.push(" AND a.status <> 'deleted'");
    if let Some(q) = q {
        search::push_contains(&mut sql, "a", &search::fold(q));
    }
    sql.push(" ORDER BY a.name, a.id LIMIT ").int(limit);
    let rows = sql.query().fetch_all(&db.pool).await?;
    use sqlx::Row as _;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("name")?,
                r.try_get("kind")?,
                r.try_get("customers")?,
            ))
        })
        .collect()
}
