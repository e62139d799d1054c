//! Changing a license (activate, deactivate, prolong and the rest) and deleting it.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::licenses::LicenseId;

/// What a state change, renewal or deletion does to one license.
#[derive(Clone, Debug)]
pub enum Change {
    Activate,
    Deactivate,
    Renew(i64),
}

impl Change {
    pub fn parse(action: &str, ends_at: Option<&str>) -> AppResult<Change> {
        match action.trim() {
            "activate" => Ok(Change::Activate),
            "deactivate" => Ok(Change::Deactivate),
            "renew" => {
                let e = ends_at
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        AppError::validation("ends_at", "Give the new end (a day like 2027-12-31)")
                    })?;
                Ok(Change::Renew(parse_when("ends_at", e)?))
            }
            _ => Err(AppError::validation(
                "action",
                "Action must be activate, deactivate or renew",
            )),
        }
    }
    pub(crate) fn verb(&self) -> &'static str {
        match self {
            Change::Activate => "activate",
            Change::Deactivate => "deactivate",
            Change::Renew(_) => "renew",
        }
    }
}

/// Inactive means switched off by an account above the holder: the holder itself (the account
/// in view holding the license, or someone acting as it) may not switch its own license off.
pub fn may_deactivate(view_account_id: AccountId, holder_id: i64, id: LicenseId) -> AppResult<()> {
    if view_account_id == holder_id {
        return Err(AppError::conflict(
            ErrorCode::OnlyFromAbove,
            format!(
                "License {id} is held by the account in view: only an account above it may switch it off"
            ),
        ));
    }
    Ok(())
}

/// Applies a change to one license inside a write transaction, reading its state under the
/// lock (row lock on PostgreSQL), so counters always move from the state that was there.
/// `view_account_id` is the account in view of whoever asks (see [`may_deactivate`]).
pub(crate) async fn apply(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    actor: &audit::Actor,
    view_account_id: AccountId,
    now: i64,
    id: LicenseId,
    change: &Change,
) -> AppResult<()> {
    let lock = if state.db.backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let r = sqlx::query(&format!(
        "SELECT license_type, state, holder_id, starts_at, ends_at FROM licenses WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let t: LicenseType = r.try_get("license_type")?;
    let from: LicenseState = r.try_get("state")?;
    let holder: i64 = r.try_get("holder_id")?;
    let starts: i64 = r.try_get("starts_at")?;
    let ends: Option<i64> = r.try_get("ends_at")?;
    let (to, new_end, detail) = match change {
        Change::Activate => {
            if from == LicenseState::Expired || ends.is_some_and(|e| e <= now) {
                return Err(AppError::validation(
                    "state",
                    format!("License {id} has ended: renew it to make it active again"),
                ));
            }
            if from == LicenseState::Inactive && view_account_id == holder {
                return Err(AppError::conflict(
                    ErrorCode::OnlyFromAbove,
                    format!(
                        "License {id} was switched off by an account above: only an account above it may switch it on again"
                    ),
                ));
            }
            (LicenseState::Active, ends, "active".to_string())
        }
        Change::Deactivate => {
            may_deactivate(view_account_id, holder, id)?;
            if from == LicenseState::Expired {
                return Err(AppError::validation(
                    "state",
                    format!("License {id} has expired: there is nothing to switch off"),
                ));
            }
            (LicenseState::Inactive, ends, "inactive".to_string())
        }
        Change::Renew(e) => {
            end_after_start(starts, Some(*e))?;
            if *e <= now {
                return Err(AppError::validation(
                    "ends_at",
                    "The new end must be in the future",
                ));
            }
            let to = if from == LicenseState::Expired {
                LicenseState::Active
            } else {
                from
            };
            (
                to,
                Some(*e),
                format!("until {}", crate::clock::format_ms(*e)),
            )
        }
    };
    if to == from && new_end == ends {
        return Ok(());
    }
    sqlx::query(
        "UPDATE licenses SET state = $1, ends_at = $2, reminded_at = CASE WHEN $5 = 1 THEN NULL ELSE reminded_at END, \
         updated_at = $3 WHERE id = $4",
    )
    .bind(to)
    .bind(new_end)
    .bind(now)
    .bind(id)
    .bind(i64::from(new_end != ends))
    .execute(&mut *conn)
    .await?;
    moved(&mut *conn, holder, t, from, to).await?;
    audit::record(
        &mut *conn,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(AccountId(holder)),
            action: match change {
                Change::Activate => "license.activate",
                Change::Deactivate => "license.deactivate",
                Change::Renew(_) => "license.renew",
            },
            target_type: Some("license"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{} license, {from} → {detail}", t.label())),
        },
    )
    .await?;
    Ok(())
}

/// Activates, deactivates or renews one license (members and up).
pub async fn change(
    state: &AppState,
    who: &Identity,
    id: LicenseId,
    change: &Change,
) -> AppResult<License> {
    reach(state, who, id, Need::Write).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    apply(
        state,
        &mut tx,
        &who.actor(),
        who.view_account_id,
        now,
        id,
        change,
    )
    .await?;
    tx.commit().await?;
    get(state, id).await
}

/// Deletes a license (admins and owners). A partner license leaves its partner account as it is.
pub async fn delete(state: &AppState, who: &Identity, id: LicenseId) -> AppResult<License> {
    let l = reach(state, who, id, Need::Admin).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let lock = if state.db.backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let s: Option<LicenseState> =
        sqlx::query_scalar(&format!("SELECT state FROM licenses WHERE id = $1{lock}"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let s = s.ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM licenses WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    bump(&mut tx, l.holder_id, l.license_type, s, -1).await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(l.holder_id),
            action: "license.delete",
            target_type: Some("license"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{} ({s})",
                describe(l.license_type, &l.holder_name, l.seats, l.ends_ms)
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(l)
}
