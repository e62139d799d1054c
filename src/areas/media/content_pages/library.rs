//! The clip library page and its Creation Station: a slide composed, or an image or video uploaded.

use super::*;

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
pub(super) fn seconds_typed(v: &str) -> Result<Option<i64>, AppError> {
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
