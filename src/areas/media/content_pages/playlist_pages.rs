//! The playlists pages: the list, a new playlist, a playlist's ordered items, delete.

use super::*;
use crate::areas::media::ClipId;
use crate::areas::media::PlaylistId;

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
    id: PlaylistId,
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
    PageId(id): PageId<PlaylistId>,
) -> PageResult {
    let t = playlist_view(&state, &who, &headers, id, None, FormErrors::default()).await?;
    show(&state, &t, &t.layout)
}

pub async fn playlist_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlaylistId>,
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
            clip_id: r.clip_id.parse().unwrap_or(ClipId(0)),
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
    PageId(id): PageId<PlaylistId>,
) -> PageResult {
    let r = playlists::delete(&state, &who, id).await;
    after(&state, r, "/playlists", |p| {
        format!("“{}” was deleted.", p.name)
    })
}
