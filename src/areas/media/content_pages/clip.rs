//! A clip's page: edit, image or video upload, sharing down the tree, delete.

use super::*;
use crate::areas::media::ClipId;

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
    id: ClipId,
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
    PageId(id): PageId<ClipId>,
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
    PageId(id): PageId<ClipId>,
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
    PageId(id): PageId<ClipId>,
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
    PageId(id): PageId<ClipId>,
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
    PageId(id): PageId<ClipId>,
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
    PageId(id): PageId<ClipId>,
) -> PageResult {
    let r = clips::delete(&state, &who, id).await;
    after(&state, r, "/clips", |c| {
        format!("“{}” was deleted.", c.title)
    })
}
