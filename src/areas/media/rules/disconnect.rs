//! Disconnecting a player: its token, license and clones let go.

use super::*;
use crate::areas::media::PlayerId;

/// "Disconnect media player", confirmed: the player leaves the account, its token stops
/// working, its license is freed (unbound, for another player), players cloning it stop, and
/// the operator is told to check the subscription.
pub async fn disconnect(
    state: &AppState,
    who: &Identity,
    id: PlayerId,
    input: &Disconnect,
) -> AppResult<Player> {
    access::require(who, Need::Write)?;
    if input.confirm != Some(true) {
        return Err(AppError::field_code(
            ErrorCode::ConfirmationRequired,
            "confirm",
            "Confirm the disconnection (confirm: true): the player stops showing content",
        ));
    }
    let now = state.now_ms();
    let view = accounts::load(state, who.view_account_id).await?;
    let mut tx = state.db.begin().await?;
    let p = store::player(&mut tx, id, view.id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    bump_clones_of(&mut tx, id, now).await?;
    if let Some(l) = p.license_id {
        sqlx::query("UPDATE licenses SET bound_to = '', updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(l)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM players WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ident = p
        .player_code
        .clone()
        .map(|c| format!("player ID {c}"))
        .or(p.mac.clone().map(|m| format!("MAC {m}")))
        .unwrap_or_default();
    let license = p
        .license_id
        .map(|l| format!(", player license {l} freed"))
        .unwrap_or_default();
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(p.owner_id),
            action: "player.disconnect",
            target_type: Some("player"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{} ({}, {ident}){license}", p.name, p.model_name)),
        },
    )
    .await?;
    let link = p
        .license_id
        .map(|l| format!("/licenses/{l}"))
        .unwrap_or_else(|| "/players".into());
    tell_operator(
        state,
        &mut tx,
        None,
        &format!("{} disconnected a player of {}", view.name, p.owner_name),
        &format!(
            "{} disconnected the player “{}” ({}, {ident}) of {}{license}. Check with them whether a subscription is to be transferred or cancelled.",
            view.name, p.name, p.model_name, p.owner_name
        ),
        &link,
    )
    .await?;
    tx.commit().await?;
    crate::areas::media::device::changed();
    Ok(p)
}
