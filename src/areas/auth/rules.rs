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

/// Deletes the session `who` calls with (an API token stays, but is refused while locked).
async fn delete_used_session(
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

async fn end_session_at_limit(state: &AppState, who: &Identity) -> AppResult<()> {
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
        step: super::two_factor::Step,
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
                    subject_account_id: other.as_ref().map(|l| l.account_id),
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
    if let Some(step) = super::two_factor::second_step(&mut tx, &login).await? {
        let challenge = super::two_factor::open_challenge(&mut tx, now, &login, client).await?;
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
            expires_at: now + super::two_factor::CHALLENGE_MINUTES * 60_000,
        });
    }
    let session = open_session(&mut tx, state, now, login, client, &actor, None).await?;
    tx.commit().await?;
    Ok(SignIn::Session(session))
}

/// Opens a session for a login whose sign-in is complete, and audits it (`detail` says how).
pub(super) async fn open_session(
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
        view_account_id: acting_as.unwrap_or(login.account_id),
        acting_as,
        login,
        via: AuthVia::Session {
            session_id,
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
            crate::areas::accounts::acting::end(state, &who, session_id, acting, action).await?;
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

pub const TOKEN_PREFIX: &str = "pp_";

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Token)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

pub async fn resolve_token(
    state: &AppState,
    token: &str,
    ip: &str,
    request_id: &str,
) -> AppResult<Option<Identity>> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() != TOKEN_PREFIX.len() + 48 {
        return Ok(None);
    }
    let q = format!(
        "SELECT {}, {}, {}, t.id AS token_id, t.last_used_at FROM api_tokens t JOIN logins l ON l.id = t.login_id \
         LEFT JOIN accounts va ON va.id = l.account_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND {}",
        logins::COLUMNS,
        logins::SUSPENDED_BY,
        crate::areas::accounts::VIEW_COLUMNS,
        logins::LOGIN_MAY_SIGN_IN
    );
    let row = sqlx::query(&q)
        .bind(secrets::token_hash(token))
        .fetch_optional(&state.db.pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let login = logins::from_row(&r)?;
    let token_id: i64 = r.try_get("token_id")?;
    let last: Option<i64> = r.try_get("last_used_at")?;
    let now = state.now_ms();
    if last.is_none_or(|l| now - l > 60_000) {
        let mut tx = state.db.begin().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Some(Identity {
        home_account_id: login.account_id,
        view_account_id: login.account_id,
        acting_as: None,
        login,
        via: AuthVia::Token { token_id },
        ip: ip.to_string(),
        request_id: request_id.to_string(),
        suspended_by: r.try_get("suspended_by")?,
        view: crate::areas::accounts::from_view_row(&r)?,
    }))
}

fn token_from_row(r: &crate::kernel::db::Row) -> Result<ApiToken, sqlx::Error> {
    use crate::clock::rfc3339;
    Ok(ApiToken {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        created_at: rfc3339(r.try_get("created_at")?),
        last_used_at: r.try_get::<Option<i64>, _>("last_used_at")?.map(rfc3339),
        revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(rfc3339),
    })
}

pub async fn list_tokens(state: &AppState, who: &Identity) -> AppResult<Vec<ApiToken>> {
    who.require_own_identity()?;
    let rows = sqlx::query(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE login_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(who.login.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.iter().map(token_from_row).collect::<Result<_, _>>()?)
}

/// The columns the token list sorts by (the first is the default, newest first).
pub const TOKEN_SORTS: [(&str, &str); 3] = [
    ("created", "created_at"),
    ("name", "name"),
    ("last_used", "COALESCE(last_used_at, 0)"),
];

/// A page of the signed-in login's own tokens, by a whitelisted column (newest first).
pub async fn tokens_page(
    state: &AppState,
    who: &Identity,
    params: &crate::kernel::http::table::ListParams,
) -> AppResult<crate::kernel::query::Page<ApiToken>> {
    who.require_own_identity()?;
    let order = params.sort(&TOKEN_SORTS, true)?;
    let (page, per_page) = params.paging();
    let mut sql = crate::kernel::query::Sql::new(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE login_id = ",
    );
    sql.int(who.login.id);
    let (total, rows) =
        crate::kernel::query::fetch_page(&state.db.pool, sql, &order, "id", page, per_page).await?;
    Ok(crate::kernel::query::Page {
        items: rows.iter().map(token_from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// Creates a token; the returned secret is shown once and never again.
pub async fn create_token(
    state: &AppState,
    who: &Identity,
    name: &str,
) -> AppResult<(ApiToken, String)> {
    who.require_own_identity()?;
    let name = validate::name("name", name, 60)?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_tokens WHERE login_id = $1 AND revoked_at IS NULL",
    )
    .bind(who.login.id)
    .fetch_one(&state.db.pool)
    .await?;
    if count >= 50 {
        return Err(AppError::conflict(
            ErrorCode::TooManyTokens,
            "A login can hold at most 50 active tokens; revoke one first",
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", secrets::random_hex(24));
    let prefix: String = secret.chars().take(10).collect();
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (login_id, name, token_hash, prefix, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(who.login.id)
    .bind(&name)
    .bind(secrets::token_hash(&secret))
    .bind(&prefix)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.home_account_id),
            action: "api_token.create",
            target_type: Some("api_token"),
            target_id: Some(id.to_string()),
            detail: Some(name.clone()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        ApiToken {
            id,
            name,
            prefix,
            created_at: crate::clock::rfc3339(now),
            last_used_at: None,
            revoked_at: None,
        },
        secret,
    ))
}

pub async fn revoke_token(state: &AppState, who: &Identity, token_id: i64) -> AppResult<()> {
    who.require_own_identity()?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND login_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(token_id)
    .bind(who.login.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.home_account_id),
            action: "api_token.revoke",
            target_type: Some("api_token"),
            target_id: Some(token_id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
