//! Pages of content: the clip library with the Creation Station (a slide composed and
//! previewed as it will show, or an image or a video uploaded), a clip's page (edit, image or
//! video upload, the video's preview, sharing down the tree), and playlists with their ordered
//! items.

use crate::areas::accounts::pages::after;
use crate::areas::media::clips::{self, Clip, ClipFilter};
use crate::areas::media::playlists::{self, Playlist};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageMultipart;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

mod clip;
mod library;
mod playlist_pages;
pub use clip::*;
pub use library::*;
pub use playlist_pages::*;

crate::route_table! { ROUTES, routes;
    get "/clips" => clips_page, A::SignedIn;
    post "/clips" => clip_create_submit, A::SignedIn;
    get "/clips/{id}" => clip_page, A::On(&crate::areas::media::CLIP, Need::Read);
    post "/clips/{id}" => clip_submit, A::On(&crate::areas::media::CLIP, Need::Write);
    post "/clips/{id}/image" => clip_image_submit, A::On(&crate::areas::media::CLIP, Need::Write);
    post "/clips/{id}/video" => clip_video_submit, A::On(&crate::areas::media::CLIP, Need::Write);
    post "/clips/{id}/sharing" => clip_sharing_submit, A::On(&crate::areas::media::CLIP, Need::Write);
    post "/clips/{id}/delete" => clip_delete_submit, A::On(&crate::areas::media::CLIP, Need::Write);
    get "/playlists" => playlists_page, A::SignedIn;
    post "/playlists" => playlist_create_submit, A::SignedIn;
    get "/playlists/{id}" => playlist_page, A::On(&crate::areas::media::PLAYLIST, Need::Read);
    post "/playlists/{id}" => playlist_submit, A::On(&crate::areas::media::PLAYLIST, Need::Write);
    post "/playlists/{id}/delete" => playlist_delete_submit, A::On(&crate::areas::media::PLAYLIST, Need::Write);
}

fn is_form_error(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. } | AppError::Fields(_) | AppError::Field { .. }
    )
}

fn field_errors(e: &AppError, known: &[&str]) -> FormErrors {
    match e {
        AppError::Field { field, message, .. } => FormErrors {
            fields: vec![crate::kernel::error::FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            general: None,
        },
        e => FormErrors::from_error(e, known),
    }
}

/// A slide as typed in the Creation Station.
#[derive(Clone, Debug, Deserialize)]
pub struct SlideForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default = "default_background")]
    pub background: String,
    #[serde(default = "default_duration")]
    pub duration_s: String,
    /// "preview": show it, save nothing.
    #[serde(default)]
    pub action: String,
}

fn default_background() -> String {
    "#1d3557".into()
}
fn default_duration() -> String {
    "10".into()
}

impl Default for SlideForm {
    fn default() -> Self {
        SlideForm {
            title: String::new(),
            text: String::new(),
            background: default_background(),
            duration_s: default_duration(),
            action: String::new(),
        }
    }
}

impl SlideForm {
    fn input(&self) -> Result<clips::ClipInput, AppError> {
        let d =
            self.duration_s.trim().parse::<i64>().map_err(|_| {
                AppError::validation("duration_s", "A clip shows 1 to 3600 seconds")
            })?;
        Ok(clips::ClipInput {
            title: Some(self.title.clone()),
            text: Some(self.text.clone()),
            background: Some(self.background.clone()),
            duration_s: Some(d),
        })
    }
    /// The colour to preview with: what was typed when it is one, else the default.
    fn shown_background(&self) -> String {
        let b = self.background.trim();
        if b.len() == 7 && b.starts_with('#') && b[1..].chars().all(|c| c.is_ascii_hexdigit()) {
            b.to_string()
        } else {
            default_background()
        }
    }
}

impl SlideForm {
    /// The slide fields of a form read as multipart (the library's one form for every kind).
    fn from_parts(m: &PageMultipart) -> SlideForm {
        let has = |name: &str| m.0.iter().any(|p| p.name == name && p.filename.is_none());
        SlideForm {
            title: m.field("title"),
            text: m.field("text"),
            background: if has("background") {
                m.field("background")
            } else {
                default_background()
            },
            duration_s: if has("duration_s") {
                m.field("duration_s")
            } else {
                default_duration()
            },
            action: m.field("action"),
        }
    }
}

const SLIDE_FIELDS: &[&str] = &["title", "text", "background", "duration_s"];
