//! The "Add player" wizard: a player for a client, with a pending player license.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::PlayerId;
use crate::areas::media::PlayerModelId;

// ---- the "Add player" wizard ----

/// Step 1: the client, a dealer or customer below the account in view.
pub async fn wizard_client(
    state: &AppState,
    who: &Identity,
    client_id: Option<i64>,
) -> AppResult<Account> {
    let id = required("client_id", &client_id, "Client")?;
    let not_yours = || AppError::validation("client_id", "Choose one of your clients");
    if id == who.view_account_id
        || !access::is_within(state, who.view_account_id, AccountId(id)).await?
    {
        return Err(not_yours());
    }
    let a = accounts::load(state, AccountId(id))
        .await
        .map_err(|_| not_yours())?;
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
        Some(id) => match store::model(conn, PlayerModelId(id)).await? {
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

pub(super) fn already_connected(what: &str) -> AppError {
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
    let client = wizard_client(state, who, input.client_id.map(i64::from)).await?;
    let name = validate::name(
        "name",
        input.name.as_deref().unwrap_or(""),
        validate::MAX_NAME,
    )?;
    let now = state.now_ms();
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    let (code, model) = check_device(
        &mut tx,
        input.player_code.as_deref(),
        input.model_id.map(i64::from),
    )
    .await?;
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
    let p = store::player(&mut tx, PlayerId(id), who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    crate::areas::media::device::changed();
    Ok(p)
}
