//! Clips, the content of playlists: a slide composed in the panel (title, text, background
//! colour, duration), an uploaded image (checked by its bytes: a PNG or JPEG that decodes, at
//! most 2 MiB) or an uploaded video (MP4 or WebM: see `video`). With the package feature "advertisement tool" an account's clip is shared with
//! every account below it, with the ones checked, or with none; accounts below see shared clips
//! under the tab "Partner", use them in their playlists and cannot change them. A change of a
//! clip bumps every playlist that holds it, so players get it.

use crate::areas::accounts;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// The largest image kept.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// A clip as its owner's side, or an account it is shared with, reads it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Clip {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    /// `slide`, `image` or `video`.
    pub kind: String,
    pub title: String,
    pub text: String,
    /// #rrggbb
    pub background: String,
    pub duration_s: i64,
    /// image/png or image/jpeg for an image clip.
    pub image_type: Option<String>,
    pub image_bytes: i64,
    /// A signed link to the image that works for a day (image clips).
    pub image_url: Option<String>,
    /// video/mp4 or video/webm for a video clip.
    pub video_type: Option<String>,
    pub video_bytes: i64,
    /// A signed link to the video that works for a day (video clips); it answers range
    /// requests.
    pub video_url: Option<String>,
    /// True when the account in view (or one above it acting) may change it.
    pub editable: bool,
    /// Owner's side only: shared with every account below.
    pub share_all: Option<bool>,
    /// Owner's side only: the accounts below it is shared with (when not with all).
    pub shared_with: Option<Vec<i64>>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A slide to compose, or a change of a clip (absent fields stay).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ClipInput {
    #[schema(nullable = false, example = "Summer sale")]
    pub title: Option<String>,
    /// At most 500 characters; line breaks allowed.
    #[schema(nullable = false)]
    pub text: Option<String>,
    /// #rrggbb (default #1d3557).
    #[schema(nullable = false, example = "#e63946")]
    pub background: Option<String>,
    /// 1 to 3600 seconds (default 10).
    #[schema(nullable = false)]
    pub duration_s: Option<i64>,
}

crate::create_body! {
    /// A new slide.
    NewClip(ClipInput), required ["title"]
}

/// An image for a clip: its bytes in base64 (PNG or JPEG, at most 2 MiB decoded).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ClipImage {
    #[serde(default)]
    #[schema(required = true)]
    pub data: String,
}

/// Who below sees a clip.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ClipSharing {
    /// Every account below (the tab "Partner" of their clip library).
    #[serde(default)]
    #[schema(required = true)]
    pub all: bool,
    /// When not `all`: the accounts below that see it (none: only the owner).
    #[serde(default)]
    #[schema(nullable = false)]
    pub account_ids: Vec<i64>,
}

/// The library's tabs.
pub const TABS: &[&str] = &["own", "partner"];

fn tab_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(TABS)
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClipFilter {
    /// `own` (default): the account's clips; `partner`: clips shared by accounts above.
    #[param(schema_with = tab_values)]
    pub tab: Option<String>,
}

const COLUMNS: &str = "c.id, c.owner_id, o.name AS owner_name, c.kind, c.title, c.body, \
    c.background, c.duration_s, c.image_type, c.image_bytes, c.video_type, c.video_bytes, \
    c.share_all, c.created_at";

fn from_row(
    state: &AppState,
    key: &str,
    r: &crate::kernel::db::Row,
    view: i64,
) -> Result<Clip, sqlx::Error> {
    let id: i64 = r.try_get("id")?;
    let owner_id: i64 = r.try_get("owner_id")?;
    let kind: String = r.try_get("kind")?;
    let image_type: String = r.try_get("image_type")?;
    let video_type: String = r.try_get("video_type")?;
    let now = state.now_ms();
    Ok(Clip {
        id,
        owner_id,
        owner_name: r.try_get("owner_name")?,
        image_url: (kind == "image").then(|| signed_path(key, id, now)),
        video_url: (kind == "video").then(|| signed_path(key, id, now)),
        kind,
        title: r.try_get("title")?,
        text: r.try_get("body")?,
        background: r.try_get("background")?,
        duration_s: r.try_get("duration_s")?,
        image_type: (!image_type.is_empty()).then_some(image_type),
        image_bytes: r.try_get("image_bytes")?,
        video_type: (!video_type.is_empty()).then_some(video_type),
        video_bytes: r.try_get("video_bytes")?,
        editable: owner_id == view,
        share_all: None,
        shared_with: None,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
    })
}

// ---- signed links to images ----

/// The key image links are signed with: kept in the settings table (the same on every
/// instance), made on first use.
pub async fn link_key(state: &AppState) -> AppResult<String> {
    let k: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'media_link_key'")
            .fetch_optional(&state.db.pool)
            .await?;
    if let Some(k) = k {
        return Ok(k);
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ('media_link_key', $1) ON CONFLICT (key) DO NOTHING")
        .bind(crate::kernel::secrets::random_hex(32))
        .execute(&mut *tx)
        .await?;
    let k: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'media_link_key'")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(k)
}

fn sign(key: &str, clip: i64, exp: i64) -> String {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length works");
    mac.update(format!("{clip}.{exp}").as_bytes());
    crate::kernel::secrets::hex(&mac.finalize().into_bytes()[..16])
}

/// `/device/v1/media/{clip}?exp=…&sig=…`, valid for a day (from the start of the hour, so
/// links stay the same for an hour and caches work).
pub fn signed_path(key: &str, clip: i64, now: i64) -> String {
    let exp = (now / 1000 / 3600) * 3600 + 86_400;
    format!(
        "/device/v1/media/{clip}?exp={exp}&sig={}",
        sign(key, clip, exp)
    )
}

/// What a clip's signed link serves.
#[derive(Clone, Debug)]
pub enum Media {
    Image { content_type: String, data: Vec<u8> },
    Video(super::video::StoredVideo),
}

/// The image or video of a clip for a signed link; an expired or forged link is 404.
pub async fn media_by_link(state: &AppState, clip: i64, exp: i64, sig: &str) -> AppResult<Media> {
    let key = link_key(state).await?;
    let good = sign(&key, clip, exp);
    let same = good.len() == sig.len()
        && good
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            == 0;
    if !same || exp * 1000 < state.now_ms() {
        return Err(AppError::NotFound);
    }
    let r = sqlx::query(
        "SELECT kind, image_type, image, video_type, video_bytes, video_stored_at FROM clips \
         WHERE id = $1 AND kind IN ('image', 'video')",
    )
    .bind(clip)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let kind: String = r.try_get("kind")?;
    if kind == "video" {
        let bytes: i64 = r.try_get("video_bytes")?;
        if bytes <= 0 {
            return Err(AppError::NotFound);
        }
        return Ok(Media::Video(super::video::StoredVideo {
            clip,
            content_type: r.try_get("video_type")?,
            bytes: bytes as u64,
            stored_at: r.try_get("video_stored_at")?,
        }));
    }
    match r.try_get::<Option<Vec<u8>>, _>("image")? {
        Some(data) => Ok(Media::Image {
            content_type: r.try_get("image_type")?,
            data,
        }),
        None => Err(AppError::NotFound),
    }
}

// ---- checks ----

fn colour(field: &str, v: &str) -> AppResult<String> {
    let t = v.trim().to_ascii_lowercase();
    if t.len() == 7 && t.starts_with('#') && t[1..].chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(t)
    } else {
        Err(AppError::validation(
            field,
            "A colour is written #rrggbb, like #1d3557",
        ))
    }
}

struct Fields {
    title: String,
    text: String,
    background: String,
    duration: i64,
}

fn check(input: &ClipInput, old: Option<&Clip>) -> AppResult<Fields> {
    let mut c = validate::Collect::new();
    let title = c.take(match (&input.title, old) {
        (Some(t), _) => validate::name("title", t, 100),
        (None, Some(o)) => Ok(o.title.clone()),
        (None, None) => Err(AppError::validation("title", "Title is required")),
    })?;
    let text = c.take(match (&input.text, old) {
        (Some(t), _) => validate::text("text", t, 500, false),
        (None, Some(o)) => Ok(o.text.clone()),
        (None, None) => Ok(String::new()),
    })?;
    let background = c.take(match (&input.background, old) {
        (Some(b), _) => colour("background", b),
        (None, Some(o)) => Ok(o.background.clone()),
        (None, None) => Ok("#1d3557".into()),
    })?;
    let duration = input
        .duration_s
        .unwrap_or(old.map(|o| o.duration_s).unwrap_or(10));
    if !(1..=3600).contains(&duration) {
        c.add("duration_s", "A clip shows 1 to 3600 seconds");
    }
    c.finish()?;
    Ok(Fields {
        title,
        text,
        background,
        duration,
    })
}

/// The type of an image by its bytes, once it is seen to decode (its structure holds: a PNG's
/// chunks with their checksums from IHDR to IEND, a JPEG's segments up to a frame with a size).
pub fn image_type(data: &[u8]) -> Result<&'static str, String> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return png_ok(data).map(|_| "image/png");
    }
    if data.starts_with(b"\xff\xd8\xff") {
        return jpeg_ok(data).map(|_| "image/jpeg");
    }
    Err("is not a PNG or JPEG image (its contents were checked, not its name)".into())
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in bytes {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_ok(data: &[u8]) -> Result<(), String> {
    let bad = || "is a PNG that does not decode (broken or cut off)".to_string();
    let mut i = 8;
    let mut first = true;
    loop {
        if i + 12 > data.len() {
            return Err(bad());
        }
        let len = u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize;
        let end = i + 8 + len;
        if end + 4 > data.len() {
            return Err(bad());
        }
        let kind = &data[i + 4..i + 8];
        let crc = u32::from_be_bytes([data[end], data[end + 1], data[end + 2], data[end + 3]]);
        if crc32(&data[i + 4..end]) != crc {
            return Err(bad());
        }
        if first {
            if kind != b"IHDR" || len != 13 {
                return Err(bad());
            }
            let w = u32::from_be_bytes([data[i + 8], data[i + 9], data[i + 10], data[i + 11]]);
            let h = u32::from_be_bytes([data[i + 12], data[i + 13], data[i + 14], data[i + 15]]);
            if w == 0 || h == 0 {
                return Err(bad());
            }
            first = false;
        }
        if kind == b"IEND" {
            return Ok(());
        }
        i = end + 4;
    }
}

fn jpeg_ok(data: &[u8]) -> Result<(), String> {
    let bad = || "is a JPEG that does not decode (broken or cut off)".to_string();
    if !data.ends_with(b"\xff\xd9") {
        return Err(bad());
    }
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xff {
            return Err(bad());
        }
        let m = data[i + 1];
        if m == 0xff {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        if len < 2 || i + 2 + len > data.len() {
            return Err(bad());
        }
        // A start of frame: its height and width must be there.
        if (0xc0..=0xcf).contains(&m) && !matches!(m, 0xc4 | 0xc8 | 0xcc) {
            if len < 7 {
                return Err(bad());
            }
            let h = u16::from_be_bytes([data[i + 5], data[i + 6]]);
            let w = u16::from_be_bytes([data[i + 7], data[i + 8]]);
            return if h > 0 && w > 0 { Ok(()) } else { Err(bad()) };
        }
        i += 2 + len;
    }
    Err(bad())
}

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
pub async fn clip(state: &AppState, who: &Identity, id: i64) -> AppResult<Clip> {
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
    owner: i64,
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
    owner: i64,
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

// ---- changes ----

/// Bumps every playlist holding the clip (its players get the change).
pub(super) async fn bump_playlists(
    conn: &mut sqlx::AnyConnection,
    clip: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE playlists SET version = version + 1, updated_at = $2 \
         WHERE id IN (SELECT playlist_id FROM playlist_items WHERE clip_id = $1)",
    )
    .bind(clip)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn record(
    conn: &mut sqlx::AnyConnection,
    who: &Identity,
    now: i64,
    subject: i64,
    action: &'static str,
    id: i64,
    detail: String,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(subject),
            action,
            target_type: Some("clip"),
            target_id: Some(id.to_string()),
            detail: Some(detail),
        },
    )
    .await
}

/// Composes a slide for the account in view (members and up).
pub async fn create(state: &AppState, who: &Identity, input: &ClipInput) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let f = check(input, None)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clips (tenant_id, owner_id, owner_path, kind, title, body, background, duration_s, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, 'slide', $2, $3, $4, $5, $6, $6 FROM accounts a WHERE a.id = $1 RETURNING id",
    )
    .bind(who.view_account_id)
    .bind(&f.title)
    .bind(&f.text)
    .bind(&f.background)
    .bind(f.duration)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    record(
        &mut tx,
        who,
        now,
        who.view_account_id,
        "clip.create",
        id,
        format!("slide “{}”, {} s", f.title, f.duration),
    )
    .await?;
    tx.commit().await?;
    clip(state, who, id).await
}

/// Changes a clip; every playlist holding it gets a new version.
pub async fn update(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &ClipInput,
) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clip(state, who, id).await?;
    let f = check(input, Some(&old))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE clips SET title = $1, body = $2, background = $3, duration_s = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&f.title)
    .bind(&f.text)
    .bind(&f.background)
    .bind(f.duration)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    bump_playlists(&mut tx, id, now).await?;
    let changes = audit::Changes::new()
        .value("title", &old.title, &f.title)
        .field("text", &old.text, &f.text)
        .value("background", &old.background, &f.background)
        .value("duration (s)", &old.duration_s, &f.duration);
    record(
        &mut tx,
        who,
        now,
        old.owner_id,
        "clip.update",
        id,
        changes.detail(),
    )
    .await?;
    tx.commit().await?;
    super::device::changed();
    clip(state, who, id).await
}

/// Checks an image: its size and its bytes (a PNG or JPEG that decodes); its type.
pub fn check_image(data: &[u8]) -> AppResult<&'static str> {
    if data.is_empty() {
        return Err(AppError::validation("image", "Choose an image file"));
    }
    if data.len() > MAX_IMAGE_BYTES {
        return Err(AppError::field_code(
            ErrorCode::AttachmentTooLarge,
            "image",
            format!(
                "The image is {:.1} MB; an image may be at most {} MB",
                data.len() as f64 / 1024.0 / 1024.0,
                MAX_IMAGE_BYTES / 1024 / 1024
            ),
        ));
    }
    image_type(data).map_err(|why| {
        AppError::field_code(
            ErrorCode::AttachmentTypeRefused,
            "image",
            format!("The file {why}"),
        )
    })
}

/// Writes a checked image onto clip `id` (in the caller's transaction): it becomes an image
/// clip; a video it had goes.
async fn store_image(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    data: &[u8],
    t: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE clips SET kind = 'image', image = $1, image_type = $2, image_bytes = $3, \
         video_type = '', video_bytes = 0, updated_at = $4 WHERE id = $5",
    )
    .bind(data.to_vec())
    .bind(t)
    .bind(data.len() as i64)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM clip_video_chunks WHERE clip_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives a clip its image (its bytes checked); it becomes an image clip.
pub async fn set_image(state: &AppState, who: &Identity, id: i64, data: &[u8]) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clip(state, who, id).await?;
    let t = check_image(data)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    store_image(&mut tx, id, data, t, now).await?;
    bump_playlists(&mut tx, id, now).await?;
    record(
        &mut tx,
        who,
        now,
        old.owner_id,
        "clip.image",
        id,
        format!("“{}”: {t}, {} bytes", old.title, data.len()),
    )
    .await?;
    tx.commit().await?;
    super::device::changed();
    clip(state, who, id).await
}

/// The file of a clip uploaded in one step (the clip library's Image and Video forms).
pub enum Upload<'a> {
    /// An image shown `duration_s` seconds (the input's, default 10).
    Image(&'a [u8]),
    /// A video, with the seconds entered for a file that does not say how long it lasts.
    Video {
        data: &'a [u8],
        duration_s: Option<i64>,
    },
}

/// Both results, or every field at fault in either (a form shows them all at once).
fn both<A, B>(a: AppResult<A>, b: AppResult<B>) -> AppResult<(A, B)> {
    fn fields(e: &AppError) -> Vec<crate::kernel::error::FieldError> {
        match e {
            AppError::Field { field, message, .. } => vec![crate::kernel::error::FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            e => e.field_errors(),
        }
    }
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(a), Err(b)) => {
            let (fa, fb) = (fields(&a), fields(&b));
            if fa.is_empty() || fb.is_empty() {
                return Err(if fa.is_empty() { a } else { b });
            }
            Err(AppError::Fields(fa.into_iter().chain(fb).collect()))
        }
    }
}

/// Makes a clip of an uploaded image or video for the account in view, in one transaction: a
/// file refused (or a title missing) leaves nothing behind.
pub async fn create_upload(
    state: &AppState,
    who: &Identity,
    input: &ClipInput,
    file: Upload<'_>,
) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    enum Checked<'a> {
        Image(&'a [u8], &'static str),
        Video(&'a [u8], super::video::Checked),
    }
    let (f, file) = match file {
        Upload::Image(data) => {
            let (f, t) = both(check(input, None), check_image(data))?;
            (f, Checked::Image(data, t))
        }
        Upload::Video { data, duration_s } => {
            // The title is checked as for any clip; the seconds are the video's.
            let title = check(
                &ClipInput {
                    duration_s: Some(10),
                    ..input.clone()
                },
                None,
            );
            let (_, v) = both(title, super::video::check(state, data, duration_s))?;
            let f = check(
                &ClipInput {
                    duration_s: Some(v.duration_s),
                    ..input.clone()
                },
                None,
            )?;
            (f, Checked::Video(data, v))
        }
    };
    let kind = match &file {
        Checked::Image(..) => "image",
        Checked::Video(..) => "video",
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clips (tenant_id, owner_id, owner_path, kind, title, body, background, duration_s, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, $2, $3, '', $4, $5, $6, $6 FROM accounts a WHERE a.id = $1 RETURNING id",
    )
    .bind(who.view_account_id)
    .bind(kind)
    .bind(&f.title)
    .bind(&f.background)
    .bind(f.duration)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let detail = match &file {
        Checked::Video(data, v) => {
            super::video::store(&mut tx, id, data, v, now).await?;
            format!("video {}", super::video::detail(&f.title, data, v))
        }
        Checked::Image(data, t) => {
            store_image(&mut tx, id, data, t, now).await?;
            format!(
                "image “{}”: {t}, {} bytes, {} s",
                f.title,
                data.len(),
                f.duration
            )
        }
    };
    record(
        &mut tx,
        who,
        now,
        who.view_account_id,
        "clip.create",
        id,
        detail,
    )
    .await?;
    tx.commit().await?;
    clip(state, who, id).await
}

/// The API's base64 image or video.
pub fn decode(b64: &str) -> AppResult<Vec<u8>> {
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.as_bytes()))
        .map_err(|_| AppError::validation("data", "The file's data must be base64"))
}

/// Deletes a clip; playlists holding it lose it (and get a new version).
pub async fn delete(state: &AppState, who: &Identity, id: i64) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clip(state, who, id).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    bump_playlists(&mut tx, id, now).await?;
    sqlx::query("DELETE FROM clips WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        who,
        now,
        old.owner_id,
        "clip.delete",
        id,
        format!("“{}”", old.title),
    )
    .await?;
    tx.commit().await?;
    super::device::changed();
    Ok(old)
}

/// The accounts below the clip's owner it may be shared with (name order).
pub async fn share_targets(
    state: &AppState,
    owner: i64,
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
    id: i64,
    input: &ClipSharing,
) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clip(state, who, id).await?;
    let owner = accounts::load(state, old.owner_id).await?;
    if !super::rules::has_feature(state, &owner, "feature_ads").await? {
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
        if *a == owner.id || !access::is_within(state, owner.id, *a).await? {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_checked_by_their_bytes() {
        // The smallest PNG: 1×1, with its checksums.
        let png = tiny_png();
        assert_eq!(image_type(&png), Ok("image/png"));
        let mut cut = png.clone();
        cut.truncate(png.len() - 6);
        assert!(image_type(&cut).unwrap_err().contains("does not decode"));
        let mut flipped = png.clone();
        flipped[20] ^= 0xff;
        assert!(image_type(&flipped).is_err());
        assert!(image_type(b"GIF89a....").is_err());
        assert!(image_type(b"\xff\xd8\xff\xe0\x00\x10JFIF").is_err());
        assert_eq!(colour("c", "#A1B2C3").unwrap(), "#a1b2c3");
        assert!(colour("c", "red").is_err());
    }

    pub fn tiny_png() -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            out.extend_from_slice(&body);
            out.extend_from_slice(&crc32(&body).to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut png, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        chunk(
            &mut png,
            b"IDAT",
            &[
                0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00,
            ],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }
}
