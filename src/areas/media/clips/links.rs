//! Signed links to clip images and videos: the key, the signature, and reading by link.

use super::*;

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
    Video(crate::areas::media::video::StoredVideo),
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
        return Ok(Media::Video(crate::areas::media::video::StoredVideo {
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
