//! License totals: a count per type and state of the licenses held in each account's subtree,
//! kept in `license_totals` in the same transaction as every change (as the account rollups
//! are), so reading them costs one indexed lookup at any subtree size.

use super::{LicenseState, LicenseType};
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

/// Adds `delta` to the count of (`t`, `s`) of the holder and every account above it, in
/// `conn`'s transaction.
pub(crate) async fn bump(
    conn: &mut sqlx::AnyConnection,
    holder_id: AccountId,
    t: LicenseType,
    s: LicenseState,
    delta: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO license_totals (account_id, license_type, state, n) \
         SELECT ancestor_id, $2, $3, $4 FROM account_closure WHERE descendant_id = $1 \
         ORDER BY ancestor_id \
         ON CONFLICT (account_id, license_type, state) DO UPDATE SET n = license_totals.n + excluded.n",
    )
    .bind(holder_id)
    .bind(t)
    .bind(s)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves one license of type `t` from state `from` to `to` in the counts above its holder.
/// The two counts are changed in a fixed order (by state word), so two opposite changes never
/// wait for each other on PostgreSQL.
pub(crate) async fn moved(
    conn: &mut sqlx::AnyConnection,
    holder_id: i64,
    t: LicenseType,
    from: LicenseState,
    to: LicenseState,
) -> Result<(), sqlx::Error> {
    if from == to {
        return Ok(());
    }
    let mut steps = [(from, -1), (to, 1)];
    steps.sort_by_key(|(s, _)| s.as_str());
    for (s, d) in steps {
        bump(&mut *conn, AccountId(holder_id), t, s, d).await?;
    }
    Ok(())
}

/// Takes the licenses of a subtree out of the counts of every account above it and deletes
/// them, in `conn`'s transaction (an account deleted or purged with everything below it).
pub async fn detach_subtree(
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE license_totals SET n = n - COALESCE((SELECT r.n FROM license_totals r \
           WHERE r.account_id = $1 AND r.license_type = license_totals.license_type \
           AND r.state = license_totals.state), 0) \
         WHERE account_id IN (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1 AND depth > 0)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    for sql in [
        "DELETE FROM license_totals WHERE account_id IN (SELECT descendant_id FROM account_closure WHERE ancestor_id = $1)",
        "DELETE FROM licenses WHERE holder_id IN (SELECT descendant_id FROM account_closure WHERE ancestor_id = $1)",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// One count: licenses of this type in this state in the subtree.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Count {
    #[schema(value_type = String)]
    pub state: LicenseState,
    pub count: i64,
}

/// The counts of one type, every state listed (zeros included).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TypeTotals {
    #[schema(value_type = String)]
    pub license_type: LicenseType,
    pub total: i64,
    pub states: Vec<Count>,
}

/// The license totals of the account in view and everything below it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Totals {
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    pub total: i64,
    pub types: Vec<TypeTotals>,
}

impl Totals {
    /// Only these types (those the subtree may hold); the total is unchanged, as no other
    /// type can be held there.
    pub fn only(mut self, types: &[LicenseType]) -> Totals {
        self.types.retain(|t| types.contains(&t.license_type));
        self
    }

    pub fn count(&self, t: LicenseType, s: LicenseState) -> i64 {
        self.types
            .iter()
            .find(|x| x.license_type == t)
            .and_then(|x| x.states.iter().find(|c| c.state == s))
            .map(|c| c.count)
            .unwrap_or(0)
    }
}

/// The counts of an account's subtree, read from the counters.
pub async fn of_account(state: &AppState, account_id: AccountId) -> AppResult<Totals> {
    let rows =
        sqlx::query("SELECT license_type, state, n FROM license_totals WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&state.db.pool)
            .await?;
    let mut counts = std::collections::HashMap::new();
    for r in rows {
        let t: LicenseType = r.try_get("license_type")?;
        let s: LicenseState = r.try_get("state")?;
        counts.insert((t, s), r.try_get::<i64, _>("n")?);
    }
    Ok(build(account_id, |t, s| {
        counts.get(&(t, s)).copied().unwrap_or(0)
    }))
}

fn build(account_id: AccountId, count: impl Fn(LicenseType, LicenseState) -> i64) -> Totals {
    let types: Vec<TypeTotals> = LicenseType::ALL
        .iter()
        .map(|t| {
            let states: Vec<Count> = LicenseState::ALL
                .iter()
                .map(|s| Count {
                    state: *s,
                    count: count(*t, *s),
                })
                .collect();
            TypeTotals {
                license_type: *t,
                total: states.iter().map(|c| c.count).sum(),
                states,
            }
        })
        .collect();
    Totals {
        account_id,
        total: types.iter().map(|t| t.total).sum(),
        types,
    }
}

/// The totals of the account in view.
pub async fn totals(state: &AppState, who: &Identity) -> AppResult<Totals> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    of_account(state, who.view_account_id).await
}

/// The same counts computed from the licenses themselves (for checks that the counters hold).
pub async fn live(state: &AppState, account_id: i64) -> AppResult<Totals> {
    let rows = sqlx::query(
        "SELECT l.license_type, l.state, COUNT(*) AS n FROM licenses l \
         JOIN account_closure c ON c.descendant_id = l.holder_id \
         WHERE c.ancestor_id = $1 GROUP BY l.license_type, l.state",
    )
    .bind(account_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut counts = std::collections::HashMap::new();
    for r in rows {
        let t: LicenseType = r.try_get("license_type")?;
        let s: LicenseState = r.try_get("state")?;
        counts.insert((t, s), r.try_get::<i64, _>("n")?);
    }
    Ok(build(AccountId(account_id), |t, s| {
        counts.get(&(t, s)).copied().unwrap_or(0)
    }))
}
