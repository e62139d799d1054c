//! The audit log: one record per change of state, and for every sign-in, failure and sign-out.

use serde::Serialize;
use sqlx::Row as _;

use crate::db::{Db, Row};

/// Who did it: the real login, its home account, the account it acted as, from where.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub login_id: Option<i64>,
    pub login_email: Option<String>,
    pub home_account_id: Option<i64>,
    pub acting_as_account_id: Option<i64>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The system itself (jobs, the command line).
    pub fn system() -> Actor {
        Actor::default()
    }
}

pub struct Entry<'a> {
    /// The account this record belongs to (whose audit log shows it).
    pub subject_account_id: Option<i64>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
}

pub async fn record(
    conn: &mut sqlx::AnyConnection,
    now_ms: i64,
    actor: &Actor,
    e: Entry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, login_id, login_email, home_account_id, acting_as_account_id, \
         subject_account_id, action, target_type, target_id, ip, request_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(now_ms)
    .bind(actor.login_id)
    .bind(actor.login_email.clone())
    .bind(actor.home_account_id)
    .bind(actor.acting_as_account_id)
    .bind(e.subject_account_id)
    .bind(e.action)
    .bind(e.target_type)
    .bind(e.target_id)
    .bind(actor.ip.clone())
    .bind(actor.request_id.clone())
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    #[serde(skip)]
    pub at_ms: i64,
    pub login_id: Option<i64>,
    pub login_email: Option<String>,
    pub acting_as_account_id: Option<i64>,
    pub subject_account_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

fn from_row(r: &Row) -> Result<AuditRecord, sqlx::Error> {
    let at_ms: i64 = r.try_get("at")?;
    Ok(AuditRecord {
        id: r.try_get("id")?,
        at: crate::clock::rfc3339(at_ms),
        at_ms,
        login_id: r.try_get("login_id")?,
        login_email: r.try_get("login_email")?,
        acting_as_account_id: r.try_get("acting_as_account_id")?,
        subject_account_id: r.try_get("subject_account_id")?,
        action: r.try_get("action")?,
        target_type: r.try_get("target_type")?,
        target_id: r.try_get("target_id")?,
        ip: r.try_get("ip")?,
        detail: r.try_get("detail")?,
    })
}

/// The latest records about one login (its sign-ins, changes it made), newest first.
pub async fn for_login(
    db: &Db,
    login_id: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, login_id, login_email, acting_as_account_id, subject_account_id, action, \
         target_type, target_id, ip, detail FROM audit_log WHERE login_id = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(login_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}
