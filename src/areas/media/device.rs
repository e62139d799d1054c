//! The player protocol (under /device/v1): a device registers with its player ID and MAC and
//! gets a device token (only its hash is kept) once its player is connected and licensed; it
//! polls for its playlist with the version it has (ETag / If-None-Match): 304 when unchanged,
//! else the playlist with its items, its version and the poll interval. A poll that changes
//! nothing writes only the last-seen time, at most once per interval. A long poll (`wait`)
//! learns of a change made through this instance at once, and of one made through another
//! instance within a second (it looks again every second). A stale or forged token is 401
//! `device_token_invalid`, counted per address like failed sign-ins (locked: 429 for every bad
//! token from that address).

use super::model::{normalise_mac, player_code};
use super::Orientation;
use crate::areas::media::ClipId;
use crate::areas::media::PlaylistId;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::watch;

/// The longest long poll, in seconds.
pub const MAX_WAIT_S: i64 = 30;

static HUB: OnceLock<watch::Sender<u64>> = OnceLock::new();

fn hub() -> &'static watch::Sender<u64> {
    HUB.get_or_init(|| watch::channel(0).0)
}

/// Wakes the long polls of this process: something players are told may have changed.
pub fn changed() {
    hub().send_modify(|v| *v = v.wrapping_add(1));
}

/// What a device sends to register.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct Register {
    /// The player ID on the device's sticker.
    #[serde(default)]
    #[schema(required = true, nullable = false, example = "NB4K-000123")]
    pub player_id: Option<String>,
    /// Its MAC address, any common notation.
    #[serde(default)]
    #[schema(required = true, nullable = false, example = "00:1A:2B:3C:4D:5E")]
    pub mac: Option<String>,
}

/// The answer to a registration.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Registered {
    /// `registered`, or `waiting_for_activation` (no token: ask again later).
    pub status: String,
    pub message: String,
    /// The device token (only when registered): send it as `Authorization: Bearer <token>`.
    /// A new registration replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub token: Option<String>,
    /// Seconds until the next poll (or the next registration attempt while waiting).
    pub poll_interval_s: i64,
}

/// One item of a playlist, in order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlayItem {
    pub position: i64,
    #[schema(value_type = i64)]
    pub clip_id: ClipId,
    /// `slide` (drawn by the player from title, text and background), `image` or `video`.
    pub kind: String,
    pub title: String,
    pub text: String,
    /// #rrggbb
    pub background: String,
    /// How long the item shows: the playlist's choice, by default the clip's (a video's is its
    /// length, from its file or as entered).
    pub duration_s: i64,
    /// Where the image or video is fetched: a signed link that works for a day, relative to
    /// the panel's address (as the playlist's own URL); null for a slide. A video's link
    /// answers range requests (`Range: bytes=…` → 206), so a player may fetch it in parts.
    pub media_url: Option<String>,
    /// The type of what `media_url` serves: image/png, image/jpeg, video/mp4 or video/webm;
    /// null for a slide.
    pub media_type: Option<String>,
}

/// What a player shows: its playlist (a clone shows its source's), version and settings.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Playlist {
    /// The version: the same text as the ETag (without quotes); send it back as If-None-Match.
    pub version: String,
    #[schema(value_type = Option<i64>)]
    pub playlist_id: Option<PlaylistId>,
    pub playlist_name: Option<String>,
    pub items: Vec<PlayItem>,
    pub poll_interval_s: i64,
    #[schema(value_type = String, example = "landscape")]
    pub orientation: Orientation,
    pub volume: i64,
}

/// What a device reports it shows.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct Report {
    /// The version it shows (its ETag).
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub version: Option<String>,
}

fn ip_key(ip: &str) -> String {
    format!("device-ip:{ip}")
}

async fn throttled(state: &AppState, ip: &str) -> AppResult<()> {
    crate::areas::auth::rules::check_throttle_as(state, &[ip_key(ip)], |retry_after_secs| {
        AppError::TooManyRequests { retry_after_secs }
    })
    .await
}

async fn count_failure(state: &AppState, ip: &str) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    crate::areas::auth::rules::count_failure(
        &mut tx,
        state,
        &ip_key(ip),
        state.config.max_failed_logins * 4,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn waiting(message: &str) -> Registered {
    Registered {
        status: "waiting_for_activation".into(),
        message: message.into(),
        token: None,
        poll_interval_s: 60,
    }
}

/// Registers a device. Unknown, not yet connected or not yet licensed: it waits for activation
/// (no token). A player ID and MAC that belong to different players count as a failure.
pub async fn register(state: &AppState, ip: &str, input: &Register) -> AppResult<Registered> {
    throttled(state, ip).await?;
    let mut c = crate::kernel::validate::Collect::new();
    let code = c.take(player_code(
        "player_id",
        input.player_id.as_deref().unwrap_or(""),
    ))?;
    let mac = c.take(normalise_mac("mac", input.mac.as_deref().unwrap_or("")))?;
    c.finish()?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let rows = sqlx::query(
        "SELECT p.id, p.player_code, p.mac, p.needs_license, p.poll_interval_s, l.state AS license_state \
         FROM players p LEFT JOIN licenses l ON l.id = p.license_id \
         WHERE p.player_code = $1 OR p.mac = $2",
    )
    .bind(&code)
    .bind(&mac)
    .fetch_all(&mut *tx)
    .await?;
    let Some(r) = rows.first() else {
        return Ok(waiting(
            "This player is not connected to an account yet: it waits for activation",
        ));
    };
    let id: i64 = r.try_get("id")?;
    let known_code: Option<String> = r.try_get("player_code")?;
    let known_mac: Option<String> = r.try_get("mac")?;
    let mismatch = rows.len() > 1
        || known_code.as_deref().is_some_and(|k| k != code)
        || known_mac.as_deref().is_some_and(|k| k != mac);
    if mismatch {
        drop(tx);
        count_failure(state, ip).await?;
        return Ok(waiting(
            "This player ID and MAC address do not belong to one connected player: it waits for activation",
        ));
    }
    // What the panel did not know of the device yet, it learns now.
    sqlx::query(
        "UPDATE players SET player_code = COALESCE(player_code, $1), mac = COALESCE(mac, $2) WHERE id = $3",
    )
    .bind(&code)
    .bind(&mac)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let needs = r.try_get::<i64, _>("needs_license")? != 0;
    let license: Option<String> = r.try_get("license_state")?;
    if needs && license.as_deref() != Some("active") {
        tx.commit().await?;
        return Ok(waiting(
            "The player license waits for an activation: the player gets its content once it is active",
        ));
    }
    let token = format!("pd_{}", crate::kernel::secrets::random_hex(24));
    sqlx::query(
        "UPDATE players SET token_hash = $1, token_issued_at = $2, last_seen_at = $2 WHERE id = $3",
    )
    .bind(crate::kernel::secrets::token_hash(&token))
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Registered {
        status: "registered".into(),
        message: "Registered: poll GET /device/v1/playlist with this token".into(),
        token: Some(token),
        poll_interval_s: r.try_get("poll_interval_s")?,
    })
}

/// What the poll reads of a player: one query by the token's hash.
struct Polled {
    id: i64,
    etag: String,
    interval_s: i64,
    last_seen: Option<i64>,
    licensed: bool,
    playlist: Option<(i64, String)>,
    orientation: Orientation,
    volume: i64,
}

async fn read(state: &AppState, hash: &str) -> AppResult<Option<Polled>> {
    let r = sqlx::query(
        "SELECT p.id, p.config_rev, p.poll_interval_s, p.last_seen_at, p.orientation, p.volume, \
         p.needs_license, l.state AS license_state, COALESCE(s.config_rev, 0) AS src_rev, \
         pl.id AS playlist_id, pl.name AS playlist_name, pl.version \
         FROM players p LEFT JOIN licenses l ON l.id = p.license_id \
         LEFT JOIN players s ON s.id = p.clone_of \
         LEFT JOIN playlists pl ON pl.id = CASE WHEN p.clone_of IS NULL THEN p.playlist_id ELSE s.playlist_id END \
         WHERE p.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let playlist_id: Option<i64> = r.try_get("playlist_id")?;
    let version: Option<i64> = r.try_get("version")?;
    let rev: i64 = r.try_get("config_rev")?;
    let src_rev: i64 = r.try_get("src_rev")?;
    let needs = r.try_get::<i64, _>("needs_license")? != 0;
    let license: Option<String> = r.try_get("license_state")?;
    Ok(Some(Polled {
        id: r.try_get("id")?,
        etag: format!(
            "{rev}.{src_rev}.{}.{}",
            playlist_id.unwrap_or(0),
            version.unwrap_or(0)
        ),
        interval_s: r.try_get("poll_interval_s")?,
        last_seen: r.try_get("last_seen_at")?,
        licensed: !needs || license.as_deref() == Some("active"),
        playlist: match playlist_id {
            Some(id) => Some((id, r.try_get("playlist_name")?)),
            None => None,
        },
        orientation: r.try_get("orientation")?,
        volume: r.try_get("volume")?,
    }))
}

/// The answer of a poll: unchanged (304) or the playlist.
pub enum Poll {
    Unchanged { etag: String },
    Changed(Box<Playlist>),
}

fn bare(tag: &str) -> &str {
    tag.trim().trim_start_matches("W/").trim_matches('"')
}

/// A poll by a device token. `have` is the If-None-Match it sent; `wait` seconds of long poll.
pub async fn poll(
    state: &AppState,
    ip: &str,
    token: Option<&str>,
    have: Option<&str>,
    wait_s: i64,
) -> AppResult<Poll> {
    let invalid = || bad_token("The device token is unknown, replaced or revoked: register again");
    // A good token costs one read; the address's lockout is looked at on the failing path (a
    // locked address gets 429 for every bad token, and a token cannot be guessed meanwhile).
    let hash = token
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .map(crate::kernel::secrets::token_hash);
    let found = match &hash {
        Some(h) => read(state, h).await?,
        None => None,
    };
    let (Some(hash), Some(mut p)) = (hash, found) else {
        throttled(state, ip).await?;
        count_failure(state, ip).await?;
        return Err(invalid());
    };
    if !p.licensed {
        return Err(AppError::forbidden(
            "The player license is not active: the player waits for activation",
        ));
    }
    let now = state.now_ms();
    // Last seen: written at most once per interval (online means seen within two).
    if p.last_seen.is_none_or(|t| now - t >= p.interval_s * 1000) {
        sqlx::query("UPDATE players SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(p.id)
            .execute(&state.db.pool)
            .await?;
    }
    let have = have.map(bare).filter(|h| !h.is_empty());
    if have == Some(p.etag.as_str()) && wait_s > 0 {
        let mut rx = hub().subscribe();
        let until =
            tokio::time::Instant::now() + Duration::from_secs(wait_s.min(MAX_WAIT_S) as u64);
        loop {
            rx.borrow_and_update();
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                break;
            }
            // A change here wakes the wait at once; one made elsewhere is seen within a second.
            let _ = tokio::time::timeout(left.min(Duration::from_secs(1)), rx.changed()).await;
            match read(state, &hash).await? {
                Some(q) if q.etag == p.etag => continue,
                Some(q) => {
                    p = q;
                    break;
                }
                None => return Err(invalid()),
            }
        }
        if !p.licensed {
            return Err(AppError::forbidden(
                "The player license is not active: the player waits for activation",
            ));
        }
    }
    if have == Some(p.etag.as_str()) {
        return Ok(Poll::Unchanged { etag: p.etag });
    }
    let items = match &p.playlist {
        None => Vec::new(),
        Some((id, _)) => items(state, *id).await?,
    };
    Ok(Poll::Changed(Box::new(Playlist {
        version: p.etag,
        playlist_id: (p.playlist.as_ref().map(|x| x.0)).map(PlaylistId),
        playlist_name: p.playlist.map(|x| x.1),
        items,
        poll_interval_s: p.interval_s,
        orientation: p.orientation,
        volume: p.volume,
    })))
}

async fn items(state: &AppState, playlist: i64) -> AppResult<Vec<PlayItem>> {
    let rows = sqlx::query(
        "SELECT i.position, i.duration_s, c.id, c.kind, c.title, c.body, c.background, \
         c.image_type, c.video_type \
         FROM playlist_items i JOIN clips c ON c.id = i.clip_id \
         WHERE i.playlist_id = $1 ORDER BY i.position",
    )
    .bind(playlist)
    .fetch_all(&state.db.pool)
    .await?;
    let now = state.now_ms();
    let key = if rows
        .iter()
        .any(|r| r.try_get::<String, _>("kind").is_ok_and(|k| k != "slide"))
    {
        super::clips::link_key(state).await?
    } else {
        String::new()
    };
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            let media_type: Option<String> = match kind.as_str() {
                "image" => Some(r.try_get("image_type")?),
                "video" => Some(r.try_get("video_type")?),
                _ => None,
            };
            Ok(PlayItem {
                position: r.try_get("position")?,
                clip_id: ClipId(id),
                media_url: media_type
                    .is_some()
                    .then(|| super::clips::signed_path(&key, id, now)),
                media_type,
                kind,
                title: r.try_get("title")?,
                text: r.try_get("body")?,
                background: r.try_get("background")?,
                duration_s: r.try_get("duration_s")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Records what the device reports it shows.
pub async fn report(
    state: &AppState,
    ip: &str,
    token: Option<&str>,
    input: &Report,
) -> AppResult<()> {
    throttled(state, ip).await?;
    let version = crate::kernel::validate::text(
        "version",
        input.version.as_deref().unwrap_or(""),
        100,
        true,
    )?;
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 200) else {
        count_failure(state, ip).await?;
        return Err(bad_token("The device token is missing: register first"));
    };
    let n = sqlx::query(
        "UPDATE players SET reported_version = $1, reported_at = $2 WHERE token_hash = $3",
    )
    .bind(&version)
    .bind(state.now_ms())
    .bind(crate::kernel::secrets::token_hash(token))
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    if n == 0 {
        count_failure(state, ip).await?;
        return Err(bad_token(
            "The device token is unknown, replaced or revoked: register again",
        ));
    }
    Ok(())
}

/// 401 `device_token_invalid`.
fn bad_token(message: &str) -> AppError {
    AppError::Unauthorized {
        code: ErrorCode::DeviceTokenInvalid,
        message: message.to_string(),
    }
}
