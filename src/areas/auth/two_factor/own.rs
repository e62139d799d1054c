//! A login's own second factor, from My profile: status, set-up, recovery codes, turning off.

use super::*;
use crate::areas::accounts::LoginId;
use crate::kernel::audit;
use crate::kernel::error::{AppError, AppResult, ErrorCode};
use crate::kernel::Identity;
use crate::state::AppState;

/// The signed-in login's second factor.
pub async fn status(state: &AppState, who: &Identity) -> AppResult<TwoFactorStatus> {
    who.require_own_identity()?;
    status_of(state, &who.login).await
}

pub async fn status_of(state: &AppState, login: &Login) -> AppResult<TwoFactorStatus> {
    let mut conn = state.db.pool.acquire().await?;
    let enabled: Option<Option<i64>> =
        sqlx::query_scalar("SELECT enabled_at FROM login_totp WHERE login_id = $1")
            .bind(login.id)
            .fetch_optional(&mut *conn)
            .await?;
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_recovery_codes WHERE login_id = $1 AND used_at IS NULL",
    )
    .bind(login.id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(TwoFactorStatus {
        enabled: enabled.flatten().is_some(),
        required: required(&mut conn, login).await?,
        recovery_codes_left: left,
    })
}

/// Starts the signed-in login's enrolment from My profile.
pub async fn begin(state: &AppState, who: &Identity) -> AppResult<Enrolment> {
    who.require_own_identity()?;
    start(state, &who.login).await
}

/// The enrolment in progress of the signed-in login (to show its QR code again).
pub async fn pending(state: &AppState, who: &Identity) -> AppResult<Option<Enrolment>> {
    who.require_own_identity()?;
    let secret: Option<String> = sqlx::query_scalar(
        "SELECT secret FROM login_totp WHERE login_id = $1 AND enabled_at IS NULL",
    )
    .bind(who.login.id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(secret.map(|s| enrolment(state, &who.login, s)))
}

/// Confirms the signed-in login's enrolment with a code; gives the ten recovery codes.
pub async fn confirm(state: &AppState, who: &Identity, code: &str) -> AppResult<Vec<String>> {
    who.require_own_identity()?;
    let actor = who.actor();
    let (mut tx, _) = checked_code(state, &who.login, &actor, code, true).await?;
    let codes = confirm_in(&mut tx, state, &who.login, &actor).await?;
    tx.commit().await?;
    Ok(codes)
}

/// New recovery codes for the signed-in login (the old ones stop working); needs a code.
pub async fn new_recovery_codes(
    state: &AppState,
    who: &Identity,
    code: &str,
) -> AppResult<Vec<String>> {
    who.require_own_identity()?;
    let actor = who.actor();
    let (mut tx, _) = checked_code(state, &who.login, &actor, code, false).await?;
    let codes = replace_recovery_codes(&mut tx, who.login.id).await?;
    audit::record(
        &mut tx,
        state.now_ms(),
        &actor,
        audit::Entry {
            subject_account_id: Some(who.login.account_id),
            action: "two_factor.recovery_codes",
            target_type: Some("login"),
            target_id: Some(who.login.id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns the signed-in login's second factor off: needs its password and a code, and is
/// refused while a policy requires it.
pub async fn disable(
    state: &AppState,
    who: &Identity,
    password: &str,
    code: &str,
) -> AppResult<()> {
    who.require_own_identity()?;
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password"));
    }
    crate::areas::auth::rules::check_current_password(
        state,
        who,
        password,
        "turning off two-factor sign-in",
    )
    .await
    .map_err(|e| match e {
        AppError::Validation { message, .. } => AppError::validation("password", message),
        other => other,
    })?;
    let mut conn = state.db.pool.acquire().await?;
    if required(&mut conn, &who.login).await? {
        return Err(AppError::conflict(
            ErrorCode::TwoFactorRequired,
            "Your account requires two-factor sign-in; it cannot be turned off",
        ));
    }
    drop(conn);
    let actor = who.actor();
    let (mut tx, _) = checked_code(state, &who.login, &actor, code, false).await?;
    remove(&mut tx, who.login.id).await?;
    audit::record(
        &mut tx,
        state.now_ms(),
        &actor,
        audit::Entry {
            subject_account_id: Some(who.login.account_id),
            action: "two_factor.disabled",
            target_type: Some("login"),
            target_id: Some(who.login.id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn remove(
    conn: &mut sqlx::AnyConnection,
    login_id: LoginId,
) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM login_totp WHERE login_id = $1",
        "DELETE FROM login_recovery_codes WHERE login_id = $1",
        "DELETE FROM sign_in_challenges WHERE login_id = $1",
    ] {
        sqlx::query(sql).bind(login_id).execute(&mut *conn).await?;
    }
    Ok(())
}
