//! Clips, the content of playlists: a slide composed in the panel (title, text, background
//! colour, duration), an uploaded image (checked by its bytes: a PNG or JPEG that decodes, at
//! most 2 MiB) or an uploaded video (MP4 or WebM: see `video`). With the package feature "advertisement tool" an account's clip is shared with
//! every account below it, with the ones checked, or with none; accounts below see shared clips
//! under the tab "Partner", use them in their playlists and cannot change them. A change of a
//! clip bumps every playlist that holds it, so players get it.

use crate::areas::accounts;
use crate::areas::accounts::AccountId;
use crate::areas::media::ClipId;
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

mod changes;
mod images;
mod library;
mod links;
mod sharing;
pub use changes::*;
pub use images::*;
pub use library::*;
pub use links::*;
pub use sharing::*;

/// The largest image kept.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// A clip as its owner's side, or an account it is shared with, reads it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Clip {
    #[schema(value_type = i64)]
    pub id: ClipId,
    #[schema(value_type = i64)]
    pub owner_id: AccountId,
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

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
fn from_row(
    state: &AppState,
    key: &str,
    r: &crate::kernel::db::Row,
    view: AccountId,
) -> Result<Clip, sqlx::Error> {
    let id: i64 = r.try_get("id")?;
    let owner_id: i64 = r.try_get("owner_id")?;
    let kind: String = r.try_get("kind")?;
    let image_type: String = r.try_get("image_type")?;
    let video_type: String = r.try_get("video_type")?;
    let now = state.now_ms();
    Ok(Clip {
        id: ClipId(id),
        owner_id: AccountId(owner_id),
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
