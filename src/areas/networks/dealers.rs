//! Reseller and dealer networks (PRODUCT.md §5, seed 001): a partner's dealers ("My dealers")
//! and the package limits on what is created below a partner.
//!
//! Dealers are accounts of the tree: status, deletion and access go through `accounts` and
//! `access`; this module adds the dealer's owner login (created with it, in one transaction),
//! its contact, and the counts of its subscribers (customers below it, from the rollups).

use super::*;
use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Row;
use crate::kernel::enums::{AccountStatus, Kind, Role};
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct DealerInput {
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub contact_name: String,
    /// The contact's email.
    #[serde(default)]
    #[schema(required = true, format = Email)]
    pub email: String,
    /// Digits, spaces and + - ( ) . / only.
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub phone: String,
    /// What the dealer signs in with: a username (3–40 letters, digits, . _ -) or an email; the
    /// contact's email when left empty.
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    #[schema(required = true, format = Password, min_length = 10, max_length = 256)]
    pub password: String,
}

/// Fields left out stay as they are.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct DealerUpdate {
    #[schema(
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    #[schema(
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub contact_name: Option<String>,
    #[schema(nullable = false, format = Email)]
    pub email: Option<String>,
    /// Digits, spaces and + - ( ) . / only; empty to clear it.
    #[schema(nullable = false, max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dealer {
    #[schema(value_type = i64)]
    pub id: AccountId,
    pub name: String,
    #[schema(schema_with = dealer_status_values)]
    pub status: String,
    pub contact_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The email the dealer's owner login signs in with.
    pub username: Option<String>,
    /// Customers below the dealer.
    pub subscribers: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn dealer_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["active", "inactive", "deleted"])
}

fn filter_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["active", "inactive"])
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn dealer_from_row(r: &Row) -> Result<Dealer, sqlx::Error> {
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

pub(crate) async fn load_dealer(state: &AppState, id: AccountId) -> AppResult<Dealer> {
    let q = format!("SELECT {DEALER_COLUMNS} FROM accounts a WHERE a.id = $1");
    let row = sqlx::query(&q)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(dealer_from_row(&row)?)
}

/// The partner in view, for My dealers: anyone else is refused.
pub(crate) async fn partner_in_view(
    state: &AppState,
    who: &Identity,
    need: Need,
) -> AppResult<Account> {
    let a = access::account(state, who, who.view_account_id, need).await?;
    if a.kind != Kind::Partner {
        return Err(AppError::forbidden("dealers belong to partners"));
    }
    Ok(a)
}

/// A dealer strictly below the account in view, checked for `need`; any other account is not
/// a dealer and so not found here.
pub async fn dealer_account(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    need: Need,
) -> AppResult<Account> {
    let a = access::account_below(state, who, id, need).await?;
    if a.kind != Kind::Dealer {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealerFilter {
    /// Part of the name, any case (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only this status.
    #[param(schema_with = filter_status_values)]
    pub status: Option<String>,
    /// Sort key: name (default), contact, status, subscribers or created; ties by id. Unknown
    /// keys: 422 `validation_failed` with field `sort`.
    #[param(schema_with = dealer_sort_values)]
    pub sort: Option<String>,
    /// asc (default) or desc.
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The columns My dealers sorts by (the first is the default).
pub const DEALER_SORTS: [(&str, &str); 5] = [
    ("name", "name"),
    ("contact", "contact_name"),
    ("status", "status"),
    ("subscribers", "subscribers"),
    ("created", "created_at"),
];

fn dealer_sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["name", "contact", "status", "subscribers", "created"])
}

fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

impl DealerFilter {
    pub fn list_params(&self) -> crate::kernel::http::table::ListParams {
        crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// My dealers: the dealers directly under the partner in view, with their status and number of
/// subscribers, sorted by a whitelisted column (by name by default).
pub async fn list_dealers(
    state: &AppState,
    who: &Identity,
    f: &DealerFilter,
) -> AppResult<Page<Dealer>> {
    let partner = partner_in_view(state, who, Need::Read).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let order = f.list_params().sort(&DEALER_SORTS, false)?;
    let mut sql = Sql::new(&format!(
        "SELECT {DEALER_COLUMNS} FROM accounts a WHERE a.parent_id = "
    ));
    sql.int(partner.id)
        .push(" AND a.kind = 'dealer' AND a.status <> 'deleted'");
    crate::kernel::db::search::push_name_filter(&mut sql, "a", f.q.as_deref())?;

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
    // Sorted on the select's own columns (the subscribers from the rollups), so the page
    // orders exactly what it shows.
    let (total, rows) = crate::kernel::query::fetch_page(
        &state.db.pool,
        Sql {
            text: format!("SELECT * FROM ({}) d", sql.text),
            args: sql.args,
        },
        &order,
        "id",
        page,
        per_page,
    )
    .await?;
    Ok(Page {
        items: rows.iter().map(dealer_from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
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
    if partner.status != AccountStatus::Active {
        return Err(AppError::conflict(
            ErrorCode::ParentInactive,
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
            account_id: AccountId(0),
            email: &username,
            name: &contact,
            password: &input.password,
            role: Role::Owner,
        },
        username.clone(),
    )
    .await?;
    let now = state.now_ms();
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    accounts::lock_active_chain(state, &mut tx, partner.id).await?;
    check_package_limits(state, &mut tx, partner.id, Kind::Dealer).await?;
    let id = accounts::insert(
        &mut tx,
        now,
        Some(partner.id.get()),
        Kind::Dealer,
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
        state,
        &mut tx,
        &actor,
        AccountId(id),
        &username,
        &contact,
        &hash,
        Role::Owner,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(AccountId(id)),
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
    load_dealer(state, AccountId(id)).await
}

pub async fn get_dealer(state: &AppState, who: &Identity, id: AccountId) -> AppResult<Dealer> {
    dealer_account(state, who, id, Need::Read).await?;
    load_dealer(state, id).await
}

/// Edits a dealer's name and contact (member and up).
pub async fn update_dealer(
    state: &AppState,
    who: &Identity,
    id: AccountId,
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
        "UPDATE accounts SET name = $1, contact_name = $2, email = $3, phone = $4, updated_at = $5, \
         name_folded = $7 WHERE id = $6",
    )
    .bind(&name)
    .bind(&contact)
    .bind(&email)
    .bind(&phone)
    .bind(now)
    .bind(id)
    .bind(crate::kernel::db::search::fold(&name))
    .execute(&mut *tx)
    .await?;
    let changes = audit::Changes::new()
        .value("name", &a.name, &name)
        .field("contact name", &current.contact_name, &contact)
        .field("email", &a.email, &email)
        .field("phone", &a.phone, &phone);
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(id),
            action: "dealer.update",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(changes.detail()),
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
    id: AccountId,
    status: &str,
) -> AppResult<Dealer> {
    dealer_account(state, who, id, Need::Admin).await?;
    accounts::set_status(state, who, id, status).await?;
    load_dealer(state, id).await
}

/// What deleting a dealer removes: itself, its subscribers and their logins.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
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
    id: AccountId,
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
    id: AccountId,
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
