//! Acting as an account below (Current View / Login as / Impersonate): owner rights there,
//! a banner on every page, audited start and exit, an hour at most unless renewed.

use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::auth::SessionId;
use crate::kernel::access;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use crate::state::AppState;

pub const MAX_ACTING_MS: i64 = 60 * 60 * 1000;

fn session_only(who: &Identity) -> AppResult<SessionId> {
    who.session_id().ok_or_else(|| {
        AppError::bad_request(
            ErrorCode::NotASession,
            "With an API token, send the header X-Act-As: <account id> instead",
        )
    })
}

pub async fn start(state: &AppState, who: &Identity, target: AccountId) -> AppResult<Account> {
    let sid = session_only(who)?;
    let account = access::may_act_as(state, who, target).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE sessions SET acting_as_account_id = $1, acting_since = $2 WHERE id = $3")
        .bind(account.id)
        .bind(now)
        .bind(sid)
        .execute(&mut *tx)
        .await?;
    let mut actor = who.actor();
    actor.acting_as_account_id = Some(account.id);
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(account.id),
            action: "act_as.start",
            target_type: Some("account"),
            target_id: Some(account.id.to_string()),
            detail: Some(format!("{} acts as {}", who.login.email, account.name)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// The account this session acts as, as stored (not an `X-Act-As` header of this request).
async fn session_acting(state: &AppState, sid: SessionId) -> AppResult<Option<i64>> {
    let v: Option<Option<i64>> =
        sqlx::query_scalar("SELECT acting_as_account_id FROM sessions WHERE id = $1")
            .bind(sid)
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(v.flatten())
}

pub async fn exit(state: &AppState, who: &Identity) -> AppResult<()> {
    let sid = session_only(who)?;
    let Some(acting) = session_acting(state, sid).await? else {
        return Err(AppError::conflict(
            ErrorCode::NotActing,
            "You are not acting as another account",
        ));
    };
    end(state, who, sid, acting, "act_as.exit").await
}

pub(crate) async fn end(
    state: &AppState,
    who: &Identity,
    sid: SessionId,
    acting: i64,
    action: &str,
) -> AppResult<()> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE sessions SET acting_as_account_id = NULL, acting_since = NULL WHERE id = $1",
    )
    .bind(sid)
    .execute(&mut *tx)
    .await?;
    let mut actor = who.actor();
    actor.acting_as_account_id = Some(AccountId(acting));
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(AccountId(acting)),
            action,
            target_type: Some("account"),
            target_id: Some(acting.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Extends acting as the current account by another hour.
pub async fn renew(state: &AppState, who: &Identity) -> AppResult<()> {
    let sid = session_only(who)?;
    let Some(acting) = session_acting(state, sid).await? else {
        return Err(AppError::conflict(
            ErrorCode::NotActing,
            "You are not acting as another account",
        ));
    };
    if !access::allows(who.login.role, access::Need::Admin) {
        return Err(AppError::forbidden(
            "only owners and admins may act as another account",
        ));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE sessions SET acting_since = $1 WHERE id = $2")
        .bind(now)
        .bind(sid)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(AccountId(acting)),
            action: "act_as.renew",
            target_type: Some("account"),
            target_id: Some(acting.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Applies an `X-Act-As` header to an identity, under the same rules as the session switch.
pub async fn apply_header(state: &AppState, who: Identity, value: &str) -> AppResult<Identity> {
    let target: i64 = value.trim().parse().map_err(|_| {
        AppError::bad_request(ErrorCode::InvalidActAs, "X-Act-As must be an account id")
    })?;
    if who.acting_as.is_some() {
        return Err(AppError::conflict(
            ErrorCode::AlreadyActing,
            "This session already acts as another account",
        ));
    }
    if target == who.home_account_id {
        return Ok(who);
    }
    let account = access::may_act_as(state, &who, AccountId(target)).await?;
    Ok(Identity {
        view_account_id: account.id,
        acting_as: Some(account.id),
        view: Some(account),
        ..who
    })
}
