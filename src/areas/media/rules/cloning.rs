//! Cloning a client's player: the clients and players offered, and the clone itself.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::PlayerId;

/// The clients of the account in view that have players, for the Clone pop-up.
pub async fn clone_clients(state: &AppState, who: &Identity) -> AppResult<Vec<(i64, String, i64)>> {
    let view = accounts::load(state, who.view_account_id).await?;
    let upper = format!("{}0", view.path.trim_end_matches('/'));
    Ok(sqlx::query_as(
        "SELECT o.id, o.name, CAST(COUNT(*) AS BIGINT) FROM players p JOIN accounts o ON o.id = p.owner_id \
         WHERE p.owner_path > $1 AND p.owner_path < $2 AND p.clone_of IS NULL \
         GROUP BY o.id, o.name ORDER BY o.name, o.id LIMIT 500",
    )
    .bind(&view.path)
    .bind(&upper)
    .fetch_all(&state.db.pool)
    .await?)
}

/// The players of one client (below the account in view) that can be cloned.
pub async fn clone_sources(
    state: &AppState,
    who: &Identity,
    client_id: AccountId,
) -> AppResult<Vec<Player>> {
    if client_id == who.view_account_id
        || !access::is_within(state, who.view_account_id, client_id).await?
    {
        return Err(AppError::validation(
            "client_id",
            "Choose one of your clients",
        ));
    }
    let now = state.now_ms();
    let rows = sqlx::query(&format!(
        "SELECT {}{} WHERE p.owner_id = $1 AND p.clone_of IS NULL ORDER BY p.name, p.id LIMIT 500",
        store::PLAYER_COLUMNS,
        store::PLAYER_FROM
    ))
    .bind(client_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| store::player_from_row(r, who.view_account_id, now))
        .collect::<Result<_, _>>()?)
}

/// Clone: the account in view's own player shows what a client's player shows, and follows it
/// until something else is assigned. Reads the client's content, never changes it; recorded on
/// the cloning side only.
pub async fn clone_player(
    state: &AppState,
    who: &Identity,
    id: PlayerId,
    input: &CloneSource,
) -> AppResult<Player> {
    access::require(who, Need::Write)?;
    let source_id = required(
        "source_player_id",
        &input.source_player_id,
        "The player to clone",
    )?;
    let now = state.now_ms();
    let view = accounts::load(state, who.view_account_id).await?;
    let mut tx = state.db.begin().await?;
    let target = store::player(&mut tx, id, view.id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    if target.owner_id != view.id {
        return Err(AppError::validation(
            "source_player_id",
            "Only your own players clone a client's player",
        ));
    }
    let not_a_client = || {
        AppError::validation(
            "source_player_id",
            "No such player among your clients' players",
        )
    };
    let source = store::player(&mut tx, PlayerId(source_id), view.id, now)
        .await?
        .ok_or_else(not_a_client)?;
    let src_path: String = sqlx::query_scalar("SELECT owner_path FROM players WHERE id = $1")
        .bind(source_id)
        .fetch_one(&mut *tx)
        .await?;
    let upper = format!("{}0", view.path.trim_end_matches('/'));
    if !(src_path.as_str() > view.path.as_str() && src_path < upper) {
        return Err(not_a_client());
    }
    if source.clone_of.is_some() {
        return Err(AppError::validation(
            "source_player_id",
            format!(
                "{} clones another player itself: clone that one",
                source.name
            ),
        ));
    }
    sqlx::query(
        "UPDATE players SET clone_of = $1, playlist_id = NULL, config_rev = config_rev + 1, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(source_id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(view.id),
            action: "player.clone",
            target_type: Some("player"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{} shows what {} of {} shows",
                target.name, source.name, source.owner_name
            )),
        },
    )
    .await?;
    let p = store::player(&mut tx, id, view.id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    crate::areas::media::device::changed();
    Ok(p)
}
