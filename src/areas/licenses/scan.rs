//! The license job (expiry past the end, reminders before it), its setting, and the package
//! limits per license type.

use super::totals::moved;
use super::{LicenseState, LicenseType};
use crate::areas::accounts::AccountId;
use crate::areas::catalog::PackageId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Backend;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// Owners of a license's holder are reminded this many days before it ends, unless the operator
/// set another number (setting `license_reminder_days`).
pub const REMINDER_DAYS: i64 = 7;
pub const REMINDER_SETTING: &str = "license_reminder_days";
const DAY_MS: i64 = 86_400_000;

pub async fn reminder_days(state: &AppState) -> AppResult<i64> {
    let v = crate::areas::onboarding::setting(state, REMINDER_SETTING).await?;
    Ok(v.and_then(|v| v.trim().parse().ok())
        .filter(|d| (1..=90).contains(d))
        .unwrap_or(REMINDER_DAYS))
}

#[derive(Clone, Debug, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct LicenseSettings {
    /// Days before a license ends that its holder's owners are reminded (1 to 90).
    #[schema(nullable = false, minimum = 1, maximum = 90)]
    pub reminder_days: Option<i64>,
}

pub async fn settings(state: &AppState, who: &Identity) -> AppResult<LicenseSettings> {
    access::operator(state, who, Need::Read).await?;
    Ok(LicenseSettings {
        reminder_days: Some(reminder_days(state).await?),
    })
}

/// Sets the reminder days (operator admins).
pub async fn set_settings(
    state: &AppState,
    who: &Identity,
    s: &LicenseSettings,
) -> AppResult<LicenseSettings> {
    access::operator(state, who, Need::Admin).await?;
    let d = s
        .reminder_days
        .filter(|d| (1..=90).contains(d))
        .ok_or_else(|| {
            AppError::validation("reminder_days", "Give a number of days from 1 to 90")
        })?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(REMINDER_SETTING)
        .bind(d.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "settings.license_reminder_days",
            target_type: None,
            target_id: None,
            detail: Some(format!("{d} day(s) before a license ends")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LicenseSettings {
        reminder_days: Some(d),
    })
}

/// What one pass did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScanResult {
    pub expired: usize,
    pub reminded: usize,
}

/// One pass: licenses past their end become expired (counted in the same transaction); the
/// owners of holders whose active licenses end within the reminder days get one reminder.
pub async fn scan(state: &AppState) -> AppResult<ScanResult> {
    let now = state.now_ms();
    let mut out = ScanResult::default();
    let lock = if state.db.backend == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    loop {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM licenses WHERE state <> 'expired' AND ends_at IS NOT NULL AND ends_at <= $1 \
             ORDER BY id LIMIT 200",
        )
        .bind(now)
        .fetch_all(&state.db.pool)
        .await?;
        if ids.is_empty() {
            break;
        }
        for id in ids {
            let mut tx = state.db.begin().await?;
            let r = sqlx::query(&format!(
                "SELECT license_type, state, holder_id FROM licenses WHERE id = $1 \
                 AND state <> 'expired' AND ends_at <= $2{lock}"
            ))
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(r) = r else { continue };
            let t: LicenseType = r.try_get("license_type")?;
            let from: LicenseState = r.try_get("state")?;
            let holder: i64 = r.try_get("holder_id")?;
            sqlx::query("UPDATE licenses SET state = 'expired', updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            moved(&mut tx, holder, t, from, LicenseState::Expired).await?;
            audit::record(
                &mut tx,
                now,
                &audit::Actor::system(),
                audit::Entry {
                    subject_account_id: Some(AccountId(holder)),
                    action: "license.expire",
                    target_type: Some("license"),
                    target_id: Some(id.to_string()),
                    detail: Some(format!(
                        "{} license, {from} → expired (its end passed)",
                        t.label()
                    )),
                },
            )
            .await?;
            tx.commit().await?;
            out.expired += 1;
        }
    }
    let days = reminder_days(state).await?;
    let due = sqlx::query(
        "SELECT l.id, l.license_type, l.holder_id, l.ends_at, a.name FROM licenses l \
         JOIN accounts a ON a.id = l.holder_id \
         WHERE l.state = 'active' AND l.reminded_at IS NULL AND l.ends_at > $1 AND l.ends_at <= $2 \
         ORDER BY l.id LIMIT 1000",
    )
    .bind(now)
    .bind(now + days * DAY_MS)
    .fetch_all(&state.db.pool)
    .await?;
    for r in due {
        let id: i64 = r.try_get("id")?;
        let t: LicenseType = r.try_get("license_type")?;
        let holder: i64 = r.try_get("holder_id")?;
        let ends: i64 = r.try_get("ends_at")?;
        let holder_name: String = r.try_get("name")?;
        let mut tx = state.db.begin().await?;
        let n = sqlx::query(
            "UPDATE licenses SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            continue;
        }
        let owners = sqlx::query(
            "SELECT email, name FROM logins WHERE account_id = $1 AND role = 'owner' AND status = 'active' ORDER BY id",
        )
        .bind(holder)
        .fetch_all(&mut *tx)
        .await?;
        let left = ((ends - now) + DAY_MS - 1) / DAY_MS;
        for o in &owners {
            crate::kernel::notify::enqueue(
                state,
                &mut tx,
                &crate::kernel::notify::Message::LicenseEnding {
                    to: o.try_get("email")?,
                    name: o.try_get("name")?,
                    license_type: t.label().to_lowercase(),
                    holder: holder_name.clone(),
                    days: left,
                    ends_at: crate::clock::format_ms(ends),
                    license_id: id,
                },
            )
            .await?;
        }
        audit::record(
            &mut tx,
            now,
            &audit::Actor::system(),
            audit::Entry {
                subject_account_id: Some(AccountId(holder)),
                action: "license.remind",
                target_type: Some("license"),
                target_id: Some(id.to_string()),
                detail: Some(format!(
                    "{} license ends in {left} day(s): {} owner(s) reminded",
                    t.label(),
                    owners.len()
                )),
            },
        )
        .await?;
        tx.commit().await?;
        out.reminded += 1;
    }
    Ok(out)
}

/// A package's limit for one license type (null: no limit).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TypeLimit {
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String)]
    pub license_type: LicenseType,
    /// Licenses of this type anywhere below the partner holding the package.
    pub max_licenses: Option<i64>,
    /// Seats per login or agent license.
    pub max_seats: Option<i64>,
}

pub async fn package_limits(state: &AppState, package_id: PackageId) -> AppResult<Vec<TypeLimit>> {
    let rows = sqlx::query(
        "SELECT license_type, max_licenses, max_seats FROM package_license_limits WHERE package_id = $1",
    )
    .bind(package_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::new();
    for t in LicenseType::ALL {
        let r = rows
            .iter()
            .find(|r| r.try_get::<String, _>("license_type").ok().as_deref() == Some(t.as_str()));
        out.push(TypeLimit {
            license_type: *t,
            max_licenses: r.map(|r| r.try_get("max_licenses")).transpose()?.flatten(),
            max_seats: r.map(|r| r.try_get("max_seats")).transpose()?.flatten(),
        });
    }
    Ok(out)
}

/// Sets a package's license limits (operator admins): the types given are replaced.
pub async fn set_package_limits(
    state: &AppState,
    who: &Identity,
    package_id: PackageId,
    limits: &[TypeLimit],
) -> AppResult<Vec<TypeLimit>> {
    access::operator(state, who, Need::Admin).await?;
    for l in limits {
        if l.max_licenses.is_some_and(|n| n < 0) {
            return Err(AppError::validation("max_licenses", "A limit is 0 or more"));
        }
        if l.max_seats.is_some_and(|n| n < 1) {
            return Err(AppError::validation("max_seats", "Seats are 1 or more"));
        }
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let mut detail = Vec::new();
    for l in limits {
        sqlx::query(
            "INSERT INTO package_license_limits (package_id, license_type, max_licenses, max_seats) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (package_id, license_type) DO UPDATE SET \
             max_licenses = excluded.max_licenses, max_seats = excluded.max_seats",
        )
        .bind(package_id)
        .bind(l.license_type)
        .bind(l.max_licenses)
        .bind(l.max_seats)
        .execute(&mut *tx)
        .await?;
        let cap = |v: Option<i64>| {
            v.map(|n| n.to_string())
                .unwrap_or_else(|| "no limit".into())
        };
        detail.push(format!(
            "{}: {} (seats {})",
            l.license_type,
            cap(l.max_licenses),
            cap(l.max_seats)
        ));
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "package.license_limits",
            target_type: Some("package"),
            target_id: Some(package_id.to_string()),
            detail: Some(detail.join("; ")),
        },
    )
    .await?;
    tx.commit().await?;
    package_limits(state, package_id).await
}
