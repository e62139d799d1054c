//! A login's sessions: the list on My profile (browser, address, started, last seen, acting as)
//! and ending any of them; an owner or admin ending every session of a login it manages.

use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::areas::auth::SessionId;
use crate::kernel::audit;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

/// A session of the signed-in login.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SignInSession)]
pub struct SessionInfo {
    #[schema(value_type = i64)]
    pub id: SessionId,
    /// The browser and system, read from its User-Agent ("Chrome on Linux"); "unknown" without one.
    pub browser: String,
    /// The full User-Agent it sent.
    pub user_agent: Option<String>,
    /// The address it signed in from.
    pub ip: Option<String>,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub last_seen_at: String,
    /// The account it acts as, if any.
    #[schema(value_type = Option<i64>)]
    pub acting_as_account_id: Option<AccountId>,
    pub acting_as_name: Option<String>,
    /// The session of this very request.
    pub current: bool,
}

/// "Firefox on Windows" from a User-Agent: the first browser and system names found in it.
pub fn browser_of(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|u| !u.trim().is_empty()) else {
        return "unknown".into();
    };
    // Order matters: Edge and Opera say Chrome too, Chrome says Safari.
    const BROWSERS: [(&str, &str); 8] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("reqwest", "a program"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS
        .iter()
        .find(|(k, _)| ua.contains(k))
        .map(|(_, n)| *n);
    let system = SYSTEMS
        .iter()
        .find(|(k, _)| ua.contains(k))
        .map(|(_, n)| *n);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("a browser on {s}"),
        (None, None) => ua.chars().take(40).collect(),
    }
}

/// The signed-in login's live sessions, the latest seen first.
pub async fn list_sessions(state: &AppState, who: &Identity) -> AppResult<Vec<SessionInfo>> {
    who.require_own_identity()?;
    let now = state.now_ms();
    let idle = state.config.session_idle.as_millis() as i64;
    let rows = sqlx::query(
        "SELECT s.id, s.user_agent, s.ip, s.created_at, s.last_seen_at, s.acting_as_account_id, \
         a.name AS acting_as_name FROM sessions s LEFT JOIN accounts a ON a.id = s.acting_as_account_id \
         WHERE s.login_id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
         ORDER BY s.last_seen_at DESC, s.id DESC LIMIT 200",
    )
    .bind(who.login.id)
    .bind(now)
    .bind(now - idle)
    .fetch_all(&state.db.pool)
    .await?;
    let current = who.session_id();
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let ua: Option<String> = r.try_get("user_agent")?;
            Ok(SessionInfo {
                id: SessionId(id),
                browser: browser_of(ua.as_deref()),
                user_agent: ua,
                ip: r.try_get("ip")?,
                started_at: crate::clock::rfc3339(r.try_get("created_at")?),
                last_seen_at: crate::clock::rfc3339(r.try_get("last_seen_at")?),
                acting_as_account_id: r.try_get("acting_as_account_id")?,
                acting_as_name: r.try_get("acting_as_name")?,
                current: current == Some(SessionId(id)),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Ends one of the signed-in login's sessions (the router has checked it is its own; a
/// session of another login is 404 there). Ending the current one signs out.
pub async fn end_session(state: &AppState, who: &Identity, id: SessionId) -> AppResult<()> {
    who.require_own_identity()?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query("DELETE FROM sessions WHERE id = $1 AND login_id = $2")
        .bind(id)
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
            action: "session.end",
            target_type: Some("session"),
            target_id: Some(id.to_string()),
            detail: Some(if who.session_id() == Some(id) {
                "this session (signed out)".into()
            } else {
                "another session of the login".into()
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a login the caller manages (the router has checked the login is in
/// reach with the admin need); returns how many ended. API tokens are not touched.
pub async fn end_login_sessions(
    state: &AppState,
    who: &Identity,
    login_id: LoginId,
) -> AppResult<u64> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let account_id: Option<i64> = sqlx::query_scalar("SELECT account_id FROM logins WHERE id = $1")
        .bind(login_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(account_id) = account_id else {
        return Err(AppError::NotFound);
    };
    let n = sqlx::query("DELETE FROM sessions WHERE login_id = $1")
        .bind(login_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(AccountId(account_id)),
            action: "login.sessions_end",
            target_type: Some("login"),
            target_id: Some(login_id.to_string()),
            detail: Some(format!("{n} session(s) ended")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::browser_of;

    #[test]
    fn names_the_browser_and_system() {
        assert_eq!(
            browser_of(Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")),
            "Chrome on Linux"
        );
        assert_eq!(
            browser_of(Some(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
            )),
            "Firefox on Windows"
        );
        assert_eq!(browser_of(None), "unknown");
    }
}
