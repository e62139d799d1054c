//! The operator's Connect by MAC page.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::PlayerModelId;

// ---- the operator: connect by MAC, the catalogue of models ----

#[derive(Clone, Debug, Deserialize, Default)]
pub struct ConnectForm {
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub mac: String,
    #[serde(default)]
    pub model_id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Template)]
#[template(path = "media/connect.html")]
struct ConnectTpl {
    layout: Layout,
    form: ConnectForm,
    errors: FormErrors,
    partners: Vec<(i64, String, Kind)>,
    models: Vec<PlayerModel>,
}

impl ConnectTpl {
    fn selected_account(&self, id: &i64) -> bool {
        self.form.account_id == id.to_string()
    }
    fn selected_model(&self, id: &impl std::fmt::Display) -> bool {
        self.form.model_id == id.to_string()
    }
}

async fn connect_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    form: ConnectForm,
    errors: FormErrors,
) -> Result<ConnectTpl, AppError> {
    Ok(ConnectTpl {
        layout: Layout::for_user(state, who, headers, "Connect a player by MAC", "players").await?,
        form,
        errors,
        partners: media::partners(state).await?,
        models: media::models(state, who)
            .await?
            .into_iter()
            .filter(|m| m.compatible)
            .collect(),
    })
}

pub async fn connect_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let t = connect_view(
        &state,
        &who,
        &headers,
        ConnectForm::default(),
        FormErrors::default(),
    )
    .await?;
    show(&state, &t, &t.layout)
}

pub async fn connect_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ConnectForm>,
) -> PageResult {
    let r = media::connect(
        &state,
        &who,
        &media::ConnectPlayer {
            account_id: (num(&form.account_id)).map(AccountId),
            mac: Some(form.mac.clone()),
            model_id: (num(&form.model_id)).map(PlayerModelId),
            name: Some(form.name.clone()),
        },
    )
    .await;
    match r {
        Ok(p) => Ok(redirect_with_flash(
            &format!("/players/{}", p.id),
            &format!(
                "{} (MAC {}) is connected to {}: it shows under its own players.",
                p.name,
                p.mac.clone().unwrap_or_default(),
                p.owner_name
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = errors_of(&e, &["account_id", "mac", "model_id", "name"], "mac");
            let t = connect_view(&state, &who, &headers, form, errors).await?;
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
