//! Playlists: owned by an account, ordered clips each with a duration, assigned to that
//! account's players (on the player). Every edit bumps the version, and every player showing it
//! (or cloning one that does) gets it at its next poll, or at once while long polling.

use crate::areas::accounts::AccountId;
use crate::areas::media::ClipId;
use crate::areas::media::PlaylistId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// The most items a playlist holds.
pub const MAX_ITEMS: usize = 200;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlaylistItem {
    /// 1, 2, 3… in play order.
    pub position: i64,
    #[schema(value_type = i64)]
    pub clip_id: ClipId,
    pub title: String,
    pub kind: String,
    pub duration_s: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Playlist {
    #[schema(value_type = i64)]
    pub id: PlaylistId,
    #[schema(value_type = i64)]
    pub owner_id: AccountId,
    pub name: String,
    /// Goes up with every edit.
    pub version: i64,
    pub items: Vec<PlaylistItem>,
    /// Seconds of one round.
    pub total_s: i64,
    /// Players it is assigned to.
    pub players: i64,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ItemInput {
    /// A clip of the playlist's owner, or one shared with it from above.
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pub clip_id: ClipId,
    /// 1 to 3600 seconds (default: the clip's).
    #[serde(default)]
    #[schema(nullable = false)]
    pub duration_s: Option<i64>,
}

/// A playlist, or a change of one (absent fields stay; `items` replaces them all, in order).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct PlaylistInput {
    #[schema(nullable = false, example = "Shop window")]
    pub name: Option<String>,
    #[schema(nullable = false)]
    pub items: Option<Vec<ItemInput>>,
}

crate::create_body! {
    /// A new playlist of the account in view.
    NewPlaylist(PlaylistInput), required ["name"]
}

async fn load(conn: &mut sqlx::AnyConnection, id: PlaylistId) -> AppResult<Playlist> {
    let r = sqlx::query(
        "SELECT p.id, p.owner_id, p.name, p.version, p.updated_at, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM players x WHERE x.playlist_id = p.id) AS players \
         FROM playlists p WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let items = sqlx::query(
        "SELECT i.position, i.clip_id, c.title, c.kind, i.duration_s FROM playlist_items i \
         JOIN clips c ON c.id = i.clip_id WHERE i.playlist_id = $1 ORDER BY i.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(PlaylistItem {
            position: r.try_get("position")?,
            clip_id: r.try_get("clip_id")?,
            title: r.try_get("title")?,
            kind: r.try_get("kind")?,
            duration_s: r.try_get("duration_s")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Playlist {
        id,
        owner_id: r.try_get("owner_id")?,
        name: r.try_get("name")?,
        version: r.try_get("version")?,
        total_s: items.iter().map(|i| i.duration_s).sum(),
        items,
        players: r.try_get("players")?,
        updated_at: crate::clock::rfc3339(r.try_get("updated_at")?),
    })
}

/// One playlist the router checked.
pub async fn playlist(state: &AppState, id: PlaylistId) -> AppResult<Playlist> {
    let mut conn = state.db.pool.acquire().await?;
    load(&mut conn, id).await
}

/// The playlists of the account in view.
pub async fn list(state: &AppState, who: &Identity) -> AppResult<Vec<Playlist>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM playlists WHERE owner_id = $1 ORDER BY name, id LIMIT 500",
    )
    .bind(who.view_account_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut conn = state.db.pool.acquire().await?;
    let mut out = Vec::new();
    for id in ids {
        out.push(load(&mut conn, PlaylistId(id)).await?);
    }
    Ok(out)
}

/// Checks the items for `owner` in the transaction: every clip its own or shared with it (one
/// of another tenant reads the same as a missing one), durations in range.
async fn check_items(
    conn: &mut sqlx::AnyConnection,
    owner: AccountId,
    items: &[ItemInput],
) -> AppResult<Vec<(i64, i64)>> {
    if items.len() > MAX_ITEMS {
        return Err(AppError::validation(
            "items",
            format!("A playlist holds at most {MAX_ITEMS} clips"),
        ));
    }
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let Some(default) = super::clips::usable_by(conn, owner, it.clip_id.get()).await? else {
            return Err(AppError::validation(
                &format!("items[{i}].clip_id"),
                format!(
                    "Clip {} is not one of your clips or of those shared with you",
                    it.clip_id
                ),
            ));
        };
        let d = it.duration_s.unwrap_or(default);
        if !(1..=3600).contains(&d) {
            return Err(AppError::validation(
                &format!("items[{i}].duration_s"),
                "A clip shows 1 to 3600 seconds",
            ));
        }
        out.push((it.clip_id.get(), d));
    }
    Ok(out)
}

async fn write_items(
    conn: &mut sqlx::AnyConnection,
    id: PlaylistId,
    items: &[(i64, i64)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM playlist_items WHERE playlist_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (n, (clip, d)) in items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO playlist_items (playlist_id, position, clip_id, duration_s) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(n as i64 + 1)
        .bind(clip)
        .bind(d)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A new playlist of the account in view (members and up).
pub async fn create(
    state: &AppState,
    who: &Identity,
    input: &PlaylistInput,
) -> AppResult<Playlist> {
    access::require(who, Need::Write)?;
    let name = validate::name(
        "name",
        input.name.as_deref().unwrap_or(""),
        validate::MAX_NAME,
    )?;
    let now = state.now_ms();
    let owner = who.view_account_id;
    let mut tx = state.db.begin().await?;
    let items = check_items(&mut tx, owner, input.items.as_deref().unwrap_or(&[])).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO playlists (tenant_id, owner_id, owner_path, name, version, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, $2, 1, $3, $3 FROM accounts a WHERE a.id = $1 RETURNING id",
    )
    .bind(owner)
    .bind(&name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    write_items(&mut tx, PlaylistId(id), &items).await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(owner),
            action: "playlist.create",
            target_type: Some("playlist"),
            target_id: Some(id.to_string()),
            detail: Some(format!("“{name}” with {} clip(s)", items.len())),
        },
    )
    .await?;
    let p = load(&mut tx, PlaylistId(id)).await?;
    tx.commit().await?;
    Ok(p)
}

/// Renames a playlist or replaces its items; its version goes up and its players get it.
pub async fn update(
    state: &AppState,
    who: &Identity,
    id: PlaylistId,
    input: &PlaylistInput,
) -> AppResult<Playlist> {
    access::require(who, Need::Write)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let old = load(&mut tx, id).await?;
    let name = match &input.name {
        Some(n) => validate::name("name", n, validate::MAX_NAME)?,
        None => old.name.clone(),
    };
    let items = match &input.items {
        Some(items) => Some(check_items(&mut tx, old.owner_id, items).await?),
        None => None,
    };
    sqlx::query(
        "UPDATE playlists SET name = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(&name)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if let Some(items) = &items {
        write_items(&mut tx, id, items).await?;
    }
    let mut changes = audit::Changes::new().value("name", &old.name, &name);
    if let Some(items) = &items {
        changes = changes.value("clips", &old.items.len(), &items.len());
        let before: Vec<(i64, i64)> = old
            .items
            .iter()
            .map(|i| (i.clip_id.get(), i.duration_s))
            .collect();
        if before != *items && before.len() == items.len() {
            changes = changes.field("order or durations", &0, &1);
        }
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(old.owner_id),
            action: "playlist.update",
            target_type: Some("playlist"),
            target_id: Some(id.to_string()),
            detail: Some(format!("version {}: {}", old.version + 1, changes.detail())),
        },
    )
    .await?;
    let p = load(&mut tx, id).await?;
    tx.commit().await?;
    super::device::changed();
    Ok(p)
}

/// Deletes a playlist; its players show nothing until another is assigned.
pub async fn delete(state: &AppState, who: &Identity, id: PlaylistId) -> AppResult<Playlist> {
    access::require(who, Need::Write)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let old = load(&mut tx, id).await?;
    sqlx::query(
        "UPDATE players SET config_rev = config_rev + 1, updated_at = $2 WHERE playlist_id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM playlists WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(old.owner_id),
            action: "playlist.delete",
            target_type: Some("playlist"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "“{}”, assigned to {} player(s)",
                old.name, old.players
            )),
        },
    )
    .await?;
    tx.commit().await?;
    super::device::changed();
    Ok(old)
}
