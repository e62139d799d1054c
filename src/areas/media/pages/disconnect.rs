//! Disconnecting a player: the confirmation page and its submit.

use super::*;
use crate::areas::media::PlayerId;

#[derive(Template)]
#[template(path = "media/disconnect.html")]
struct DisconnectTpl {
    layout: Layout,
    p: Player,
}

pub async fn disconnect_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlayerId>,
) -> PageResult {
    let p = media::player(&state, &who, id).await?;
    let t = DisconnectTpl {
        layout: Layout::for_user(&state, &who, &headers, "Disconnect media player", "players")
            .await?,
        p,
    };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

pub async fn disconnect_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlayerId>,
    PageForm(f): PageForm<ConfirmForm>,
) -> PageResult {
    let r = media::disconnect(
        &state,
        &who,
        id,
        &media::Disconnect {
            confirm: Some(f.confirm == "yes"),
        },
    )
    .await;
    match r {
        Ok(p) => Ok(redirect_with_flash(
            "/players",
            &format!(
                "{} was disconnected. Client Services was told and will check the subscription with you.",
                p.name
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => Ok(redirect_with_flash(
            &format!("/players/{id}/disconnect"),
            &format!("!{}", e.public_message()),
            state.config.secure_cookies,
        )),
        Err(e) => Err(e.into()),
    }
}
