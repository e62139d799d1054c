//! Registration from the plans page, partnership requests and their history, My partners.

pub mod api;
pub mod pages;
pub mod partner_pages;
pub mod partners;
pub mod rules;

pub use partners::*;
pub use rules::*;

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// A request to become a partner.
    pub struct PartnershipRequestId for ["partnership_request"];
}

/// A partnership request (a registration) waiting in the operator's inbox.
pub const PARTNERSHIP_REQUEST: Resource = Resource {
    kind: "partnership_request",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM partnership_requests WHERE id = $1",
        Reach::Operator,
    )],
};

/// A partner, as the operator's My partners edits it.
pub const PARTNER: Resource = Resource {
    kind: "partner",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1 AND kind = 'partner' AND status <> 'deleted'",
        Reach::Operator,
    )],
};

use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

/// The menu entries of this area.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "partners",
    id: "partners",
    label: "My partners",
    href: "/operator/partners",
    active_on: &["partners"],
    kinds: &[Kind::Operator],
    need: Need::Read,
    while_acting: true,
    badge: None,
}];
