//! Enrolling a second factor: a new secret, its confirmation by a code, the recovery codes,
//! and the enrolment a sign-in leads to when a policy requires one.

use super::*;
use crate::areas::accounts::LoginId;

/// Starts (or restarts) an enrolment: a new secret, not in force until a code confirms it.
pub(super) async fn start(state: &AppState, login: &Login) -> AppResult<Enrolment> {
    let mut tx = state.db.begin().await?;
    let enabled: Option<Option<i64>> =
        sqlx::query_scalar("SELECT enabled_at FROM login_totp WHERE login_id = $1")
            .bind(login.id)
            .fetch_optional(&mut *tx)
            .await?;
    if enabled.flatten().is_some() {
        return Err(AppError::conflict(
            ErrorCode::TwoFactorOn,
            "Two-factor sign-in is already on for this login",
        ));
    }
    let secret = new_secret();
    sqlx::query("DELETE FROM login_totp WHERE login_id = $1")
        .bind(login.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO login_totp (login_id, secret, enabled_at, last_step, created_at) \
         VALUES ($1, $2, NULL, 0, $3)",
    )
    .bind(login.id)
    .bind(&secret)
    .bind(state.now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(enrolment(state, login, secret))
}

pub(super) fn enrolment(state: &AppState, login: &Login, secret: String) -> Enrolment {
    let _ = state;
    let issuer = "Partner Panel";
    let uri = otpauth_uri(issuer, &login.email, &secret);
    Enrolment {
        qr_svg: qr_svg(&uri),
        otpauth_uri: uri,
        secret,
    }
}

/// The enrolment in progress (a pending secret), started if there is none.
pub(super) async fn pending_or_start(state: &AppState, login: &Login) -> AppResult<Enrolment> {
    let secret: Option<String> = sqlx::query_scalar(
        "SELECT secret FROM login_totp WHERE login_id = $1 AND enabled_at IS NULL",
    )
    .bind(login.id)
    .fetch_optional(&state.db.pool)
    .await?;
    match secret {
        Some(s) => Ok(enrolment(state, login, s)),
        None => start(state, login).await,
    }
}

/// Confirms an enrolment with a code inside `tx`: turns it on and gives the recovery codes.
pub(super) async fn confirm_in(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    login: &Login,
    actor: &Actor,
) -> AppResult<Vec<String>> {
    let now = state.now_ms();
    sqlx::query("UPDATE login_totp SET enabled_at = $1 WHERE login_id = $2")
        .bind(now)
        .bind(login.id)
        .execute(&mut *tx)
        .await?;
    let codes = replace_recovery_codes(&mut *tx, login.id).await?;
    audit::record(
        &mut *tx,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(login.account_id),
            action: "two_factor.enabled",
            target_type: Some("login"),
            target_id: Some(login.id.to_string()),
            detail: None,
        },
    )
    .await?;
    Ok(codes)
}

pub(super) async fn replace_recovery_codes(
    conn: &mut sqlx::AnyConnection,
    login_id: LoginId,
) -> AppResult<Vec<String>> {
    sqlx::query("DELETE FROM login_recovery_codes WHERE login_id = $1")
        .bind(login_id)
        .execute(&mut *conn)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    for c in &codes {
        sqlx::query("INSERT INTO login_recovery_codes (login_id, code_hash) VALUES ($1, $2)")
            .bind(login_id)
            .bind(secrets::token_hash(&normalise_code(c)))
            .execute(&mut *conn)
            .await?;
    }
    Ok(codes)
}

/// The enrolment a challenge of a login that must enrol leads to.
pub async fn enrolment_for_challenge(state: &AppState, challenge: &str) -> AppResult<Enrolment> {
    let (_, login, step) = challenge_login(state, challenge).await?;
    if step != Step::Enrol {
        return Err(AppError::conflict(
            ErrorCode::TwoFactorOn,
            "Two-factor sign-in is already on for this login",
        ));
    }
    pending_or_start(state, &login).await
}

/// Confirms the enrolment of a login that must enrol, and completes its sign-in.
pub async fn enrol_and_sign_in(
    state: &AppState,
    challenge: &str,
    code: &str,
    client: &Client<'_>,
) -> AppResult<(NewSession, Vec<String>)> {
    let (challenge_id, login, step) = challenge_login(state, challenge).await?;
    if step != Step::Enrol {
        return Err(AppError::conflict(
            ErrorCode::TwoFactorOn,
            "Two-factor sign-in is already on for this login",
        ));
    }
    let actor = actor_of(&login, client);
    let (mut tx, _) = checked_code(state, &login, &actor, code, true).await?;
    let codes = confirm_in(&mut tx, state, &login, &actor).await?;
    let gone = sqlx::query("DELETE FROM sign_in_challenges WHERE id = $1")
        .bind(challenge_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(challenge_gone());
    }
    let now = state.now_ms();
    let s = open_session(
        &mut tx,
        state,
        now,
        login,
        client,
        &actor,
        Some("with a second factor (just set up)"),
    )
    .await?;
    tx.commit().await?;
    Ok((s, codes))
}
