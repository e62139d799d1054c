//! Probes: enrollment codes of a site (single use, expiring, revocable, kept as a hash), the
//! probe's registration with one (it gets a token of its own, kept as a hash), its check-ins
//! (at most one write per probe per interval, whatever it sends), and what the panel does with
//! a probe: rename, disable or enable, move to another site of the same customer, delete.

use super::model::*;
use super::rules::site;
use super::store;
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

/// Enrollment codes and probe tokens start with these, so a leaked one is recognised.
pub const CODE_PREFIX: &str = "ppe_";
pub const TOKEN_PREFIX: &str = "ppp_";

/// The public prefix of the probe protocol.
pub const PROTOCOL: &str = "/probe/v1";

/// A probe the identity reaches with `need` (404 otherwise).
pub async fn probe(state: &AppState, who: &Identity, id: i64, need: Need) -> AppResult<Probe> {
    let customer = store::probe_customer(&state.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::account(state, who, customer, need).await?;
    let s = store::settings(&state.db.pool, customer).await?;
    store::probe(&state.db.pool, id, state.now_ms(), &s)
        .await?
        .ok_or(AppError::NotFound)
}

/// A new enrollment code for a site (members and up): shown once, single use, expiring.
pub async fn create_enrollment(
    state: &AppState,
    who: &Identity,
    site_id: i64,
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
        enrollment: store::enrollment(&state.db.pool, id, now)
            .await?
            .ok_or(AppError::NotFound)?,
        code,
        enroll_url: format!("{}{PROTOCOL}/enroll", state.config.base_url),
    })
}

/// The customer an enrollment code belongs to, and its site.
async fn enrollment_owner(state: &AppState, id: i64) -> AppResult<(i64, i64)> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT customer_id, site_id FROM probe_enrollments WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
    row.ok_or(AppError::NotFound)
}

/// Revokes an enrollment code not used yet (members and up); a used, expired or revoked one is
/// left as it is.
pub async fn revoke_enrollment(state: &AppState, who: &Identity, id: i64) -> AppResult<Enrollment> {
    let (customer, site_id) = enrollment_owner(state, id).await?;
    access::account(state, who, customer, Need::Write).await?;
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
                subject_account_id: Some(customer),
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
    id: i64,
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
    id: i64,
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
pub async fn delete(state: &AppState, who: &Identity, id: i64) -> AppResult<Probe> {
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

// ---- the probe protocol (public, with codes and tokens instead of a login) ----

/// Where a probe request comes from.
pub struct Caller<'a> {
    pub ip: &'a str,
    pub request_id: &'a str,
}

fn throttle_key(ip: &str) -> String {
    format!("probe-ip:{ip}")
}

/// A code or token that does not work: refused with `err` and counted for the address like a
/// failed sign-in; once the address is locked, refused with 429 without counting (no write).
async fn refuse(state: &AppState, caller: &Caller<'_>, err: AppError) -> AppError {
    let key = throttle_key(caller.ip);
    if let Err(locked) = crate::areas::auth::rules::check_throttle_as(
        state,
        std::slice::from_ref(&key),
        |retry_after_secs| AppError::Throttled {
            message: format!(
                "Too many unknown probe tokens or enrollment codes from this address; try again in {} minute(s)",
                (retry_after_secs + 59) / 60
            ),
            retry_after_secs,
        },
    )
    .await
    {
        return locked;
    }
    let counted = async {
        let mut tx = state.db.begin().await?;
        crate::areas::auth::rules::count_failure(
            &mut tx,
            state,
            &key,
            state.config.max_failed_logins * 4,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    }
    .await;
    match counted {
        Ok(()) => err,
        Err(e) => e.into(),
    }
}

fn probe_actor(name: &str, caller: &Caller<'_>) -> audit::Actor {
    audit::Actor {
        login_email: Some(format!("probe {name}")),
        ip: Some(caller.ip.to_string()),
        request_id: Some(caller.request_id.to_string()),
        ..audit::Actor::default()
    }
}

fn enroll_error(code: ErrorCode, message: &str) -> AppError {
    AppError::field_code(code, "code", message)
}

/// A probe registers with an enrollment code: it gets its own token (shown once, kept as a
/// hash) and the interval to check in at. The code is used up.
pub async fn enroll(
    state: &AppState,
    caller: &Caller<'_>,
    input: &EnrollRequest,
) -> AppResult<EnrollAnswer> {
    let mut c = validate::Collect::new();
    let name = c.take(validate::name("name", &input.name, MAX_NAME))?;
    let host = match &input.host {
        Some(h) => c.take(validate::name("host", h, MAX_HOST).or_else(|e| {
            if h.trim().is_empty() {
                Ok(String::new())
            } else {
                Err(e)
            }
        }))?,
        None => String::new(),
    };
    let version = match &input.version {
        Some(v) => c.take(validate::name("version", v, MAX_VERSION).or_else(|e| {
            if v.trim().is_empty() {
                Ok(String::new())
            } else {
                Err(e)
            }
        }))?,
        None => String::new(),
    };
    let code = input.code.trim();
    if code.is_empty() {
        c.add("code", "Code is required");
    }
    c.finish()?;
    let now = state.now_ms();
    /// id, site, customer, expires, used, revoked.
    type CodeRow = (i64, i64, i64, i64, Option<i64>, Option<i64>);
    let row: Option<CodeRow> = sqlx::query_as(
        "SELECT id, site_id, customer_id, expires_at, used_at, revoked_at FROM probe_enrollments \
         WHERE code_hash = $1",
    )
    .bind(secrets::token_hash(code))
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((eid, site_id, customer, expires, used, revoked)) = row else {
        return Err(refuse(
            state,
            caller,
            enroll_error(
                ErrorCode::EnrollmentInvalid,
                "This enrollment code is not known",
            ),
        )
        .await);
    };
    if used.is_some() {
        return Err(enroll_error(
            ErrorCode::EnrollmentUsed,
            "This enrollment code was used already: ask for a new one",
        ));
    }
    if revoked.is_some() {
        return Err(enroll_error(
            ErrorCode::EnrollmentRevoked,
            "This enrollment code was revoked: ask for a new one",
        ));
    }
    if expires <= now {
        return Err(enroll_error(
            ErrorCode::EnrollmentExpired,
            "This enrollment code has expired: ask for a new one",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", secrets::random_hex(24));
    let mut tx = state.db.begin().await?;
    // Used once: of two probes presenting the same code at once, one registers.
    let claimed = sqlx::query(
        "UPDATE probe_enrollments SET used_at = $1 WHERE id = $2 AND used_at IS NULL \
         AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(eid)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Err(enroll_error(
            ErrorCode::EnrollmentUsed,
            "This enrollment code was used already: ask for a new one",
        ));
    }
    let lock = if state.db.backend == Backend::Postgres {
        " FOR SHARE"
    } else {
        ""
    };
    let site_name: Option<String> =
        sqlx::query_scalar(&format!("SELECT name FROM sites WHERE id = $1{lock}"))
            .bind(site_id)
            .fetch_optional(&mut *tx)
            .await?;
    let site_name = site_name.ok_or_else(|| {
        enroll_error(
            ErrorCode::EnrollmentInvalid,
            "This enrollment code is not known",
        )
    })?;
    let probe_id: i64 = sqlx::query_scalar(
        "INSERT INTO probes (tenant_id, customer_id, site_id, name, host, version, token_hash, \
         token_prefix, enabled, last_seen_at, enrolled_at, updated_at) \
         SELECT a.tenant_id, a.id, $2, $3, $4, $5, $6, $7, 1, $8, $8, $8 FROM accounts a \
         WHERE a.id = $1 RETURNING id",
    )
    .bind(customer)
    .bind(site_id)
    .bind(&name)
    .bind(&host)
    .bind(&version)
    .bind(secrets::token_hash(&token))
    .bind(&token[..TOKEN_PREFIX.len() + 4])
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE probe_enrollments SET probe_id = $1 WHERE id = $2")
        .bind(probe_id)
        .bind(eid)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &probe_actor(&name, caller),
        audit::Entry {
            subject_account_id: Some(customer),
            action: "probe.enroll",
            target_type: Some("probe"),
            target_id: Some(probe_id.to_string()),
            detail: Some(format!(
                "“{name}” at “{site_name}”{}{}",
                if host.is_empty() {
                    String::new()
                } else {
                    format!(" on {host}")
                },
                if version.is_empty() {
                    String::new()
                } else {
                    format!(", version {version}")
                }
            )),
        },
    )
    .await?;
    let settings = store::settings(&mut *tx, customer).await?;
    tx.commit().await?;
    Ok(EnrollAnswer {
        probe_id,
        site_id,
        token,
        interval_seconds: settings.interval_seconds,
        check_in_url: format!("{}{PROTOCOL}/check-in", state.config.base_url),
    })
}

/// A check-in with a probe token. One read finds the probe, its state and its interval; it is
/// written (last seen, and the version and host it sends) only when the last check-in written
/// is an interval old or more, so a probe costs at most one write per interval whatever it
/// sends and however often; due check-ins arriving together share one transaction
/// (`check_ins`). The answer tells it when to come back.
pub async fn check_in(
    state: &AppState,
    caller: &Caller<'_>,
    token: Option<&str>,
    input: &CheckIn,
) -> AppResult<CheckInAnswer> {
    let version = match input.version.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Some(validate::name("version", v, MAX_VERSION)?),
        _ => None,
    };
    let host = match input.host.as_deref().map(str::trim) {
        Some(h) if !h.is_empty() => Some(validate::name("host", h, MAX_HOST)?),
        _ => None,
    };
    let invalid = || AppError::Unauthorized {
        code: ErrorCode::ProbeTokenInvalid,
        message: "The probe token is unknown, revoked or of a disabled probe".into(),
    };
    let token = token.map(str::trim).unwrap_or("");
    if !token.starts_with(TOKEN_PREFIX) || token.len() != TOKEN_PREFIX.len() + 48 {
        return Err(refuse(state, caller, invalid()).await);
    }
    let row = sqlx::query(
        "SELECT p.id, p.enabled, p.last_seen_at, p.version, p.host, \
         COALESCE(s.interval_seconds, $2) AS interval_seconds \
         FROM probes p LEFT JOIN probe_settings s ON s.customer_id = p.customer_id \
         WHERE p.token_hash = $1",
    )
    .bind(secrets::token_hash(token))
    .bind(DEFAULT_INTERVAL)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(r) = row.filter(|r| r.try_get::<i64, _>("enabled").unwrap_or(0) == 1) else {
        return Err(refuse(state, caller, invalid()).await);
    };
    let id: i64 = r.try_get("id")?;
    let last: Option<i64> = r.try_get("last_seen_at")?;
    let interval: i64 = r.try_get("interval_seconds")?;
    let interval_ms = interval * 1000;
    let now = state.now_ms();
    let due = last.is_none_or(|l| now - l >= interval_ms);
    if !due {
        let wait_ms = last.unwrap_or(now) + interval_ms - now;
        return Ok(CheckInAnswer {
            probe_id: id,
            recorded: false,
            next_check_in_seconds: ((wait_ms + 999) / 1000).max(1),
            interval_seconds: interval,
        });
    }
    // The condition again in the write: two check-ins racing write once.
    let recorded = state
        .check_ins
        .write(
            &state.db,
            super::check_ins::DueCheckIn {
                probe_id: id,
                seen_at: now,
                last_before: now - interval_ms,
                version,
                host,
            },
        )
        .await?;
    Ok(CheckInAnswer {
        probe_id: id,
        recorded,
        next_check_in_seconds: interval,
        interval_seconds: interval,
    })
}
