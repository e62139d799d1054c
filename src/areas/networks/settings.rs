//! Reseller and dealer networks (PRODUCT.md §5, seed 001): a partner's dealers ("My dealers")
//! and the package limits on what is created below a partner.
//!
//! Dealers are accounts of the tree: status, deletion and access go through `accounts` and
//! `access`; this module adds the dealer's owner login (created with it, in one transaction),
//! its contact, and the counts of its subscribers (customers below it, from the rollups).

use super::*;
use crate::areas::accounts;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Row;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// Whether a partner serves resellers and which contact details the directory shows them.
#[derive(Clone, Debug, Serialize, Default, utoipa::ToSchema)]
pub struct ResellerSettings {
    /// Works with resellers (accepts requests for partner).
    pub serves_resellers: bool,
    /// Agreed to be listed in the partner directory, with the details it shows (default off;
    /// a partner is listed when it serves resellers and agreed).
    pub listed: bool,
    pub email: String,
    pub show_email: bool,
    pub phone: String,
    pub show_phone: bool,
    pub website: String,
    pub show_website: bool,
    pub address: String,
    pub show_address: bool,
    /// How the partner works with resellers; shown when not empty.
    pub note: String,
}

/// A change of the settings; absent fields stay as they are.
/// Fields left out stay as they are; a detail can be shown only when it is given.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ResellerSettingsInput {
    #[schema(nullable = false)]
    pub serves_resellers: Option<bool>,
    /// "List my company in the partner directory, with email, phone and website".
    #[schema(nullable = false)]
    pub listed: Option<bool>,
    /// An email address, or empty.
    #[schema(nullable = false)]
    pub email: Option<String>,
    #[schema(nullable = false)]
    pub show_email: Option<bool>,
    /// Digits, spaces and + - ( ) . / only, or empty.
    #[schema(nullable = false, max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub phone: Option<String>,
    #[schema(nullable = false)]
    pub show_phone: Option<bool>,
    /// Starts with https:// or http://, or empty.
    #[schema(
        nullable = false,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub website: Option<String>,
    #[schema(nullable = false)]
    pub show_website: Option<bool>,
    /// Line breaks allowed.
    #[schema(
        nullable = false,
        max_length = 300,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub address: Option<String>,
    #[schema(nullable = false)]
    pub show_address: Option<bool>,
    /// How the partner works with resellers; line breaks allowed.
    #[schema(
        nullable = false,
        max_length = 2000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub note: Option<String>,
}

/// Hand-written (see `kernel::db::Row`): integer flags become booleans.
pub(crate) fn settings_from_row(r: &Row) -> Result<ResellerSettings, sqlx::Error> {
    let flag = |c: &str| r.try_get::<i64, _>(c).map(|v| v != 0);
    // A detail is shown only when there is one (a partner without a row may have no email).
    let (email, phone): (String, String) = (r.try_get("s_email")?, r.try_get("s_phone")?);
    Ok(ResellerSettings {
        serves_resellers: flag("serves_resellers")?,
        listed: flag("listed")?,
        show_email: flag("show_email")? && !email.is_empty(),
        show_phone: flag("show_phone")? && !phone.is_empty(),
        email,
        phone,
        website: r.try_get("website")?,
        show_website: flag("show_website")?,
        address: r.try_get("address")?,
        show_address: flag("show_address")?,
        note: r.try_get("note")?,
    })
}

pub(crate) async fn load_settings(
    state: &AppState,
    account_id: AccountId,
) -> AppResult<ResellerSettings> {
    let q = format!(
        "SELECT {SETTINGS_COLUMNS} FROM accounts a LEFT JOIN reseller_settings s ON s.account_id = a.id \
         WHERE a.id = $1"
    );
    let row = sqlx::query(&q)
        .bind(account_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(settings_from_row(&row)?)
}

/// The reseller settings of the partner in view.
pub async fn reseller_settings(state: &AppState, who: &Identity) -> AppResult<ResellerSettings> {
    let partner = partner_in_view(state, who, Need::Read).await?;
    load_settings(state, partner.id).await
}

/// Free text of at most `max` characters; line breaks allowed, other control characters not.
pub(crate) fn free_text(field: &str, v: &str, max: usize) -> AppResult<String> {
    let t = v.trim();
    if t.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("At most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(AppError::validation(
            field,
            "Text must not contain control characters",
        ));
    }
    Ok(t.to_string())
}

/// Changes the reseller settings of the partner in view (owners and admins). A detail can only
/// be shown when it is given.
pub async fn update_reseller_settings(
    state: &AppState,
    who: &Identity,
    input: &ResellerSettingsInput,
) -> AppResult<ResellerSettings> {
    let partner = partner_in_view(state, who, Need::Admin).await?;
    let cur = load_settings(state, partner.id).await?;
    let was_serving = cur.serves_resellers && cur.listed;
    let email = match input.email.as_deref().map(str::trim) {
        Some("") => String::new(),
        Some(e) => validate::email("email", e)?,
        None => cur.email,
    };
    let phone = match input.phone.as_deref() {
        Some(p) => accounts::clean_phone(Some(p))?.unwrap_or_default(),
        None => cur.phone,
    };
    let website = match input.website.as_deref() {
        Some(w) => {
            let w = free_text("website", w, 200)?;
            if !w.is_empty()
                && (!(w.starts_with("https://") || w.starts_with("http://"))
                    || w.contains(char::is_whitespace))
            {
                return Err(AppError::validation(
                    "website",
                    "Website must start with https:// or http://",
                ));
            }
            w
        }
        None => cur.website,
    };
    let address = match input.address.as_deref() {
        Some(a) => free_text("address", a, 300)?,
        None => cur.address,
    };
    let note = match input.note.as_deref() {
        Some(n) => free_text("note", n, 2000)?,
        None => cur.note,
    };
    let s = ResellerSettings {
        serves_resellers: input.serves_resellers.unwrap_or(cur.serves_resellers),
        listed: input.listed.unwrap_or(cur.listed),
        show_email: input.show_email.unwrap_or(cur.show_email),
        show_phone: input.show_phone.unwrap_or(cur.show_phone),
        show_website: input.show_website.unwrap_or(cur.show_website),
        show_address: input.show_address.unwrap_or(cur.show_address),
        email,
        phone,
        website,
        address,
        note,
    };
    for (field, shown, value) in [
        ("email", s.show_email, &s.email),
        ("phone", s.show_phone, &s.phone),
        ("website", s.show_website, &s.website),
        ("address", s.show_address, &s.address),
    ] {
        if shown && value.is_empty() {
            return Err(AppError::validation(
                field,
                format!("Give the {field} to show it to resellers, or do not show it"),
            ));
        }
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    // Resellers waiting for this partner's answer read that it left (or came back to) the
    // directory, as they see it there; nothing else of the change.
    let serving_changes = (s.serves_resellers && s.listed) != was_serving;
    let before = if serving_changes {
        waiting_for(&mut tx, partner.id).await?
    } else {
        Vec::new()
    };
    write_settings(&mut tx, partner.id, &s, now).await?;
    if serving_changes {
        let after = waiting_for(&mut tx, partner.id).await?;
        note_directory_changes(&mut tx, now, &partner, &before, &after).await?;
    }
    let shown: Vec<&str> = [
        ("email", s.show_email),
        ("phone", s.show_phone),
        ("website", s.show_website),
        ("address", s.show_address),
        ("note", !s.note.is_empty()),
    ]
    .iter()
    .filter(|(_, on)| *on)
    .map(|(f, _)| *f)
    .collect();
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(partner.id),
            action: "reseller_settings.update",
            target_type: Some("account"),
            target_id: Some(partner.id.to_string()),
            detail: Some(if s.serves_resellers && !s.listed {
                "serves resellers; not listed in the partner directory".into()
            } else if s.serves_resellers {
                format!("serves resellers; shows {}", shown.join(", "))
            } else {
                "does not serve resellers".into()
            }),
        },
    )
    .await?;
    tx.commit().await?;
    load_settings(state, partner.id).await
}

pub(crate) async fn write_settings(
    conn: &mut sqlx::AnyConnection,
    account_id: AccountId,
    s: &ResellerSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reseller_settings (account_id, serves_resellers, email, show_email, phone, show_phone, \
         website, show_website, address, show_address, note, updated_at, listed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (account_id) DO UPDATE SET serves_resellers = excluded.serves_resellers, listed = excluded.listed, \
         email = excluded.email, show_email = excluded.show_email, phone = excluded.phone, \
         show_phone = excluded.show_phone, website = excluded.website, show_website = excluded.show_website, \
         address = excluded.address, show_address = excluded.show_address, note = excluded.note, \
         updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(s.serves_resellers as i64)
    .bind(&s.email)
    .bind(s.show_email as i64)
    .bind(&s.phone)
    .bind(s.show_phone as i64)
    .bind(&s.website)
    .bind(s.show_website as i64)
    .bind(&s.address)
    .bind(s.show_address as i64)
    .bind(&s.note)
    .bind(now)
    .bind(s.listed as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A partner as resellers see it: only the details it chose to show are present.
/// A partner of the directory; a detail the partner does not show is absent.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DirectoryEntry {
    #[schema(value_type = i64)]
    pub id: AccountId,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub note: Option<String>,
}

impl DirectoryEntry {
    pub(crate) fn from_settings(id: i64, name: String, s: ResellerSettings) -> DirectoryEntry {
        let shown = |on: bool, v: String| (on && !v.is_empty()).then_some(v);
        DirectoryEntry {
            id: AccountId(id),
            name,
            email: shown(s.show_email, s.email),
            phone: shown(s.show_phone, s.phone),
            website: shown(s.show_website, s.website),
            address: shown(s.show_address, s.address),
            note: shown(true, s.note),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryFilter {
    /// Part of the name, any case (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The partners that serve resellers and agreed to be listed, active and under active accounts, by name. For resellers
/// (and the operator, who sees what resellers see); anyone else is refused.
pub async fn directory(
    state: &AppState,
    who: &Identity,
    f: &DirectoryFilter,
) -> AppResult<Page<DirectoryEntry>> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    if view.kind != Kind::Reseller && view.kind != Kind::Operator {
        return Err(AppError::forbidden(
            "the partner directory is for resellers",
        ));
    }
    let (page, per_page) = paging(f.page, f.per_page);
    let mut sql = Sql::new(&format!(
        "FROM accounts a LEFT JOIN reseller_settings s ON s.account_id = a.id WHERE {LISTED}"
    ));
    crate::kernel::db::search::push_name_filter(&mut sql, "a", f.q.as_deref())?;
    let total = Sql {
        text: format!("SELECT COUNT(*) {}", sql.text),
        args: sql.args.clone(),
    }
    .scalar::<i64>()
    .fetch_one(&state.db.pool)
    .await?;
    let mut items = Sql {
        text: format!("SELECT a.id, a.name, {SETTINGS_COLUMNS} {}", sql.text),
        args: sql.args.clone(),
    };
    items
        .push(" ORDER BY a.name, a.id LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = items.query().fetch_all(&state.db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(DirectoryEntry::from_settings(
            r.try_get("id")?,
            r.try_get("name")?,
            settings_from_row(r)?,
        ));
    }
    Ok(Page {
        items: out,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// The name of a partner listed in the directory (serves resellers, active), or `None`.
pub async fn listed_partner(state: &AppState, id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT a.name FROM accounts a LEFT JOIN reseller_settings s ON s.account_id = a.id \
         WHERE a.id = $1 AND {LISTED}"
    ))
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?)
}
