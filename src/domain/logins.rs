//! Logins (users): each belongs to one account with a role there.

use serde::Serialize;
use sqlx::Row as _;

use super::{audit, validate, Identity};
use crate::{
    db::{is_unique_violation, Row},
    error::{AppError, AppResult},
    state::AppState,
};

pub const ROLES: [&str; 4] = ["owner", "admin", "member", "viewer"];

#[derive(Clone, Debug, Serialize)]
pub struct Login {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub dashboard_rights: bool,
    pub status: String,
    #[serde(skip)]
    pub password_hash: String,
}

pub const COLUMNS: &str =
    "l.id, l.account_id, l.email, l.name, l.role, l.dashboard_rights, l.status, l.password_hash";

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
    })
}

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
    pub role: &'a str,
}

/// Validates and creates a login in `conn`'s transaction.
pub async fn insert(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    actor: &audit::Actor,
    new: NewLogin<'_>,
) -> AppResult<i64> {
    let email = validate::email("email", new.email)?;
    let name = validate::name("name", new.name, validate::MAX_NAME)?;
    validate::new_password("password", new.password)?;
    if !ROLES.contains(&new.role) {
        return Err(AppError::validation(
            "role",
            "Role must be owner, admin, member or viewer",
        ));
    }
    let hash = state.hasher.hash(new.password).await?;
    let now = state.now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO logins (account_id, email, name, password_hash, role, created_at, updated_at, \
         password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
    )
    .bind(new.account_id)
    .bind(&email)
    .bind(&name)
    .bind(&hash)
    .bind(new.role)
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
            subject_account_id: Some(new.account_id),
            action: "login.create",
            target_type: Some("login"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{email} as {}", new.role)),
        },
    )
    .await?;
    Ok(id)
}

pub fn email_taken() -> AppError {
    AppError::conflict("email_taken", "Another login already uses this email")
}

/// Changes the signed-in login's own name and email. A new email needs the current password.
pub async fn update_profile(
    state: &AppState,
    who: &Identity,
    name: &str,
    email: &str,
    current_password: Option<&str>,
) -> AppResult<Login> {
    who.require_own_identity()?;
    let name = validate::name("name", name, validate::MAX_NAME)?;
    let email = validate::email("email", email)?;
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
        if !state.hasher.verify(pw, Some(&me.password_hash)).await? {
            return Err(AppError::validation(
                "current_password",
                "Current password is incorrect",
            ));
        }
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE logins SET name = $1, email = $2, updated_at = $3 WHERE id = $4")
        .bind(&name)
        .bind(&email)
        .bind(now)
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
    let mut changes = Vec::new();
    if name != me.name {
        changes.push("name".to_string());
    }
    if email_changes {
        changes.push(format!("email from {} to {email}", me.email));
        super::notifications::enqueue(
            state,
            &mut tx,
            &super::notifications::Message::EmailChanged {
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
            detail: Some(if changes.is_empty() {
                "no change".into()
            } else {
                changes.join("; ")
            }),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, me.id).await?.ok_or(AppError::NotFound)
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
    if !state
        .hasher
        .verify(current, Some(&me.password_hash))
        .await?
    {
        return Err(AppError::validation(
            "current_password",
            "Current password is incorrect",
        ));
    }
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
    super::notifications::enqueue(
        state,
        &mut tx,
        &super::notifications::Message::PasswordChanged {
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
