//! The types of media: models, players (as lists and pages read them), the inputs of the
//! operator's catalogue, connecting, the wizard and edits, the list filter; MAC addresses and
//! player IDs as people type them.

use super::Orientation;
use crate::areas::accounts::AccountId;
use crate::areas::licenses::LicenseId;
use crate::areas::media::PlayerId;
use crate::areas::media::PlayerModelId;
use crate::areas::media::PlaylistId;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::http::table::{ListParams, Sort};
use serde::{Deserialize, Serialize};

/// A model of the operator's catalogue.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlayerModel {
    #[schema(value_type = i64)]
    pub id: PlayerModelId,
    pub name: String,
    /// Player IDs of this model start with this (how a device is recognised).
    pub id_prefix: String,
    /// Offered for new players; an incompatible model's players are refused.
    pub compatible: bool,
    /// Players of this model.
    pub players: i64,
}

/// A model to add to the catalogue, or a change of one (absent fields stay).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ModelInput {
    #[schema(nullable = false, example = "Narrowcast Box 4K")]
    pub name: Option<String>,
    /// 2 to 12 letters, digits or dashes; stored upper case.
    #[schema(nullable = false, example = "NB4K-")]
    pub id_prefix: Option<String>,
    /// Default true.
    #[schema(nullable = false)]
    pub compatible: Option<bool>,
}

crate::create_body! {
    /// A new model.
    NewModel(ModelInput), required ["name", "id_prefix"]
}

/// Where a player stands, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlayerStatus {
    /// Its player license waits for an activation (or was switched off): no content.
    WaitingForActivation,
    /// Licensed, the device has not registered yet.
    WaitingForDevice,
    /// Registered and polling within twice its interval.
    Online,
    /// Registered, silent for longer than twice its interval.
    Offline,
}

impl PlayerStatus {
    pub fn label(self) -> &'static str {
        match self {
            PlayerStatus::WaitingForActivation => "waiting for activation",
            PlayerStatus::WaitingForDevice => "waiting for the device",
            PlayerStatus::Online => "online",
            PlayerStatus::Offline => "offline",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            PlayerStatus::WaitingForActivation => "waiting",
            PlayerStatus::WaitingForDevice => "waiting",
            PlayerStatus::Online => "online",
            PlayerStatus::Offline => "offline",
        }
    }
}

/// A media player as its owner's side reads it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Player {
    #[schema(value_type = i64)]
    pub id: PlayerId,
    pub name: String,
    /// The player ID printed on the device (null until the device tells it).
    pub player_code: Option<String>,
    /// AA:BB:CC:DD:EE:FF (null until the device tells it).
    pub mac: Option<String>,
    #[schema(value_type = i64)]
    pub model_id: PlayerModelId,
    pub model_name: String,
    #[schema(value_type = i64)]
    pub owner_id: AccountId,
    pub owner_name: String,
    #[schema(value_type = String)]
    pub owner_kind: Kind,
    /// True when the account in view owns it (own device), false for a client's.
    pub own: bool,
    pub status: PlayerStatus,
    /// Polled within twice its poll interval.
    pub online: bool,
    #[schema(format = DateTime)]
    pub last_seen_at: Option<String>,
    /// The playlist assigned (null while cloning or with none).
    #[schema(value_type = Option<i64>)]
    pub playlist_id: Option<PlaylistId>,
    pub playlist_name: Option<String>,
    /// The client's player whose content this one shows (only on the cloning side).
    pub clone_of: Option<i64>,
    pub clone_of_name: Option<String>,
    #[schema(value_type = String, example = "landscape")]
    pub orientation: Orientation,
    /// 0 to 100.
    pub volume: i64,
    /// Seconds between polls (5 to 3600).
    pub poll_interval_s: i64,
    /// The player license bound to it (dealers' and customers' players).
    #[schema(value_type = Option<i64>)]
    pub license_id: Option<LicenseId>,
    pub license_state: Option<String>,
    /// The version the device last reported showing.
    pub reported_version: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[serde(skip)]
    pub last_seen_ms: Option<i64>,
}

/// Players online and offline, for the account in view.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct PlayerCounts {
    pub own_online: i64,
    pub own_offline: i64,
    pub clients_online: i64,
    pub clients_offline: i64,
}

impl PlayerCounts {
    pub fn online(&self) -> i64 {
        self.own_online + self.clients_online
    }
    pub fn offline(&self) -> i64 {
        self.own_offline + self.clients_offline
    }
}

pub const SHOWS: &[&str] = &["own", "clients"];
pub const STATES: &[&str] = &["online", "offline"];
pub(crate) const SORTS: [(&str, &str); 5] = [
    ("name", "p.name"),
    ("model", "m.name"),
    ("owner", "o.name"),
    ("last_seen", "COALESCE(p.last_seen_at, 0)"),
    ("created", "p.created_at"),
];

fn show_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(SHOWS)
}
fn state_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(STATES)
}
fn sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&SORTS.map(|(k, _)| k))
}
fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

/// The filters of the Players list.
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlayerFilter {
    /// `own` (the account in view's own devices) or `clients` (every player of the accounts
    /// below). Default: `clients` for the operator, `own` for the others.
    #[param(schema_with = show_values)]
    pub show: Option<String>,
    /// Only players `online` or `offline`.
    #[param(schema_with = state_values)]
    pub state: Option<String>,
    /// Part of the name, player ID, MAC or owner, any case.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Sort key (default name).
    #[param(schema_with = sort_values)]
    pub sort: Option<String>,
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl PlayerFilter {
    pub fn list_params(&self) -> ListParams {
        ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
    pub fn sort(&self) -> AppResult<Sort> {
        self.list_params().sort(&SORTS, false)
    }
    /// True for "devices of clients".
    pub fn clients(&self, operator: bool) -> AppResult<bool> {
        match blank(&self.show) {
            None => Ok(operator),
            Some("own") => Ok(false),
            Some("clients") => Ok(true),
            Some(_) => Err(AppError::validation("show", "Show own or clients")),
        }
    }
    /// Some(true) online only, Some(false) offline only.
    pub fn online(&self) -> AppResult<Option<bool>> {
        match blank(&self.state) {
            None => Ok(None),
            Some("online") => Ok(Some(true)),
            Some("offline") => Ok(Some(false)),
            Some(_) => Err(AppError::validation(
                "state",
                "State must be online or offline",
            )),
        }
    }
}

/// The operator connects a player to a partner (or reseller) by the MAC address it sent in.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ConnectPlayer {
    /// The partner or reseller it belongs to.
    #[schema(value_type = Option<i64>, nullable = false)]
    pub account_id: Option<AccountId>,
    /// In any common notation: aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff, aabbccddeeff.
    #[schema(nullable = false, example = "00:1A:2B:3C:4D:5E")]
    pub mac: Option<String>,
    /// A compatible model of the catalogue.
    #[schema(value_type = Option<i64>, nullable = false)]
    pub model_id: Option<PlayerModelId>,
    /// Default: the model's name and the end of the MAC.
    #[schema(nullable = false)]
    pub name: Option<String>,
}

/// The "Add player" wizard: a player for a client, by its player ID.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct AddClientPlayer {
    /// The client (a dealer or customer below the account in view).
    #[schema(value_type = Option<i64>, nullable = false)]
    pub client_id: Option<AccountId>,
    /// The player ID on the device's sticker.
    #[schema(nullable = false, example = "NB4K-000123")]
    pub player_code: Option<String>,
    /// The model (only compatible ones are accepted).
    #[schema(value_type = Option<i64>, nullable = false)]
    pub model_id: Option<PlayerModelId>,
    #[schema(nullable = false, example = "Reception screen")]
    pub name: Option<String>,
}

/// A change of a player (absent fields stay). Assigning a playlist ends a clone.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct PlayerEdit {
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// A playlist of the player's owner; 0 for none.
    #[schema(value_type = Option<i64>, nullable = false)]
    pub playlist_id: Option<PlaylistId>,
    #[schema(nullable = false, value_type = String, example = "landscape")]
    pub orientation: Option<String>,
    /// 0 to 100.
    #[schema(nullable = false)]
    pub volume: Option<i64>,
    /// 5 to 3600 seconds.
    #[schema(nullable = false)]
    pub poll_interval_s: Option<i64>,
}

/// Disconnecting a player, confirmed.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct Disconnect {
    /// Must be true: the player leaves the account, its token stops, its license is freed.
    #[schema(nullable = false)]
    pub confirm: Option<bool>,
}

/// Clone a client's player onto one's own player.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct CloneSource {
    /// A player of an account below (a client's).
    #[schema(nullable = false)]
    pub source_player_id: Option<i64>,
}

/// A notice to the operator about players (added, disconnected).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlayerNotice {
    pub id: i64,
    #[schema(value_type = Option<i64>)]
    pub player_id: Option<PlayerId>,
    pub text: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub read: bool,
}

/// A MAC address in any common notation (colons, dashes, dots of Cisco, none; any case), as
/// `AA:BB:CC:DD:EE:FF`. Not a MAC, or one no device has (all zero, broadcast, multicast): refused.
pub fn normalise_mac(field: &str, v: &str) -> AppResult<String> {
    let t = v.trim();
    let bad = || {
        AppError::validation(
            field,
            format!(
                "“{}” is not a MAC address: write 12 hex digits, like 00:1A:2B:3C:4D:5E",
                t.chars().take(40).collect::<String>()
            ),
        )
    };
    if t.is_empty() {
        return Err(AppError::validation(field, "MAC address is required"));
    }
    if t.len() > 40 {
        return Err(bad());
    }
    let hex: String = t
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    // The separators must be one of the usual patterns, not anywhere.
    let seps: String = t.chars().filter(|c| !c.is_ascii_hexdigit()).collect();
    let groups: Vec<usize> = t
        .split([':', '-', '.'])
        .map(|g| g.len())
        .collect::<Vec<_>>();
    let pattern_ok = seps.is_empty()
        || (seps == ":::::" && groups.iter().all(|g| *g == 2))
        || (seps == "-----" && groups.iter().all(|g| *g == 2))
        || (seps == ".." && groups.iter().all(|g| *g == 4));
    if !pattern_ok {
        return Err(bad());
    }
    let up = hex.to_ascii_uppercase();
    let first = u8::from_str_radix(&up[0..2], 16).map_err(|_| bad())?;
    if up == "000000000000" || up == "FFFFFFFFFFFF" || first & 1 == 1 {
        return Err(AppError::validation(
            field,
            format!("{t} is not the address of a device (all zero, broadcast or multicast)"),
        ));
    }
    Ok(up
        .as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap_or("00"))
        .collect::<Vec<_>>()
        .join(":"))
}

/// A player ID as printed: 4 to 40 letters, digits and dashes, kept upper case.
pub fn player_code(field: &str, v: &str) -> AppResult<String> {
    let t = v.trim().to_ascii_uppercase();
    if t.is_empty() {
        return Err(AppError::validation(field, "Player ID is required"));
    }
    if !(4..=40).contains(&t.len()) || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::validation(
            field,
            "A player ID has 4 to 40 letters, digits and dashes, as on the device's sticker",
        ));
    }
    Ok(t)
}

/// A model's player-ID prefix: 2 to 12 letters, digits or dashes, upper case.
pub fn id_prefix(field: &str, v: &str) -> AppResult<String> {
    let t = v.trim().to_ascii_uppercase();
    if !(2..=12).contains(&t.len()) || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::validation(
            field,
            "A prefix has 2 to 12 letters, digits or dashes",
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_in_every_common_notation_are_one() {
        for v in [
            "00:1a:2b:3c:4d:5e",
            "00-1A-2B-3C-4D-5E",
            "001a.2b3c.4d5e",
            "001A2B3C4D5E",
            " 00:1A:2B:3C:4D:5E ",
        ] {
            assert_eq!(normalise_mac("mac", v).unwrap(), "00:1A:2B:3C:4D:5E", "{v}");
        }
        for bad in [
            "",
            "00:1A:2B:3C:4D",
            "00:1A:2B:3C:4D:5G",
            "001A2B3C4D5E6F",
            "00:1A-2B:3C:4D:5E",
            "0:01A:2B:3C:4D:5E",
            "00:00:00:00:00:00",
            "FF:FF:FF:FF:FF:FF",
            "01:00:5E:00:00:01",
            "hello",
        ] {
            assert!(normalise_mac("mac", bad).is_err(), "{bad} accepted");
        }
        assert_eq!(player_code("p", " nb4k-0001 ").unwrap(), "NB4K-0001");
        assert!(player_code("p", "a b").is_err());
    }
}
