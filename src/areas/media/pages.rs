//! Pages of players: the Players list (own devices / devices of clients, online and offline,
//! search, sort, pages), the "Add player" wizard (client, player ID and model, name), a player's
//! edit page with "Disconnect media player" and its confirmation, the Clone pop-up (pick a
//! client, then one of its players), and the operator's connect-by-MAC form and catalogue of
//! models.

use crate::areas::accounts::pages::after;
use crate::areas::media;
use crate::areas::media::{Player, PlayerFilter, PlayerModel};
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
use crate::kernel::http::table::{plain, sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/players" => players_page, A::SignedIn;
    get "/players/add" => add_player_page, A::SignedIn;
    post "/players/add" => add_player_submit, A::SignedIn;
    get "/players/connect" => connect_page, A::Operator(Need::Read);
    post "/players/connect" => connect_submit, A::Operator(Need::Write);
    post "/players/notifications/read" => notices_read_submit, A::Operator(Need::Write);
    get "/players/{id}" => player_page, A::On(&crate::areas::media::PLAYER, Need::Read);
    post "/players/{id}" => player_submit, A::On(&crate::areas::media::PLAYER, Need::Write);
    get "/players/{id}/disconnect" => disconnect_page, A::On(&crate::areas::media::PLAYER, Need::Write);
    post "/players/{id}/disconnect" => disconnect_submit, A::On(&crate::areas::media::PLAYER, Need::Write);
    get "/players/{id}/clone" => clone_page, A::On(&crate::areas::media::PLAYER, Need::Write);
    post "/players/{id}/clone" => clone_submit, A::On(&crate::areas::media::PLAYER, Need::Write);
    get "/player-models" => models_page, A::Operator(Need::Read);
    post "/player-models" => model_create_submit, A::Operator(Need::Write);
    post "/player-models/{id}" => model_update_submit, A::On(&crate::areas::media::PLAYER_MODEL, Need::Write);
}

fn is_form_error(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. }
            | AppError::Fields(_)
            | AppError::Field { .. }
            | AppError::Conflict { .. }
    )
}

/// The errors of a form: a conflict (already connected) shown beside `conflict_field`.
fn errors_of(e: &AppError, known: &[&str], conflict_field: &str) -> FormErrors {
    match e {
        AppError::Conflict { message, .. } | AppError::Field { message, .. } => FormErrors {
            fields: vec![crate::kernel::error::FieldError {
                field: match e {
                    AppError::Field { field, .. } => field.clone(),
                    _ => conflict_field.to_string(),
                },
                message: message.clone(),
            }],
            general: None,
        },
        e => FormErrors::from_error(e, known),
    }
}

// ---- the Players list ----

#[derive(Template)]
#[template(path = "media/players.html")]
struct PlayersTpl {
    layout: Layout,
    f: PlayerFilter,
    clients: bool,
    has_clients: bool,
    list: Page<Player>,
    table: Table,
    counts: media::PlayerCounts,
    notice: Option<String>,
    can_add: bool,
    can_write: bool,
    operator: bool,
    notices: Vec<media::PlayerNotice>,
}

impl PlayersTpl {
    fn show(&self) -> &'static str {
        if self.clients {
            "clients"
        } else {
            "own"
        }
    }
    fn online_here(&self) -> i64 {
        if self.clients {
            self.counts.clients_online
        } else {
            self.counts.own_online
        }
    }
    fn offline_here(&self) -> i64 {
        if self.clients {
            self.counts.clients_offline
        } else {
            self.counts.own_offline
        }
    }
    fn state_is(&self, s: &str) -> bool {
        self.f.state.as_deref().unwrap_or("") == s
    }
    fn state_href(&self, s: &str) -> String {
        let mut q = vec![format!("show={}", self.show())];
        if !s.is_empty() {
            q.push(format!("state={s}"));
        }
        if let Some(v) = self.f.q.as_deref().filter(|v| !v.trim().is_empty()) {
            q.push(format!("q={}", crate::kernel::http::layout::url_encode(v)));
        }
        format!("/players?{}", q.join("&"))
    }
}

async fn players_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    mut f: PlayerFilter,
) -> Result<PlayersTpl, AppError> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    let operator = view.kind == Kind::Operator;
    let mut notice = None;
    let list = match media::list(state, who, &f).await {
        Ok(l) => l,
        Err(e @ AppError::Validation { .. }) => {
            notice = Some(format!(
                "{}: showing the default list instead.",
                e.public_message()
            ));
            f = PlayerFilter {
                show: f
                    .show
                    .clone()
                    .filter(|s| media::SHOWS.contains(&s.as_str())),
                ..PlayerFilter::default()
            };
            media::list(state, who, &f).await?
        }
        Err(e) => return Err(e),
    };
    let clients = f.clients(operator)?;
    let sort = f.sort()?;
    let show = if clients { "clients" } else { "own" };
    let filters: Vec<(&str, Option<&str>)> = vec![
        ("show", Some(show)),
        ("state", f.state.as_deref()),
        ("q", f.q.as_deref()),
    ];
    let mut columns = vec![
        sortable("Name", "name"),
        plain("Player ID / MAC"),
        sortable("Model", "model"),
    ];
    if clients {
        columns.push(sortable("Client", "owner"));
    }
    columns.extend([
        plain("Status"),
        sortable("Last seen", "last_seen"),
        plain("Shows"),
        plain(""),
    ]);
    let table = Table::new("player-list", "/players", &filters, columns, &sort, &list);
    let has_clients = view.kind != Kind::Customer;
    Ok(PlayersTpl {
        layout: Layout::for_user(state, who, headers, "Players", "players").await?,
        clients,
        has_clients,
        list,
        table,
        counts: media::counts(state, who).await?,
        notice,
        can_add: media::may_add_for_clients(state, who).await?,
        can_write: access::allows(access::effective_role(who), Need::Write),
        notices: if operator {
            media::notices(state, who)
                .await?
                .into_iter()
                .take(10)
                .collect()
        } else {
            Vec::new()
        },
        operator,
        f,
    })
}

pub async fn players_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<PlayerFilter>,
) -> PageResult {
    let t = players_view(&state, &who, &headers, f).await?;
    show(&state, &t, &t.layout)
}

pub async fn notices_read_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
) -> PageResult {
    let r = media::read_notices(&state, &who).await;
    after(&state, r, "/players", |n| {
        format!("{n} notice(s) marked read.")
    })
}

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
    fn selected_model(&self, id: &i64) -> bool {
        self.form.model_id == id.to_string()
    }
}

fn num(v: &str) -> Option<i64> {
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
        .find(|m| Some(m.id) == num(&form.model_id))
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
                    client_id: num(&form.client_id),
                    player_code: Some(form.player_code.clone()),
                    model_id: num(&form.model_id),
                    name: Some(form.name.clone()),
                },
            )
            .await?;
            return Ok(Outcome::Created(p.id));
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
    id: i64,
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
    PageId(id): PageId,
) -> PageResult {
    let t = player_view(&state, &who, &headers, id, None, FormErrors::default()).await?;
    show(&state, &t, &t.layout)
}

pub async fn player_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
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
                    playlist_id: playlist,
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
    PageId(id): PageId,
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
    PageId(id): PageId,
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

#[derive(Deserialize, Default)]
pub struct CloneQuery {
    client_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "media/clone.html")]
struct CloneTpl {
    layout: Layout,
    p: Player,
    clients: Vec<(i64, String, i64)>,
    client: Option<(i64, String)>,
    sources: Vec<Player>,
}

pub async fn clone_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
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
    PageId(id): PageId,
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
    fn selected_model(&self, id: &i64) -> bool {
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
            account_id: num(&form.account_id),
            mac: Some(form.mac.clone()),
            model_id: num(&form.model_id),
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
    PageId(id): PageId,
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
