//! A login's own changes: its name and email, its time zone, its password.

use super::*;

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
        .bind(who.session_id().map_or(-1, i64::from))
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
