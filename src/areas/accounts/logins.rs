//! Logins (users): each belongs to one account with a role there.

use crate::kernel::audit;
use crate::kernel::db::is_unique_violation;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::http::table::{ListParams, Sort};
use crate::kernel::query::Page;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

pub use crate::kernel::enums::{LoginStatus, Role};

pub const ROLES: &[&str] = Role::TEXTS;

/// The sorts of an account's logins: key → SQL (the first, by name, is the default). A role
/// sorts by rank: owner, admin, member, viewer.
pub const LOGIN_SORTS: &[(&str, &str)] = &[
    ("name", "l.name"),
    ("email", "l.email"),
    (
        "role",
        "CASE l.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'member' THEN 2 ELSE 3 END",
    ),
    ("dashboard", "l.dashboard_rights"),
    ("status", "l.status"),
];

/// The sort of an account's logins (API and page).
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginSortQuery {
    /// Sort key: name (default), email, role (by rank: owner, admin, member, viewer),
    /// dashboard or status (unknown keys: 422 `validation_failed` with `field` = `sort`).
    #[param(schema_with = login_sort_values)]
    pub sort: Option<String>,
    /// asc (default) or desc; ties by name, then id, the same way.
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Logins per page (default 25, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn login_sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["name", "email", "role", "dashboard", "status"])
}

fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

impl LoginSortQuery {
    /// The sort checked against `LOGIN_SORTS` (422 `sort` or `dir` otherwise).
    pub fn sort(&self) -> AppResult<Sort> {
        ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            ..Default::default()
        }
        .sort(LOGIN_SORTS, false)
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Login {
    pub id: i64,
    pub account_id: i64,
    /// The email address, or a dealer's username, the login signs in with.
    pub email: String,
    pub name: String,
    #[schema(schema_with = role_values)]
    pub role: Role,
    pub dashboard_rights: bool,
    #[schema(schema_with = status_values)]
    pub status: LoginStatus,
    /// The IANA time zone pages show times in (null: UTC until set, or the browser's at sign-in).
    pub time_zone: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
}

fn role_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(ROLES)
}

fn status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(LoginStatus::TEXTS)
}

pub const COLUMNS: &str =
    "l.id, l.account_id, l.email, l.name, l.role, l.dashboard_rights, l.status, l.password_hash, \
     l.time_zone";

pub fn from_row(r: &Row) -> Result<Login, sqlx::Error> {
    Ok(Login {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        dashboard_rights: r.try_get::<i64, _>("dashboard_rights")? != 0,
        status: r.try_get("status")?,
        password_hash: r.try_get("password_hash")?,
        time_zone: r.try_get("time_zone")?,
    })
}

/// SQL column: the partner above (or at) the login's account whose period ended unpaid.
pub const SUSPENDED_BY: &str = "(SELECT s.account_id FROM account_closure sc JOIN subscriptions s \
     ON s.account_id = sc.ancestor_id WHERE sc.descendant_id = l.account_id AND s.status = 'suspended' \
     LIMIT 1) AS suspended_by";

/// SQL condition: the login `l` is active and neither its account nor any account above it is shut.
pub const LOGIN_MAY_SIGN_IN: &str = "l.status = 'active' AND NOT EXISTS (\
     SELECT 1 FROM account_closure ac JOIN accounts aa ON aa.id = ac.ancestor_id \
     WHERE ac.descendant_id = l.account_id AND aa.status <> 'active')";

pub async fn find_by_email(state: &AppState, email: &str) -> Result<Option<Login>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM logins l WHERE l.email = $1");
    let row = sqlx::query(&q)
        .bind(email.trim().to_lowercase())
        .fetch_optional(&state.db.pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(state: &AppState, id: i64) -> Result<Option<Login>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM logins l WHERE l.id = $1");
    let row = sqlx::query(&q)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub struct NewLogin<'a> {
    pub account_id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub role: Role,
}

/// Validates and creates a login in `conn`'s transaction.
pub async fn insert(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    actor: &audit::Actor,
    new: NewLogin<'_>,
) -> AppResult<i64> {
    let (email, name, hash) = prepare(state, &new).await?;
    insert_hashed(
        state,
        conn,
        actor,
        new.account_id,
        &email,
        &name,
        &hash,
        new.role,
    )
    .await
}

/// Checks a new login's fields and hashes its password: slow work to do before a transaction.
pub async fn prepare(state: &AppState, new: &NewLogin<'_>) -> AppResult<(String, String, String)> {
    // Every field's error at once.
    let mut c = validate::Collect::new();
    let email = c.take(validate::email("email", new.email))?;
    c.take(validate::name("name", new.name, validate::MAX_NAME))?;
    c.take(validate::new_password("password", new.password))?;
    c.finish()?;
    prepare_with(state, new, email).await
}

/// Like `prepare`, with the sign-in name checked by the caller (a dealer may sign in with a
/// username instead of an email address).
pub async fn prepare_with(
    state: &AppState,
    new: &NewLogin<'_>,
    email: String,
) -> AppResult<(String, String, String)> {
    let name = validate::name("name", new.name, validate::MAX_NAME)?;
    validate::new_password("password", new.password)?;
    let hash = state.hasher.hash(new.password).await?;
    Ok((email, name, hash))
}

/// Inserts a prepared login in `conn`'s transaction, with its audit record.
#[allow(clippy::too_many_arguments)]
pub async fn insert_hashed(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    actor: &audit::Actor,
    account_id: i64,
    email: &str,
    name: &str,
    hash: &str,
    role: Role,
) -> AppResult<i64> {
    let now = state.now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO logins (account_id, email, name, password_hash, role, created_at, updated_at, \
         password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
    )
    .bind(account_id)
    .bind(email)
    .bind(name)
    .bind(hash)
    .bind(role)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    audit::record(
        conn,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(account_id),
            action: "login.create",
            target_type: Some("login"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{email} as {role}")),
        },
    )
    .await?;
    Ok(id)
}

pub fn email_taken() -> AppError {
    AppError::conflict(
        ErrorCode::EmailTaken,
        "Another login already uses this email",
    )
}

/// Changes the signed-in login's own name and email. A new email needs the current password.
pub async fn update_profile(
    state: &AppState,
    who: &Identity,
    name: &str,
    email: &str,
    current_password: Option<&str>,
    time_zone: Option<&str>,
) -> AppResult<Login> {
    who.require_own_identity()?;
    let name = validate::name("name", name, validate::MAX_NAME)?;
    let email = validate::email("email", email)?;
    let time_zone = match time_zone {
        Some(tz) => crate::kernel::http::when::valid_zone("time_zone", tz)?,
        None => who.login.time_zone.clone(),
    };
    let me = &who.login;
    let email_changes = email != me.email;
    if email_changes {
        let pw = current_password.unwrap_or("");
        if pw.is_empty() {
            return Err(AppError::validation(
                "current_password",
                "Enter your current password to change your email",
            ));
        }
        crate::areas::auth::check_current_password(state, who, pw, "email change").await?;
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE logins SET name = $1, email = $2, updated_at = $3, time_zone = $4 WHERE id = $5",
    )
    .bind(&name)
    .bind(&email)
    .bind(now)
    .bind(&time_zone)
    .bind(me.id)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    let changes = audit::Changes::new()
        .field("name", &me.name, &name)
        .value("email", &me.email, &email)
        .value(
            "time_zone",
            me.time_zone.as_deref().unwrap_or(""),
            time_zone.as_deref().unwrap_or(""),
        );
    if email_changes {
        crate::kernel::notify::enqueue(
            state,
            &mut tx,
            &crate::kernel::notify::Message::EmailChanged {
                to: me.email.clone(),
                name: name.clone(),
                new_email: email.clone(),
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(me.account_id),
            action: "profile.update",
            target_type: Some("login"),
            target_id: Some(me.id.to_string()),
            detail: Some(changes.detail()),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, me.id).await?.ok_or(AppError::NotFound)
}

/// At sign-in: the browser's time zone becomes the login's when it has none yet (a name the
/// zone database does not know is ignored: the sign-in goes on).
pub async fn adopt_time_zone(state: &AppState, login: &Login, tz: &str) -> AppResult<()> {
    if login.time_zone.is_some() {
        return Ok(());
    }
    if let Ok(Some(tz)) = crate::kernel::http::when::valid_zone("browser_time_zone", tz) {
        sqlx::query("UPDATE logins SET time_zone = $1 WHERE id = $2 AND time_zone IS NULL")
            .bind(tz)
            .bind(login.id)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(())
}

/// Changes the signed-in login's password. Every other session of the login ends.
pub async fn change_password(
    state: &AppState,
    who: &Identity,
    current: &str,
    new: &str,
    confirm: Option<&str>,
) -> AppResult<()> {
    who.require_own_identity()?;
    if current.is_empty() {
        return Err(AppError::validation(
            "current_password",
            "Enter your current password",
        ));
    }
    validate::new_password("new_password", new)?;
    if let Some(c) = confirm {
        if c != new {
            return Err(AppError::validation(
                "confirm_password",
                "The two new passwords differ",
            ));
        }
    }
    let me = &who.login;
    crate::areas::auth::check_current_password(state, who, current, "password change").await?;
    if current == new {
        return Err(AppError::validation(
            "new_password",
            "The new password must differ from the current one",
        ));
    }
    let hash = state.hasher.hash(new).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE logins SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(me.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE login_id = $1 AND id <> $2")
        .bind(me.id)
        .bind(who.session_id().unwrap_or(-1))
        .execute(&mut *tx)
        .await?;
    crate::kernel::notify::enqueue(
        state,
        &mut tx,
        &crate::kernel::notify::Message::PasswordChanged {
            to: me.email.clone(),
            name: me.name.clone(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(me.account_id),
            action: "password.change",
            target_type: Some("login"),
            target_id: Some(me.id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

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
    account_id: i64,
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
    account_id: i64,
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
    get(state, id).await?.ok_or(AppError::NotFound)
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
    login_id: i64,
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
    login_id: i64,
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
