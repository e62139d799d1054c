//! Release notes (PRODUCT.md §9, seed 000): the operator writes them (title, text with simple
//! formatting rendered safely, audience: everyone or chosen kinds of account), publishes, edits
//! and unpublishes them; every panel shows the published ones under "What's new", with a badge
//! of the notes each login has not opened yet.

pub mod api;
pub mod format;
pub mod pages;
pub mod rules;

pub use rules::*;

use crate::kernel::access::{Need, Reach, Resource, Side};
use crate::kernel::http::menu::{MenuEntry, ALL_KINDS};

crate::id_type! {
    /// A release note.
    pub struct ReleaseNoteId for ["release_note"];
}

const OWNER: &str = "SELECT (SELECT o.id FROM accounts o WHERE o.kind = 'operator' ORDER BY o.id LIMIT 1) AS owner_id \
     FROM release_notes WHERE id = $1";

/// A release note as read in a panel: any signed-in login, as long as it exists (the rules show
/// only published notes meant for the kind in view; others answer 404).
pub const RELEASE_NOTE: Resource = Resource {
    kind: "release_note",
    sides: &[Side::owner(OWNER, Reach::Anyone)],
};

/// A release note as written: the operator's business.
pub const RELEASE_NOTE_ADMIN: Resource = Resource {
    kind: "release_note",
    sides: &[Side::owner(OWNER, Reach::Operator)],
};

pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "overview",
    id: "whats-new",
    label: "What's new",
    href: "/whats-new",
    active_on: &["whats-new"],
    kinds: ALL_KINDS,
    need: Need::Read,
    while_acting: true,
    badge: Some(unread_badge),
}];

fn unread_badge(scope: &crate::kernel::http::menu::BadgeScope<'_>) -> crate::kernel::query::Sql {
    rules::unread(scope)
}
