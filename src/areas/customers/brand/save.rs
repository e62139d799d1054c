//! Saving and removing an account's rebrand information, audited on the account.

use super::*;
use crate::areas::accounts::AccountId;

/// The key of a new brand's sign-in link: its name in plain letters, and the account id.
fn sign_in_key(display_name: &str, account_id: AccountId) -> String {
    let mut slug = String::new();
    for c in crate::kernel::db::search::fold(display_name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 30 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("brand-{account_id}")
    } else {
        format!("{slug}-{account_id}")
    }
}

/// Sets an account's rebrand information in `tx` (the caller checked access), audited on the
/// account.
pub async fn save_in(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    actor: &audit::Actor,
    account_id: AccountId,
    b: &CheckedBrand,
) -> AppResult<()> {
    let existing = own_brand(&mut *tx, account_id).await?;
    let tenant: Option<i64> = sqlx::query_scalar("SELECT tenant_id FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
    if existing.is_none() {
        sqlx::query(
            "INSERT INTO brands (account_id, tenant_id, sign_in_key, display_name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(account_id)
        .bind(tenant)
        .bind(sign_in_key(&b.display_name, account_id))
        .bind(&b.display_name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE brands SET display_name = $1, primary_color = $2, accent_color = $3, support_email = $4, \
         support_phone = $5, support_url = $6, footer = $7, updated_at = $8 WHERE account_id = $9",
    )
    .bind(&b.display_name)
    .bind(&b.primary_color)
    .bind(&b.accent_color)
    .bind(&b.support_email)
    .bind(&b.support_phone)
    .bind(&b.support_url)
    .bind(&b.footer)
    .bind(now)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    match &b.logo {
        LogoChange::Keep => {}
        LogoChange::Remove => {
            sqlx::query(
                "UPDATE brands SET logo = NULL, logo_type = NULL, logo_size = 0 WHERE account_id = $1",
            )
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        }
        LogoChange::Set(t, bytes) => {
            sqlx::query(
                "UPDATE brands SET logo = $1, logo_type = $2, logo_size = $3 WHERE account_id = $4",
            )
            .bind(bytes.clone())
            .bind(*t)
            .bind(bytes.len() as i64)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let mut detail = format!("display name {}", b.display_name);
    for (label, v) in [
        ("primary colour", &b.primary_color),
        ("accent colour", &b.accent_color),
        ("support email", &b.support_email),
        ("support phone", &b.support_phone),
        ("support link", &b.support_url),
    ] {
        if let Some(v) = v {
            detail.push_str(&format!(", {label} {v}"));
        }
    }
    match &b.logo {
        LogoChange::Set(t, bytes) => {
            detail.push_str(&format!(", logo {t} of {} bytes", bytes.len()))
        }
        LogoChange::Remove => detail.push_str(", logo removed"),
        LogoChange::Keep => {}
    }
    audit::record(
        &mut *tx,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(account_id),
            action: "brand.update",
            target_type: Some("account"),
            target_id: Some(account_id.to_string()),
            detail: Some(detail),
        },
    )
    .await?;
    Ok(())
}

/// Removes an account's rebrand information in `tx`, audited; false when it had none.
pub async fn remove_in(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    actor: &audit::Actor,
    account_id: AccountId,
) -> AppResult<bool> {
    let gone = sqlx::query("DELETE FROM brands WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone > 0 {
        audit::record(
            &mut *tx,
            now,
            actor,
            audit::Entry {
                subject_account_id: Some(account_id),
                action: "brand.remove",
                target_type: Some("account"),
                target_id: Some(account_id.to_string()),
                detail: None,
            },
        )
        .await?;
    }
    Ok(gone > 0)
}
