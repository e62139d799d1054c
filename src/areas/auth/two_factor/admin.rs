//! A second factor as others manage it: an owner or admin resets a login's, and the operator
//! sets who must use one.

use super::own::remove;
use super::*;
use crate::areas::accounts::logins;
use crate::areas::accounts::logins::Login;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::kernel::audit;
use crate::kernel::enums::{Kind, Role};
use crate::kernel::error::{AppError, AppResult, ErrorCode};
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;

/// Who must use a second factor, set by the operator on an account.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Policy {
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    /// Roles of this account's own logins that must use a second factor.
    pub roles: Vec<String>,
    /// Every login of this account and of every account below it must.
    pub below: bool,
}

/// An owner or admin resets the second factor of a login it manages (one that lost its phone):
/// the login signs in with its password again, and enrols anew where a policy requires it.
/// The route has checked the login is within reach.
pub async fn reset(state: &AppState, who: &Identity, login_id: LoginId) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let account_id: Option<i64> = sqlx::query_scalar("SELECT account_id FROM logins WHERE id = $1")
        .bind(login_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(account_id) = account_id else {
        return Err(AppError::NotFound);
    };
    let had: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_totp WHERE login_id = $1 AND enabled_at IS NOT NULL",
    )
    .bind(login_id)
    .fetch_one(&mut *tx)
    .await?;
    if had == 0 {
        return Err(AppError::conflict(
            ErrorCode::TwoFactorOff,
            "This login has no second factor to reset",
        ));
    }
    remove(&mut tx, login_id).await?;
    audit::record(
        &mut tx,
        state.now_ms(),
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(AccountId(account_id)),
            action: "two_factor.reset",
            target_type: Some("login"),
            target_id: Some(login_id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The policy set on an account (empty when none).
pub async fn policy(state: &AppState, account_id: AccountId) -> AppResult<Policy> {
    let row = sqlx::query("SELECT roles, below FROM two_factor_policies WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(match row {
        None => Policy {
            account_id,
            ..Policy::default()
        },
        Some(r) => {
            let roles: String = r.try_get("roles")?;
            let below: i64 = r.try_get("below")?;
            Policy {
                account_id,
                roles: roles
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                below: below == 1,
            }
        }
    })
}

/// The operator sets who must use a second factor on an account (the route checked the account
/// is within reach); nobody else may.
pub async fn set_policy(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
    roles: &[String],
    below: bool,
) -> AppResult<Policy> {
    let home = crate::areas::accounts::get(&state.db, who.home_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if home.kind != Kind::Operator || who.acting_as.is_some() {
        return Err(AppError::forbidden(
            "Only the operator decides who must use two-factor sign-in",
        ));
    }
    let mut chosen: Vec<String> = Vec::new();
    for r in roles {
        let role: Role = r.trim().parse().map_err(|_| {
            AppError::validation(
                "roles",
                format!(
                    "Unknown role '{}': use owner, admin, member or viewer",
                    r.trim()
                ),
            )
        })?;
        let s = role.as_str().to_string();
        if !chosen.contains(&s) {
            chosen.push(s);
        }
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM two_factor_policies WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if below || !chosen.is_empty() {
        sqlx::query(
            "INSERT INTO two_factor_policies (account_id, roles, below, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(chosen.join(","))
        .bind(below as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let detail = match (chosen.is_empty(), below) {
        (true, false) => "nobody is required".to_string(),
        (_, true) => "every login of the account and below".to_string(),
        (false, false) => format!("roles: {}", chosen.join(", ")),
    };
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(account_id),
            action: "two_factor.policy",
            target_type: Some("account"),
            target_id: Some(account_id.to_string()),
            detail: Some(detail),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Policy {
        account_id,
        roles: chosen,
        below,
    })
}

/// The logins of an account with whether each has a second factor (for its owners and admins).
pub async fn logins_of(state: &AppState, account_id: AccountId) -> AppResult<Vec<(Login, bool)>> {
    let q = format!(
        "SELECT {}, CASE WHEN EXISTS (SELECT 1 FROM login_totp t WHERE t.login_id = l.id \
         AND t.enabled_at IS NOT NULL) THEN 1 ELSE 0 END AS has_totp \
         FROM logins l WHERE l.account_id = $1 ORDER BY l.email",
        logins::COLUMNS
    );
    let rows = sqlx::query(&q)
        .bind(account_id)
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok((logins::from_row(r)?, r.try_get::<i64, _>("has_totp")? == 1)))
        .collect()
}
