//! The logins of an account, managed from above: listing, creating, updating, deleting.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;

#[derive(Clone, Debug, serde::Deserialize, Default, utoipa::ToSchema)]
pub struct LoginInput {
    #[serde(default)]
    #[schema(required = true, format = Email)]
    pub email: String,
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(required = true, format = Password, min_length = 10, max_length = 256)]
    pub password: String,
    /// member when left out.
    #[serde(default)]
    #[schema(schema_with = role_values)]
    pub role: String,
    /// true when left out.
    #[schema(nullable = false)]
    pub dashboard_rights: Option<bool>,
}

/// A page of an account's logins in `sort`, and how many it has.
pub async fn list_for_account(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
    sort: &Sort,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<Login>> {
    crate::kernel::access::account(state, who, account_id, crate::kernel::access::Need::Read)
        .await?;
    let (page, per_page) = crate::kernel::query::paging(page, per_page);
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM logins WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&state.db.pool)
        .await?;
    let d = if sort.desc { "DESC" } else { "ASC" };
    // Ties (same role, same status…) by name, then id, in the same direction.
    let q = format!(
        "SELECT {COLUMNS} FROM logins l WHERE l.account_id = $1 \
         ORDER BY {} {d}, l.name {d}, l.id {d} LIMIT $2 OFFSET $3",
        sort.column
    );
    let rows = sqlx::query(&q)
        .bind(account_id)
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&state.db.pool)
        .await?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// Adds a login to an account the identity reaches (owners and admins).
pub async fn create_for_account(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
    input: &LoginInput,
) -> AppResult<Login> {
    let account =
        crate::kernel::access::account(state, who, account_id, crate::kernel::access::Need::Admin)
            .await?;
    let role = match input.role.trim() {
        "" => Role::Member,
        r => Role::parse(r).ok_or_else(|| {
            AppError::validation("role", "Role must be owner, admin, member or viewer")
        })?,
    };
    crate::kernel::access::may_assign_role(who, account.id, role)?;
    let new = NewLogin {
        account_id: account.id,
        email: &input.email,
        name: &input.name,
        password: &input.password,
        role,
    };
    let (email, name, hash) = prepare(state, &new).await?;
    let mut tx = state.db.begin().await?;
    let id = insert_hashed(
        state,
        &mut tx,
        &who.actor(),
        account.id,
        &email,
        &name,
        &hash,
        role,
    )
    .await?;
    if input.dashboard_rights == Some(false) {
        sqlx::query("UPDATE logins SET dashboard_rights = 0 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    get(state, LoginId(id)).await?.ok_or(AppError::NotFound)
}

/// Fields left out stay as they are.
#[derive(Clone, Debug, serde::Deserialize, Default, utoipa::ToSchema)]
pub struct LoginUpdate {
    #[schema(
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    #[schema(schema_with = role_values)]
    pub role: Option<String>,
    #[schema(nullable = false)]
    pub dashboard_rights: Option<bool>,
    #[schema(schema_with = status_values)]
    pub status: Option<String>,
}

/// Changes another login's name, role, dashboard rights or status.
pub async fn update_login(
    state: &AppState,
    who: &Identity,
    login_id: LoginId,
    input: &LoginUpdate,
) -> AppResult<Login> {
    let l = crate::kernel::access::login(state, who, login_id).await?;
    if l.id == who.login.id {
        return Err(AppError::forbidden(
            "change your own login under My profile",
        ));
    }
    if l.role == Role::Owner {
        crate::kernel::access::may_assign_role(who, l.account_id, Role::Owner)?;
    }
    let name = match &input.name {
        Some(n) => validate::name("name", n, validate::MAX_NAME)?,
        None => l.name.clone(),
    };
    let role = match input.role.as_deref().map(str::trim) {
        None => l.role,
        Some(r) => Role::parse(r).ok_or_else(|| {
            AppError::validation("role", "Role must be owner, admin, member or viewer")
        })?,
    };
    crate::kernel::access::may_assign_role(who, l.account_id, role)?;
    let status = input
        .status
        .as_deref()
        .map(str::trim)
        .unwrap_or(l.status.as_str())
        .to_string();
    if status != "active" && status != "inactive" {
        return Err(AppError::validation(
            "status",
            "Status must be active or inactive",
        ));
    }
    let rights = input.dashboard_rights.unwrap_or(l.dashboard_rights);
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE logins SET name = $1, role = $2, status = $3, dashboard_rights = $4, updated_at = $5 WHERE id = $6")
        .bind(&name)
        .bind(role)
        .bind(&status)
        .bind(rights as i64)
        .bind(now)
        .bind(l.id)
        .execute(&mut *tx)
        .await?;
    if status == "inactive" {
        sqlx::query("DELETE FROM sessions WHERE login_id = $1")
            .bind(l.id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(l.account_id),
            action: "login.update",
            target_type: Some("login"),
            target_id: Some(l.id.to_string()),
            detail: Some(format!(
                "{}: role {role}, status {status}, dashboard rights {rights}",
                l.email
            )),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, l.id).await?.ok_or(AppError::NotFound)
}

/// Removes another login (its sessions and tokens go with it). Needs `confirm`.
pub async fn delete_login(
    state: &AppState,
    who: &Identity,
    login_id: LoginId,
    confirm: bool,
) -> AppResult<()> {
    let l = crate::kernel::access::login(state, who, login_id).await?;
    if l.id == who.login.id {
        return Err(AppError::forbidden("you cannot delete your own login"));
    }
    if l.role == Role::Owner {
        crate::kernel::access::may_assign_role(who, l.account_id, Role::Owner)?;
    }
    if !confirm {
        return Err(AppError::validation(
            "confirm",
            format!("Confirm that the login {} should be deleted", l.email),
        ));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM logins WHERE id = $1")
        .bind(l.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(l.account_id),
            action: "login.delete",
            target_type: Some("login"),
            target_id: Some(l.id.to_string()),
            detail: Some(l.email.clone()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
