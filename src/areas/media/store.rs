//! The SQL of media, nothing else: models, players (rows, lists, counts), notifications.

use super::model::{Player, PlayerModel, PlayerNotice, PlayerStatus};
use crate::areas::accounts::AccountId;
use crate::areas::media::PlayerId;
use crate::areas::media::PlayerModelId;
use crate::kernel::db::Row;
use crate::kernel::query::Sql;
use sqlx::Row as _;

pub(crate) const MODEL_COLUMNS: &str = "m.id, m.name, m.id_prefix, m.compatible, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM players x WHERE x.model_id = m.id) AS players";

/// Hand-written (see `kernel::db::Row`): integer flags become booleans.
pub(crate) fn model_from_row(r: &Row) -> Result<PlayerModel, sqlx::Error> {
    Ok(PlayerModel {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        id_prefix: r.try_get("id_prefix")?,
        compatible: r.try_get::<i64, _>("compatible")? != 0,
        players: r.try_get("players")?,
    })
}

pub(crate) async fn models(
    pool: &sqlx::AnyPool,
    only_compatible: bool,
) -> Result<Vec<PlayerModel>, sqlx::Error> {
    let filter = if only_compatible {
        " WHERE m.compatible = 1"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT {MODEL_COLUMNS} FROM player_models m{filter} ORDER BY m.name, m.id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(model_from_row).collect()
}

pub(crate) async fn model(
    conn: &mut sqlx::AnyConnection,
    id: PlayerModelId,
) -> Result<Option<PlayerModel>, sqlx::Error> {
    let r = sqlx::query(&format!(
        "SELECT {MODEL_COLUMNS} FROM player_models m WHERE m.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    r.as_ref().map(model_from_row).transpose()
}

/// The model whose prefix is the longest one that starts `code`.
pub(crate) async fn model_of_code(
    conn: &mut sqlx::AnyConnection,
    code: &str,
) -> Result<Option<PlayerModel>, sqlx::Error> {
    let rows = sqlx::query(&format!("SELECT {MODEL_COLUMNS} FROM player_models m"))
        .fetch_all(conn)
        .await?;
    let mut best: Option<PlayerModel> = None;
    for r in &rows {
        let m = model_from_row(r)?;
        if code.starts_with(&m.id_prefix)
            && best
                .as_ref()
                .is_none_or(|b| b.id_prefix.len() < m.id_prefix.len())
        {
            best = Some(m);
        }
    }
    Ok(best)
}

pub(crate) async fn insert_model(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    name: &str,
    prefix: &str,
    compatible: bool,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO player_models (name, id_prefix, compatible, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(name)
    .bind(prefix)
    .bind(i64::from(compatible))
    .bind(now)
    .fetch_one(conn)
    .await
}

pub(crate) async fn update_model(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    id: PlayerModelId,
    name: &str,
    prefix: &str,
    compatible: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE player_models SET name = $1, id_prefix = $2, compatible = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(name)
    .bind(prefix)
    .bind(i64::from(compatible))
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) const PLAYER_COLUMNS: &str = "p.id, p.name, p.player_code, p.mac, p.model_id, \
    m.name AS model_name, p.owner_id, o.name AS owner_name, o.kind AS owner_kind, p.playlist_id, \
    pl.name AS playlist_name, p.clone_of, c.name AS clone_of_name, p.orientation, p.volume, \
    p.poll_interval_s, p.needs_license, p.license_id, l.state AS license_state, \
    CAST(CASE WHEN p.token_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS registered, \
    p.last_seen_at, p.reported_version, p.created_at";

pub(crate) const PLAYER_FROM: &str = " FROM players p JOIN player_models m ON m.id = p.model_id \
    JOIN accounts o ON o.id = p.owner_id LEFT JOIN playlists pl ON pl.id = p.playlist_id \
    LEFT JOIN players c ON c.id = p.clone_of LEFT JOIN licenses l ON l.id = p.license_id";

/// Online: polled within twice its interval.
pub fn is_online(last_seen: Option<i64>, interval_s: i64, now: i64) -> bool {
    last_seen.is_some_and(|t| t >= now - 2000 * interval_s)
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; integer flags become booleans; some fields follow from the clock.
pub(crate) fn player_from_row(
    r: &Row,
    view_id: AccountId,
    now: i64,
) -> Result<Player, sqlx::Error> {
    let last: Option<i64> = r.try_get("last_seen_at")?;
    let interval: i64 = r.try_get("poll_interval_s")?;
    let owner_id: i64 = r.try_get("owner_id")?;
    let needs_license = r.try_get::<i64, _>("needs_license")? != 0;
    let license_state: Option<String> = r.try_get("license_state")?;
    let registered = r.try_get::<i64, _>("registered")? != 0;
    let online = is_online(last, interval, now);
    let status = if needs_license && license_state.as_deref() != Some("active") {
        PlayerStatus::WaitingForActivation
    } else if !registered {
        PlayerStatus::WaitingForDevice
    } else if online {
        PlayerStatus::Online
    } else {
        PlayerStatus::Offline
    };
    Ok(Player {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        player_code: r.try_get("player_code")?,
        mac: r.try_get("mac")?,
        model_id: r.try_get("model_id")?,
        model_name: r.try_get("model_name")?,
        owner_id: AccountId(owner_id),
        owner_name: r.try_get("owner_name")?,
        owner_kind: r.try_get("owner_kind")?,
        own: owner_id == view_id,
        status,
        online,
        last_seen_at: last.map(crate::clock::rfc3339),
        playlist_id: r.try_get("playlist_id")?,
        playlist_name: r.try_get("playlist_name")?,
        clone_of: r.try_get("clone_of")?,
        clone_of_name: r.try_get("clone_of_name")?,
        orientation: r.try_get("orientation")?,
        volume: r.try_get("volume")?,
        poll_interval_s: interval,
        license_id: r.try_get("license_id")?,
        license_state,
        reported_version: r.try_get("reported_version")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        last_seen_ms: last,
    })
}

pub(crate) async fn player(
    conn: &mut sqlx::AnyConnection,
    id: PlayerId,
    view_id: AccountId,
    now: i64,
) -> Result<Option<Player>, sqlx::Error> {
    let r = sqlx::query(&format!(
        "SELECT {PLAYER_COLUMNS}{PLAYER_FROM} WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    r.map(|r| player_from_row(&r, view_id, now)).transpose()
}

/// ` AND <scope>`: the own players of `view_id`, or those of every account below `path`.
pub(crate) fn push_scope(sql: &mut Sql, clients: bool, view_id: AccountId, path: &str) {
    if clients {
        let upper = format!("{}0", path.trim_end_matches('/'));
        sql.push(" AND p.owner_path > ")
            .str(path)
            .push(" AND p.owner_path < ")
            .str(&upper);
    } else {
        sql.push(" AND p.owner_id = ").int(view_id);
    }
}

/// Online and all players of a scope.
pub(crate) async fn count(
    pool: &sqlx::AnyPool,
    clients: bool,
    view_id: AccountId,
    path: &str,
    now: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let mut sql = Sql::new("SELECT CAST(COALESCE(SUM(CASE WHEN p.last_seen_at >= ");
    sql.int(now).push(
        " - 2000 * p.poll_interval_s THEN 1 ELSE 0 END), 0) AS BIGINT) AS online, \
               CAST(COUNT(*) AS BIGINT) AS total FROM players p WHERE 1 = 1",
    );
    push_scope(&mut sql, clients, view_id, path);
    let r = sql.query().fetch_one(pool).await?;
    Ok((r.try_get("online")?, r.try_get("total")?))
}

pub(crate) async fn managers(
    conn: &mut sqlx::AnyConnection,
    account: AccountId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT email, name FROM logins WHERE account_id = $1 AND status = 'active' \
         AND role IN ('owner', 'admin') ORDER BY id",
    )
    .bind(account)
    .fetch_all(conn)
    .await
}

pub(crate) async fn insert_notice(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    account: AccountId,
    player: Option<i64>,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO player_notifications (account_id, player_id, text, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(account)
    .bind(player)
    .bind(text)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn notices(
    pool: &sqlx::AnyPool,
    account: AccountId,
    limit: i64,
) -> Result<Vec<PlayerNotice>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, player_id, text, created_at, read_at FROM player_notifications \
         WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(account)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PlayerNotice {
                id: r.try_get("id")?,
                player_id: r.try_get("player_id")?,
                text: r.try_get("text")?,
                created_at: crate::clock::rfc3339(r.try_get("created_at")?),
                read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
            })
        })
        .collect()
}

pub(crate) async fn unread_notices(
    pool: &sqlx::AnyPool,
    account: AccountId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM player_notifications \
         WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(account)
    .fetch_one(pool)
    .await
}

pub(crate) async fn mark_notices_read(
    conn: &mut sqlx::AnyConnection,
    account: AccountId,
    now: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE player_notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
    )
    .bind(now)
    .bind(account)
    .execute(conn)
    .await?
    .rows_affected())
}
