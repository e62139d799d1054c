//! The operator's catalogue of player models: listing, adding and changing models.

use super::*;
use crate::areas::media::PlayerModelId;

// ---- the catalogue of models (operator) ----

/// Every model (the operator), or the compatible ones (everyone else: what may be added).
pub async fn models(state: &AppState, who: &Identity) -> AppResult<Vec<PlayerModel>> {
    let view = accounts::load(state, who.view_account_id).await?;
    Ok(store::models(&state.db.pool, view.kind != Kind::Operator).await?)
}

fn check_model_input(
    input: &ModelInput,
    old: Option<&PlayerModel>,
) -> AppResult<(String, String, bool)> {
    let mut c = validate::Collect::new();
    let name = c.take(match (&input.name, old) {
        (Some(n), _) => validate::name("name", n, validate::MAX_NAME),
        (None, Some(o)) => Ok(o.name.clone()),
        (None, None) => Err(AppError::validation("name", "Name is required")),
    })?;
    let prefix = c.take(match (&input.id_prefix, old) {
        (Some(p), _) => id_prefix("id_prefix", p),
        (None, Some(o)) => Ok(o.id_prefix.clone()),
        (None, None) => Err(AppError::validation("id_prefix", "Prefix is required")),
    })?;
    c.finish()?;
    let compatible = input
        .compatible
        .unwrap_or(old.map(|o| o.compatible).unwrap_or(true));
    Ok((name, prefix, compatible))
}

fn taken(e: sqlx::Error) -> AppError {
    if crate::kernel::db::is_unique_violation(&e) {
        AppError::conflict(
            ErrorCode::NameTaken,
            "A model with this name or player-ID prefix is in the catalogue already",
        )
    } else {
        e.into()
    }
}

/// Adds a model to the catalogue (the operator's members and up).
pub async fn create_model(
    state: &AppState,
    who: &Identity,
    input: &ModelInput,
) -> AppResult<PlayerModel> {
    access::operator(state, who, Need::Write).await?;
    let (name, prefix, compatible) = check_model_input(input, None)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id = store::insert_model(&mut tx, now, &name, &prefix, compatible)
        .await
        .map_err(taken)?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "player_model.create",
            target_type: Some("player_model"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{name} (player IDs {prefix}…){}",
                if compatible { "" } else { ", not compatible" }
            )),
        },
    )
    .await?;
    let m = store::model(&mut tx, PlayerModelId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(m)
}

/// Changes a model: its name, prefix, or whether it is compatible.
pub async fn update_model(
    state: &AppState,
    who: &Identity,
    id: PlayerModelId,
    input: &ModelInput,
) -> AppResult<PlayerModel> {
    access::operator(state, who, Need::Write).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let old = store::model(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let (name, prefix, compatible) = check_model_input(input, Some(&old))?;
    store::update_model(&mut tx, now, id, &name, &prefix, compatible)
        .await
        .map_err(taken)?;
    let changes = audit::Changes::new()
        .field("name", &old.name, &name)
        .field("prefix", &old.id_prefix, &prefix)
        .value("compatible", &old.compatible, &compatible);
    if !changes.is_empty() {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(who.view_account_id),
                action: "player_model.update",
                target_type: Some("player_model"),
                target_id: Some(id.to_string()),
                detail: Some(changes.detail()),
            },
        )
        .await?;
    }
    let m = store::model(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(m)
}
