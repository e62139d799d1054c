//! The rules of customers: who lists and adds them (the operator its direct customers, a
//! partner, reseller or dealer its own, and any of them the customers of an account below it),
//! the Add Customer wizard (step 1 and the optional rebrand of step 2, in one transaction),
//! edits, and deleting several at once through the accounts' deletion (the preview, counted
//! again under the lock, one transaction, audited).

use super::brand;
use super::model::*;
use super::store;
use super::CUSTOMER;
use crate::areas::accounts;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::enums::{AccountStatus, Kind};
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::error::FieldError;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use std::collections::BTreeMap;

mod deletion;
mod rebrand;
pub use deletion::*;
pub use rebrand::*;

/// The kinds of account customers are directly under.
pub fn holds_customers(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Operator | Kind::Partner | Kind::Reseller | Kind::Dealer
    )
}

/// The account whose customers a call is about: `under` (in reach) or the account in view.
pub async fn owner(
    state: &AppState,
    who: &Identity,
    under: Option<i64>,
    need: Need,
) -> AppResult<Account> {
    let id = under.unwrap_or(who.view_account_id.get());
    let a = access::account(state, who, AccountId(id), need).await?;
    if a.status == AccountStatus::Deleted {
        return Err(AppError::NotFound);
    }
    if !holds_customers(a.kind) {
        return Err(match under {
            Some(_) => AppError::validation(
                "under",
                format!(
                    "{} is a customer: customers are under the operator, a partner, a reseller or a dealer",
                    a.name
                ),
            ),
            None => AppError::forbidden(
                "a customer's own account has no customers; the account above it manages it",
            ),
        });
    }
    Ok(a)
}

/// The customers directly under the owner, filtered, sorted and paged.
pub async fn list(
    state: &AppState,
    who: &Identity,
    f: &CustomerFilter,
) -> AppResult<(Account, Page<Customer>)> {
    let owner = owner(state, who, f.under, Need::Read).await?;
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::validation(
            "q",
            "Search text must be at most 100 characters",
        ));
    }
    let status = match f.status.as_deref().map(str::trim).unwrap_or("") {
        "" => None,
        s @ ("active" | "inactive") => Some(s),
        _ => {
            return Err(AppError::validation(
                "status",
                "Status must be active or inactive",
            ))
        }
    };
    let sort = f.list_params().sort(&CUSTOMER_SORTS, false)?;
    let (page, per_page) = paging(f.page, f.per_page);
    let (total, items) = store::list(
        &state.db,
        &store::ListQuery {
            owner_id: owner.id,
            q,
            status,
            sort,
            page,
            per_page,
        },
    )
    .await?;
    Ok((
        owner,
        Page {
            items,
            total,
            total_capped: false,
            page,
            per_page,
        },
    ))
}

/// Step 1 of the wizard: the name (at most 50 characters as a person counts them) and the
/// email, every field's error at once.
pub fn check_step1(name: &str, email: &str) -> AppResult<(String, String)> {
    let mut c = validate::Collect::new();
    let name = c.take(brand::person_text(
        "name",
        "Customer name",
        name,
        MAX_CUSTOMER_NAME,
    ))?;
    let email = c.take(validate::email("email", email))?;
    c.finish()?;
    Ok((name, email))
}

/// The error of a nested body's fields, each named `prefix` + field.
fn prefixed(e: AppError, prefix: &str) -> AppError {
    match e {
        AppError::Validation { field, message } => AppError::Validation {
            field: format!("{prefix}{field}"),
            message,
        },
        AppError::Field {
            code,
            field,
            message,
        } => AppError::Field {
            code,
            field: format!("{prefix}{field}"),
            message,
        },
        AppError::Fields(fs) => AppError::Fields(
            fs.into_iter()
                .map(|f| FieldError {
                    field: format!("{prefix}{}", f.field),
                    message: f.message,
                })
                .collect(),
        ),
        other => other,
    }
}

/// Adds a customer (the wizard in one call): step 1, and the rebrand information of step 2 when
/// given, in one transaction; nothing is written when any part fails.
pub async fn create(
    state: &AppState,
    who: &Identity,
    under: Option<i64>,
    name: &str,
    email: &str,
    rebrand: Option<&brand::BrandFields>,
) -> AppResult<CustomerDetail> {
    let owner = owner(state, who, under, Need::Write).await?;
    if owner.status != AccountStatus::Active {
        return Err(AppError::conflict(
            ErrorCode::ParentInactive,
            "Customers cannot be added under an inactive account",
        ));
    }
    let step1 = check_step1(name, email);
    let step2 = rebrand.map(brand::check).transpose();
    let ((name, email), rebrand) = match (step1, step2) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), Ok(_)) => return Err(e),
        (Ok(_), Err(e)) => return Err(e),
        (Err(a), Err(b)) => {
            let mut all = a.field_errors();
            all.extend(b.field_errors());
            return Err(AppError::Fields(all));
        }
    };
    let now = state.now_ms();
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    accounts::lock_active_chain(state, &mut tx, owner.id).await?;
    crate::areas::networks::check_package_limits(state, &mut tx, owner.id, Kind::Customer).await?;
    let id = accounts::insert(
        &mut tx,
        now,
        Some(owner.id.get()),
        Kind::Customer,
        &name,
        Some(&email),
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(AccountId(id)),
            action: "customer.create",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{name} ({email}) under {}{}",
                owner.name,
                if rebrand.is_some() {
                    ", with rebrand information"
                } else {
                    ""
                }
            )),
        },
    )
    .await?;
    if let Some(b) = &rebrand {
        brand::save_in(&mut tx, now, &actor, AccountId(id), b).await?;
    }
    tx.commit().await?;
    detail(state, AccountId(id)).await
}

/// `create` from the API body: the rebrand's field errors are named `brand.<field>`.
pub async fn create_from_api(
    state: &AppState,
    who: &Identity,
    input: &NewCustomer,
) -> AppResult<CustomerDetail> {
    let fields = match &input.brand {
        Some(b) => Some(brand::BrandFields::from_input(b).map_err(|e| prefixed(e, "brand."))?),
        None => None,
    };
    create(
        state,
        who,
        input.under,
        &input.name,
        &input.email,
        fields.as_ref(),
    )
    .await
    .map_err(|e| prefixed_brand(e, fields.is_some()))
}

/// Field errors of the rebrand part named as the API body has them.
fn prefixed_brand(e: AppError, with_brand: bool) -> AppError {
    if !with_brand {
        return e;
    }
    const BRAND_FIELDS: [&str; 8] = [
        "display_name",
        "primary_color",
        "accent_color",
        "support_email",
        "support_phone",
        "support_url",
        "footer",
        "logo",
    ];
    let fix = |f: String| {
        if BRAND_FIELDS.contains(&f.as_str()) {
            format!("brand.{f}")
        } else {
            f
        }
    };
    match e {
        AppError::Validation { field, message } => AppError::Validation {
            field: fix(field),
            message,
        },
        AppError::Field {
            code,
            field,
            message,
        } => AppError::Field {
            code,
            field: fix(field),
            message,
        },
        AppError::Fields(fs) => AppError::Fields(
            fs.into_iter()
                .map(|f| FieldError {
                    field: fix(f.field),
                    message: f.message,
                })
                .collect(),
        ),
        other => other,
    }
}

/// A customer with its own rebrand information (the router checked the id).
pub async fn detail(state: &AppState, id: AccountId) -> AppResult<CustomerDetail> {
    let customer = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut conn = state.db.pool.acquire().await?;
    let brand = brand::own_brand(&mut conn, id).await?;
    Ok(CustomerDetail { customer, brand })
}

/// A customer the caller reaches from above, checked for `need`.
pub async fn customer_in_reach(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    need: Need,
) -> AppResult<Customer> {
    access::resource(state, who, &CUSTOMER, id, need).await?;
    store::get(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// Edits a customer's name and email (members and up).
pub async fn update(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    input: &CustomerUpdate,
) -> AppResult<CustomerDetail> {
    let c = customer_in_reach(state, who, id, Need::Write).await?;
    let (name, email) = check_step1(
        input.name.as_deref().unwrap_or(&c.name),
        input
            .email
            .as_deref()
            .unwrap_or(c.email.as_deref().unwrap_or("")),
    )?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    store::update_in(&mut tx, now, id, &name, &email).await?;
    let changes = audit::Changes::new().value("name", &c.name, &name).field(
        "email",
        &c.email,
        &Some(email.clone()),
    );
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(id),
            action: "customer.update",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(changes.detail()),
        },
    )
    .await?;
    tx.commit().await?;
    detail(state, id).await
}

/// The accounts directly under the owner that have customers of their own, by name (at most
/// 20, and whether there are more), each opening its customers.
pub async fn rows_below(
    state: &AppState,
    owner_id: AccountId,
    pq: &str,
) -> AppResult<(Vec<OwnerRow>, bool)> {
    let q = pq.trim();
    if q.chars().count() > 100 {
        return Err(AppError::validation(
            "pq",
            "Search text must be at most 100 characters",
        ));
    }
    let mut rows =
        store::rows_below(&state.db, owner_id, Some(q).filter(|q| !q.is_empty()), 21).await?;
    let more = rows.len() > 20;
    rows.truncate(20);
    Ok((
        rows.into_iter()
            .map(|(id, name, kind, customers)| OwnerRow {
                id: AccountId(id),
                name,
                kind,
                customers,
            })
            .collect(),
        more,
    ))
}
