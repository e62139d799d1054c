//! Cloning a client's player: the pop-up and its submit.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::PlayerId;

#[derive(Deserialize, Default)]
pub struct CloneQuery {
    client_id: Option<AccountId>,
}

#[derive(Template)]
#[template(path = "media/clone.html")]
struct CloneTpl {
    layout: Layout,
    p: Player,
    clients: Vec<(i64, String, i64)>,
    client: Option<(AccountId, String)>,
    sources: Vec<Player>,
}

pub async fn clone_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlayerId>,
    PageQuery(q): PageQuery<CloneQuery>,
) -> PageResult {
    let p = media::player(&state, &who, id).await?;
    if !p.own {
        return Ok(redirect_with_flash(
            &format!("/players/{id}"),
            "!Only your own players clone a client's player.",
            state.config.secure_cookies,
        ));
    }
    let clients = media::clone_clients(&state, &who).await?;
    let (client, sources) = match q.client_id {
        Some(c) => {
            let sources = media::clone_sources(&state, &who, c).await?;
            let name = clients
                .iter()
                .find(|x| x.0 == c)
                .map(|x| x.1.clone())
                .unwrap_or_default();
            (Some((c, name)), sources)
        }
        None => (None, Vec::new()),
    };
    let t = CloneTpl {
        layout: Layout::for_user(&state, &who, &headers, "Clone a playlist", "players").await?,
        p,
        clients,
        client,
        sources,
    };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize, Default)]
pub struct CloneForm {
    #[serde(default)]
    source_player_id: String,
}

pub async fn clone_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlayerId>,
    PageForm(f): PageForm<CloneForm>,
) -> PageResult {
    let r = media::clone_player(
        &state,
        &who,
        id,
        &media::CloneSource {
            source_player_id: num(&f.source_player_id),
        },
    )
    .await;
    after(&state, r, &format!("/players/{id}"), |p| {
        format!(
            "{} now shows what {} shows, and follows it: it syncs at once.",
            p.name,
            p.clone_of_name.unwrap_or_default()
        )
    })
}
