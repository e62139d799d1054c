//! Connecting a partner's player by MAC (the operator).

use super::*;
use crate::areas::media::PlayerId;
use crate::areas::media::PlayerModelId;

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
        Some(id) => match store::model(&mut tx, PlayerModelId(id.get())).await? {
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
    let p = store::player(&mut tx, PlayerId(id), who.view_account_id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    crate::areas::media::device::changed();
    Ok(p)
}
