//! Editing a player: its name, playlist and settings.

use super::*;
use crate::areas::media::PlayerId;

// ---- editing, cloning, disconnecting ----

/// Changes a player's name, playlist or settings (members and up). A playlist must be its
/// owner's; assigning one ends a clone.
pub async fn edit(
    state: &AppState,
    who: &Identity,
    id: PlayerId,
    input: &PlayerEdit,
) -> AppResult<Player> {
    access::require(who, Need::Write)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let old = store::player(&mut tx, id, who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut c = validate::Collect::new();
    let name = match &input.name {
        Some(n) => c.take(validate::name("name", n, validate::MAX_NAME))?,
        None => old.name.clone(),
    };
    let orientation = match blank(&input.orientation) {
        Some(o) => match Orientation::parse(o) {
            Some(o) => o,
            None => {
                c.add("orientation", "Orientation must be landscape or portrait");
                old.orientation
            }
        },
        None if input.orientation.is_some() => {
            c.add("orientation", "Orientation must be landscape or portrait");
            old.orientation
        }
        None => old.orientation,
    };
    let volume = input.volume.unwrap_or(old.volume);
    if !(0..=100).contains(&volume) {
        c.add("volume", "Volume goes from 0 to 100");
    }
    let interval = input.poll_interval_s.unwrap_or(old.poll_interval_s);
    if !(5..=3600).contains(&interval) {
        c.add("poll_interval_s", "The poll interval is 5 to 3600 seconds");
    }
    let mut playlist = old.playlist_id;
    let mut playlist_name = old.playlist_name.clone();
    if let Some(pl) = input.playlist_id {
        if pl == 0 {
            playlist = None;
            playlist_name = None;
        } else {
            let owner: Option<(i64, String)> =
                sqlx::query_as("SELECT owner_id, name FROM playlists WHERE id = $1")
                    .bind(pl)
                    .fetch_optional(&mut *tx)
                    .await?;
            match owner {
                Some((o, n)) if o == old.owner_id => {
                    playlist = Some(pl);
                    playlist_name = Some(n);
                }
                _ => c.add(
                    "playlist_id",
                    format!("Choose a playlist of {}", old.owner_name),
                ),
            }
        }
    }
    c.finish()?;
    let ends_clone = input.playlist_id.is_some() && old.clone_of.is_some();
    let clone_of = if ends_clone { None } else { old.clone_of };
    sqlx::query(
        "UPDATE players SET name = $1, orientation = $2, volume = $3, poll_interval_s = $4, \
         playlist_id = $5, clone_of = $6, config_rev = config_rev + 1, updated_at = $7 WHERE id = $8",
    )
    .bind(&name)
    .bind(orientation)
    .bind(volume)
    .bind(interval)
    .bind(playlist)
    .bind(clone_of)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let none = "none".to_string();
    let mut changes = audit::Changes::new()
        .value("name", &old.name, &name)
        .value("orientation", &old.orientation, &orientation)
        .value("volume", &old.volume, &volume)
        .value("poll interval (s)", &old.poll_interval_s, &interval)
        .value(
            "playlist",
            old.playlist_name.as_ref().unwrap_or(&none),
            playlist_name.as_ref().unwrap_or(&none),
        );
    if ends_clone {
        changes = changes.field("clone", "on", "off");
    }
    if !changes.is_empty() {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(old.owner_id),
                action: "player.update",
                target_type: Some("player"),
                target_id: Some(id.to_string()),
                detail: Some(changes.detail()),
            },
        )
        .await?;
    }
    // Players cloning this one follow its settings' content: they are told too.
    bump_clones_of(&mut tx, id, now).await?;
    let p = store::player(&mut tx, id, who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    crate::areas::media::device::changed();
    Ok(p)
}

pub(super) async fn bump_clones_of(
    conn: &mut sqlx::AnyConnection,
    id: PlayerId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE players SET config_rev = config_rev + 1, updated_at = $2 WHERE clone_of = $1",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
