//! Logins (users): each belongs to one account with a role there.

use crate::areas::accounts::{AccountId, LoginId};
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

mod manage;
mod profile;
pub use manage::*;
pub use profile::*;

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
    #[schema(value_type = i64)]
    pub id: LoginId,
    #[schema(value_type = i64)]
    pub account_id: AccountId,
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

/// Hand-written (see `kernel::db::Row`): integer flags become booleans.
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

pub async fn get(state: &AppState, id: LoginId) -> Result<Option<Login>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM logins l WHERE l.id = $1");
    let row = sqlx::query(&q)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub struct NewLogin<'a> {
    pub account_id: AccountId,
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
    account_id: AccountId,
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
