//! Checking an image's bytes (PNG or JPEG that decodes) and giving a clip its image.

use super::*;
use crate::areas::media::ClipId;

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

pub(super) fn crc32(bytes: &[u8]) -> u32 {
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
pub(super) async fn store_image(
    conn: &mut sqlx::AnyConnection,
    id: ClipId,
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
pub async fn set_image(
    state: &AppState,
    who: &Identity,
    id: ClipId,
    data: &[u8],
) -> AppResult<Clip> {
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
    crate::areas::media::device::changed();
    clip(state, who, id).await
}
