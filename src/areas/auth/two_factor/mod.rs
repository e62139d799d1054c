//! Two-factor sign-in with TOTP (RFC 6238: six digits, 30-second steps, one step of skew).
//!
//! A login turns it on from My profile (a QR code, then a code to confirm) and gets ten
//! single-use recovery codes, kept only as hashes. Its sign-in then asks for a code after the
//! password: the password step leaves a challenge (a token kept as a hash, five minutes), and
//! the code step turns it into a session. A code is accepted once (the last accepted step is
//! kept), wrong codes count in the sign-in lockout, and API tokens are not affected. The
//! operator may require a second factor for chosen roles of an account's logins, or for every
//! login of an account and below; a login that must enrol is led to it at its next sign-in.

use super::rules::{check_throttle_as, count_failure, open_session, Client, NewSession};
use crate::areas::accounts::logins;
use crate::areas::accounts::logins::Login;
use crate::kernel::audit;
use crate::kernel::audit::Actor;
use crate::kernel::error::{AppError, AppResult, ErrorCode};
use crate::kernel::secrets;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;
use totp_rs::{Algorithm, Secret, TOTP};

/// How long the second step of a sign-in may wait.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Wrong codes for one login before its second step locks for the lockout window.
const MAX_WRONG_CODES: i64 = 5;
const RECOVERY_CODES: usize = 10;

/// What the second step of a sign-in asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A code from the authenticator (or a recovery code).
    Code,
    /// The login must set up a second factor first.
    Enrol,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Code => "code",
            Step::Enrol => "enrol",
        }
    }
}

/// A login's second factor as My profile shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// A policy of the operator requires it for this login.
    pub required: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: i64,
}

/// What an authenticator app needs to add the login.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// The shared secret in base32, for typing in by hand.
    pub secret: String,
    /// The `otpauth://` address the QR code carries.
    pub otpauth_uri: String,
    /// The QR code as an SVG image.
    #[serde(skip)]
    pub qr_svg: String,
}

fn totp(secret_b32: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("stored TOTP secret: {e:?}")))?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes)
        .map_err(|e| AppError::Internal(format!("TOTP: {e:?}")))
}

/// The time step a code belongs to (the current one, or one either side), if it is right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn step_of(t: &TOTP, code: &str, now_ms: i64) -> Option<i64> {
    let now = (now_ms / 1000).max(0) as u64;
    let current = now / 30;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|s| constant_time_eq(t.generate(s * 30).as_bytes(), code.as_bytes()))
        .map(|s| s as i64)
}

fn new_secret() -> String {
    let mut b = vec![0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    Secret::Raw(b).to_encoded().to_string()
}

/// `otpauth://totp/Issuer:email?secret=…&issuer=…`, with both names percent-encoded.
fn otpauth_uri(issuer: &str, email: &str, secret: &str) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(email),
        enc(issuer)
    )
}

fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// A recovery code as people type it: `xxxxx-xxxxx`, lower case, no look-alikes.
fn new_recovery_code() -> String {
    const A: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut b = [0u8; 10];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    let s: String = b.iter().map(|x| A[*x as usize % A.len()] as char).collect();
    format!("{}-{}", &s[..5], &s[5..])
}

/// A code as typed, without spaces and dashes, in lower case (recovery codes are hashed so).
fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase()
}

/// Whether the login's sign-in needs a second step, and which.
pub(super) async fn second_step(
    conn: &mut sqlx::AnyConnection,
    login: &Login,
) -> AppResult<Option<Step>> {
    let enabled: Option<Option<i64>> =
        sqlx::query_scalar("SELECT enabled_at FROM login_totp WHERE login_id = $1")
            .bind(login.id)
            .fetch_optional(&mut *conn)
            .await?;
    if enabled.flatten().is_some() {
        return Ok(Some(Step::Code));
    }
    Ok(if required(&mut *conn, login).await? {
        Some(Step::Enrol)
    } else {
        None
    })
}

/// Whether a policy requires a second factor of this login.
async fn required(conn: &mut sqlx::AnyConnection, login: &Login) -> AppResult<bool> {
    // The role is written into the text (see `Sql::literal`).
    let mut sql = crate::kernel::query::Sql::new(
        "SELECT COUNT(*) FROM two_factor_policies p WHERE (p.account_id = ",
    );
    sql.int(login.account_id)
        .push(" AND (',' || p.roles || ',') LIKE ")
        .literal(&format!("%,{},%", login.role.as_str()))
        .push(
            ") OR (p.below = 1 AND p.account_id IN \
             (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1))",
        );
    let n: i64 = sql.scalar().fetch_one(&mut *conn).await?;
    Ok(n > 0)
}

/// Records a challenge for the second step and gives its token.
pub(super) async fn open_challenge(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    login: &Login,
    client: &Client<'_>,
) -> AppResult<String> {
    sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let token = secrets::random_hex(32);
    let ua: Option<String> = client.user_agent.map(|u| u.chars().take(300).collect());
    sqlx::query(
        "INSERT INTO sign_in_challenges (login_id, token_hash, ip, user_agent, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(login.id)
    .bind(secrets::token_hash(&token))
    .bind(client.ip)
    .bind(ua)
    .bind(now)
    .bind(now + CHALLENGE_MINUTES * 60_000)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

fn challenge_gone() -> AppError {
    AppError::field_code(
        ErrorCode::SignInStepExpired,
        "challenge",
        "This sign-in has expired; sign in again with your password",
    )
}

/// The login a live challenge belongs to (still allowed to sign in), and its step.
async fn challenge_login(state: &AppState, challenge: &str) -> AppResult<(i64, Login, Step)> {
    if challenge.is_empty() || challenge.len() > 128 {
        return Err(challenge_gone());
    }
    let row = sqlx::query(
        "SELECT id, login_id FROM sign_in_challenges WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(secrets::token_hash(challenge))
    .bind(state.now_ms())
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(challenge_gone)?;
    let id: i64 = row.try_get("id")?;
    let login_id: i64 = row.try_get("login_id")?;
    let q = format!(
        "SELECT {} FROM logins l WHERE l.id = $1 AND {}",
        logins::COLUMNS,
        logins::LOGIN_MAY_SIGN_IN
    );
    let r = sqlx::query(&q)
        .bind(login_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(challenge_gone)?;
    let login = logins::from_row(&r)?;
    let mut conn = state.db.pool.acquire().await?;
    let step = second_step(&mut conn, &login).await?.unwrap_or(Step::Code);
    Ok((id, login, step))
}

fn actor_of(login: &Login, client: &Client<'_>) -> Actor {
    Actor {
        login_id: Some(login.id),
        login_email: Some(login.email.clone()),
        home_account_id: Some(login.account_id),
        acting_as_account_id: None,
        ip: Some(client.ip.to_string()),
        request_id: Some(client.request_id.to_string()),
    }
}

fn wrong_code_refusal(retry_after_secs: i64) -> AppError {
    AppError::TooManyRequests { retry_after_secs }
}

/// Checks a code (from the authenticator, or a recovery code when `recovery` allows it) of a
/// login inside `tx`: a right code is used up (its step, or the recovery code), a wrong one is
/// counted and audited by the caller's error. `pending` checks the secret of an enrolment not
/// yet confirmed.
async fn use_code(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    login: &Login,
    code: &str,
    pending: bool,
) -> AppResult<&'static str> {
    let code = normalise_code(code);
    if code.is_empty() {
        return Err(AppError::field_code(
            ErrorCode::CodeInvalid,
            "code",
            "Enter the six-digit code from your authenticator app",
        ));
    }
    let row =
        sqlx::query("SELECT secret, enabled_at, last_step FROM login_totp WHERE login_id = $1")
            .bind(login.id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(row) = row else {
        return Err(AppError::conflict(
            ErrorCode::TwoFactorOff,
            "Two-factor sign-in is not set up for this login",
        ));
    };
    let secret: String = row.try_get("secret")?;
    let enabled: Option<i64> = row.try_get("enabled_at")?;
    let last_step: i64 = row.try_get("last_step")?;
    if enabled.is_none() != pending {
        return Err(AppError::conflict(
            if pending {
                ErrorCode::TwoFactorOn
            } else {
                ErrorCode::TwoFactorOff
            },
            if pending {
                "Two-factor sign-in is already on for this login"
            } else {
                "Two-factor sign-in is not set up for this login"
            },
        ));
    }
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let t = totp(&secret)?;
        if let Some(step) = step_of(&t, &code, state.now_ms()) {
            if step <= last_step {
                return Err(AppError::field_code(
                    ErrorCode::CodeReused,
                    "code",
                    "This code was already used; wait for the next one",
                ));
            }
            // Only the first request to move the step on wins; a replay in parallel does not.
            let n = sqlx::query(
                "UPDATE login_totp SET last_step = $1 WHERE login_id = $2 AND last_step < $1",
            )
            .bind(step)
            .bind(login.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(AppError::field_code(
                    ErrorCode::CodeReused,
                    "code",
                    "This code was already used; wait for the next one",
                ));
            }
            return Ok("authenticator code");
        }
    } else if !pending {
        let n = sqlx::query(
            "UPDATE login_recovery_codes SET used_at = $1 \
             WHERE login_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(state.now_ms())
        .bind(login.id)
        .bind(secrets::token_hash(&code))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            return Ok("recovery code");
        }
    }
    Err(AppError::field_code(
        ErrorCode::CodeInvalid,
        "code",
        if pending {
            "That code is not right; enter the six digits your app shows now"
        } else {
            "That code is not right (or the recovery code was used)"
        },
    ))
}

/// Runs `use_code` under the lockout of the login's codes: a wrong code is counted and audited,
/// the fifth locks the login's second step for the lockout window (429).
async fn checked_code(
    state: &AppState,
    login: &Login,
    actor: &Actor,
    code: &str,
    pending: bool,
) -> AppResult<(crate::kernel::db::Tx, &'static str)> {
    let key = format!("totp:{}", login.id);
    check_throttle_as(state, std::slice::from_ref(&key), wrong_code_refusal).await?;
    let mut tx = state.db.begin().await?;
    match use_code(&mut tx, state, login, code, pending).await {
        Ok(how) => Ok((tx, how)),
        Err(e @ (AppError::Field { .. } | AppError::Validation { .. })) => {
            drop(tx);
            let mut tx = state.db.begin().await?;
            count_failure(&mut tx, state, &key, MAX_WRONG_CODES).await?;
            audit::record(
                &mut tx,
                state.now_ms(),
                actor,
                audit::Entry {
                    subject_account_id: Some(login.account_id),
                    action: "two_factor.wrong_code",
                    target_type: Some("login"),
                    target_id: Some(login.id.to_string()),
                    detail: Some(e.code().as_str().into()),
                },
            )
            .await?;
            tx.commit().await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// The second step of a sign-in: a right code turns the challenge into a session.
pub async fn complete_sign_in(
    state: &AppState,
    challenge: &str,
    code: &str,
    client: &Client<'_>,
) -> AppResult<NewSession> {
    let (challenge_id, login, step) = challenge_login(state, challenge).await?;
    if step == Step::Enrol {
        return Err(AppError::conflict(
            ErrorCode::TwoFactorOff,
            "Set up two-factor sign-in first: this login must use it",
        ));
    }
    let actor = actor_of(&login, client);
    let (mut tx, how) = checked_code(state, &login, &actor, code, false).await?;
    let gone = sqlx::query("DELETE FROM sign_in_challenges WHERE id = $1")
        .bind(challenge_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(challenge_gone());
    }
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(format!("totp:{}", login.id))
        .execute(&mut *tx)
        .await?;
    let now = state.now_ms();
    let detail = format!("with a second factor ({how})");
    let s = open_session(&mut tx, state, now, login, client, &actor, Some(&detail)).await?;
    tx.commit().await?;
    Ok(s)
}

mod admin;
mod enrol;
mod own;
pub use admin::*;
pub use enrol::*;
pub use own::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_the_rfc_vectors() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 59 s → 94287082 (8 digits);
        // its last six digits are the six-digit code.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let t = totp(&secret).unwrap();
        assert_eq!(t.generate(59), "287082");
        assert_eq!(step_of(&t, "287082", 59_000), Some(1));
        // One step either side is accepted; two are not.
        assert_eq!(step_of(&t, "287082", 89_000), Some(1));
        assert_eq!(step_of(&t, "287082", 120_000), None);
    }

    #[test]
    fn the_uri_encodes_names() {
        let u = otpauth_uri("Partner Panel", "a+b@x.test", "ABC");
        assert!(u.starts_with("otpauth://totp/Partner%20Panel:a%2Bb@x.test?secret=ABC"));
        assert!(!qr_svg(&u).is_empty());
    }

    #[test]
    fn recovery_codes_read_well() {
        let c = new_recovery_code();
        assert_eq!(c.len(), 11);
        assert_eq!(&c[5..6], "-");
        assert_eq!(normalise_code(" AbCde-FGhij "), "abcdefghij");
    }
}
