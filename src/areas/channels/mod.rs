//! A partner's channels and their followers (customers below it, or below its linked resellers).

pub mod api;
pub mod pages;
pub mod rules;

pub use rules::*;

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// A channel of an account.
    pub struct ChannelId for ["channel"];
}

/// A channel of the account in view or of one below it.
pub const CHANNEL: Resource = Resource {
    kind: "channel",
    sides: &[Side::owner(
        "SELECT account_id AS owner_id FROM channels WHERE id = $1",
        Reach::InView,
    )],
};

/// A channel whose followers the caller may change: from the partner's side, from the side of a
/// customer below the partner (itself), or from a reseller linked to the partner (and its
/// customers). The rules decide which customers each side may add.
pub const FOLLOWABLE_CHANNEL: Resource = Resource {
    kind: "channel",
    sides: &[
        Side::owner(
            "SELECT account_id AS owner_id FROM channels WHERE id = $1",
            Reach::InView,
        ),
        Side {
            name: "follower",
            owner: "SELECT account_id AS owner_id FROM channels WHERE id = $1",
            reach: Reach::AboveView,
            other_party: false,
            refuse: None,
        },
        Side {
            name: "linked reseller",
            owner: "SELECT l.reseller_id AS owner_id FROM channels c \
                    JOIN reseller_links l ON l.partner_id = c.account_id WHERE c.id = $1",
            reach: Reach::AboveView,
            other_party: true,
            refuse: None,
        },
    ],
};

use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

/// The menu entries of this area.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "network",
    id: "channels",
    label: "Channels",
    href: "/channels",
    active_on: &["channels"],
    kinds: &[Kind::Partner],
    need: Need::Read,
    while_acting: true,
    badge: None,
}];
