//! Sharing a clip down the tree: the accounts it may go to, and setting them.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::ClipId;

/// The accounts below the clip's owner it may be shared with (name order).
pub async fn share_targets(
    state: &AppState,
    owner: AccountId,
) -> AppResult<Vec<(i64, String, crate::kernel::enums::Kind)>> {
    let a = accounts::load(state, owner).await?;
    let upper = format!("{}0", a.path.trim_end_matches('/'));
    Ok(sqlx::query_as(
        "SELECT id, name, kind FROM accounts WHERE path > $1 AND path < $2 AND status = 'active' \
         ORDER BY name, id LIMIT 500",
    )
    .bind(&a.path)
    .bind(&upper)
    .fetch_all(&state.db.pool)
    .await?)
}

/// Who below sees the clip: all, the accounts given, or none. Needs the owner's package
/// feature "advertisement tool". Playlists below that held it and lose it keep their items
/// (the clip was theirs to use); new playlists cannot take it.
pub async fn set_sharing(
    state: &AppState,
    who: &Identity,
    id: ClipId,
    input: &ClipSharing,
) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clip(state, who, id).await?;
    let owner = accounts::load(state, old.owner_id).await?;
    if !crate::areas::media::rules::has_feature(state, &owner, "feature_ads").await? {
        return Err(AppError::forbidden(
            "Sharing clips needs the package feature “advertisement tool”: ask Client Services to switch it on",
        ));
    }
    let mut ids = input.account_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if input.all && !ids.is_empty() {
        return Err(AppError::validation(
            "account_ids",
            "Shared with all: leave the list of accounts empty",
        ));
    }
    if ids.len() > 500 {
        return Err(AppError::validation("account_ids", "At most 500 accounts"));
    }
    for a in &ids {
        if *a == owner.id || !access::is_within(state, owner.id, AccountId(*a)).await? {
            return Err(AppError::validation(
                "account_ids",
                format!("Account {a} is not below {}", owner.name),
            ));
        }
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE clips SET share_all = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(input.all))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM clip_shares WHERE clip_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for a in &ids {
        sqlx::query("INSERT INTO clip_shares (clip_id, account_id) VALUES ($1, $2)")
            .bind(id)
            .bind(a)
            .execute(&mut *tx)
            .await?;
    }
    let detail = if input.all {
        format!("“{}” available for all users", old.title)
    } else if ids.is_empty() {
        format!("“{}” only for {}", old.title, owner.name)
    } else {
        format!(
            "“{}” available for {} account(s) below",
            old.title,
            ids.len()
        )
    };
    record(&mut tx, who, now, owner.id, "clip.share", id, detail).await?;
    tx.commit().await?;
    clip(state, who, id).await
}
