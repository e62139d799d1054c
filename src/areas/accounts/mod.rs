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
