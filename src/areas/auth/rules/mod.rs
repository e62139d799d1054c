//! Sign-in, sessions, failed-login throttling and API tokens. All of it lives in the database,
//! so every instance sharing it agrees.

use crate::areas::accounts::logins;
use crate::areas::accounts::logins::Login;
use crate::kernel::audit;
use crate::kernel::audit::Actor;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::secrets;
use crate::kernel::validate;
use crate::kernel::AuthVia;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

mod sessions;
mod tokens;
pub use sessions::*;
pub use tokens::*;

/// A new session: the cookie value is shown once; only its hash is stored.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub login: Login,
}

pub struct Client<'a> {
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub request_id: &'a str,
}

/// Refuses with 429 while any of `keys` is locked.
async fn check_throttle(state: &AppState, keys: &[String]) -> AppResult<()> {
    check_throttle_as(state, keys, |retry_after_secs| AppError::TooManyRequests {
        retry_after_secs,
    })
    .await
}

/// Refuses with the error `refuse` makes (given the seconds to wait) while any of `keys` is locked.
pub(crate) async fn check_throttle_as(
    state: &AppState,
    keys: &[String],
    refuse: impl Fn(i64) -> AppError,
) -> AppResult<()> {
    let now = state.now_ms();
    for key in keys {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(&state.db.pool)
                .await?;
        if let Some(until) = until.filter(|u| *u > now) {
            return Err(refuse((until - now + 999) / 1000));
        }
    }
    Ok(())
}

/// Counts one event for `key` in the lockout window; the `max`th locks the key to the window's end.
pub(crate) async fn count_failure(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    key: &str,
    max: i64,
) -> Result<(), sqlx::Error> {
    let now = state.now_ms();
    let window = state.config.lockout_window.as_millis() as i64;
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
         VALUES ($1, 1, $2, CASE WHEN 1 >= $4 THEN $3 ELSE 0 END) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start < $5 THEN 1 \
                           ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN login_throttle.window_start < $5 THEN $2 \
                               ELSE login_throttle.window_start END, \
           locked_until = CASE WHEN (CASE WHEN login_throttle.window_start < $5 THEN 1 \
                                          ELSE login_throttle.failures + 1 END) >= $4 THEN $3 \
                               ELSE login_throttle.locked_until END",
    )
    .bind(key)
    .bind(now)
    .bind(now + window)
    .bind(max)
    .bind(now - window)
    .execute(conn)
    .await?;
    Ok(())
}

/// Checks the signed-in login's current password before a password or email change. A wrong
/// one counts with the sign-in failures of its email and address (the same lockout) and is
/// audited; at the limit the answer is 429 and the session used ends, so a stolen session or
/// token cannot guess the password.
pub async fn check_current_password(
    state: &AppState,
    who: &Identity,
    password: &str,
    purpose: &str,
) -> AppResult<()> {
    let email_key = format!("email:{}", who.login.email.to_lowercase());
    let ip_key = format!("ip:{}", who.ip);
    if let Err(locked) = check_throttle(state, &[email_key.clone(), ip_key.clone()]).await {
        end_session_at_limit(state, who).await?;
        return Err(locked);
    }
    if state
        .hasher
        .verify(password, Some(&who.login.password_hash))
        .await?
    {
        return Ok(());
    }
    let max = state.config.max_failed_logins;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    count_failure(&mut tx, state, &email_key, max).await?;
    count_failure(&mut tx, state, &ip_key, max * 4).await?;
    let mut locked_until = 0;
    for key in [&email_key, &ip_key] {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        locked_until = locked_until.max(until.unwrap_or(0));
    }
    let locked = locked_until > now;
    let ended = if locked {
        delete_used_session(&mut tx, who).await?
    } else {
        false
    };
    let detail = match (locked, ended) {
        (false, _) => format!("wrong current password ({purpose})"),
        (true, true) => format!("wrong current password ({purpose}); locked, session ended"),
        (true, false) => format!("wrong current password ({purpose}); locked"),
    };
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.login.account_id),
            action: "password.wrong_current",
            target_type: Some("login"),
            target_id: Some(who.login.id.to_string()),
            detail: Some(detail),
        },
    )
    .await?;
    tx.commit().await?;
    if locked {
        return Err(AppError::TooManyRequests {
            retry_after_secs: (locked_until - now + 999) / 1000,
        });
    }
    Err(AppError::validation(
        "current_password",
        "Current password is incorrect",
    ))
}
