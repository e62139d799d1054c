//! The rules of players: the operator's catalogue of models, connecting a partner's player by
//! MAC, the "Add player" wizard (a player for a client, with a pending player license), the
//! list with own devices and devices of clients, editing, cloning a client's player and
//! disconnecting. Each change is one transaction with its audit record; the operator hears of
//! added and disconnected players in the panel and by email.

use super::model::*;
use super::store;
use super::Orientation;
use crate::areas::accounts;
use crate::areas::accounts::Account;
use crate::areas::licenses::{LicenseState, LicenseType};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::query::{paging, Page, Sql};
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn required<T: Clone>(field: &str, v: &Option<T>, what: &str) -> AppResult<T> {
    v.clone()
        .ok_or_else(|| AppError::validation(field, format!("{what} is required")))
}

// ---- the catalogue of models (operator) ----

/// Every model (the operator), or the compatible ones (everyone else: what may be added).
pub async fn models(state: &AppState, who: &Identity) -> AppResult<Vec<PlayerModel>> {
    let view = accounts::load(state, who.view_account_id).await?;
    Ok(store::models(&state.db.pool, view.kind != Kind::Operator).await?)
}

fn check_model_input(
    input: &ModelInput,
    old: Option<&PlayerModel>,
) -> AppResult<(String, String, bool)> {
    let mut c = validate::Collect::new();
    let name = c.take(match (&input.name, old) {
        (Some(n), _) => validate::name("name", n, validate::MAX_NAME),
        (None, Some(o)) => Ok(o.name.clone()),
        (None, None) => Err(AppError::validation("name", "Name is required")),
    })?;
    let prefix = c.take(match (&input.id_prefix, old) {
        (Some(p), _) => id_prefix("id_prefix", p),
        (None, Some(o)) => Ok(o.id_prefix.clone()),
        (None, None) => Err(AppError::validation("id_prefix", "Prefix is required")),
    })?;
    c.finish()?;
    let compatible = input
        .compatible
        .unwrap_or(old.map(|o| o.compatible).unwrap_or(true));
    Ok((name, prefix, compatible))
}

fn taken(e: sqlx::Error) -> AppError {
    if crate::kernel::db::is_unique_violation(&e) {
        AppError::conflict(
            ErrorCode::NameTaken,
            "A model with this name or player-ID prefix is in the catalogue already",
        )
    } else {
        e.into()
    }
}

/// Adds a model to the catalogue (the operator's members and up).
pub async fn create_model(
    state: &AppState,
    who: &Identity,
    input: &ModelInput,
) -> AppResult<PlayerModel> {
    access::operator(state, who, Need::Write).await?;
    let (name, prefix, compatible) = check_model_input(input, None)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id = store::insert_model(&mut tx, now, &name, &prefix, compatible)
        .await
        .map_err(taken)?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "player_model.create",
            target_type: Some("player_model"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{name} (player IDs {prefix}…){}",
                if compatible { "" } else { ", not compatible" }
            )),
        },
    )
    .await?;
    let m = store::model(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(m)
}

/// Changes a model: its name, prefix, or whether it is compatible.
pub async fn update_model(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &ModelInput,
) -> AppResult<PlayerModel> {
    access::operator(state, who, Need::Write).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let old = store::model(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let (name, prefix, compatible) = check_model_input(input, Some(&old))?;
    store::update_model(&mut tx, now, id, &name, &prefix, compatible)
        .await
        .map_err(taken)?;
    let changes = audit::Changes::new()
        .field("name", &old.name, &name)
        .field("prefix", &old.id_prefix, &prefix)
        .value("compatible", &old.compatible, &compatible);
    if !changes.is_empty() {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(who.view_account_id),
                action: "player_model.update",
                target_type: Some("player_model"),
                target_id: Some(id.to_string()),
                detail: Some(changes.detail()),
            },
        )
        .await?;
    }
    let m = store::model(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(m)
}

// ---- reading players ----

/// One player the router has checked (the account in view or below owns it).
pub async fn player(state: &AppState, who: &Identity, id: i64) -> AppResult<Player> {
    let mut conn = state.db.pool.acquire().await?;
    store::player(&mut conn, id, who.view_account_id, state.now_ms())
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of the own players of the account in view, or of its clients' players.
pub async fn list(state: &AppState, who: &Identity, f: &PlayerFilter) -> AppResult<Page<Player>> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    let clients = f.clients(view.kind == Kind::Operator)?;
    let online = f.online()?;
    let sort = f.sort()?;
    let now = state.now_ms();
    let mut sql = Sql::new(&format!(
        "SELECT {}{} WHERE 1 = 1",
        store::PLAYER_COLUMNS,
        store::PLAYER_FROM
    ));
    store::push_scope(&mut sql, clients, view.id, &view.path);
    match online {
        Some(true) => {
            sql.push(" AND p.last_seen_at >= ")
                .int(now)
                .push(" - 2000 * p.poll_interval_s");
        }
        Some(false) => {
            sql.push(" AND (p.last_seen_at IS NULL OR p.last_seen_at < ")
                .int(now)
                .push(" - 2000 * p.poll_interval_s)");
        }
        None => {}
    }
    if let Some(q) = blank(&f.q) {
        if q.chars().count() > 100 {
            return Err(AppError::validation(
                "q",
                "Search text must be at most 100 characters",
            ));
        }
        let like = crate::kernel::query::like_contains(q);
        sql.push(" AND (LOWER(p.name) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\' OR LOWER(COALESCE(p.player_code, '')) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\' OR LOWER(COALESCE(p.mac, '')) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\' OR LOWER(o.name) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\')");
    }
    let (page, per_page) = paging(f.page, f.per_page);
    let (total, rows) =
        crate::kernel::query::fetch_page(&state.db.pool, sql, &sort, "p.id", page, per_page)
            .await?;
    Ok(Page {
        items: rows
            .iter()
            .map(|r| store::player_from_row(r, view.id, now))
            .collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// Players online and offline: the own ones of the account in view, and its clients'.
pub async fn counts(state: &AppState, who: &Identity) -> AppResult<PlayerCounts> {
    let view = accounts::load(state, who.view_account_id).await?;
    let now = state.now_ms();
    let (own_on, own_all) = store::count(&state.db.pool, false, view.id, &view.path, now).await?;
    let (cl_on, cl_all) = store::count(&state.db.pool, true, view.id, &view.path, now).await?;
    Ok(PlayerCounts {
        own_online: own_on,
        own_offline: own_all - own_on,
        clients_online: cl_on,
        clients_offline: cl_all - cl_on,
    })
}

// ---- packages and features ----

/// Whether the nearest package at or above `account` has a feature (`feature_hardware`,
/// `feature_ads`); the operator has every feature.
pub(crate) async fn has_feature(
    state: &AppState,
    account: &Account,
    column: &'static str,
) -> AppResult<bool> {
    if account.kind == Kind::Operator {
        return Ok(true);
    }
    let v: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT pk.{column} FROM account_closure c JOIN subscriptions s ON s.account_id = c.ancestor_id \
         JOIN packages pk ON pk.id = s.package_id WHERE c.descendant_id = $1 ORDER BY c.depth LIMIT 1"
    ))
    .bind(account.id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(v.unwrap_or(0) != 0)
}

/// "Add player" is offered: the package of the account in view has "add hardware for clients",
/// the account has clients, and the role may create.
pub async fn may_add_for_clients(state: &AppState, who: &Identity) -> AppResult<bool> {
    let view = accounts::load(state, who.view_account_id).await?;
    Ok(view.kind != Kind::Customer
        && access::allows(access::effective_role(who), Need::Write)
        && has_feature(state, &view, "feature_hardware").await?)
}

async fn require_hardware_feature(state: &AppState, who: &Identity) -> AppResult<Account> {
    access::require(who, Need::Write)?;
    let view = accounts::load(state, who.view_account_id).await?;
    if view.kind == Kind::Customer || !has_feature(state, &view, "feature_hardware").await? {
        return Err(AppError::forbidden(
            "Adding players for clients needs the package feature “add hardware for clients”: ask Client Services to switch it on",
        ));
    }
    Ok(view)
}

/// The clients a player may be added for: dealers and customers below the account in view.
pub async fn wizard_clients(
    state: &AppState,
    who: &Identity,
) -> AppResult<Vec<(i64, String, Kind)>> {
    let view = accounts::load(state, who.view_account_id).await?;
    let upper = format!("{}0", view.path.trim_end_matches('/'));
    let rows: Vec<(i64, String, Kind)> = sqlx::query_as(
        "SELECT id, name, kind FROM accounts WHERE path > $1 AND path < $2 \
         AND kind IN ('dealer', 'customer') AND status = 'active' ORDER BY name, id LIMIT 500",
    )
    .bind(&view.path)
    .bind(&upper)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows)
}

// ---- the "Add player" wizard ----

/// Step 1: the client, a dealer or customer below the account in view.
pub async fn wizard_client(
    state: &AppState,
    who: &Identity,
    client_id: Option<i64>,
) -> AppResult<Account> {
    let id = required("client_id", &client_id, "Client")?;
    let not_yours = || AppError::validation("client_id", "Choose one of your clients");
    if id == who.view_account_id || !access::is_within(state, who.view_account_id, id).await? {
        return Err(not_yours());
    }
    let a = accounts::load(state, id).await.map_err(|_| not_yours())?;
    if !matches!(a.kind, Kind::Dealer | Kind::Customer) {
        return Err(AppError::validation(
            "client_id",
            format!(
                "{} is a {}: players are added for dealers and customers",
                a.name, a.kind
            ),
        ));
    }
    Ok(a)
}

/// Step 2: the player ID and the model. An unknown device, an incompatible one, an ID of
/// another model, or a player already connected is refused with the reason.
pub async fn wizard_device(
    state: &AppState,
    code: Option<&str>,
    model_id: Option<i64>,
) -> AppResult<(String, PlayerModel)> {
    let mut conn = state.db.pool.acquire().await?;
    check_device(&mut conn, code, model_id).await
}

async fn check_device(
    conn: &mut sqlx::AnyConnection,
    code: Option<&str>,
    model_id: Option<i64>,
) -> AppResult<(String, PlayerModel)> {
    let mut c = validate::Collect::new();
    let code = c.take(player_code("player_code", code.unwrap_or("")))?;
    let picked = match model_id {
        None => {
            c.add("model_id", "Choose the model");
            None
        }
        Some(id) => match store::model(conn, id).await? {
            Some(m) if m.compatible => Some(m),
            Some(m) => {
                c.add(
                    "model_id",
                    format!(
                        "{} is not compatible with the narrowcasting software",
                        m.name
                    ),
                );
                None
            }
            None => {
                c.add("model_id", "Choose a model of the list");
                None
            }
        },
    };
    c.finish()?;
    let picked = picked.ok_or_else(|| AppError::validation("model_id", "Choose the model"))?;
    match store::model_of_code(conn, &code).await? {
        None => {
            return Err(AppError::validation(
                "player_code",
                format!(
                    "Unknown device: no compatible model has player IDs like {code}. Check the ID on the sticker"
                ),
            ))
        }
        Some(m) if !m.compatible => {
            return Err(AppError::validation(
                "player_code",
                format!(
                    "Incompatible device: {code} is a {}, which the narrowcasting software does not support",
                    m.name
                ),
            ))
        }
        Some(m) if m.id != picked.id => {
            return Err(AppError::validation(
                "model_id",
                format!("{code} is a {}, not a {}", m.name, picked.name),
            ))
        }
        Some(_) => {}
    }
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM players WHERE player_code = $1")
        .bind(&code)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(already_connected(&format!("Player {code}")));
    }
    Ok((code, picked))
}

fn already_connected(what: &str) -> AppError {
    AppError::conflict(
        ErrorCode::AlreadyConnected,
        format!("{what} is already connected to an account: disconnect it there first, or ask Client Services"),
    )
}

/// Finishes the wizard: the player for the client, with a pending player license bound to it;
/// the operator is told (panel and email) that its license can be activated.
pub async fn add_client_player(
    state: &AppState,
    who: &Identity,
    input: &AddClientPlayer,
) -> AppResult<Player> {
    let view = require_hardware_feature(state, who).await?;
    let client = wizard_client(state, who, input.client_id).await?;
    let name = validate::name(
        "name",
        input.name.as_deref().unwrap_or(""),
        validate::MAX_NAME,
    )?;
    let now = state.now_ms();
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    let (code, model) = check_device(&mut tx, input.player_code.as_deref(), input.model_id).await?;
    accounts::lock_active_chain(state, &mut tx, client.id).await?;
    crate::areas::licenses::rules::check_limits(
        state,
        &mut tx,
        client.id,
        LicenseType::Player,
        None,
    )
    .await?;
    let license = crate::areas::licenses::rules::insert(
        &mut tx,
        now,
        LicenseType::Player,
        LicenseState::Pending,
        client.id,
        view.id,
        None,
        &format!("player {code}"),
        None,
        now,
        None,
    )
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO players (tenant_id, owner_id, owner_path, model_id, player_code, name, \
         needs_license, license_id, added_by_id, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, $2, $3, $4, 1, $5, $6, $7, $7 FROM accounts a \
         WHERE a.id = $1 RETURNING id",
    )
    .bind(client.id)
    .bind(model.id)
    .bind(&code)
    .bind(&name)
    .bind(license)
    .bind(view.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if crate::kernel::db::is_unique_violation(&e) {
            already_connected(&format!("Player {code}"))
        } else {
            e.into()
        }
    })?;
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(client.id),
            action: "player.add",
            target_type: Some("player"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{name} ({}, player ID {code}) for {}, player license {license} pending",
                model.name, client.name
            )),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(client.id),
            action: "license.create",
            target_type: Some("license"),
            target_id: Some(license.to_string()),
            detail: Some(format!(
                "Player license for {} bound to player {code} (pending)",
                client.name
            )),
        },
    )
    .await?;
    tell_operator(
        state,
        &mut tx,
        Some(id),
        &format!("{} added a player for {}", view.name, client.name),
        &format!(
            "{} added the player “{name}” ({}, player ID {code}) for its client {}. Its player license {license} waits for an activation: once active, the player fetches its content.",
            view.name, model.name, client.name
        ),
        &format!("/licenses/{license}"),
    )
    .await?;
    let p = store::player(&mut tx, id, who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    super::device::changed();
    Ok(p)
}

// ---- connecting by MAC (operator) ----

/// The operator connects a player to a partner (or reseller) by the MAC address the partner
/// sent in; it appears under that account's own players at once.
pub async fn connect(state: &AppState, who: &Identity, input: &ConnectPlayer) -> AppResult<Player> {
    access::operator(state, who, Need::Write).await?;
    let mut c = validate::Collect::new();
    let mac = c.take(normalise_mac("mac", input.mac.as_deref().unwrap_or("")))?;
    let account = match input.account_id {
        None => {
            c.add("account_id", "Choose the partner");
            None
        }
        Some(id) => match accounts::get(&state.db, id).await? {
            Some(a)
                if a.status == crate::kernel::enums::AccountStatus::Active
                    && matches!(a.kind, Kind::Partner | Kind::Reseller) =>
            {
                Some(a)
            }
            Some(a)
                if a.status == crate::kernel::enums::AccountStatus::Active
                    && a.kind != Kind::Operator =>
            {
                c.add(
                    "account_id",
                    format!(
                        "{} is a {}: a client's player is added by its partner with Add player (by player ID)",
                        a.name, a.kind
                    ),
                );
                None
            }
            _ => {
                c.add(
                    "account_id",
                    format!("No partner or reseller has the id {id}"),
                );
                None
            }
        },
    };
    let name = match blank(&input.name) {
        Some(n) => c.take(validate::name("name", n, validate::MAX_NAME).map(Some))?,
        None => None,
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let model = match input.model_id {
        None => {
            c.add("model_id", "Choose the model");
            None
        }
        Some(id) => match store::model(&mut tx, id).await? {
            Some(m) if m.compatible => Some(m),
            Some(m) => {
                c.add(
                    "model_id",
                    format!(
                        "{} is not compatible with the narrowcasting software",
                        m.name
                    ),
                );
                None
            }
            None => {
                c.add("model_id", "Choose a model of the list");
                None
            }
        },
    };
    c.finish()?;
    let (Some(account), Some(model)) = (account, model) else {
        return Err(AppError::validation("account_id", "Choose the partner"));
    };
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM players WHERE mac = $1")
        .bind(&mac)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(already_connected(&format!("The player with MAC {mac}")));
    }
    let name = name.unwrap_or_else(|| format!("{} {}", model.name, &mac[9..]));
    accounts::lock_active_chain(state, &mut tx, account.id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO players (tenant_id, owner_id, owner_path, model_id, mac, name, needs_license, \
         added_by_id, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, $2, $3, $4, 0, $5, $6, $6 FROM accounts a \
         WHERE a.id = $1 RETURNING id",
    )
    .bind(account.id)
    .bind(model.id)
    .bind(&mac)
    .bind(&name)
    .bind(who.view_account_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if crate::kernel::db::is_unique_violation(&e) {
            already_connected(&format!("The player with MAC {mac}"))
        } else {
            e.into()
        }
    })?;
    for subject in [who.view_account_id, account.id] {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(subject),
                action: "player.connect",
                target_type: Some("player"),
                target_id: Some(id.to_string()),
                detail: Some(format!(
                    "{name} ({}, MAC {mac}) connected to {}",
                    model.name, account.name
                )),
            },
        )
        .await?;
    }
    let p = store::player(&mut tx, id, who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    super::device::changed();
    Ok(p)
}

// ---- editing, cloning, disconnecting ----

/// Changes a player's name, playlist or settings (members and up). A playlist must be its
/// owner's; assigning one ends a clone.
pub async fn edit(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &PlayerEdit,
) -> AppResult<Player> {
    access::require(who, Need::Write)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let old = store::player(&mut tx, id, who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut c = validate::Collect::new();
    let name = match &input.name {
        Some(n) => c.take(validate::name("name", n, validate::MAX_NAME))?,
        None => old.name.clone(),
    };
    let orientation = match blank(&input.orientation) {
        Some(o) => match Orientation::parse(o) {
            Some(o) => o,
            None => {
                c.add("orientation", "Orientation must be landscape or portrait");
                old.orientation
            }
        },
        None if input.orientation.is_some() => {
            c.add("orientation", "Orientation must be landscape or portrait");
            old.orientation
        }
        None => old.orientation,
    };
    let volume = input.volume.unwrap_or(old.volume);
    if !(0..=100).contains(&volume) {
        c.add("volume", "Volume goes from 0 to 100");
    }
    let interval = input.poll_interval_s.unwrap_or(old.poll_interval_s);
    if !(5..=3600).contains(&interval) {
        c.add("poll_interval_s", "The poll interval is 5 to 3600 seconds");
    }
    let mut playlist = old.playlist_id;
    let mut playlist_name = old.playlist_name.clone();
    if let Some(pl) = input.playlist_id {
        if pl == 0 {
            playlist = None;
            playlist_name = None;
        } else {
            let owner: Option<(i64, String)> =
                sqlx::query_as("SELECT owner_id, name FROM playlists WHERE id = $1")
                    .bind(pl)
                    .fetch_optional(&mut *tx)
                    .await?;
            match owner {
                Some((o, n)) if o == old.owner_id => {
                    playlist = Some(pl);
                    playlist_name = Some(n);
                }
                _ => c.add(
                    "playlist_id",
                    format!("Choose a playlist of {}", old.owner_name),
                ),
            }
        }
    }
    c.finish()?;
    let ends_clone = input.playlist_id.is_some() && old.clone_of.is_some();
    let clone_of = if ends_clone { None } else { old.clone_of };
    sqlx::query(
        "UPDATE players SET name = $1, orientation = $2, volume = $3, poll_interval_s = $4, \
         playlist_id = $5, clone_of = $6, config_rev = config_rev + 1, updated_at = $7 WHERE id = $8",
    )
    .bind(&name)
    .bind(orientation)
    .bind(volume)
    .bind(interval)
    .bind(playlist)
    .bind(clone_of)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let none = "none".to_string();
    let mut changes = audit::Changes::new()
        .value("name", &old.name, &name)
        .value("orientation", &old.orientation, &orientation)
        .value("volume", &old.volume, &volume)
        .value("poll interval (s)", &old.poll_interval_s, &interval)
        .value(
            "playlist",
            old.playlist_name.as_ref().unwrap_or(&none),
            playlist_name.as_ref().unwrap_or(&none),
        );
    if ends_clone {
        changes = changes.field("clone", "on", "off");
    }
    if !changes.is_empty() {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(old.owner_id),
                action: "player.update",
                target_type: Some("player"),
                target_id: Some(id.to_string()),
                detail: Some(changes.detail()),
            },
        )
        .await?;
    }
    // Players cloning this one follow its settings' content: they are told too.
    bump_clones_of(&mut tx, id, now).await?;
    let p = store::player(&mut tx, id, who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    super::device::changed();
    Ok(p)
}

async fn bump_clones_of(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE players SET config_rev = config_rev + 1, updated_at = $2 WHERE clone_of = $1",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The clients of the account in view that have players, for the Clone pop-up.
pub async fn clone_clients(state: &AppState, who: &Identity) -> AppResult<Vec<(i64, String, i64)>> {
    let view = accounts::load(state, who.view_account_id).await?;
    let upper = format!("{}0", view.path.trim_end_matches('/'));
    Ok(sqlx::query_as(
        "SELECT o.id, o.name, CAST(COUNT(*) AS BIGINT) FROM players p JOIN accounts o ON o.id = p.owner_id \
         WHERE p.owner_path > $1 AND p.owner_path < $2 AND p.clone_of IS NULL \
         GROUP BY o.id, o.name ORDER BY o.name, o.id LIMIT 500",
    )
    .bind(&view.path)
    .bind(&upper)
    .fetch_all(&state.db.pool)
    .await?)
}

/// The players of one client (below the account in view) that can be cloned.
pub async fn clone_sources(
    state: &AppState,
    who: &Identity,
    client_id: i64,
) -> AppResult<Vec<Player>> {
    if client_id == who.view_account_id
        || !access::is_within(state, who.view_account_id, client_id).await?
    {
        return Err(AppError::validation(
            "client_id",
            "Choose one of your clients",
        ));
    }
    let now = state.now_ms();
    let rows = sqlx::query(&format!(
        "SELECT {}{} WHERE p.owner_id = $1 AND p.clone_of IS NULL ORDER BY p.name, p.id LIMIT 500",
        store::PLAYER_COLUMNS,
        store::PLAYER_FROM
    ))
    .bind(client_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| store::player_from_row(r, who.view_account_id, now))
        .collect::<Result<_, _>>()?)
}

/// Clone: the account in view's own player shows what a client's player shows, and follows it
/// until something else is assigned. Reads the client's content, never changes it; recorded on
/// the cloning side only.
pub async fn clone_player(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &CloneSource,
) -> AppResult<Player> {
    access::require(who, Need::Write)?;
    let source_id = required(
        "source_player_id",
        &input.source_player_id,
        "The player to clone",
    )?;
    let now = state.now_ms();
    let view = accounts::load(state, who.view_account_id).await?;
    let mut tx = state.db.begin().await?;
    let target = store::player(&mut tx, id, view.id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    if target.owner_id != view.id {
        return Err(AppError::validation(
            "source_player_id",
            "Only your own players clone a client's player",
        ));
    }
    let not_a_client = || {
        AppError::validation(
            "source_player_id",
            "No such player among your clients' players",
        )
    };
    let source = store::player(&mut tx, source_id, view.id, now)
        .await?
        .ok_or_else(not_a_client)?;
    let src_path: String = sqlx::query_scalar("SELECT owner_path FROM players WHERE id = $1")
        .bind(source_id)
        .fetch_one(&mut *tx)
        .await?;
    let upper = format!("{}0", view.path.trim_end_matches('/'));
    if !(src_path.as_str() > view.path.as_str() && src_path < upper) {
        return Err(not_a_client());
    }
    if source.clone_of.is_some() {
        return Err(AppError::validation(
            "source_player_id",
            format!(
                "{} clones another player itself: clone that one",
                source.name
            ),
        ));
    }
    sqlx::query(
        "UPDATE players SET clone_of = $1, playlist_id = NULL, config_rev = config_rev + 1, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(source_id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(view.id),
            action: "player.clone",
            target_type: Some("player"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{} shows what {} of {} shows",
                target.name, source.name, source.owner_name
            )),
        },
    )
    .await?;
    let p = store::player(&mut tx, id, view.id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    super::device::changed();
    Ok(p)
}

/// "Disconnect media player", confirmed: the player leaves the account, its token stops
/// working, its license is freed (unbound, for another player), players cloning it stop, and
/// the operator is told to check the subscription.
pub async fn disconnect(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &Disconnect,
) -> AppResult<Player> {
    access::require(who, Need::Write)?;
    if input.confirm != Some(true) {
        return Err(AppError::field_code(
            ErrorCode::ConfirmationRequired,
            "confirm",
            "Confirm the disconnection (confirm: true): the player stops showing content",
        ));
    }
    let now = state.now_ms();
    let view = accounts::load(state, who.view_account_id).await?;
    let mut tx = state.db.begin().await?;
    let p = store::player(&mut tx, id, view.id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    bump_clones_of(&mut tx, id, now).await?;
    if let Some(l) = p.license_id {
        sqlx::query("UPDATE licenses SET bound_to = '', updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(l)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM players WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ident = p
        .player_code
        .clone()
        .map(|c| format!("player ID {c}"))
        .or(p.mac.clone().map(|m| format!("MAC {m}")))
        .unwrap_or_default();
    let license = p
        .license_id
        .map(|l| format!(", player license {l} freed"))
        .unwrap_or_default();
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(p.owner_id),
            action: "player.disconnect",
            target_type: Some("player"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{} ({}, {ident}){license}", p.name, p.model_name)),
        },
    )
    .await?;
    let link = p
        .license_id
        .map(|l| format!("/licenses/{l}"))
        .unwrap_or_else(|| "/players".into());
    tell_operator(
        state,
        &mut tx,
        None,
        &format!("{} disconnected a player of {}", view.name, p.owner_name),
        &format!(
            "{} disconnected the player “{}” ({}, {ident}) of {}{license}. Check with them whether a subscription is to be transferred or cancelled.",
            view.name, p.name, p.model_name, p.owner_name
        ),
        &link,
    )
    .await?;
    tx.commit().await?;
    super::device::changed();
    Ok(p)
}

// ---- the operator's notifications ----

#[derive(Template)]
#[template(path = "email/media/notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    subject: &'a str,
    text: &'a str,
    link: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/media/notice.html")]
struct NoticeHtml<'a> {
    name: &'a str,
    subject: &'a str,
    text: &'a str,
    link: &'a str,
    base_url: &'a str,
}

fn tpl(e: askama::Error) -> AppError {
    AppError::Internal(format!("template: {e}"))
}

/// A notice on the operator's Players page, and an email to its owners and admins.
async fn tell_operator(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    player: Option<i64>,
    subject: &str,
    text: &str,
    link: &str,
) -> AppResult<()> {
    let Some(op) = accounts::operator(&state.db).await? else {
        return Ok(());
    };
    let now = state.now_ms();
    store::insert_notice(conn, now, op.id, player, text).await?;
    let base_url = &state.config.base_url;
    for (to, name) in store::managers(conn, op.id).await? {
        let t = NoticeText {
            name: &name,
            subject,
            text,
            link,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let h = NoticeHtml {
            name: &name,
            subject,
            text,
            link,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let (subject, text) = crate::kernel::notify::split_subject(t);
        crate::kernel::notify::enqueue_rendered(
            state,
            conn,
            &crate::kernel::notify::Rendered {
                template: "media_notice",
                to,
                subject,
                text,
                html: h,
            },
        )
        .await?;
    }
    Ok(())
}

/// The operator's notices about players (newest first).
pub async fn notices(state: &AppState, who: &Identity) -> AppResult<Vec<PlayerNotice>> {
    let view = access::operator(state, who, Need::Read).await?;
    Ok(store::notices(&state.db.pool, view.id, 50).await?)
}

/// Unread notices of the account in view (the operator's), for the menu badge.
pub async fn unread_notices(state: &AppState, who: &Identity) -> AppResult<i64> {
    Ok(store::unread_notices(&state.db.pool, who.view_account_id).await?)
}

/// Marks every notice read.
pub async fn read_notices(state: &AppState, who: &Identity) -> AppResult<u64> {
    let view = access::operator(state, who, Need::Write).await?;
    let mut tx = state.db.begin().await?;
    let n = store::mark_notices_read(&mut tx, view.id, state.now_ms()).await?;
    tx.commit().await?;
    Ok(n)
}

// ---- choices for forms ----

/// The playlists of an account (name order), for a player's edit form.
pub async fn playlists_of(state: &AppState, owner: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM playlists WHERE owner_id = $1 ORDER BY name, id LIMIT 500",
    )
    .bind(owner)
    .fetch_all(&state.db.pool)
    .await?)
}

/// Active partners and resellers (name order), for the operator's connect form.
pub async fn partners(state: &AppState) -> AppResult<Vec<(i64, String, Kind)>> {
    Ok(sqlx::query_as(
        "SELECT id, name, kind FROM accounts WHERE kind IN ('partner', 'reseller') \
         AND status = 'active' ORDER BY name, id LIMIT 1000",
    )
    .fetch_all(&state.db.pool)
    .await?)
}
