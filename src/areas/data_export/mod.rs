//! "Export my data": the account in view as one JSON document its people can take away: the
//! account, its logins (never a password hash; all of them for owners and admins, otherwise the
//! caller's own), and its tickets with each thread as the customer sees it (answers from
//! "Servicecenter", no internal note, no staff name).

pub mod api;
pub mod pages;
pub mod rules;

pub use rules::*;

use crate::kernel::access::Need;
use crate::kernel::http::menu::{MenuEntry, ALL_KINDS};

pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "settings",
    id: "data-export",
    label: "Export my data",
    href: "/me/export",
    active_on: &["data-export"],
    kinds: ALL_KINDS,
    need: Need::Read,
    // Someone acting as the account exports through the API or the page's address.
    while_acting: false,
    badge: None,
}];
