//! Sign-in and sign-out, sessions, API tokens, My profile.

pub mod api;
pub mod pages;
pub mod reset;
pub mod reset_pages;
pub mod rules;
pub mod sessions;
pub mod sessions_pages;
pub mod two_factor;
pub mod two_factor_api;
pub mod two_factor_pages;

pub use rules::*;

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// An API token of a login.
    pub struct ApiTokenId for ["api_token"];
    /// A session of a login.
    pub struct SessionId for ["session"];
}

/// An API token of the signed-in login itself.
pub const API_TOKEN: Resource = Resource {
    kind: "api_token",
    sides: &[Side::owner(
        "SELECT login_id AS owner_id FROM api_tokens WHERE id = $1",
        Reach::OwnLogin,
    )],
};

/// A session of the signed-in login itself (another login's is 404).
pub const SESSION: Resource = Resource {
    kind: "session",
    sides: &[Side::owner(
        "SELECT login_id AS owner_id FROM sessions WHERE id = $1",
        Reach::OwnLogin,
    )],
};

/// An account whose two-factor policy the operator sets: the operator's business alone.
pub const TWO_FACTOR_POLICY: Resource = Resource {
    kind: "account",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1",
        Reach::Operator,
    )],
};

/// Expired sessions, and reset links a day past their end, are removed every hour.
pub const JOBS: &[crate::kernel::jobs::JobKind] = &[crate::kernel::jobs::JobKind {
    kind: "purge_sessions",
    run: |state, _| {
        Box::pin(async move {
            rules::purge_expired_sessions(state)
                .await
                .map_err(|e| e.to_string())?;
            reset::purge_spent_links(state)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    },
    every_ms: Some(3_600_000),
}];

use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::{MenuEntry, ALL_KINDS};

/// The menu entries of this area: a login's own settings (not while acting: they answer 403).
pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        group: "settings",
        id: "profile",
        label: "My profile",
        href: "/profile",
        active_on: &["profile"],
        kinds: ALL_KINDS,
        need: Need::Read,
        while_acting: false,
        badge: None,
    },
    MenuEntry {
        group: "settings",
        id: "sessions",
        label: "Sessions",
        href: "/profile/sessions",
        active_on: &["sessions"],
        kinds: ALL_KINDS,
        need: Need::Read,
        while_acting: false,
        badge: None,
    },
    MenuEntry {
        group: "settings",
        id: "tokens",
        label: "API tokens",
        href: "/profile/tokens",
        active_on: &["tokens"],
        kinds: &[Kind::Operator, Kind::Partner, Kind::Reseller, Kind::Dealer],
        need: Need::Read,
        while_acting: false,
        badge: None,
    },
    MenuEntry {
        group: "settings",
        id: "api-docs",
        label: "API docs",
        href: "/api/docs",
        active_on: &[],
        kinds: &[Kind::Operator, Kind::Partner, Kind::Reseller, Kind::Dealer],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
];
