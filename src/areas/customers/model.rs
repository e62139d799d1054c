//! The types of the customers area: a customer as its list and page show it, the filter of the
//! list, the wizard's input (step 1 and the optional rebrand of step 2), edits, and what a
//! deletion of several customers removes.

use crate::areas::accounts::AccountId;
use crate::areas::customers::brand::{Brand, BrandInput};
use crate::kernel::db::Row;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use std::collections::BTreeMap;

/// The most characters a customer's name may have, counted as a person counts them (grapheme
/// clusters: "é" or "👍🏽" is one), not in bytes.
pub const MAX_CUSTOMER_NAME: usize = 50;

/// A customer: an account of kind customer, directly under the account that manages it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Customer {
    #[schema(value_type = i64)]
    pub id: AccountId,
    pub name: String,
    /// The customer's email address (null for a customer added without one elsewhere).
    pub email: Option<String>,
    #[schema(schema_with = status_values)]
    pub status: String,
    /// The account the customer is under: the operator (a direct customer), a partner, a
    /// reseller or a dealer.
    #[schema(value_type = i64)]
    pub owner_id: AccountId,
    pub owner_name: String,
    #[schema(schema_with = owner_kind_values)]
    pub owner_kind: String,
    /// The customer's logins.
    pub logins: i64,
    /// True when the customer carries rebrand information of its own.
    pub rebranded: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["active", "inactive", "deleted"])
}

fn owner_kind_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["operator", "partner", "reseller", "dealer"])
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn customer_from_row(r: &Row) -> Result<Customer, sqlx::Error> {
    Ok(Customer {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        status: r.try_get("status")?,
        owner_id: r.try_get("owner_id")?,
        owner_name: r.try_get("owner_name")?,
        owner_kind: r.try_get("owner_kind")?,
        logins: r.try_get("logins")?,
        rebranded: r.try_get::<i64, _>("rebranded")? > 0,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
    })
}

/// A customer with its rebrand information, as its own page shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerDetail {
    pub customer: Customer,
    /// The customer's own rebrand information (null: it sees the brand of the nearest account
    /// above with one).
    pub brand: Option<Brand>,
}

/// The list of customers: those directly under the account in view, or under `under` (an
/// account below it: the operator opens a partner's customers from its row).
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// The account whose customers are listed (default: the account in view): the operator, a
    /// partner, a reseller or a dealer in reach.
    #[param(minimum = 1)]
    pub under: Option<i64>,
    /// Part of the name or email, any case (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only this status.
    #[param(schema_with = filter_status_values)]
    pub status: Option<String>,
    /// Sort key: name (default), email, status or created; ties by id. Unknown keys: 422
    /// `validation_failed` with field `sort`.
    #[param(schema_with = sort_values)]
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

/// The columns the list sorts by (the first is the default).
pub const CUSTOMER_SORTS: [(&str, &str); 4] = [
    ("name", "a.name"),
    ("email", "COALESCE(a.email, '')"),
    ("status", "a.status"),
    ("created", "a.created_at"),
];

fn filter_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["active", "inactive"])
}

fn sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["name", "email", "status", "created"])
}

fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

impl CustomerFilter {
    pub fn list_params(&self) -> crate::kernel::http::table::ListParams {
        crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// The Add Customer wizard in one call: step 1 (name, email; the account it goes under is fixed
/// by `under`, by default the account in view) and, optionally, step 2's rebrand information.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct NewCustomer {
    /// The account the customer goes under (default: the account in view): the operator, a
    /// partner, a reseller or a dealer in reach.
    #[schema(nullable = false, minimum = 1)]
    pub under: Option<i64>,
    /// At most 50 characters as a person counts them (letters with accents and emoji count
    /// one each).
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    #[serde(default)]
    #[schema(required = true, format = Email)]
    pub email: String,
    /// Step 2 of the wizard: the rebrand information (left out: none).
    #[schema(nullable = false)]
    pub brand: Option<BrandInput>,
}

/// Fields left out stay as they are.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct CustomerUpdate {
    /// At most 50 characters as a person counts them.
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[schema(nullable = false, format = Email)]
    pub email: Option<String>,
}

/// Customers selected for deletion.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct CustomerIds {
    /// The customers, 1 to 500 (repeats are taken once).
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
}

/// Deleting the selected customers.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct DeleteCustomers {
    /// The customers, 1 to 500 (repeats are taken once).
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
    /// The number of customers the confirmation named; anything else is refused with 422
    /// `confirmation_required` and nothing is deleted.
    #[schema(nullable = false)]
    pub confirm: Option<i64>,
}

/// What deleting the selected customers removes (before: the confirmation), or removed
/// (after). `counts` holds every count of the accounts' deletion preview, by name:
/// `customers`, `logins`, and whatever else goes with a customer (its sites and probes).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerDeletion {
    pub customers: Vec<Customer>,
    pub counts: BTreeMap<String, i64>,
    /// The confirmation in words: "Delete 2 customers, 3 logins?".
    pub question: String,
}

/// An account below the owner that has customers of its own (a partner's row of the operator),
/// with how many it has.
#[derive(Clone, Debug)]
pub struct OwnerRow {
    pub id: AccountId,
    pub name: String,
    pub kind: String,
    pub customers: i64,
}
