//! Reading players (one, a page of the list, the counts) and the package features that gate adding them.

use super::*;
use crate::areas::media::PlayerId;

// ---- reading players ----

/// One player the router has checked (the account in view or below owns it).
pub async fn player(state: &AppState, who: &Identity, id: PlayerId) -> AppResult<Player> {
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

pub(super) async fn require_hardware_feature(
    state: &AppState,
    who: &Identity,
) -> AppResult<Account> {
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
