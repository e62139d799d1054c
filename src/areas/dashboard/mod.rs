//! The dashboard of the account in view.

pub mod api;
pub mod pages;

use crate::kernel::access::Need;
use crate::kernel::http::menu::{MenuEntry, ALL_KINDS};

/// The menu entries of this area.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "overview",
    id: "dashboard",
    label: "Dashboard",
    href: "/",
    active_on: &["dashboard"],
    kinds: ALL_KINDS,
    need: Need::Read,
    while_acting: true,
    badge: None,
}];
