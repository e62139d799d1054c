//! The probe protocol (public, with codes and tokens instead of a login): enrolling and checking in.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::sites::ProbeId;
use crate::areas::sites::SiteId;

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
            subject_account_id: Some(AccountId(customer)),
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
    let settings = store::settings(&mut *tx, AccountId(customer)).await?;
    tx.commit().await?;
    Ok(EnrollAnswer {
        probe_id: ProbeId(probe_id),
        site_id: SiteId(site_id),
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
            probe_id: ProbeId(id),
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
            crate::areas::sites::check_ins::DueCheckIn {
                probe_id: ProbeId(id),
                seen_at: now,
                last_before: now - interval_ms,
                version,
                host,
            },
        )
        .await?;
    Ok(CheckInAnswer {
        probe_id: ProbeId(id),
        recorded,
        next_check_in_seconds: interval,
        interval_seconds: interval,
    })
}
