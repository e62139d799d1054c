//! The account tree: accounts, their logins, acting as an account below, the audit log pages.

pub mod acting;
pub mod add_pages;
pub mod api;
pub mod audit_pages;
pub mod bulk;
pub mod bulk_pages;
pub mod deletion;
pub mod list;
pub mod logins;
pub mod pages;
pub mod rules;

pub use deletion::*;
pub use list::*;
pub use rules::*;

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// An account of the tree (and a partner, reseller, dealer or customer: each is an account).
    pub struct AccountId for ["account", "customer", "brand", "dealer", "reseller", "directory_partner", "partner"];
    /// A login of an account.
    pub struct LoginId for ["login"];
}

const OWN_ACCOUNT: &str = "you cannot change the status of, or delete, your own account";

/// An account the caller reaches: the account in view or any below it.
pub const ACCOUNT: Resource = Resource {
    kind: "account",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1",
        Reach::InView,
    )],
};

/// An account strictly below the account in view (status, deletion).
pub const ACCOUNT_BELOW: Resource = Resource {
    kind: "account",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1",
        Reach::Below(OWN_ACCOUNT),
    )],
};

/// A login of an account the caller reaches.
pub const LOGIN: Resource = Resource {
    kind: "login",
    sides: &[Side::owner(
        "SELECT account_id AS owner_id FROM logins WHERE id = $1",
        Reach::InView,
    )],
};

use crate::kernel::access::Need;
use crate::kernel::http::menu::{MenuEntry, ALL_KINDS};

/// The menu entries of this area: quick options ("Goto") and the account pages.
pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        group: "goto",
        id: "goto-add-account",
        label: "+ Account",
        href: "/accounts/{view}#add-child",
        active_on: &[],
        kinds: &[Kind::Operator, Kind::Partner, Kind::Reseller, Kind::Dealer],
        need: Need::Write,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "goto",
        id: "goto-add-login",
        label: "+ Login",
        href: "/accounts/{view}#add-login",
        active_on: &[],
        kinds: ALL_KINDS,
        need: Need::Admin,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "accounts",
        id: "accounts",
        label: "Accounts",
        href: "/accounts",
        active_on: &["accounts"],
        kinds: &[Kind::Operator, Kind::Partner, Kind::Reseller, Kind::Dealer],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "accounts",
        id: "my-account",
        label: "My account",
        href: "/accounts/{view}",
        active_on: &["accounts"],
        kinds: &[Kind::Customer],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "accounts",
        id: "audit",
        label: "Audit log",
        href: "/audit",
        active_on: &["audit"],
        kinds: ALL_KINDS,
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
];
