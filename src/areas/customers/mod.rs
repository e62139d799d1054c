//! Customers and rebranding (PRODUCT.md §7, seed 004 "Managing Partner Customers"): the
//! customers directly under the operator (its direct customers), a partner, a reseller or a
//! dealer, listed with search, sort, pages and checkboxes; the Add Customer wizard (name and
//! email, then optionally the rebrand information); view, edit, and deleting several at once
//! after a confirmation that names every count the accounts' deletion preview holds.
//!
//! Customers are accounts of the tree: status, deletion and access go through `accounts` and
//! `access`. What is new is the rebrand information (`brand`) of partners, resellers, customers
//! and the operator, and what a login sees of it: its own account's, else the nearest above.

pub mod api;
pub mod brand;
pub mod brand_pages;
pub mod mail;
pub mod model;
pub mod pages;
pub mod rules;
pub mod store;

pub use brand::Brand;
pub use model::*;
pub use rules::*;

use crate::kernel::access::{Need, Reach, Resource, Side};
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

/// A customer managed from above: the account in view is its owner or above it (a customer's
/// own logins are refused, 403: the account above manages it).
pub const CUSTOMER: Resource = Resource {
    kind: "customer",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1 AND kind = 'customer'",
        Reach::Below("a customer is managed by the account above it"),
    )],
};

/// The rebrand information of an account (the id is the account's): the account in view or
/// one below it that may carry one (the operator, a partner, a reseller or a customer).
pub const BRAND: Resource = Resource {
    kind: "brand",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1 AND kind IN ('operator', 'partner', 'reseller', 'customer')",
        Reach::InView,
    )],
};

/// Customers for every account that has them; Rebranding for those that carry a brand.
pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        group: "accounts",
        id: "customers",
        label: "Customers",
        href: "/customers",
        active_on: &["customers"],
        kinds: &[Kind::Operator, Kind::Partner, Kind::Reseller, Kind::Dealer],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "settings",
        id: "rebranding",
        label: "Rebranding",
        href: "/brands/{view}",
        active_on: &["rebranding"],
        kinds: &[Kind::Operator, Kind::Partner, Kind::Reseller],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
];
