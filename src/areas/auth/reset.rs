//! Forgot password: a single-use link by email, kept only as a hash, valid for 30 minutes. Asking
//! answers the same whether or not a login uses the address, and is throttled per address and
//! per email in the database (every instance counts). Using a link sets the password, ends every
//! session of the login and is audited.

use super::rules::{check_throttle_as, count_failure, Client};
use crate::areas::accounts::logins;
use crate::kernel::audit;
use crate::kernel::audit::Actor;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::notify;
use crate::kernel::secrets;
use crate::kernel::validate;
use crate::state::AppState;
use sqlx::Row as _;

/// How long a reset link works.
pub const RESET_LINK_MINUTES: i64 = 30;
/// How long the "set your password" link of a new login works.
pub const SET_PASSWORD_LINK_HOURS: i64 = 72;

/// A single-use "set your password" link for a new login (the mail to it carries the link
/// instead of a password): the same kind of link as a reset, kept only as a hash, valid for
/// `SET_PASSWORD_LINK_HOURS`. Written on `conn`, inside the transaction that made the login.
pub async fn issue_set_password_link(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    now: i64,
    login_id: i64,
) -> Result<String, sqlx::Error> {
    let token = secrets::random_hex(32);
    sqlx::query(
        "INSERT INTO password_resets (login_id, token_hash, ip, created_at, expires_at) \
         VALUES ($1, $2, NULL, $3, $4)",
    )
    .bind(login_id)
    .bind(secrets::token_hash(&token))
    .bind(now)
    .bind(now + SET_PASSWORD_LINK_HOURS * 3_600_000)
    .execute(conn)
    .await?;
    Ok(format!(
        "{}/reset-password?token={token}",
        state.config.base_url
    ))
}

/// Links asked per email, and per address, inside the lockout window.
const PER_EMAIL: i64 = 3;
const PER_ADDRESS: i64 = 20;

fn throttled(retry_after_secs: i64) -> AppError {
    AppError::Throttled {
        message: format!(
            "Too many reset links were asked for; try again in {} minute(s)",
            (retry_after_secs + 59) / 60
        ),
        retry_after_secs,
    }
}

/// Sends a reset link when an active login signs in with `email`; answers the same either way.
pub async fn request_reset(state: &AppState, email: &str, client: &Client<'_>) -> AppResult<()> {
    let email_norm = email.trim().to_lowercase();
    if email_norm.is_empty() {
        return Err(AppError::validation(
            "email",
            "Enter the email address you sign in with",
        ));
    }
    if email_norm.len() > 254 || email_norm.chars().any(char::is_control) {
        return Err(AppError::validation(
            "email",
            "Enter a valid email address (at most 254 characters)",
        ));
    }
    let email_key = format!("reset-email:{email_norm}");
    let ip_key = format!("reset-ip:{}", client.ip);
    check_throttle_as(state, &[email_key.clone(), ip_key.clone()], throttled).await?;
    let q = format!(
        "SELECT {}, CASE WHEN {} THEN 1 ELSE 0 END AS may_sign_in FROM logins l WHERE l.email = $1",
        logins::COLUMNS,
        logins::LOGIN_MAY_SIGN_IN
    );
    let row = sqlx::query(&q)
        .bind(&email_norm)
        .fetch_optional(&state.db.pool)
        .await?;
    let login = match row {
        Some(r) if r.try_get::<i64, _>("may_sign_in")? == 1 => Some(logins::from_row(&r)?),
        _ => None,
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    count_failure(&mut tx, state, &email_key, PER_EMAIL).await?;
    count_failure(&mut tx, state, &ip_key, PER_ADDRESS).await?;
    // The last allowed request sets the lock; it still goes through.
    if let Some(login) = login.filter(|l| l.email.contains('@')) {
        let token = secrets::random_hex(32);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO password_resets (login_id, token_hash, ip, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(login.id)
        .bind(secrets::token_hash(&token))
        .bind(client.ip)
        .bind(now)
        .bind(now + RESET_LINK_MINUTES * 60_000)
        .fetch_one(&mut *tx)
        .await?;
        notify::enqueue(
            state,
            &mut tx,
            &notify::Message::PasswordReset {
                to: login.email.clone(),
                name: login.name.clone(),
                token,
                minutes: RESET_LINK_MINUTES,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &anonymous_actor(&login, client),
            audit::Entry {
                subject_account_id: Some(login.account_id),
                action: "password.reset_request",
                target_type: Some("login"),
                target_id: Some(login.id.to_string()),
                detail: Some(format!("reset link {id} sent by email")),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn anonymous_actor(login: &logins::Login, client: &Client<'_>) -> Actor {
    Actor {
        login_id: Some(login.id),
        login_email: Some(login.email.clone()),
        home_account_id: Some(login.account_id),
        acting_as_account_id: None,
        ip: Some(client.ip.to_string()),
        request_id: Some(client.request_id.to_string()),
    }
}

/// A reset link that can still be used, and its login.
pub struct ResetLink {
    pub id: i64,
    pub login: logins::Login,
}

fn invalid() -> AppError {
    AppError::field_code(
        ErrorCode::ResetLinkInvalid,
        "token",
        "This reset link is not valid (its login may have been removed). Ask for a new one.",
    )
}

fn used() -> AppError {
    AppError::field_code(
        ErrorCode::ResetLinkUsed,
        "token",
        "This reset link was already used. Ask for a new one if you still need it.",
    )
}

/// Finds the link of `token`; refuses one used, expired, unknown, or of a login shut out.
pub async fn find_link(state: &AppState, token: &str) -> AppResult<ResetLink> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let q = format!(
        "SELECT {}, r.id AS reset_id, r.expires_at, r.used_at, \
         CASE WHEN {} THEN 1 ELSE 0 END AS may_sign_in \
         FROM password_resets r JOIN logins l ON l.id = r.login_id WHERE r.token_hash = $1",
        logins::COLUMNS,
        logins::LOGIN_MAY_SIGN_IN
    );
    let Some(r) = sqlx::query(&q)
        .bind(secrets::token_hash(token))
        .fetch_optional(&state.db.pool)
        .await?
    else {
        return Err(invalid());
    };
    if r.try_get::<Option<i64>, _>("used_at")?.is_some() {
        return Err(used());
    }
    if r.try_get::<i64, _>("expires_at")? <= state.now_ms() {
        return Err(AppError::field_code(
            ErrorCode::ResetLinkExpired,
            "token",
            format!(
                "This reset link has expired (links work for {RESET_LINK_MINUTES} minutes). Ask for a new one."
            ),
        ));
    }
    if r.try_get::<i64, _>("may_sign_in")? != 1 {
        return Err(AppError::forbidden(
            "This login or its account is inactive. Contact whoever manages your account.",
        ));
    }
    Ok(ResetLink {
        id: r.try_get("reset_id")?,
        login: logins::from_row(&r)?,
    })
}

/// Sets a new password with a reset link: the link (and every other of the login) is spent,
/// every session of the login ends, the failed sign-ins of its email are forgotten, and the
/// login is told by email.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    confirm: Option<&str>,
    client: &Client<'_>,
) -> AppResult<logins::Login> {
    let link = find_link(state, token).await?;
    validate::new_password("new_password", new_password)?;
    if let Some(c) = confirm {
        if c != new_password {
            return Err(AppError::validation(
                "confirm_password",
                "The two new passwords differ",
            ));
        }
    }
    let hash = state.hasher.hash(new_password).await?;
    let now = state.now_ms();
    let login = link.login;
    let mut tx = state.db.begin().await?;
    // Spent once: a second use racing this one finds it used.
    let n =
        sqlx::query("UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(link.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(used());
    }
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE login_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(login.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE logins SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(login.id)
    .execute(&mut *tx)
    .await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE login_id = $1")
        .bind(login.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(format!("email:{}", login.email.to_lowercase()))
        .execute(&mut *tx)
        .await?;
    notify::enqueue(
        state,
        &mut tx,
        &notify::Message::PasswordChanged {
            to: login.email.clone(),
            name: login.name.clone(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &anonymous_actor(&login, client),
        audit::Entry {
            subject_account_id: Some(login.account_id),
            action: "password.reset",
            target_type: Some("login"),
            target_id: Some(login.id.to_string()),
            detail: Some(format!(
                "with reset link {}; {ended} session(s) ended",
                link.id
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(login)
}

/// Deletes reset links a day after they stopped working (until then a reuse is told "used"); the
/// session purge job runs this too.
pub async fn purge_spent_links(state: &AppState) -> Result<u64, sqlx::Error> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
        .bind(now - 24 * 3_600_000)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
