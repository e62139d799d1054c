//! Reseller and dealer networks (PRODUCT.md §5, seed 001): a partner's dealers ("My dealers")
//! and the package limits on what is created below a partner.
//!
//! Dealers are accounts of the tree: status, deletion and access go through `accounts` and
//! `access`; this module adds the dealer's owner login (created with it, in one transaction),
//! its contact, and the counts of its subscribers (customers below it, from the rollups).

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::{
    access::{self, Need},
    accounts::{self, Account},
    audit, logins,
    query::{paging, Page, Sql},
    validate, Identity,
};
use crate::{
    db::{Backend, Row},
    error::{AppError, AppResult},
    state::AppState,
};

// ---- package limits ----

/// Inside a write transaction that adds an account of `kind` under `parent_id`: refuses it when
/// a package above (the partner's, or any partner's above it) caps that kind and the cap is
/// reached. Counts come from the rollups. On PostgreSQL the subscriptions concerned are locked
/// first, so two concurrent additions under one partner are counted one after the other; on
/// SQLite the writer lock already serialises them.
pub(crate) async fn check_package_limits(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    parent_id: i64,
    kind: &str,
) -> AppResult<()> {
    let (column, plural) = match kind {
        "dealer" => ("max_dealers", "dealers"),
        "customer" => ("max_customers", "customers"),
        _ => return Ok(()),
    };
    if state.db.backend == Backend::Postgres {
        sqlx::query(
            "SELECT account_id FROM subscriptions WHERE account_id IN \
             (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1) \
             ORDER BY account_id FOR UPDATE",
        )
        .bind(parent_id)
        .fetch_all(&mut *conn)
        .await?;
    }
    // A statement of its own, after the lock: it sees every addition committed before.
    let rows = sqlx::query(&format!(
        "SELECT a.name, p.{column} AS cap, COALESCE(r.total, 0) AS used \
         FROM account_closure c JOIN subscriptions s ON s.account_id = c.ancestor_id \
         JOIN packages p ON p.id = s.package_id JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN account_rollup r ON r.account_id = s.account_id AND r.kind = $2 \
         WHERE c.descendant_id = $1 AND p.{column} IS NOT NULL ORDER BY c.depth"
    ))
    .bind(parent_id)
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let cap: i64 = r.try_get("cap")?;
        let used: i64 = r.try_get("used")?;
        if used >= cap {
            let name: String = r.try_get("name")?;
            return Err(limit_reached(&name, cap, used, plural));
        }
    }
    Ok(())
}

pub fn limit_reached(partner: &str, cap: i64, used: i64, plural: &str) -> AppError {
    AppError::conflict(
        "limit_reached",
        format!(
            "Package limit reached: the package of {partner} allows {cap} {plural} and {used} exist already. \
             Upgrade the package under Billing, or remove {plural} first."
        ),
    )
}

// ---- dealers ----

#[derive(Clone, Debug, Deserialize, Default)]
pub struct DealerInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact_name: String,
    /// The contact's email.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// The email the dealer signs in with; the contact's email when left empty.
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Clone, Debug, Deserialize, Default)]
pub struct DealerUpdate {
    pub name: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dealer {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub contact_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The email the dealer's owner login signs in with.
    pub username: Option<String>,
    /// Customers below the dealer.
    pub subscribers: i64,
    pub created_at: String,
}

const DEALER_COLUMNS: &str = "a.id, a.name, a.status, a.email, a.phone, \
     COALESCE(a.contact_name, '') AS contact_name, a.created_at, \
     COALESCE((SELECT r.total FROM account_rollup r WHERE r.account_id = a.id AND r.kind = 'customer'), 0) AS subscribers, \
     (SELECT MIN(l.email) FROM logins l WHERE l.account_id = a.id AND l.role = 'owner') AS username";

fn dealer_from_row(r: &Row) -> Result<Dealer, sqlx::Error> {
    Ok(Dealer {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        status: r.try_get("status")?,
        contact_name: r.try_get("contact_name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        username: r.try_get("username")?,
        subscribers: r.try_get("subscribers")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
    })
}

async fn load_dealer(state: &AppState, id: i64) -> AppResult<Dealer> {
    let q = format!("SELECT {DEALER_COLUMNS} FROM accounts a WHERE a.id = $1");
    let row = sqlx::query(&q)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(dealer_from_row(&row)?)
}

/// The partner in view, for My dealers: anyone else is refused.
async fn partner_in_view(state: &AppState, who: &Identity, need: Need) -> AppResult<Account> {
    let a = access::account(state, who, who.view_account_id, need).await?;
    if a.kind != "partner" {
        return Err(AppError::forbidden("dealers belong to partners"));
    }
    Ok(a)
}

/// A dealer strictly below the account in view, checked for `need`; any other account is not
/// a dealer and so not found here.
pub async fn dealer_account(
    state: &AppState,
    who: &Identity,
    id: i64,
    need: Need,
) -> AppResult<Account> {
    let a = access::account_below(state, who, id, need).await?;
    if a.kind != "dealer" {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

#[derive(Clone, Debug, Deserialize, Default)]
pub struct DealerFilter {
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// My dealers: the dealers directly under the partner in view, by name, with their status and
/// number of subscribers.
pub async fn list_dealers(
    state: &AppState,
    who: &Identity,
    f: &DealerFilter,
) -> AppResult<Page<Dealer>> {
    let partner = partner_in_view(state, who, Need::Read).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let mut sql = Sql::new(&format!(
        "SELECT {DEALER_COLUMNS} FROM accounts a WHERE a.parent_id = "
    ));
    sql.int(partner.id)
        .push(" AND a.kind = 'dealer' AND a.status <> 'deleted'");
    sql.name_contains("a.name", f.q.as_deref())?;

    match f.status.as_deref().unwrap_or("") {
        "" => {}
        s @ ("active" | "inactive") => {
            sql.push(" AND a.status = ").str(s);
        }
        _ => {
            return Err(AppError::validation(
                "status",
                "Status must be active or inactive",
            ))
        }
    }
    let total = Sql {
        text: format!(
            "SELECT COUNT(*) FROM ({}) x",
            sql.text.replacen(
                &format!("SELECT {DEALER_COLUMNS} FROM"),
                "SELECT a.id FROM",
                1
            )
        ),
        args: sql.args.clone(),
    }
    .scalar::<i64>()
    .fetch_one(&state.db.pool)
    .await?;
    sql.push(" ORDER BY a.name, a.id LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    Ok(Page {
        items: rows.iter().map(dealer_from_row).collect::<Result<_, _>>()?,
        total,
        page,
        per_page,
    })
}

/// Adds a dealer under the partner in view with its owner login, in one transaction: nothing
/// is written when any part fails (a field, the email taken, the package limit).
pub async fn create_dealer(
    state: &AppState,
    who: &Identity,
    input: &DealerInput,
) -> AppResult<Dealer> {
    // A dealer comes with a login: managing logins is for owners and admins.
    let partner = partner_in_view(state, who, Need::Admin).await?;
    if partner.status != "active" {
        return Err(AppError::conflict(
            "parent_inactive",
            "Accounts cannot be added under an inactive account",
        ));
    }
    let name = validate::name("name", &input.name, validate::MAX_NAME)?;
    let contact = validate::name("contact_name", &input.contact_name, validate::MAX_NAME)?;
    let email = validate::email("email", &input.email)?;
    let phone = accounts::clean_phone(Some(&input.phone))?;
    let username = if input.username.trim().is_empty() {
        email.clone()
    } else {
        validate::login_name("username", &input.username)?
    };
    validate::new_password("password", &input.password)?;
    let (username, contact, hash) = logins::prepare_with(
        state,
        &logins::NewLogin {
            account_id: 0,
            email: &username,
            name: &contact,
            password: &input.password,
            role: "owner",
        },
        username.clone(),
    )
    .await?;
    let now = state.now_ms();
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    accounts::lock_active_chain(state, &mut tx, partner.id).await?;
    check_package_limits(state, &mut tx, partner.id, "dealer").await?;
    let id = accounts::insert(
        &mut tx,
        now,
        Some(partner.id),
        "dealer",
        &name,
        Some(&email),
    )
    .await?;
    sqlx::query("UPDATE accounts SET phone = $1, contact_name = $2 WHERE id = $3")
        .bind(&phone)
        .bind(&contact)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    logins::insert_hashed(
        state, &mut tx, &actor, id, &username, &contact, &hash, "owner",
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(id),
            action: "dealer.create",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{name} under {} (signs in as {username})",
                partner.name
            )),
        },
    )
    .await?;
    tx.commit().await?;
    load_dealer(state, id).await
}

pub async fn get_dealer(state: &AppState, who: &Identity, id: i64) -> AppResult<Dealer> {
    dealer_account(state, who, id, Need::Read).await?;
    load_dealer(state, id).await
}

/// Edits a dealer's name and contact (member and up).
pub async fn update_dealer(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &DealerUpdate,
) -> AppResult<Dealer> {
    let a = dealer_account(state, who, id, Need::Write).await?;
    let current = load_dealer(state, id).await?;
    let name = match &input.name {
        Some(n) => validate::name("name", n, validate::MAX_NAME)?,
        None => a.name.clone(),
    };
    let contact = match &input.contact_name {
        Some(n) => validate::name("contact_name", n, validate::MAX_NAME)?,
        None => current.contact_name.clone(),
    };
    let email = match &input.email {
        Some(e) => Some(validate::email("email", e)?),
        None => a.email.clone(),
    };
    let phone = match &input.phone {
        Some(p) => accounts::clean_phone(Some(p))?,
        None => a.phone.clone(),
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE accounts SET name = $1, contact_name = $2, email = $3, phone = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(&name)
    .bind(&contact)
    .bind(&email)
    .bind(&phone)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let mut changes = Vec::new();
    if name != a.name {
        changes.push(format!("name from {} to {name}", a.name));
    }
    if contact != current.contact_name {
        changes.push("contact name".to_string());
    }
    if email != a.email {
        changes.push("email".to_string());
    }
    if phone != a.phone {
        changes.push("phone".to_string());
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(id),
            action: "dealer.update",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(if changes.is_empty() {
                "no change".into()
            } else {
                changes.join("; ")
            }),
        },
    )
    .await?;
    tx.commit().await?;
    load_dealer(state, id).await
}

/// Active again, or inactive (a temporary shutdown: the dealer's and its subscribers' logins
/// are signed out and cannot sign in; their data stays). Admins and owners.
pub async fn set_dealer_status(
    state: &AppState,
    who: &Identity,
    id: i64,
    status: &str,
) -> AppResult<Dealer> {
    dealer_account(state, who, id, Need::Admin).await?;
    accounts::set_status(state, who, id, status).await?;
    load_dealer(state, id).await
}

/// What deleting a dealer removes: itself, its subscribers and their logins.
#[derive(Clone, Debug, Serialize)]
pub struct DealerDeletion {
    pub dealer: Dealer,
    /// The dealer and every account below it.
    pub accounts: i64,
    pub subscribers: i64,
    pub logins: i64,
}

pub async fn dealer_deletion_preview(
    state: &AppState,
    who: &Identity,
    id: i64,
) -> AppResult<DealerDeletion> {
    dealer_account(state, who, id, Need::Admin).await?;
    let p = accounts::deletion_preview(state, who, id).await?;
    let dealer = load_dealer(state, id).await?;
    Ok(DealerDeletion {
        subscribers: dealer.subscribers,
        dealer,
        accounts: p.accounts,
        logins: p.logins,
    })
}

/// Deletes a dealer with all its subscribers; `confirm_accounts` must be the number the preview
/// named (the dealer itself included).
pub async fn delete_dealer(
    state: &AppState,
    who: &Identity,
    id: i64,
    confirm_accounts: Option<i64>,
) -> AppResult<DealerDeletion> {
    dealer_account(state, who, id, Need::Admin).await?;
    let dealer = load_dealer(state, id).await?;
    let p = accounts::delete(state, who, id, confirm_accounts).await?;
    Ok(DealerDeletion {
        subscribers: p.accounts - 1,
        dealer: Dealer {
            status: "deleted".into(),
            ..dealer
        },
        accounts: p.accounts,
        logins: p.logins,
    })
}

// ---- reseller settings of a partner ----

/// Whether a partner serves resellers and which contact details the directory shows them.
#[derive(Clone, Debug, Serialize, Default)]
pub struct ResellerSettings {
    pub serves_resellers: bool,
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
#[derive(Clone, Debug, Deserialize, Default)]
pub struct ResellerSettingsInput {
    pub serves_resellers: Option<bool>,
    pub email: Option<String>,
    pub show_email: Option<bool>,
    pub phone: Option<String>,
    pub show_phone: Option<bool>,
    pub website: Option<String>,
    pub show_website: Option<bool>,
    pub address: Option<String>,
    pub show_address: Option<bool>,
    pub note: Option<String>,
}

/// The settings columns with their defaults for a partner without a row (`a` the account,
/// `s` the settings, left-joined).
const SETTINGS_COLUMNS: &str = "COALESCE(s.serves_resellers, 1) AS serves_resellers, \
     COALESCE(s.email, a.email, '') AS s_email, COALESCE(s.show_email, 0) AS show_email, \
     COALESCE(s.phone, a.phone, '') AS s_phone, COALESCE(s.show_phone, 0) AS show_phone, \
     COALESCE(s.website, '') AS website, COALESCE(s.show_website, 0) AS show_website, \
     COALESCE(s.address, '') AS address, COALESCE(s.show_address, 0) AS show_address, \
     COALESCE(s.note, '') AS note";

fn settings_from_row(r: &Row) -> Result<ResellerSettings, sqlx::Error> {
    let flag = |c: &str| r.try_get::<i64, _>(c).map(|v| v != 0);
    // A detail is shown only when there is one (a partner without a row may have no email).
    let (email, phone): (String, String) = (r.try_get("s_email")?, r.try_get("s_phone")?);
    Ok(ResellerSettings {
        serves_resellers: flag("serves_resellers")?,
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

async fn load_settings(state: &AppState, account_id: i64) -> AppResult<ResellerSettings> {
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
fn free_text(field: &str, v: &str, max: usize) -> AppResult<String> {
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
    write_settings(&mut tx, partner.id, &s, now).await?;
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
            detail: Some(if s.serves_resellers {
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

async fn write_settings(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    s: &ResellerSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reseller_settings (account_id, serves_resellers, email, show_email, phone, show_phone, \
         website, show_website, address, show_address, note, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (account_id) DO UPDATE SET serves_resellers = excluded.serves_resellers, \
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
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The first reseller settings of a partner approved from a registration, in the approval's
/// transaction: its choice about resellers, and the registration's contact details shown.
pub(crate) async fn init_reseller_settings(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    no_resellers: bool,
    email: &str,
    phone: &str,
    website: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let s = ResellerSettings {
        serves_resellers: !no_resellers,
        email: email.to_string(),
        show_email: !email.is_empty(),
        phone: phone.to_string(),
        show_phone: !phone.is_empty(),
        website: website.to_string(),
        show_website: !website.is_empty(),
        ..Default::default()
    };
    write_settings(conn, account_id, &s, now).await
}

// ---- the partner directory (for resellers) ----

/// A partner as resellers see it: only the details it chose to show are present.
#[derive(Clone, Debug, Serialize)]
pub struct DirectoryEntry {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl DirectoryEntry {
    fn from_settings(id: i64, name: String, s: ResellerSettings) -> DirectoryEntry {
        let shown = |on: bool, v: String| (on && !v.is_empty()).then_some(v);
        DirectoryEntry {
            id,
            name,
            email: shown(s.show_email, s.email),
            phone: shown(s.show_phone, s.phone),
            website: shown(s.show_website, s.website),
            address: shown(s.show_address, s.address),
            note: shown(true, s.note),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Default)]
pub struct DirectoryFilter {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The partners that serve resellers, active and under active accounts, by name. For resellers
/// (and the operator, who sees what resellers see); anyone else is refused.
pub async fn directory(
    state: &AppState,
    who: &Identity,
    f: &DirectoryFilter,
) -> AppResult<Page<DirectoryEntry>> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    if view.kind != "reseller" && view.kind != "operator" {
        return Err(AppError::forbidden(
            "the partner directory is for resellers",
        ));
    }
    let (page, per_page) = paging(f.page, f.per_page);
    let mut sql = Sql::new(&format!(
        "FROM accounts a LEFT JOIN reseller_settings s ON s.account_id = a.id WHERE {LISTED}"
    ));
    sql.name_contains("a.name", f.q.as_deref())?;
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
        page,
        per_page,
    })
}

// ---- reseller links ----

const LISTED: &str =
    "a.kind = 'partner' AND a.status = 'active' AND COALESCE(s.serves_resellers, 1) = 1 \
     AND NOT EXISTS (SELECT 1 FROM account_closure ac JOIN accounts aa ON aa.id = ac.ancestor_id \
     WHERE ac.descendant_id = a.id AND aa.status <> 'active')";

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

/// Withdraws a reseller's pending request for partner whose partner has left the directory
/// (deleted, inactive, or no longer serving resellers), so the reseller may ask another.
pub async fn withdraw_stale_link_requests(
    state: &AppState,
    who: &Identity,
    reseller: i64,
) -> AppResult<()> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(&format!(
        "UPDATE requests SET status = 'withdrawn', decided_at = $1 \
         WHERE account_id = $2 AND kind = 'reseller_link' AND status = 'pending' AND NOT EXISTS (\
         SELECT 1 FROM accounts a LEFT JOIN reseller_settings s ON s.account_id = a.id \
         WHERE a.id = requests.addressee_id AND {LISTED})"
    ))
    .bind(now)
    .bind(reseller)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(reseller),
                action: "request.withdraw",
                target_type: Some("request"),
                target_id: None,
                detail: Some(format!(
                    "{n} request(s) for partner to a partner no longer in the directory"
                )),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The partner a reseller is linked to: (id, name).
pub async fn partner_of(state: &AppState, reseller: i64) -> AppResult<Option<(i64, String)>> {
    let row = sqlx::query(
        "SELECT a.id, a.name FROM reseller_links l JOIN accounts a ON a.id = l.partner_id \
         WHERE l.reseller_id = $1 AND a.status <> 'deleted'",
    )
    .bind(reseller)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(match row {
        Some(r) => Some((r.try_get("id")?, r.try_get("name")?)),
        None => None,
    })
}

/// A reseller as its partner sees it in My resellers: the reseller itself, not its customers.
#[derive(Clone, Debug, Serialize)]
pub struct LinkedReseller {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub linked_at: String,
}

/// My resellers: the resellers linked to the partner in view.
pub async fn my_resellers(state: &AppState, who: &Identity) -> AppResult<Vec<LinkedReseller>> {
    let p = access::account(state, who, who.view_account_id, Need::Read).await?;
    if p.kind != "partner" {
        return Err(AppError::forbidden("resellers are linked to partners"));
    }
    let rows = sqlx::query(
        "SELECT a.id, a.name, a.email, a.phone, l.linked_at FROM reseller_links l \
         JOIN accounts a ON a.id = l.reseller_id WHERE l.partner_id = $1 AND a.status <> 'deleted' \
         ORDER BY a.name, a.id",
    )
    .bind(p.id)
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LinkedReseller {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                phone: r.try_get("phone")?,
                linked_at: crate::clock::rfc3339(r.try_get("linked_at")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// "Remove my reseller": the partner in view (owners and admins) ends the link. The reseller
/// loses the partner's content at once (its customers stop following the partner's channels);
/// both sides are emailed.
pub async fn remove_reseller(state: &AppState, who: &Identity, reseller: i64) -> AppResult<()> {
    let p = access::account(state, who, who.view_account_id, Need::Read).await?;
    if super::networks::partner_of(state, reseller)
        .await?
        .map(|(id, _)| id)
        != Some(p.id)
    {
        return Err(AppError::NotFound);
    }
    access::require(who, Need::Admin)?;
    let r = accounts::get(&state.db, reseller)
        .await?
        .ok_or(AppError::NotFound)?;
    end_link(state, who, &p, &r, true).await
}

/// The reseller in view (owners and admins) stops reselling for its partner; the same effects.
pub async fn leave_partner(state: &AppState, who: &Identity) -> AppResult<()> {
    let r = access::account(state, who, who.view_account_id, Need::Read).await?;
    if r.kind != "reseller" {
        return Err(AppError::forbidden("only resellers have a partner"));
    }
    let (pid, _) = partner_of(state, r.id).await?.ok_or(AppError::NotFound)?;
    access::require(who, Need::Admin)?;
    let p = accounts::get(&state.db, pid)
        .await?
        .ok_or(AppError::NotFound)?;
    end_link(state, who, &p, &r, false).await
}

async fn end_link(
    state: &AppState,
    who: &Identity,
    p: &Account,
    r: &Account,
    by_partner: bool,
) -> AppResult<()> {
    let now = state.now_ms();
    let partner_contacts = super::billing::owner_contacts(state, p.id).await?;
    let reseller_contacts = super::billing::owner_contacts(state, r.id).await?;
    let mut tx = state.db.begin().await?;
    let n = sqlx::query("DELETE FROM reseller_links WHERE reseller_id = $1 AND partner_id = $2")
        .bind(r.id)
        .bind(p.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query(
        "DELETE FROM channel_followers WHERE channel_id IN (SELECT id FROM channels WHERE account_id = $1) \
         AND customer_id IN (SELECT descendant_id FROM account_closure WHERE ancestor_id = $2)",
    )
    .bind(p.id)
    .bind(r.id)
    .execute(&mut *tx)
    .await?;
    let (to_partner, to_reseller) = if by_partner {
        (
            (
                format!("{} is no longer your reseller", r.name),
                format!(
                    "{} removed the reseller {}. It no longer has access to your channels.",
                    p.name, r.name
                ),
            ),
            (
                format!("{} ended your reseller link", p.name),
                format!(
                    "{} removed {} from its resellers. You no longer have access to its channels; you may ask another partner from the partner directory.",
                    p.name, r.name
                ),
            ),
        )
    } else {
        (
            (
                format!("{} left your resellers", r.name),
                format!(
                    "{} stopped reselling for {}. It no longer has access to your channels.",
                    r.name, p.name
                ),
            ),
            (
                format!("You no longer resell for {}", p.name),
                format!(
                    "{} left {}. Its channels are no longer available to your customers; you may ask another partner from the partner directory.",
                    r.name, p.name
                ),
            ),
        )
    };
    for (contacts, (subject, text)) in [
        (partner_contacts, to_partner),
        (reseller_contacts, to_reseller),
    ] {
        for (to, name) in contacts {
            super::notifications::enqueue(
                state,
                &mut tx,
                &super::notifications::Message::Notice {
                    to,
                    name,
                    subject: subject.clone(),
                    text: text.clone(),
                },
            )
            .await?;
        }
    }
    for (subject, target, detail) in [(p.id, r.id, &r.name), (r.id, p.id, &p.name)] {
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(subject),
                action: if by_partner {
                    "reseller.remove"
                } else {
                    "reseller.leave"
                },
                target_type: Some("account"),
                target_id: Some(target.to_string()),
                detail: Some(detail.clone()),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a reseller sees of its partner: the partner's directory entry and its channels (the
/// content the reseller uses for its own customers), or the request waiting for an answer.
#[derive(Clone, Debug, Serialize)]
pub struct MyPartner {
    pub partner: Option<DirectoryEntry>,
    pub channels: Vec<super::channels::Channel>,
    pub pending_request_id: Option<i64>,
    pub pending_partner: Option<String>,
}

pub async fn my_partner(state: &AppState, who: &Identity) -> AppResult<MyPartner> {
    let r = access::account(state, who, who.view_account_id, Need::Read).await?;
    if r.kind != "reseller" {
        return Err(AppError::forbidden("only resellers have a partner"));
    }
    let pending = sqlx::query(
        "SELECT q.id, a.name FROM requests q JOIN accounts a ON a.id = q.addressee_id \
         WHERE q.account_id = $1 AND q.kind = 'reseller_link' AND q.status = 'pending'",
    )
    .bind(r.id)
    .fetch_optional(&state.db.pool)
    .await?;
    let (pending_request_id, pending_partner) = match pending {
        Some(p) => (Some(p.try_get("id")?), Some(p.try_get("name")?)),
        None => (None, None),
    };
    let Some((pid, name)) = partner_of(state, r.id).await? else {
        return Ok(MyPartner {
            partner: None,
            channels: Vec::new(),
            pending_request_id,
            pending_partner,
        });
    };
    let settings = load_settings(state, pid).await?;
    Ok(MyPartner {
        partner: Some(DirectoryEntry::from_settings(pid, name, settings)),
        channels: super::channels::of_accounts(state, &[pid]).await?,
        pending_request_id,
        pending_partner,
    })
}
