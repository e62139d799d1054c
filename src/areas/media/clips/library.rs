//! Reading clips: the library, one clip, and the clips an account may use.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::ClipId;

// ---- reading ----

/// The clip library of the account in view: its own clips, or (tab `partner`) those accounts
/// above share with it.
pub async fn library(state: &AppState, who: &Identity, f: &ClipFilter) -> AppResult<Vec<Clip>> {
    let view = who.view_account_id;
    let partner = match f.tab.as_deref().map(str::trim).unwrap_or("") {
        "" | "own" => false,
        "partner" => true,
        _ => return Err(AppError::validation("tab", "Tab must be own or partner")),
    };
    let key = link_key(state).await?;
    let sql = if partner {
        format!(
            "SELECT {COLUMNS} FROM clips c JOIN accounts o ON o.id = c.owner_id \
             WHERE c.owner_id IN (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1 AND depth > 0) \
             AND (c.share_all = 1 OR EXISTS (SELECT 1 FROM clip_shares s WHERE s.clip_id = c.id AND s.account_id = $1)) \
             ORDER BY c.title, c.id LIMIT 500"
        )
    } else {
        format!(
            "SELECT {COLUMNS} FROM clips c JOIN accounts o ON o.id = c.owner_id \
             WHERE c.owner_id = $1 ORDER BY c.title, c.id LIMIT 500"
        )
    };
    let rows = sqlx::query(&sql)
        .bind(view)
        .fetch_all(&state.db.pool)
        .await?;
    let mut out: Vec<Clip> = rows
        .iter()
        .map(|r| from_row(state, &key, r, view))
        .collect::<Result<_, _>>()?;
    if !partner {
        for c in out.iter_mut() {
            fill_sharing(state, c).await?;
        }
    }
    Ok(out)
}

async fn fill_sharing(state: &AppState, c: &mut Clip) -> AppResult<()> {
    let all: i64 = sqlx::query_scalar("SELECT share_all FROM clips WHERE id = $1")
        .bind(c.id)
        .fetch_one(&state.db.pool)
        .await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT account_id FROM clip_shares WHERE clip_id = $1 ORDER BY account_id",
    )
    .bind(c.id)
    .fetch_all(&state.db.pool)
    .await?;
    c.share_all = Some(all != 0);
    c.shared_with = Some(ids);
    Ok(())
}

/// One clip the router checked (owned by the account in view or below).
pub async fn clip(state: &AppState, who: &Identity, id: ClipId) -> AppResult<Clip> {
    let key = link_key(state).await?;
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM clips c JOIN accounts o ON o.id = c.owner_id WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let mut c = from_row(state, &key, &r, who.view_account_id)?;
    // An account above the owner may change it as well (acting as it, or from above).
    c.editable = true;
    fill_sharing(state, &mut c).await?;
    Ok(c)
}

/// Whether `owner` may put `clip` in its playlists: its own, or shared with it from above.
pub(crate) async fn usable_by(
    conn: &mut sqlx::AnyConnection,
    owner: AccountId,
    clip: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.duration_s FROM clips c WHERE c.id = $1 AND (c.owner_id = $2 OR \
         (c.owner_id IN (SELECT ancestor_id FROM account_closure WHERE descendant_id = $2 AND depth > 0) \
          AND (c.share_all = 1 OR EXISTS (SELECT 1 FROM clip_shares s WHERE s.clip_id = c.id AND s.account_id = $2))))",
    )
    .bind(clip)
    .bind(owner)
    .fetch_optional(conn)
    .await
}

/// The clips `owner` may put in its playlists (id, title, kind, duration; title order).
pub async fn usable_clips(
    state: &AppState,
    owner: AccountId,
) -> AppResult<Vec<(i64, String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.title, c.kind, c.duration_s FROM clips c WHERE c.owner_id = $1 OR \
         (c.owner_id IN (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1 AND depth > 0) \
          AND (c.share_all = 1 OR EXISTS (SELECT 1 FROM clip_shares s WHERE s.clip_id = c.id AND s.account_id = $1))) \
         ORDER BY c.title, c.id LIMIT 500",
    )
    .bind(owner)
    .fetch_all(&state.db.pool)
    .await?)
}
