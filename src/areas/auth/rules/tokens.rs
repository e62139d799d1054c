//! API tokens: resolving, listing, creating and revoking them.

use super::*;
use crate::areas::auth::ApiTokenId;

pub const TOKEN_PREFIX: &str = "pp_";

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Token)]
pub struct ApiToken {
    #[schema(value_type = i64)]
    pub id: ApiTokenId,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

pub async fn resolve_token(
    state: &AppState,
    token: &str,
    ip: &str,
    request_id: &str,
) -> AppResult<Option<Identity>> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() != TOKEN_PREFIX.len() + 48 {
        return Ok(None);
    }
    let q = format!(
        "SELECT {}, {}, {}, t.id AS token_id, t.last_used_at FROM api_tokens t JOIN logins l ON l.id = t.login_id \
         LEFT JOIN accounts va ON va.id = l.account_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND {}",
        logins::COLUMNS,
        logins::SUSPENDED_BY,
        crate::areas::accounts::VIEW_COLUMNS,
        logins::LOGIN_MAY_SIGN_IN
    );
    let row = sqlx::query(&q)
        .bind(secrets::token_hash(token))
        .fetch_optional(&state.db.pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let login = logins::from_row(&r)?;
    let token_id: i64 = r.try_get("token_id")?;
    let last: Option<i64> = r.try_get("last_used_at")?;
    let now = state.now_ms();
    if last.is_none_or(|l| now - l > 60_000) {
        let mut tx = state.db.begin().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Some(Identity {
        home_account_id: login.account_id,
        view_account_id: login.account_id,
        acting_as: None,
        login,
        via: AuthVia::Token {
            token_id: ApiTokenId(token_id),
        },
        ip: ip.to_string(),
        request_id: request_id.to_string(),
        suspended_by: r.try_get("suspended_by")?,
        view: crate::areas::accounts::from_view_row(&r)?,
    }))
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
fn token_from_row(r: &crate::kernel::db::Row) -> Result<ApiToken, sqlx::Error> {
    use crate::clock::rfc3339;
    Ok(ApiToken {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        created_at: rfc3339(r.try_get("created_at")?),
        last_used_at: r.try_get::<Option<i64>, _>("last_used_at")?.map(rfc3339),
        revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(rfc3339),
    })
}

pub async fn list_tokens(state: &AppState, who: &Identity) -> AppResult<Vec<ApiToken>> {
    who.require_own_identity()?;
    let rows = sqlx::query(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE login_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(who.login.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.iter().map(token_from_row).collect::<Result<_, _>>()?)
}

/// The columns the token list sorts by (the first is the default, newest first).
pub const TOKEN_SORTS: [(&str, &str); 3] = [
    ("created", "created_at"),
    ("name", "name"),
    ("last_used", "COALESCE(last_used_at, 0)"),
];

/// A page of the signed-in login's own tokens, by a whitelisted column (newest first).
pub async fn tokens_page(
    state: &AppState,
    who: &Identity,
    params: &crate::kernel::http::table::ListParams,
) -> AppResult<crate::kernel::query::Page<ApiToken>> {
    who.require_own_identity()?;
    let order = params.sort(&TOKEN_SORTS, true)?;
    let (page, per_page) = params.paging();
    let mut sql = crate::kernel::query::Sql::new(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE login_id = ",
    );
    sql.int(who.login.id);
    let (total, rows) =
        crate::kernel::query::fetch_page(&state.db.pool, sql, &order, "id", page, per_page).await?;
    Ok(crate::kernel::query::Page {
        items: rows.iter().map(token_from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// Creates a token; the returned secret is shown once and never again.
pub async fn create_token(
    state: &AppState,
    who: &Identity,
    name: &str,
) -> AppResult<(ApiToken, String)> {
    who.require_own_identity()?;
    let name = validate::name("name", name, 60)?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_tokens WHERE login_id = $1 AND revoked_at IS NULL",
    )
    .bind(who.login.id)
    .fetch_one(&state.db.pool)
    .await?;
    if count >= 50 {
        return Err(AppError::conflict(
            ErrorCode::TooManyTokens,
            "A login can hold at most 50 active tokens; revoke one first",
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", secrets::random_hex(24));
    let prefix: String = secret.chars().take(10).collect();
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (login_id, name, token_hash, prefix, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(who.login.id)
    .bind(&name)
    .bind(secrets::token_hash(&secret))
    .bind(&prefix)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.home_account_id),
            action: "api_token.create",
            target_type: Some("api_token"),
            target_id: Some(id.to_string()),
            detail: Some(name.clone()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        ApiToken {
            id: ApiTokenId(id),
            name,
            prefix,
            created_at: crate::clock::rfc3339(now),
            last_used_at: None,
            revoked_at: None,
        },
        secret,
    ))
}

pub async fn revoke_token(state: &AppState, who: &Identity, token_id: ApiTokenId) -> AppResult<()> {
    who.require_own_identity()?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND login_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(token_id)
    .bind(who.login.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.home_account_id),
            action: "api_token.revoke",
            target_type: Some("api_token"),
            target_id: Some(token_id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
