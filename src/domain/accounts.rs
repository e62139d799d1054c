//! The account tree: kinds, parents, and the closure table that answers "is X below Y".

use serde::Serialize;
use sqlx::Row as _;

use crate::db::{Db, Row};

pub const KINDS: [&str; 5] = ["operator", "partner", "reseller", "dealer", "customer"];

#[derive(Clone, Debug, Serialize)]
pub struct Account {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub email: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "id, parent_id, kind, name, status, email, created_at";

fn from_row(r: &Row) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        status: r.try_get("status")?,
        email: r.try_get("email")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Account>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
    let row = sqlx::query(&q).bind(id).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn operator(db: &Db) -> Result<Option<Account>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM accounts WHERE kind = 'operator'");
    let row = sqlx::query(&q).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// Inserts an account under `parent_id` (or the root) and its closure rows, in `conn`'s transaction.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    now_ms: i64,
    parent_id: Option<i64>,
    kind: &str,
    name: &str,
    email: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let depth: i64 = match parent_id {
        Some(p) => {
            sqlx::query_scalar::<_, i64>("SELECT depth FROM accounts WHERE id = $1")
                .bind(p)
                .fetch_one(&mut *conn)
                .await?
                + 1
        }
        None => 0,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (parent_id, kind, name, email, depth, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(parent_id)
    .bind(kind)
    .bind(name)
    .bind(email)
    .bind(depth)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO account_closure (ancestor_id, descendant_id, depth) \
         SELECT ancestor_id, $1, depth + 1 FROM account_closure WHERE descendant_id = $2 \
         UNION ALL SELECT $1, $1, 0",
    )
    .bind(id)
    .bind(parent_id.unwrap_or(-1))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// How many accounts of each kind sit below `account_id` (directly and in all), for the dashboard.
#[derive(Clone, Debug, Serialize, Default)]
pub struct KindCount {
    pub kind: String,
    pub children: i64,
    pub in_subtree: i64,
}

pub async fn counts_below(db: &Db, account_id: i64) -> Result<Vec<KindCount>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.kind AS kind, \
                COUNT(CASE WHEN c.depth = 1 THEN 1 END) AS children, \
                COUNT(*) AS in_subtree \
         FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND c.depth > 0 AND a.status <> 'deleted' \
         GROUP BY a.kind",
    )
    .bind(account_id)
    .fetch_all(&db.pool)
    .await?;
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
            k.children = r.try_get("children")?;
            k.in_subtree = r.try_get("in_subtree")?;
        }
    }
    Ok(out)
}

/// Number of logins of an account.
pub async fn login_count(db: &Db, account_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM logins WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&db.pool)
        .await
}
