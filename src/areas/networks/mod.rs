//! Dealer and reseller networks: My dealers, package limits, reseller settings, the partner directory, reseller links, and what a change in one tree ends in another.

pub mod api;
pub mod dealers;
pub mod limits;
pub mod link_api;
pub mod link_pages;
pub mod links;
pub mod pages;
pub mod settings;
pub mod ties;

pub use dealers::*;
pub use limits::*;
pub use links::*;
pub use settings::*;
pub(crate) use ties::*;

use crate::kernel::access::{Reach, Resource, Side};

/// A dealer strictly below the account in view.
pub const DEALER: Resource = Resource {
    kind: "dealer",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1 AND kind = 'dealer'",
        Reach::Below("you cannot change the status of, or delete, your own account"),
    )],
};

/// A reseller linked to the partner in view (the id is the reseller's account).
pub const RESELLER: Resource = Resource {
    kind: "reseller",
    sides: &[Side::owner(
        "SELECT partner_id AS owner_id FROM reseller_links WHERE reseller_id = $1",
        Reach::View,
    )],
};

/// A partner of the directory; the rules decide whether the caller may ask it (resellers) and
/// whether it serves resellers.
pub const DIRECTORY_PARTNER: Resource = Resource {
    kind: "directory_partner",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1 AND kind = 'partner' AND status <> 'deleted'",
        Reach::Anyone,
    )],
};

/// A channel of the partner that the reseller in view is linked to.
pub const MY_PARTNER_CHANNEL: Resource = Resource {
    kind: "channel",
    sides: &[Side::owner(
        "SELECT l.reseller_id AS owner_id FROM channels c \
         JOIN reseller_links l ON l.partner_id = c.account_id WHERE c.id = $1",
        Reach::View,
    )],
};

use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

/// The menu entries of this area.
pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        group: "network",
        id: "dealers",
        label: "My dealers",
        href: "/dealers",
        active_on: &["dealers"],
        kinds: &[Kind::Partner],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "network",
        id: "resellers",
        label: "My resellers",
        href: "/resellers",
        active_on: &["resellers"],
        kinds: &[Kind::Partner],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "network",
        id: "reseller-settings",
        label: "Reseller settings",
        href: "/reseller-settings",
        active_on: &["reseller-settings"],
        kinds: &[Kind::Partner],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "network",
        id: "directory",
        label: "Partner directory",
        href: "/partner-directory",
        active_on: &["directory"],
        kinds: &[Kind::Operator, Kind::Reseller],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "network",
        id: "my-partner",
        label: "My partner",
        href: "/my-partner",
        active_on: &["my-partner"],
        kinds: &[Kind::Reseller],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
];
