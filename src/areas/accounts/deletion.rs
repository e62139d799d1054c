//! Deleting an account and its subtree: the preview that names what goes, the locks, the removal.

use super::*;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

/// What deleting an account would remove.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeletionPreview {
    pub account: Account,
    /// The account itself and every account below it.
    pub accounts: i64,
    pub logins: i64,
    /// The sites of the customers among them.
    pub sites: i64,
    /// The probes at those sites.
    pub probes: i64,
}

/// What a subtree holds that its deletion removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubtreeCounts {
    /// The account itself and every account below it.
    pub accounts: i64,
    pub logins: i64,
    pub sites: i64,
    pub probes: i64,
}

pub async fn deletion_preview(
    state: &AppState,
    who: &Identity,
    id: AccountId,
) -> AppResult<DeletionPreview> {
    let account = access::account_below(state, who, id, Need::Admin).await?;
    let mut conn = state.db.pool.acquire().await?;
    let n = count_subtree(&mut conn, id).await?;
    Ok(DeletionPreview {
        account,
        accounts: n.accounts,
        logins: n.logins,
        sites: n.sites,
        probes: n.probes,
    })
}

/// The accounts (itself included), logins, sites and probes of a subtree, read on `conn`.
pub(crate) async fn count_subtree(
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
) -> Result<SubtreeCounts, sqlx::Error> {
    let below: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM account_rollup WHERE account_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let logins: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM account_closure c JOIN logins l ON l.account_id = c.descendant_id \
         WHERE c.ancestor_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let (sites, probes) = crate::areas::sites::count_subtree(&mut *conn, id).await?;
    Ok(SubtreeCounts {
        accounts: below + 1,
        logins,
        sites,
        probes,
    })
}

/// Inside a write transaction: locks the chain from the root down to `id` against a concurrent
/// deletion or shutdown (PostgreSQL: shared row locks; SQLite: the writer lock is held already)
/// and checks that every account on it is active.
pub(crate) async fn lock_active_chain(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
) -> AppResult<()> {
    let lock = if state.db.backend == crate::kernel::db::Backend::Postgres {
        " FOR SHARE"
    } else {
        ""
    };
    let statuses: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT status FROM accounts WHERE id IN (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1){lock}"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    if statuses.is_empty() || statuses.iter().any(|s| s == "deleted") {
        return Err(AppError::NotFound);
    }
    if statuses.iter().any(|s| s != "active") {
        return Err(AppError::conflict(
            ErrorCode::ParentInactive,
            "Accounts cannot be added under an inactive account",
        ));
    }
    Ok(())
}

pub(crate) const SUBTREE: &str =
    "(SELECT descendant_id FROM account_closure WHERE ancestor_id = $1)";

/// Takes a subtree out of the counts of every account above it, and removes its logins (and so
/// their sessions and tokens), in `conn`'s transaction.
pub(crate) async fn detach_subtree(
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
    kind: Kind,
    parent: AccountId,
) -> Result<(), sqlx::Error> {
    // The subtree's licenses leave the license totals above it (and go).
    crate::areas::licenses::detach_subtree(&mut *conn, id).await?;
    // Its sites go, with their probes and enrollment codes.
    crate::areas::sites::detach_subtree(&mut *conn, id).await?;
    sqlx::query(
        "UPDATE account_rollup SET \
           total = total - COALESCE((SELECT r.total FROM account_rollup r WHERE r.account_id = $1 \
                                     AND r.kind = account_rollup.kind), 0) \
                         - CASE WHEN kind = $2 THEN 1 ELSE 0 END, \
           direct = direct - CASE WHEN kind = $2 AND account_id = $3 THEN 1 ELSE 0 END \
         WHERE account_id IN (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1 AND depth > 0)",
    )
    .bind(id)
    .bind(kind)
    .bind(parent)
    .execute(&mut *conn)
    .await?;
    for sql in [
        format!("DELETE FROM account_rollup WHERE account_id IN {SUBTREE}"),
        format!("UPDATE sessions SET acting_as_account_id = NULL WHERE acting_as_account_id IN {SUBTREE}"),
        format!("DELETE FROM logins WHERE account_id IN {SUBTREE}"),
    ] {
        sqlx::query(&sql).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Deletes an account and everything below it permanently (the data purge); returns how many
/// accounts and logins went.
pub async fn remove_subtree(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let r = sqlx::query("SELECT kind, parent_id FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let kind: Kind = r.try_get("kind")?;
    let parent: Option<i64> = r.try_get("parent_id")?;
    let n = count_subtree(conn, AccountId(id)).await?;
    detach_subtree(conn, AccountId(id), kind, AccountId(parent.unwrap_or(-1))).await?;
    sqlx::query(&format!("DELETE FROM accounts WHERE id IN {SUBTREE}"))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok((n.accounts, n.logins))
}

/// Deletes an account and its whole subtree. `confirm_accounts` must equal the number of
/// accounts the preview named, so nobody deletes more than they were shown.
pub async fn delete(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    confirm_accounts: Option<i64>,
) -> AppResult<DeletionPreview> {
    let p = deletion_preview(state, who, id).await?;
    let view = get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let p = delete_in(
        &mut tx,
        state.db.backend,
        now,
        who,
        &view,
        p,
        confirm_accounts,
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// The deletion of `delete` inside a transaction the caller holds (bulk actions: many in one):
/// counted again under the lock, refused unless `confirm_accounts` is that count.
pub(crate) async fn delete_in(
    tx: &mut sqlx::AnyConnection,
    backend: crate::kernel::db::Backend,
    now: i64,
    who: &Identity,
    view: &Account,
    p: DeletionPreview,
    confirm_accounts: Option<i64>,
) -> AppResult<DeletionPreview> {
    let id = p.account.id;
    if backend == crate::kernel::db::Backend::Postgres {
        // Waits for accounts being added below (they hold shared locks on their chain).
        sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    // Counted again under the lock: what is deleted is exactly what is confirmed.
    let n = count_subtree(&mut *tx, id).await?;
    let p = DeletionPreview {
        accounts: n.accounts,
        logins: n.logins,
        sites: n.sites,
        probes: n.probes,
        ..p
    };
    if confirm_accounts != Some(p.accounts) {
        return Err(AppError::validation(
            "confirm_accounts",
            if p.sites > 0 {
                format!(
                    "Deleting {} removes {} account(s), {} login(s), {} site(s) and {} probe(s); confirm with that number of accounts",
                    p.account.name, p.accounts, p.logins, p.sites, p.probes
                )
            } else {
                format!(
                    "Deleting {} removes {} account(s) and {} login(s); confirm with that number of accounts",
                    p.account.name, p.accounts, p.logins
                )
            },
        ));
    }
    let parent = p.account.parent_id.unwrap_or(AccountId(-1));
    // Ties to other trees end here, each side outside told what it may see.
    crate::areas::networks::close_ties(&mut *tx, now, id, Some(view)).await?;
    detach_subtree(&mut *tx, id, p.account.kind, parent).await?;
    sqlx::query(&format!(
        "UPDATE accounts SET status = 'deleted', updated_at = $2 WHERE id IN {SUBTREE}"
    ))
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(parent),
            action: "account.delete",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(if p.sites > 0 {
                format!(
                    "{} with {} account(s), {} login(s), {} site(s) and {} probe(s)",
                    p.account.name, p.accounts, p.logins, p.sites, p.probes
                )
            } else {
                format!(
                    "{} with {} account(s) and {} login(s)",
                    p.account.name, p.accounts, p.logins
                )
            }),
        },
    )
    .await?;
    Ok(p)
}

/// Past this many accounts below, a page sorted by name walks the name index instead of
/// sorting the whole subtree.
pub(crate) const WALK_INDEX_FROM: i64 = 2000;
