//! The operator's catalogue of player models: the page, adding, changing.

use super::*;
use crate::areas::media::PlayerModelId;

#[derive(Clone, Debug, Deserialize, Default)]
pub struct ModelForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_prefix: String,
    #[serde(default)]
    pub compatible: String,
}

#[derive(Template)]
#[template(path = "media/models.html")]
struct ModelsTpl {
    layout: Layout,
    models: Vec<PlayerModel>,
    form: ModelForm,
    errors: FormErrors,
    can_write: bool,
}

async fn models_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    form: ModelForm,
    errors: FormErrors,
) -> Result<ModelsTpl, AppError> {
    Ok(ModelsTpl {
        layout: Layout::for_user(state, who, headers, "Player models", "players").await?,
        models: media::models(state, who).await?,
        form,
        errors,
        can_write: access::allows(access::effective_role(who), Need::Write),
    })
}

pub async fn models_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let t = models_view(
        &state,
        &who,
        &headers,
        ModelForm {
            compatible: "yes".into(),
            ..ModelForm::default()
        },
        FormErrors::default(),
    )
    .await?;
    show(&state, &t, &t.layout)
}

pub async fn model_create_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ModelForm>,
) -> PageResult {
    let r = media::create_model(
        &state,
        &who,
        &media::ModelInput {
            name: Some(form.name.clone()),
            id_prefix: Some(form.id_prefix.clone()),
            compatible: Some(form.compatible == "yes"),
        },
    )
    .await;
    match r {
        Ok(m) => Ok(redirect_with_flash(
            "/player-models",
            &format!("{} was added to the catalogue.", m.name),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = errors_of(&e, &["name", "id_prefix"], "name");
            let t = models_view(&state, &who, &headers, form, errors).await?;
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

#[derive(Deserialize, Default)]
pub struct CompatibleForm {
    #[serde(default)]
    compatible: String,
}

pub async fn model_update_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PlayerModelId>,
    PageForm(f): PageForm<CompatibleForm>,
) -> PageResult {
    let r = media::update_model(
        &state,
        &who,
        id,
        &media::ModelInput {
            name: None,
            id_prefix: None,
            compatible: Some(f.compatible == "yes"),
        },
    )
    .await;
    after(&state, r, "/player-models", |m| {
        if m.compatible {
            format!("{} is offered for new players.", m.name)
        } else {
            format!(
                "{} is no longer offered: its devices are refused as incompatible.",
                m.name
            )
        }
    })
}
