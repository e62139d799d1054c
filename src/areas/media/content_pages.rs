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

/// The kinds of clip the library makes: composed, or uploaded.
pub const NEW_KINDS: &[&str] = &["slide", "image", "video"];

/// An image or video upload as typed (the file itself cannot be shown again).
#[derive(Clone, Debug, Default)]
pub struct UploadForm {
    pub title: String,
    /// An image's seconds (10 by default); a video's, used when its file does not say.
    pub duration_s: String,
}

/// The library page's query: its tab, and which kind of new clip the Creation Station shows.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct ClipsQuery {
    pub tab: Option<String>,
    pub new: Option<String>,
}

#[derive(Template)]
#[template(path = "media/clips.html")]
struct ClipsTpl {
    layout: Layout,
    partner_tab: bool,
    has_above: bool,
    clips: Vec<Clip>,
    form: SlideForm,
    errors: FormErrors,
    preview: bool,
    can_write: bool,
    /// `slide`, `image` or `video`: the Creation Station's form.
    new_kind: String,
    upload: UploadForm,
    upload_errors: FormErrors,
    max_video_bytes: usize,
    max_video: String,
}

/// What a new clip's form holds: the slide typed, or the upload typed, with their errors.
struct NewClipForm {
    kind: String,
    slide: SlideForm,
    upload: UploadForm,
    errors: FormErrors,
    preview: bool,
}

impl NewClipForm {
    fn blank(kind: &str) -> NewClipForm {
        NewClipForm {
            kind: kind.to_string(),
            slide: SlideForm::default(),
            upload: UploadForm {
                title: String::new(),
                duration_s: if kind == "image" {
                    default_duration()
                } else {
                    String::new()
                },
            },
            errors: FormErrors::default(),
            preview: false,
        }
    }
}

async fn clips_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    f: ClipFilter,
    new: NewClipForm,
) -> Result<ClipsTpl, AppError> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    let partner_tab = f.tab.as_deref() == Some("partner");
    let slide = new.kind == "slide";
    Ok(ClipsTpl {
        layout: Layout::for_user(state, who, headers, "Clips", "clips").await?,
        partner_tab,
        has_above: view.kind != Kind::Operator,
        clips: clips::library(state, who, &f).await?,
        form: new.slide,
        errors: if slide {
            new.errors.clone()
        } else {
            FormErrors::default()
        },
        preview: new.preview,
        can_write: access::allows(access::effective_role(who), Need::Write),
        new_kind: new.kind,
        upload: new.upload,
        upload_errors: if slide {
            FormErrors::default()
        } else {
            new.errors
        },
        max_video_bytes: state.config.media_max_video_bytes,
        max_video: crate::areas::media::video::size_text(state.config.media_max_video_bytes),
    })
}

pub async fn clips_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(q): PageQuery<ClipsQuery>,
) -> PageResult {
    let f = ClipFilter {
        tab: q.tab.filter(|t| clips::TABS.contains(&t.as_str())),
    };
    let kind = q
        .new
        .filter(|k| NEW_KINDS.contains(&k.as_str()))
        .unwrap_or_else(|| "slide".into());
    let t = clips_view(&state, &who, &headers, f, NewClipForm::blank(&kind)).await?;
    show(&state, &t, &t.layout)
}

pub async fn clip_create_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    form: PageMultipart,
) -> PageResult {
    let kind = form.field("kind");
    if kind == "image" || kind == "video" {
        return upload_submit(state, headers, who, form, kind).await;
    }
    let form = SlideForm::from_parts(&form);
    let again = |form: SlideForm, errors: FormErrors, preview: bool| NewClipForm {
        slide: form,
        errors,
        preview,
        ..NewClipForm::blank("slide")
    };
    if form.action == "preview" {
        let t = clips_view(
            &state,
            &who,
            &headers,
            ClipFilter::default(),
            again(form, FormErrors::default(), true),
        )
        .await?;
        return show(&state, &t, &t.layout);
    }
    let r = match form.input() {
        Ok(i) => clips::create(&state, &who, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(c) => Ok(redirect_with_flash(
            &format!("/clips/{}", c.id),
            &format!(
                "The slide “{}” was created. Add an image or share it below.",
                c.title
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&e, SLIDE_FIELDS);
            let t = clips_view(
                &state,
                &who,
                &headers,
                ClipFilter::default(),
                again(form, errors, true),
            )
            .await?;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Seconds as typed: empty is none; anything else must be a number (else the field says so).
fn seconds_typed(v: &str) -> Result<Option<i64>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::validation("duration_s", "A clip shows 1 to 3600 seconds"))
}

/// The library's Image and Video forms: a new clip of the file uploaded, in one step.
async fn upload_submit(
    state: AppState,
    headers: HeaderMap,
    who: Identity,
    form: PageMultipart,
    kind: String,
) -> PageResult {
    let typed = UploadForm {
        title: form.field("title"),
        duration_s: form.field("duration_s"),
    };
    let file = form
        .files(&kind)
        .into_iter()
        .next()
        .map(|(_, d)| d)
        .unwrap_or_default();
    let r = match seconds_typed(&typed.duration_s) {
        Err(e) => Err(e),
        Ok(secs) => {
            let input = clips::ClipInput {
                title: Some(typed.title.clone()),
                duration_s: secs,
                ..clips::ClipInput::default()
            };
            let upload = if kind == "video" {
                clips::Upload::Video {
                    data: &file,
                    duration_s: secs,
                }
            } else {
                clips::Upload::Image(&file)
            };
            clips::create_upload(&state, &who, &input, upload).await
        }
    };
    match r {
        Ok(c) => Ok(redirect_with_flash(
            &format!("/clips/{}", c.id),
            &if c.kind == "video" {
                format!(
                    "The video “{}” was uploaded: it lasts {} s. Put it in a playlist or share it below.",
                    c.title, c.duration_s
                )
            } else {
                format!(
                    "The image “{}” was uploaded. Put it in a playlist or share it below.",
                    c.title
                )
            },
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&e, &["title", "duration_s", "image", "video"]);
            let t = clips_view(
                &state,
                &who,
                &headers,
                ClipFilter::default(),
                NewClipForm {
                    upload: typed,
                    errors,
                    ..NewClipForm::blank(&kind)
                },
            )
            .await?;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "media/clip.html")]
struct ClipTpl {
    layout: Layout,
    c: Clip,
    form: SlideForm,
    errors: FormErrors,
    image_errors: FormErrors,
    /// The seconds typed for a video whose file does not say, and the video form's errors.
    video_duration: String,
    video_errors: FormErrors,
    max_video_bytes: usize,
    max_video: String,
    can_write: bool,
    can_share: bool,
    targets: Vec<(i64, String, Kind)>,
}

/// The upload forms of a clip's page, as typed, with their errors.
#[derive(Default)]
struct FileForms {
    image_errors: FormErrors,
    video_duration: String,
    video_errors: FormErrors,
}

impl ClipTpl {
    fn shared_with(&self, id: &i64) -> bool {
        self.c.shared_with.as_ref().is_some_and(|s| s.contains(id))
    }
}

async fn clip_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: i64,
    form: Option<SlideForm>,
    errors: FormErrors,
    files: FileForms,
) -> Result<ClipTpl, AppError> {
    let c = clips::clip(state, who, id).await?;
    let owner = crate::areas::accounts::load(state, c.owner_id).await?;
    let can_share = owner.kind != Kind::Customer
        && crate::areas::media::rules::has_feature(state, &owner, "feature_ads").await?;
    let form = form.unwrap_or_else(|| SlideForm {
        title: c.title.clone(),
        text: c.text.clone(),
        background: c.background.clone(),
        duration_s: c.duration_s.to_string(),
        action: String::new(),
    });
    Ok(ClipTpl {
        layout: Layout::for_user(state, who, headers, &c.title, "clips").await?,
        targets: if can_share {
            clips::share_targets(state, owner.id).await?
        } else {
            Vec::new()
        },
        c,
        form,
        errors,
        image_errors: files.image_errors,
        video_duration: files.video_duration,
        video_errors: files.video_errors,
        max_video_bytes: state.config.media_max_video_bytes,
        max_video: crate::areas::media::video::size_text(state.config.media_max_video_bytes),
        can_write: access::allows(access::effective_role(who), Need::Write),
        can_share,
    })
}

pub async fn clip_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let t = clip_view(
        &state,
        &who,
        &headers,
        id,
        None,
        FormErrors::default(),
        FileForms::default(),
    )
    .await?;
    show(&state, &t, &t.layout)
}

pub async fn clip_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<SlideForm>,
) -> PageResult {
    if form.action == "preview" {
        let t = clip_view(
            &state,
            &who,
            &headers,
            id,
            Some(form),
            FormErrors::default(),
            FileForms::default(),
        )
        .await?;
        return show(&state, &t, &t.layout);
    }
    let r = match form.input() {
        Ok(i) => clips::update(&state, &who, id, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(c) => Ok(redirect_with_flash(
            &format!("/clips/{id}"),
            &format!(
                "“{}” was saved: the playlists holding it have a new version.",
                c.title
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&e, SLIDE_FIELDS);
            let t = clip_view(
                &state,
                &who,
                &headers,
                id,
                Some(form),
                errors,
                FileForms::default(),
            )
            .await?;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn clip_image_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    upload: PageMultipart,
) -> PageResult {
    let data = upload
        .files("image")
        .into_iter()
        .next()
        .map(|(_, d)| d)
        .unwrap_or_default();
    match clips::set_image(&state, &who, id, &data).await {
        Ok(c) => Ok(redirect_with_flash(
            &format!("/clips/{id}"),
            &format!("“{}” shows its image now.", c.title),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let image_errors = field_errors(&e, &["image"]);
            let t = clip_view(
                &state,
                &who,
                &headers,
                id,
                None,
                FormErrors::default(),
                FileForms {
                    image_errors,
                    ..FileForms::default()
                },
            )
            .await?;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn clip_video_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    upload: PageMultipart,
) -> PageResult {
    let data = upload
        .files("video")
        .into_iter()
        .next()
        .map(|(_, d)| d)
        .unwrap_or_default();
    let typed = upload.field("duration_s");
    let r = match seconds_typed(&typed) {
        Ok(secs) => crate::areas::media::video::set_video(&state, &who, id, &data, secs).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(c) => Ok(redirect_with_flash(
            &format!("/clips/{id}"),
            &format!(
                "“{}” shows its video now ({} s): the playlists holding it have a new version.",
                c.title, c.duration_s
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let video_errors = field_errors(&e, &["video", "duration_s"]);
            let t = clip_view(
                &state,
                &who,
                &headers,
                id,
                None,
                FormErrors::default(),
                FileForms {
                    video_duration: typed,
                    video_errors,
                    ..FileForms::default()
                },
            )
            .await?;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn clip_sharing_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let all = pairs.iter().any(|(k, v)| k == "all" && v == "yes");
    let ids: Vec<i64> = if all {
        Vec::new()
    } else {
        pairs
            .iter()
            .filter(|(k, _)| k == "account_ids")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect()
    };
    let r = clips::set_sharing(
        &state,
        &who,
        id,
        &clips::ClipSharing {
            all,
            account_ids: ids,
        },
    )
    .await;
    // Without the package feature the page says so where the form was.
    let r = r.map_err(|e| match e {
        AppError::Forbidden(m) => AppError::conflict(crate::kernel::error::ErrorCode::Forbidden, m),
        e => e,
    });
    after(&state, r, &format!("/clips/{id}"), |c| {
        if c.share_all == Some(true) {
            "Available for all your users: they find it under the tab Partner.".to_string()
        } else {
            match c.shared_with.as_ref().map(|s| s.len()).unwrap_or(0) {
                0 => "Only you see this clip now.".to_string(),
                n => format!("Available for the {n} user(s) you checked."),
            }
        }
    })
}

pub async fn clip_delete_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let r = clips::delete(&state, &who, id).await;
    after(&state, r, "/clips", |c| {
        format!("“{}” was deleted.", c.title)
    })
}

// ---- playlists ----

#[derive(Clone, Debug, Deserialize, Default)]
pub struct NameForm {
    #[serde(default)]
    pub name: String,
}

#[derive(Template)]
#[template(path = "media/playlists.html")]
struct PlaylistsTpl {
    layout: Layout,
    playlists: Vec<Playlist>,
    form: NameForm,
    errors: FormErrors,
    can_write: bool,
}

async fn playlists_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    form: NameForm,
    errors: FormErrors,
) -> Result<PlaylistsTpl, AppError> {
    Ok(PlaylistsTpl {
        layout: Layout::for_user(state, who, headers, "Playlists", "playlists").await?,
        playlists: playlists::list(state, who).await?,
        form,
        errors,
        can_write: access::allows(access::effective_role(who), Need::Write),
    })
}

pub async fn playlists_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let t = playlists_view(
        &state,
        &who,
        &headers,
        NameForm::default(),
        FormErrors::default(),
    )
    .await?;
    show(&state, &t, &t.layout)
}

pub async fn playlist_create_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<NameForm>,
) -> PageResult {
    let r = playlists::create(
        &state,
        &who,
        &playlists::PlaylistInput {
            name: Some(form.name.clone()),
            items: None,
        },
    )
    .await;
    match r {
        Ok(p) => Ok(redirect_with_flash(
            &format!("/playlists/{}", p.id),
            &format!("The playlist “{}” was created: add its clips.", p.name),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&e, &["name"]);
            let t = playlists_view(&state, &who, &headers, form, errors).await?;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// One row of the items editor as typed.
#[derive(Clone, Debug, Default)]
pub struct RowForm {
    pub position: String,
    pub clip_id: String,
    pub duration_s: String,
}

#[derive(Template)]
#[template(path = "media/playlist.html")]
struct PlaylistTpl {
    layout: Layout,
    p: Playlist,
    name: String,
    rows: Vec<RowForm>,
    clips: Vec<(i64, String, String, i64)>,
    errors: FormErrors,
    can_write: bool,
}

impl PlaylistTpl {
    fn picked(&self, row: &RowForm, id: &i64) -> bool {
        row.clip_id == id.to_string()
    }
    fn error_of(&self, i: &usize) -> String {
        let mut out = Vec::new();
        for f in &self.errors.fields {
            if f.field.starts_with(&format!("items[{i}]")) {
                out.push(f.message.clone());
            }
        }
        out.join(" ")
    }
}

const BLANK_ROWS: usize = 3;

async fn playlist_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: i64,
    typed: Option<(String, Vec<RowForm>)>,
    errors: FormErrors,
) -> Result<PlaylistTpl, AppError> {
    let p = playlists::playlist(state, id).await?;
    let (name, rows) = typed.unwrap_or_else(|| {
        let mut rows: Vec<RowForm> = p
            .items
            .iter()
            .map(|i| RowForm {
                position: i.position.to_string(),
                clip_id: i.clip_id.to_string(),
                duration_s: i.duration_s.to_string(),
            })
            .collect();
        let n = rows.len();
        rows.extend((0..BLANK_ROWS).map(|k| RowForm {
            position: (n + k + 1).to_string(),
            ..RowForm::default()
        }));
        (p.name.clone(), rows)
    });
    Ok(PlaylistTpl {
        layout: Layout::for_user(state, who, headers, &p.name, "playlists").await?,
        clips: clips::usable_clips(state, p.owner_id).await?,
        p,
        name,
        rows,
        errors,
        can_write: access::allows(access::effective_role(who), Need::Write),
    })
}

pub async fn playlist_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let t = playlist_view(&state, &who, &headers, id, None, FormErrors::default()).await?;
    show(&state, &t, &t.layout)
}

pub async fn playlist_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let get_all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(a, _)| a == k)
            .map(|(_, v)| v.trim().to_string())
            .collect()
    };
    let name = get_all("name").into_iter().next().unwrap_or_default();
    let (pos, clip, dur) = (
        get_all("position"),
        get_all("clip_id"),
        get_all("duration_s"),
    );
    let rows: Vec<RowForm> = (0..clip.len())
        .map(|i| RowForm {
            position: pos.get(i).cloned().unwrap_or_default(),
            clip_id: clip[i].clone(),
            duration_s: dur.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    // Rows without a clip are left out; the rest play in the order of their positions.
    let mut chosen: Vec<(usize, i64, &RowForm)> = Vec::new();
    let mut c = crate::kernel::validate::Collect::new();
    for (i, r) in rows.iter().enumerate() {
        if r.clip_id.is_empty() {
            continue;
        }
        let Ok(clip_id) = r.clip_id.parse::<i64>() else {
            c.add(&format!("items[{i}].clip_id"), "Choose a clip of the list");
            continue;
        };
        let order = r.position.parse::<i64>().unwrap_or(i as i64 + 1);
        chosen.push((i, order * 1000 + i as i64, r));
        let _ = clip_id;
    }
    chosen.sort_by_key(|x| x.1);
    let mut items = Vec::new();
    let mut row_of = Vec::new();
    for (i, _, r) in &chosen {
        let duration = if r.duration_s.is_empty() {
            None
        } else {
            match r.duration_s.parse::<i64>() {
                Ok(d) => Some(d),
                Err(_) => {
                    c.add(
                        &format!("items[{i}].duration_s"),
                        "A clip shows 1 to 3600 seconds",
                    );
                    None
                }
            }
        };
        items.push(playlists::ItemInput {
            clip_id: r.clip_id.parse().unwrap_or(0),
            duration_s: duration,
        });
        row_of.push(*i);
    }
    let from_rules = c.is_empty();
    let r = match c.finish() {
        Err(e) => Err(e),
        Ok(()) => {
            playlists::update(
                &state,
                &who,
                id,
                &playlists::PlaylistInput {
                    name: Some(name.clone()),
                    items: Some(items),
                },
            )
            .await
        }
    };
    match r {
        Ok(p) => Ok(redirect_with_flash(
            &format!("/playlists/{id}"),
            &format!(
                "“{}” was saved (version {}): its players get it now.",
                p.name, p.version
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            // The rules name items in play order: point them back at the rows typed.
            let mut errors = field_errors(&e, &["name"]);
            for f in e.field_errors() {
                if let Some(rest) = f.field.strip_prefix("items[") {
                    let (n, tail) = rest.split_once(']').unwrap_or(("", ""));
                    let row = n.parse::<usize>().ok().and_then(|n| {
                        if from_rules {
                            row_of.get(n).copied()
                        } else {
                            Some(n)
                        }
                    });
                    let field = match row {
                        Some(r) => format!("items[{r}]{tail}"),
                        None => f.field.clone(),
                    };
                    errors.fields.push(crate::kernel::error::FieldError {
                        field,
                        message: f.message.clone(),
                    });
                    errors.general = None;
                }
            }
            let t = playlist_view(&state, &who, &headers, id, Some((name, rows)), errors).await?;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn playlist_delete_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let r = playlists::delete(&state, &who, id).await;
    after(&state, r, "/playlists", |p| {
        format!("“{}” was deleted.", p.name)
    })
}
