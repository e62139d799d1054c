//! Video clips: an uploaded MP4 or WebM (checked by its bytes, at most
//! PANEL_MEDIA_MAX_VIDEO_BYTES), lasting what its file says (`mvhd`, WebM's Duration) or, when
//! the file does not say, what the uploader enters. The bytes are kept in the database in
//! pieces of `CHUNK` (clip_video_chunks), written with the clip in one transaction, so a video
//! is there whole or not at all and every instance sharing the database serves it. Players
//! fetch it by the clip's signed link, in ranges (`Range: bytes=…`, 206) as players and
//! browsers seek; each answer is streamed a piece at a time.

use super::clips::{self, Clip};
use super::video_format;
use crate::areas::media::ClipId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Deserialize;

/// The size of the pieces a video is kept in.
pub const CHUNK: usize = 1024 * 1024;

/// A video for a clip: its bytes in base64 (MP4 or WebM), and its length in seconds for a file
/// that does not say how long it lasts.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ClipVideo {
    /// The file in base64: an MP4 (H.264 plays everywhere) or a WebM, at most
    /// PANEL_MEDIA_MAX_VIDEO_BYTES decoded (50 MiB unless the operator set otherwise).
    #[serde(default)]
    #[schema(required = true)]
    pub data: String,
    /// 1 to 3600: how long the clip shows, used only when the file does not say how long it
    /// lasts (an MP4's `mvhd`, a WebM's Duration); without either the video is refused.
    #[serde(default)]
    #[schema(nullable = false)]
    pub duration_s: Option<i64>,
}

/// "1.5 MB", "64 KB": sizes as the forms say them.
pub fn size_text(bytes: usize) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= MB {
        let t = format!("{:.1}", bytes as f64 / MB);
        format!("{} MB", t.trim_end_matches(".0"))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A video that passed its checks.
#[derive(Clone, Debug)]
pub struct Checked {
    pub content_type: &'static str,
    pub duration_s: i64,
    /// True when the duration came from the file, not from what was entered.
    pub from_file: bool,
}

/// Checks a video's size, type and duration; nothing is written.
pub fn check(state: &AppState, data: &[u8], entered: Option<i64>) -> AppResult<Checked> {
    let cap = state.config.media_max_video_bytes;
    if data.is_empty() {
        return Err(AppError::validation("video", "Choose a video file"));
    }
    if data.len() > cap {
        return Err(AppError::field_code(
            ErrorCode::VideoTooLarge,
            "video",
            format!(
                "The video is {}; a video may be at most {}",
                size_text(data.len()),
                size_text(cap)
            ),
        ));
    }
    let v = video_format::sniff(data).map_err(|why| {
        AppError::field_code(
            ErrorCode::VideoTypeRefused,
            "video",
            format!("The file {why}"),
        )
    })?;
    match v.duration_ms {
        Some(ms) => {
            let secs = ms.div_ceil(1000).max(1);
            if secs > 3600 {
                return Err(AppError::validation(
                    "video",
                    format!(
                        "The video lasts {} min; a clip shows at most an hour (3600 seconds)",
                        secs.div_ceil(60)
                    ),
                ));
            }
            Ok(Checked {
                content_type: v.content_type,
                duration_s: secs as i64,
                from_file: true,
            })
        }
        None => match entered {
            None => Err(AppError::field_code(
                ErrorCode::VideoDurationUnknown,
                "duration_s",
                "The file does not say how long the video lasts: enter its length in seconds",
            )),
            Some(d) if !(1..=3600).contains(&d) => Err(AppError::validation(
                "duration_s",
                "A clip shows 1 to 3600 seconds",
            )),
            Some(d) => Ok(Checked {
                content_type: v.content_type,
                duration_s: d,
                from_file: false,
            }),
        },
    }
}

/// Writes a checked video onto clip `id` (in the caller's transaction): the clip becomes a
/// video clip lasting the video's seconds; an image it had, or an earlier video, goes.
pub(super) async fn store(
    conn: &mut sqlx::AnyConnection,
    id: ClipId,
    data: &[u8],
    v: &Checked,
    now: i64,
) -> Result<(), sqlx::Error> {
    // A new stored time for every video, even within one millisecond: it tells them apart.
    sqlx::query(
        "UPDATE clips SET kind = 'video', image = NULL, image_type = '', image_bytes = 0, \
         video_type = $1, video_bytes = $2, duration_s = $3, updated_at = $4, \
         video_stored_at = CASE WHEN video_stored_at >= $4 THEN video_stored_at + 1 ELSE $4 END \
         WHERE id = $5",
    )
    .bind(v.content_type)
    .bind(data.len() as i64)
    .bind(v.duration_s)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM clip_video_chunks WHERE clip_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (seq, piece) in data.chunks(CHUNK).enumerate() {
        sqlx::query("INSERT INTO clip_video_chunks (clip_id, seq, data) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(seq as i64)
            .bind(piece.to_vec())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// How the audit log tells a video.
pub(super) fn detail(title: &str, data: &[u8], v: &Checked) -> String {
    format!(
        "“{title}”: {}, {} bytes, {} s{}",
        v.content_type,
        data.len(),
        v.duration_s,
        if v.from_file {
            " (from the file)"
        } else {
            " (as entered)"
        }
    )
}

/// Gives a clip its video (its bytes checked); it becomes a video clip. Every playlist holding
/// it gets a new version. A refused video changes nothing.
pub async fn set_video(
    state: &AppState,
    who: &Identity,
    id: ClipId,
    data: &[u8],
    entered: Option<i64>,
) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clips::clip(state, who, id).await?;
    let v = check(state, data, entered)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    store(&mut tx, id, data, &v, now).await?;
    clips::bump_playlists(&mut tx, id, now).await?;
    clips::record(
        &mut tx,
        who,
        now,
        old.owner_id,
        "clip.video",
        id,
        detail(&old.title, data, &v),
    )
    .await?;
    tx.commit().await?;
    super::device::changed();
    clips::clip(state, who, id).await
}

// ---- serving ----

/// A clip's stored video, as its signed link serves it.
#[derive(Clone, Debug)]
pub struct StoredVideo {
    pub clip: i64,
    pub content_type: String,
    pub bytes: u64,
    pub stored_at: i64,
}

impl StoredVideo {
    /// A strong validator: a new video is a new ETag.
    pub fn etag(&self) -> String {
        format!("\"v{}-{}-{}\"", self.clip, self.stored_at, self.bytes)
    }
}

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// No range (or one the panel may ignore: another unit, several ranges): the whole file.
    Whole,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// Outside the file, or a byte range that cannot be read (416).
    Unsatisfiable,
}

/// Reads `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` (RFC 9110 §14.1.2).
pub fn range(header: Option<&str>, len: u64) -> Range {
    let Some(h) = header.map(str::trim) else {
        return Range::Whole;
    };
    let Some((unit, spec)) = h.split_once('=') else {
        return Range::Unsatisfiable;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return Range::Whole;
    }
    // Several ranges would need a multipart answer: the whole file is the allowed answer.
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Range::Unsatisfiable;
    };
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (a.trim().is_empty(), b.trim().is_empty()) {
        // The last n bytes.
        (true, false) => match num(b) {
            Some(n) if n > 0 && len > 0 => Range::Part(len.saturating_sub(n), len - 1),
            _ => Range::Unsatisfiable,
        },
        (false, true) => match num(a) {
            Some(s) if s < len => Range::Part(s, len - 1),
            _ => Range::Unsatisfiable,
        },
        (false, false) => match (num(a), num(b)) {
            (Some(s), Some(e)) if s <= e && s < len => Range::Part(s, e.min(len - 1)),
            _ => Range::Unsatisfiable,
        },
        (true, true) => Range::Unsatisfiable,
    }
}

/// Bytes `start..=end` of a stored video, read a piece at a time as the answer is sent. Should
/// the video be replaced or deleted meanwhile, the answer stops short (the player asks again
/// and gets the new one by its new ETag) rather than mixing two files.
pub fn stream(
    state: &AppState,
    v: &StoredVideo,
    start: u64,
    end: u64,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, sqlx::Error>> + Send + 'static {
    let pool = state.db.pool.clone();
    let (clip, stored_at) = (v.clip, v.stored_at);
    futures_util::stream::unfold(start, move |pos| {
        let pool = pool.clone();
        async move {
            if pos > end {
                return None;
            }
            let seq = pos / CHUNK as u64;
            let r: Result<Option<Vec<u8>>, sqlx::Error> = sqlx::query_scalar(
                "SELECT ch.data FROM clip_video_chunks ch JOIN clips c ON c.id = ch.clip_id \
                 WHERE ch.clip_id = $1 AND ch.seq = $2 AND c.video_stored_at = $3",
            )
            .bind(clip)
            .bind(seq as i64)
            .bind(stored_at)
            .fetch_optional(&pool)
            .await;
            let piece = match r {
                Ok(Some(p)) => p,
                Ok(None) => return Some((Err(sqlx::Error::RowNotFound), end + 1)),
                Err(e) => return Some((Err(e), end + 1)),
            };
            let from = (pos - seq * CHUNK as u64) as usize;
            let upto = ((end - seq * CHUNK as u64 + 1) as usize).min(piece.len());
            if from >= upto {
                return Some((Err(sqlx::Error::RowNotFound), end + 1));
            }
            let out = axum::body::Bytes::copy_from_slice(&piece[from..upto]);
            Some((Ok(out), pos + (upto - from) as u64))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_http_says() {
        let r = |h: &str| range(Some(h), 1000);
        assert_eq!(range(None, 1000), Range::Whole);
        assert_eq!(r("bytes=0-99"), Range::Part(0, 99));
        assert_eq!(r("bytes=900-"), Range::Part(900, 999));
        assert_eq!(r("bytes=990-5000"), Range::Part(990, 999));
        assert_eq!(r("bytes=-100"), Range::Part(900, 999));
        assert_eq!(r("bytes=-5000"), Range::Part(0, 999));
        assert_eq!(r("bytes=0-0"), Range::Part(0, 0));
        for bad in [
            "bytes=1000-",
            "bytes=5-2",
            "bytes=-0",
            "bytes=x-3",
            "bytes=-",
            "bytes=1000-1001",
            "nonsense",
        ] {
            assert_eq!(r(bad), Range::Unsatisfiable, "{bad}");
        }
        assert_eq!(r("items=0-5"), Range::Whole);
        assert_eq!(r("bytes=0-1,5-9"), Range::Whole);
    }

    #[test]
    fn sizes_read_in_kb_and_mb() {
        assert_eq!(size_text(64 * 1024), "64 KB");
        assert_eq!(size_text(50 * 1024 * 1024), "50 MB");
        assert_eq!(size_text(1536 * 1024), "1.5 MB");
    }
}
