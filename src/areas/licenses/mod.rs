//! Licenses (PRODUCT.md §6, seed 002): development, partner, agent, login and player licenses
//! held by accounts of the tree, issued from above, capped by the package, expiring by a job,
//! counted per type and state for every subtree in the same transaction as each change.

pub mod api;
pub mod bulk;
pub mod model;
pub mod overview;
pub mod pages;
pub mod rules;
pub mod scan;
pub mod totals;

pub use bulk::*;
pub use model::*;
pub use rules::*;
pub use scan::*;
pub use totals::*;

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// A license.
    pub struct LicenseId for ["license"];
}

crate::text_enum! {
    /// What a license entitles to.
    pub enum LicenseType {
        Development = "development",
        Partner = "partner",
        Agent = "agent",
        Login = "login",
        Player = "player",
    }
}

crate::text_enum! {
    /// Where a license stands: `pending` waits for an activation, `inactive` is switched off by
    /// an account above, `expired` is past its end.
    pub enum LicenseState {
        Pending = "pending",
        Active = "active",
        Inactive = "inactive",
        Expired = "expired",
    }
}

impl LicenseType {
    /// Login and agent licenses have seats.
    pub fn has_seats(self) -> bool {
        matches!(self, LicenseType::Login | LicenseType::Agent)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            LicenseType::Development => "Development",
            LicenseType::Partner => "Partner",
            LicenseType::Agent => "Agent",
            LicenseType::Login => "Login",
            LicenseType::Player => "Player",
        }
    }
}

impl LicenseState {
    pub fn label(self) -> &'static str {
        match self {
            LicenseState::Pending => "Pending",
            LicenseState::Active => "Active",
            LicenseState::Inactive => "Inactive",
            LicenseState::Expired => "Expired",
        }
    }
}

/// A license held by the account in view or by one below it.
pub const LICENSE: Resource = Resource {
    kind: "license",
    sides: &[Side::owner(
        "SELECT holder_id AS owner_id FROM licenses WHERE id = $1",
        Reach::InView,
    )],
};

/// Licenses past their end are expired, and reminders sent, every minute.
pub const JOBS: &[crate::kernel::jobs::JobKind] = &[crate::kernel::jobs::JobKind {
    kind: "license_scan",
    run: |state, _| {
        Box::pin(async move {
            scan::scan(state)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    },
    every_ms: Some(60_000),
}];

use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

/// Every account holds licenses, so every kind of account finds them in the menu.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "overview",
    id: "licenses",
    label: "Licenses",
    href: "/licenses/overview",
    active_on: &["licenses"],
    kinds: &[
        Kind::Operator,
        Kind::Partner,
        Kind::Reseller,
        Kind::Dealer,
        Kind::Customer,
    ],
    need: Need::Read,
    while_acting: true,
    badge: None,
}];
