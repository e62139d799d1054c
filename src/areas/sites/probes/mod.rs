//! Probes: enrollment codes of a site (single use, expiring, revocable, kept as a hash), the
//! probe's registration with one (it gets a token of its own, kept as a hash), its check-ins
//! (at most one write per probe per interval, whatever it sends), and what the panel does with
//! a probe: rename, disable or enable, move to another site of the same customer, delete.

use super::model::*;
use super::rules::site;
use super::store;
use crate::areas::accounts::AccountId;
use crate::areas::sites::EnrollmentId;
use crate::areas::sites::ProbeId;
use crate::areas::sites::SiteId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Backend;
use crate::kernel::error::{AppError, AppResult, ErrorCode};
use crate::kernel::secrets;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use sqlx::Row as _;

mod protocol;
pub use protocol::*;

/// Enrollment codes and probe tokens start with these, so a leaked one is recognised.
pub const CODE_PREFIX: &str = "ppe_";
pub const TOKEN_PREFIX: &str = "ppp_";

/// The public prefix of the probe protocol.
pub const PROTOCOL: &str = "/probe/v1";

/// A probe the identity reaches with `need` (404 otherwise).
pub async fn probe(state: &AppState, who: &Identity, id: ProbeId, need: Need) -> AppResult<Probe> {
    let customer = store::probe_customer(&state.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::account(state, who, AccountId(customer), need).await?;
    let s = store::settings(&state.db.pool, AccountId(customer)).await?;
    store::probe(&state.db.pool, id, state.now_ms(), &s)
        .await?
        .ok_or(AppError::NotFound)
}

/// A new enrollment code for a site (members and up): shown once, single use, expiring.
pub async fn create_enrollment(
    state: &AppState,
    who: &Identity,
    site_id: SiteId,
    input: &NewEnrollment,
) -> AppResult<EnrollmentCreated> {
    let s = site(state, who, site_id, Need::Write).await?;
    let hours = input.expires_in_hours.unwrap_or(DEFAULT_ENROLLMENT_HOURS);
    if !(1..=MAX_ENROLLMENT_HOURS).contains(&hours) {
        return Err(AppError::validation(
            "expires_in_hours",
            format!("An enrollment code works 1 to {MAX_ENROLLMENT_HOURS} hours"),
        ));
    }
    let code = format!("{CODE_PREFIX}{}", secrets::random_hex(16));
    let now = state.now_ms();
    let expires = now + hours * 3_600_000;
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO probe_enrollments (site_id, customer_id, code_hash, code_prefix, \
         created_by_login_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(s.id)
    .bind(s.customer_id)
    .bind(secrets::token_hash(&code))
    .bind(&code[..CODE_PREFIX.len() + 4])
    .bind(who.login.id)
    .bind(now)
    .bind(expires)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(s.customer_id),
            action: "probe_enrollment.create",
            target_type: Some("site"),
            target_id: Some(s.id.to_string()),
            detail: Some(format!(
                "for “{}”, working {hours} hour(s) ({}…)",
                s.name,
                &code[..CODE_PREFIX.len() + 4]
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(EnrollmentCreated {
        enrollment: store::enrollment(&state.db.pool, EnrollmentId(id), now)
            .await?
            .ok_or(AppError::NotFound)?,
        code,
        enroll_url: format!("{}{PROTOCOL}/enroll", state.config.base_url),
    })
}

/// The customer an enrollment code belongs to, and its site.
async fn enrollment_owner(state: &AppState, id: EnrollmentId) -> AppResult<(i64, i64)> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT customer_id, site_id FROM probe_enrollments WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
    row.ok_or(AppError::NotFound)
}

/// Revokes an enrollment code not used yet (members and up); a used, expired or revoked one is
/// left as it is.
pub async fn revoke_enrollment(
    state: &AppState,
    who: &Identity,
    id: EnrollmentId,
) -> AppResult<Enrollment> {
    let (customer, site_id) = enrollment_owner(state, id).await?;
    access::account(state, who, AccountId(customer), Need::Write).await?;
    let now = state.now_ms();
    let e = store::enrollment(&state.db.pool, id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    if e.state != EnrollmentState::Active {
        return Ok(e);
    }
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE probe_enrollments SET revoked_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 1 {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(AccountId(customer)),
                action: "probe_enrollment.revoke",
                target_type: Some("site"),
                target_id: Some(site_id.to_string()),
                detail: Some(format!("the code {}…", e.code_prefix)),
            },
        )
        .await?;
    }
    tx.commit().await?;
    store::enrollment(&state.db.pool, id, now)
        .await?
        .ok_or(AppError::NotFound)
}

/// Renames, disables or enables a probe. Renaming: members and up; disabling or enabling:
/// admins and owners (a disabled probe's token stops working at once).
pub async fn update(
    state: &AppState,
    who: &Identity,
    id: ProbeId,
    input: &ProbeInput,
) -> AppResult<Probe> {
    let need = if input.enabled.is_some() {
        Need::Admin
    } else {
        Need::Write
    };
    let old = probe(state, who, id, need).await?;
    let name = match &input.name {
        Some(n) => validate::name("name", n, MAX_NAME)?,
        None => old.name.clone(),
    };
    let enabled = input.enabled.unwrap_or(old.enabled);
    if name == old.name && enabled == old.enabled {
        return Ok(old);
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE probes SET name = $1, enabled = $2, updated_at = $3 WHERE id = $4")
        .bind(&name)
        .bind(i64::from(enabled))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let actor = who.actor();
    if name != old.name {
        audit::record(
            &mut tx,
            now,
            &actor,
            audit::Entry {
                subject_account_id: Some(old.customer_id),
                action: "probe.update",
                target_type: Some("probe"),
                target_id: Some(id.to_string()),
                detail: Some(format!("renamed “{}” → “{name}”", old.name)),
            },
        )
        .await?;
    }
    if enabled != old.enabled {
        audit::record(
            &mut tx,
            now,
            &actor,
            audit::Entry {
                subject_account_id: Some(old.customer_id),
                action: if enabled {
                    "probe.enable"
                } else {
                    "probe.disable"
                },
                target_type: Some("probe"),
                target_id: Some(id.to_string()),
                detail: Some(format!("“{name}” at “{}”", old.site_name)),
            },
        )
        .await?;
    }
    tx.commit().await?;
    probe(state, who, id, Need::Read).await
}

/// Moves a probe to another site of the same customer (members and up). A site of another
/// customer, or none, is refused the same way (422 `site_of_another_customer`, field `site_id`).
pub async fn move_to(
    state: &AppState,
    who: &Identity,
    id: ProbeId,
    to: &MoveProbe,
) -> AppResult<Probe> {
    let old = probe(state, who, id, Need::Write).await?;
    if to.site_id == old.site_id {
        return Ok(old);
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let lock = if state.db.backend == Backend::Postgres {
        " FOR SHARE"
    } else {
        ""
    };
    let target: Option<(i64, String)> = sqlx::query_as(&format!(
        "SELECT customer_id, name FROM sites WHERE id = $1{lock}"
    ))
    .bind(to.site_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((_, target_name)) = target.filter(|(c, _)| *c == old.customer_id) else {
        return Err(AppError::field_code(
            ErrorCode::SiteOfAnotherCustomer,
            "site_id",
            "A probe moves only to another site of the same customer",
        ));
    };
    sqlx::query("UPDATE probes SET site_id = $1, updated_at = $2 WHERE id = $3")
        .bind(to.site_id)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(old.customer_id),
            action: "probe.move",
            target_type: Some("probe"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "“{}” from “{}” to “{target_name}”",
                old.name, old.site_name
            )),
        },
    )
    .await?;
    tx.commit().await?;
    probe(state, who, id, Need::Read).await
}

/// Deletes a probe (admins and owners): its token stops working.
pub async fn delete(state: &AppState, who: &Identity, id: ProbeId) -> AppResult<Probe> {
    let p = probe(state, who, id, Need::Admin).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE probe_enrollments SET probe_id = NULL WHERE probe_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM probes WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(p.customer_id),
            action: "probe.delete",
            target_type: Some("probe"),
            target_id: Some(id.to_string()),
            detail: Some(format!("“{}” at “{}”", p.name, p.site_name)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}
