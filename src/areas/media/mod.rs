//! Media players and their content (PRODUCT.md §8, seed 000): the operator's catalogue of
//! compatible player models, players connected by MAC (the operator) or added to a client by
//! player ID (the "Add player" wizard, with a pending player license), edit and disconnect, the
//! Players page with own devices and devices of clients, online and offline; the device protocol
//! (`device`: register, poll with ETag and long poll); playlists, slides and clone.

pub mod api;
pub mod clips;
pub mod content_api;
pub mod content_pages;
pub mod device;
pub mod device_api;
pub mod model;
pub mod pages;
pub mod playlists;
pub mod rules;
pub mod store;
pub mod video;
pub mod video_format;

pub use model::*;
pub use rules::*;

use crate::kernel::access::{Need, Reach, Resource, Side};
use crate::kernel::http::menu::{MenuEntry, ALL_KINDS};

crate::id_type! {
    /// A player.
    pub struct PlayerId for ["player"];
    /// A clip.
    pub struct ClipId for ["clip"];
    /// A playlist.
    pub struct PlaylistId for ["playlist"];
    /// A player model of the catalogue.
    pub struct PlayerModelId for ["player_model"];
}

crate::text_enum! {
    /// Which way a player's screen stands.
    pub enum Orientation {
        Landscape = "landscape",
        Portrait = "portrait",
    }
}

/// A media player: reached when its owner is the account in view or below it.
pub const PLAYER: Resource = Resource {
    kind: "player",
    sides: &[Side::owner(
        "SELECT owner_id FROM players WHERE id = $1",
        Reach::InView,
    )],
};

/// A clip: changed from its owner's side (the account in view or above it). Accounts below
/// read shared clips through their library, not by id.
pub const CLIP: Resource = Resource {
    kind: "clip",
    sides: &[Side::owner(
        "SELECT owner_id FROM clips WHERE id = $1",
        Reach::InView,
    )],
};

/// A playlist: reached when its owner is the account in view or below it.
pub const PLAYLIST: Resource = Resource {
    kind: "playlist",
    sides: &[Side::owner(
        "SELECT owner_id FROM playlists WHERE id = $1",
        Reach::InView,
    )],
};

/// A model of the operator's catalogue.
pub const PLAYER_MODEL: Resource = Resource {
    kind: "player_model",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM player_models WHERE id = $1",
        Reach::Operator,
    )],
};

/// Players, playlists and clips in the menu of every kind: every account may hold players or
/// have clients that do.
pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        group: "overview",
        id: "players",
        label: "Players",
        href: "/players",
        active_on: &["players"],
        kinds: ALL_KINDS,
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "overview",
        id: "playlists",
        label: "Playlists",
        href: "/playlists",
        active_on: &["playlists"],
        kinds: ALL_KINDS,
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "overview",
        id: "clips",
        label: "Clips",
        href: "/clips",
        active_on: &["clips"],
        kinds: ALL_KINDS,
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
];
