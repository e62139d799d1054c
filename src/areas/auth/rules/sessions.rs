//! Sign-in and sessions: opening, resolving, ending and purging them.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::auth::SessionId;

/// Deletes the session `who` calls with (an API token stays, but is refused while locked).
pub(super) async fn delete_used_session(
    conn: &mut sqlx::AnyConnection,
    who: &Identity,
) -> Result<bool, sqlx::Error> {
    let Some(sid) = who.session_id() else {
        return Ok(false);
    };
    let n = sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(sid)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

pub(super) async fn end_session_at_limit(state: &AppState, who: &Identity) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if delete_used_session(&mut tx, who).await? {
        audit::record(
            &mut tx,
            state.now_ms(),
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(who.login.account_id),
                action: "session.locked_out",
                target_type: Some("login"),
                target_id: Some(who.login.id.to_string()),
                detail: Some("current password checked while locked".into()),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a right password leads to: a session, or the second step of a two-factor sign-in.
pub enum SignIn {
    Session(NewSession),
    SecondStep {
        step: crate::areas::auth::two_factor::Step,
        /// The challenge token that carries the sign-in to its second step.
        challenge: String,
        expires_at: i64,
    },
}

/// Checks an email and password and opens a session (or, with a second factor, a challenge).
/// Unknown email and wrong password answer the same, take the same time, and count toward the
/// same lockout.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: &Client<'_>,
) -> AppResult<SignIn> {
    let email_norm = email.trim().to_lowercase();
    if email_norm.is_empty() {
        return Err(AppError::validation("email", "Email is required"));
    }
    if password.is_empty() {
        return Err(AppError::validation("password", "Password is required"));
    }
    if email_norm.len() > 254
        || email_norm.chars().any(char::is_control)
        || password.len() > validate::MAX_PASSWORD
    {
        return Err(AppError::InvalidCredentials);
    }
    let email_key = format!("email:{email_norm}");
    let ip_key = format!("ip:{}", client.ip);
    check_throttle(state, &[email_key.clone(), ip_key.clone()]).await?;

    let q = format!(
        "SELECT {}, CASE WHEN {} THEN 1 ELSE 0 END AS may_sign_in FROM logins l WHERE l.email = $1",
        logins::COLUMNS,
        logins::LOGIN_MAY_SIGN_IN
    );
    let row = sqlx::query(&q)
        .bind(&email_norm)
        .fetch_optional(&state.db.pool)
        .await?;
    let (login, may) = match row {
        Some(r) => (
            Some(logins::from_row(&r)?),
            r.try_get::<i64, _>("may_sign_in")? == 1,
        ),
        None => (None, false),
    };
    let ok = state
        .hasher
        .verify(password, login.as_ref().map(|l| l.password_hash.as_str()))
        .await?;
    let now = state.now_ms();
    let actor = Actor {
        login_id: login.as_ref().map(|l| l.id),
        login_email: Some(email_norm.clone()),
        home_account_id: login.as_ref().map(|l| l.account_id),
        acting_as_account_id: None,
        ip: Some(client.ip.to_string()),
        request_id: Some(client.request_id.to_string()),
    };
    let mut tx = state.db.begin().await?;
    let login = match login {
        Some(l) if ok && may => l,
        other => {
            let max = state.config.max_failed_logins;
            count_failure(&mut tx, state, &email_key, max).await?;
            count_failure(&mut tx, state, &ip_key, max * 4).await?;
            let reason = match (&other, ok) {
                (None, _) => "unknown email",
                (Some(_), false) => "wrong password",
                (Some(_), true) => "account or login inactive",
            };
            audit::record(
                &mut tx,
                now,
                &actor,
                audit::Entry {
                    subject_account_id: ((other.as_ref().map(|l| l.account_id)).map(i64::from))
                        .map(AccountId),
                    action: "login.failed",
                    target_type: Some("login"),
                    target_id: other.as_ref().map(|l| l.id.to_string()),
                    detail: Some(reason.into()),
                },
            )
            .await?;
            tx.commit().await?;
            // A correct password for a shut account says so; everything else is one message.
            return Err(if ok {
                AppError::forbidden(
                    "This login or its account is inactive. Contact whoever manages your account.",
                )
            } else {
                AppError::InvalidCredentials
            });
        }
    };
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(&email_key)
        .execute(&mut *tx)
        .await?;
    // A login with a second factor (or one that must enrol) gets a challenge, not a session.
    if let Some(step) = crate::areas::auth::two_factor::second_step(&mut tx, &login).await? {
        let challenge =
            crate::areas::auth::two_factor::open_challenge(&mut tx, now, &login, client).await?;
        audit::record(
            &mut tx,
            now,
            &actor,
            audit::Entry {
                subject_account_id: Some(login.account_id),
                action: "login.second_step",
                target_type: Some("login"),
                target_id: Some(login.id.to_string()),
                detail: Some(step.as_str().into()),
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(SignIn::SecondStep {
            step,
            challenge,
            expires_at: now + crate::areas::auth::two_factor::CHALLENGE_MINUTES * 60_000,
        });
    }
    let session = open_session(&mut tx, state, now, login, client, &actor, None).await?;
    tx.commit().await?;
    Ok(SignIn::Session(session))
}

/// Opens a session for a login whose sign-in is complete, and audits it (`detail` says how).
pub(in crate::areas::auth) async fn open_session(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    now: i64,
    login: Login,
    client: &Client<'_>,
    actor: &Actor,
    detail: Option<&str>,
) -> AppResult<NewSession> {
    let token = secrets::random_hex(32);
    let csrf = secrets::random_hex(16);
    let expires = now + state.config.session_absolute.as_millis() as i64;
    let ua: Option<String> = client.user_agent.map(|u| u.chars().take(300).collect());
    sqlx::query(
        "INSERT INTO sessions (token_hash, login_id, csrf_token, ip, user_agent, created_at, \
         last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(secrets::token_hash(&token))
    .bind(login.id)
    .bind(&csrf)
    .bind(client.ip)
    .bind(ua)
    .bind(now)
    .bind(expires)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(login.account_id),
            action: "login",
            target_type: Some("login"),
            target_id: Some(login.id.to_string()),
            detail: detail.map(Into::into),
        },
    )
    .await?;
    Ok(NewSession {
        token,
        csrf_token: csrf,
        login,
    })
}

/// Resolves a session cookie to an identity; `None` when unknown, expired, idle too long or
/// when the login or an account above it is no longer active.
pub async fn resolve_session(
    state: &AppState,
    token: &str,
    ip: &str,
    request_id: &str,
) -> AppResult<Option<Identity>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let now = state.now_ms();
    let idle = state.config.session_idle.as_millis() as i64;
    let q = format!(
        "SELECT {}, {}, {}, s.id AS session_id, s.csrf_token, s.acting_as_account_id, s.acting_since, s.last_seen_at \
         FROM sessions s JOIN logins l ON l.id = s.login_id \
         LEFT JOIN accounts va ON va.id = COALESCE(s.acting_as_account_id, l.account_id) \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND {}",
        logins::COLUMNS,
        logins::SUSPENDED_BY,
        crate::areas::accounts::VIEW_COLUMNS,
        logins::LOGIN_MAY_SIGN_IN
    );
    let row = sqlx::query(&q)
        .bind(secrets::token_hash(token))
        .bind(now)
        .bind(now - idle)
        .fetch_optional(&state.db.pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let login = logins::from_row(&r)?;
    let session_id: i64 = r.try_get("session_id")?;
    let last_seen: i64 = r.try_get("last_seen_at")?;
    let acting_as: Option<i64> = r.try_get("acting_as_account_id")?;
    let acting_since: Option<i64> = r.try_get("acting_since")?;
    if now - last_seen > 30_000 {
        let mut tx = state.db.begin().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let mut who = Identity {
        home_account_id: login.account_id,
        view_account_id: acting_as.map(AccountId).unwrap_or(login.account_id),
        acting_as: acting_as.map(AccountId),
        login,
        via: AuthVia::Session {
            session_id: SessionId(session_id),
            csrf_token: r.try_get("csrf_token")?,
        },
        ip: ip.to_string(),
        request_id: request_id.to_string(),
        suspended_by: r.try_get("suspended_by")?,
        view: crate::areas::accounts::from_view_row(&r)?,
    };
    // Acting as another account ends by itself after an hour unless renewed, and at once when
    // the login is no longer an owner or admin.
    if let Some(acting) = acting_as {
        let expired = acting_since
            .is_none_or(|since| now - since > crate::areas::accounts::acting::MAX_ACTING_MS);
        let demoted =
            !crate::kernel::access::allows(who.login.role, crate::kernel::access::Need::Admin);
        if expired || demoted {
            who.acting_as = None;
            who.view_account_id = who.home_account_id;
            who.view = None;
            let action = if demoted {
                "act_as.revoke"
            } else {
                "act_as.expire"
            };
            crate::areas::accounts::acting::end(state, &who, SessionId(session_id), acting, action)
                .await?;
        }
    }
    Ok(Some(who))
}

/// Ends the session of `who` (sign out).
pub async fn sign_out(state: &AppState, who: &Identity) -> AppResult<()> {
    let Some(sid) = who.session_id() else {
        return Err(AppError::bad_request(
            ErrorCode::NotASession,
            "API tokens do not sign out; revoke the token instead",
        ));
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(sid)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.home_account_id),
            action: "logout",
            target_type: Some("login"),
            target_id: Some(who.login.id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes sessions that can no longer be used (a job runs this).
pub async fn purge_expired_sessions(state: &AppState) -> Result<u64, sqlx::Error> {
    let now = state.now_ms();
    let idle = state.config.session_idle.as_millis() as i64;
    let mut tx = state.db.begin().await?;
    let n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - idle)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
