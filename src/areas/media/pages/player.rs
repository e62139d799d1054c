//! A player's page: its edit form and its changes.

use super::*;
use crate::areas::media::PlayerId;
use crate::areas::media::PlaylistId;

// ---- a player: edit, disconnect, clone ----

/// The edit form as typed.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct EditForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub playlist_id: String,
    #[serde(default)]
    pub orientation: String,
    #[serde(default)]
    pub volume: String,
    #[serde(default)]
    pub poll_interval_s: String,
}

#[derive(Template)]
#[template(path = "media/player.html")]
struct PlayerTpl {
    layout: Layout,
    p: Player,
    form: EditForm,
    errors: FormErrors,
    playlists: Vec<(i64, String)>,
    can_write: bool,
    can_clone: bool,
}

impl PlayerTpl {
    fn playlist_selected(&self, id: &i64) -> bool {
        self.form.playlist_id == id.to_string()
    }
}

async fn player_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: PlayerId,
    form: Option<EditForm>,
    errors: FormErrors,
) -> Result<PlayerTpl, AppError> {
    let p = media::player(state, who, id).await?;
    let playlists = media::playlists_of(state, p.owner_id).await?;
    let form = form.unwrap_or_else(|| EditForm {
        name: p.name.clone(),
        playlist_id: p.playlist_id.map(|x| x.to_string()).unwrap_or_default(),
        orientation: p.orientation.as_str().to_string(),
        volume: p.volume.to_string(),
        poll_interval_s: p.poll_interval_s.to_string(),
    });
    let can_write = access::allows(access::effective_role(who), Need::Write);
    Ok(PlayerTpl {
        layout: Layout::for_user(state, who, headers, &p.name, "players").await?,
        can_clone: can_write && p.own,
        p,
        form,
        errors,
        playlists,
        can_write,
    })
}

pub async fn player_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlayerId>,
) -> PageResult {
    let t = player_view(&state, &who, &headers, id, None, FormErrors::default()).await?;
    show(&state, &t, &t.layout)
}

pub async fn player_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlayerId>,
    PageForm(form): PageForm<EditForm>,
) -> PageResult {
    let mut c = crate::kernel::validate::Collect::new();
    let int = |c: &mut crate::kernel::validate::Collect,
               field: &str,
               v: &str,
               msg: &str|
     -> Option<i64> {
        match v.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                c.add(field, msg);
                None
            }
        }
    };
    let volume = int(&mut c, "volume", &form.volume, "Volume goes from 0 to 100");
    let interval = int(
        &mut c,
        "poll_interval_s",
        &form.poll_interval_s,
        "The poll interval is 5 to 3600 seconds",
    );
    let playlist = if form.playlist_id.trim().is_empty() {
        Some(0)
    } else {
        int(
            &mut c,
            "playlist_id",
            &form.playlist_id,
            "Choose a playlist of the list",
        )
    };
    let r = match c.finish() {
        Err(e) => Err(e),
        Ok(()) => {
            media::edit(
                &state,
                &who,
                id,
                &media::PlayerEdit {
                    name: Some(form.name.clone()),
                    playlist_id: playlist.map(PlaylistId),
                    orientation: Some(form.orientation.clone()),
                    volume,
                    poll_interval_s: interval,
                },
            )
            .await
        }
    };
    match r {
        Ok(p) => Ok(redirect_with_flash(
            &format!("/players/{id}"),
            &format!(
                "{} was saved: the player gets the change at its next poll.",
                p.name
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = errors_of(
                &e,
                &[
                    "name",
                    "playlist_id",
                    "orientation",
                    "volume",
                    "poll_interval_s",
                ],
                "name",
            );
            let t = player_view(&state, &who, &headers, id, Some(form), errors).await?;
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
