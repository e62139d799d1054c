//! The "Add player" wizard pages: the client, the device, the finish.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::PlayerModelId;

// ---- the "Add player" wizard ----

/// The wizard as typed so far.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct WizardForm {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub player_code: String,
    #[serde(default)]
    pub model_id: String,
    #[serde(default)]
    pub name: String,
    /// "back" goes one step back.
    #[serde(default)]
    pub back: String,
}

#[derive(Template)]
#[template(path = "media/add_player.html")]
struct WizardTpl {
    layout: Layout,
    step: u8,
    form: WizardForm,
    errors: FormErrors,
    clients: Vec<(i64, String, Kind)>,
    models: Vec<PlayerModel>,
    client_name: String,
    model_name: String,
}

impl WizardTpl {
    fn selected_client(&self, id: &i64) -> bool {
        self.form.client_id == id.to_string()
    }
    fn selected_model(&self, id: &impl std::fmt::Display) -> bool {
        self.form.model_id == id.to_string()
    }
}

pub(super) fn num(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

async fn wizard_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    step: u8,
    form: WizardForm,
    errors: FormErrors,
) -> Result<WizardTpl, AppError> {
    let clients = media::wizard_clients(state, who).await?;
    let models = media::models(state, who).await?;
    let client_name = clients
        .iter()
        .find(|c| Some(c.0) == num(&form.client_id))
        .map(|c| c.1.clone())
        .unwrap_or_default();
    let model_name = models
        .iter()
        .find(|m| Some(m.id) == (num(&form.model_id)).map(PlayerModelId))
        .map(|m| m.name.clone())
        .unwrap_or_default();
    Ok(WizardTpl {
        layout: Layout::for_user(state, who, headers, "Add player", "players").await?,
        step,
        form,
        errors,
        clients,
        models,
        client_name,
        model_name,
    })
}

async fn require_wizard(state: &AppState, who: &Identity) -> Result<(), AppError> {
    if !media::may_add_for_clients(state, who).await? {
        return Err(AppError::forbidden(
            "Adding players for clients needs the package feature “add hardware for clients”: ask Client Services to switch it on",
        ));
    }
    Ok(())
}

pub async fn add_player_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    require_wizard(&state, &who).await?;
    let t = wizard_view(
        &state,
        &who,
        &headers,
        1,
        WizardForm::default(),
        FormErrors::default(),
    )
    .await?;
    show(&state, &t, &t.layout)
}

pub async fn add_player_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<WizardForm>,
) -> PageResult {
    require_wizard(&state, &who).await?;
    let step: u8 = form.step.trim().parse().unwrap_or(1).clamp(1, 3);
    if !form.back.is_empty() {
        let t = wizard_view(
            &state,
            &who,
            &headers,
            step.saturating_sub(1).max(1),
            form,
            FormErrors::default(),
        )
        .await?;
        return show(&state, &t, &t.layout);
    }
    // Every step checks what it asks; the last one checks everything again and creates.
    enum Outcome {
        Next(u8),
        Created(i64),
    }
    let r: Result<Outcome, AppError> = async {
        media::wizard_client(&state, &who, num(&form.client_id)).await?;
        if step >= 2 {
            media::wizard_device(&state, Some(&form.player_code), num(&form.model_id)).await?;
        }
        if step >= 3 {
            let p = media::add_client_player(
                &state,
                &who,
                &media::AddClientPlayer {
                    client_id: (num(&form.client_id)).map(AccountId),
                    player_code: Some(form.player_code.clone()),
                    model_id: (num(&form.model_id)).map(PlayerModelId),
                    name: Some(form.name.clone()),
                },
            )
            .await?;
            return Ok(Outcome::Created(p.id.get()));
        }
        Ok(Outcome::Next(step + 1))
    }
    .await;
    match r {
        Ok(Outcome::Next(next)) => {
            let t = wizard_view(&state, &who, &headers, next, form, FormErrors::default()).await?;
            show(&state, &t, &t.layout)
        }
        Ok(Outcome::Created(id)) => {
            Ok(redirect_with_flash(
                &format!("/players/{id}"),
                "The player was added. Client Services was told: once its player license is active, the player gets its content.",
                state.config.secure_cookies,
            ))
        }
        Err(e) if is_form_error(&e) => {
            let field_step = match e.field() {
                Some("client_id") => 1,
                Some("player_code") | Some("model_id") => 2,
                _ if matches!(e, AppError::Conflict { .. }) && step >= 2 => 2,
                _ => step,
            };
            let errors = errors_of(&e, &["client_id", "player_code", "model_id", "name"], "player_code");
            let t = wizard_view(&state, &who, &headers, field_step.min(step), form, errors).await?;
            Ok(render(e.status(), &t, &t.layout, state.config.secure_cookies))
        }
        Err(e) => Err(e.into()),
    }
}
