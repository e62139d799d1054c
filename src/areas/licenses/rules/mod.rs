//! Creating licenses (within the package, a partner license with its partner account and
//! owner login), switching them on and off, renewing, deleting, and the same in bulk.

use super::model::{get, parse_state, parse_type, reach, License};
use super::totals::{bump, moved};
use super::{LicenseState, LicenseType};
use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Backend;
use crate::kernel::enums::{Kind, Role};
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Deserialize;
use sqlx::Row as _;

mod changes;
mod create;
pub use changes::*;
pub use create::*;

/// A new license. `type` is required; the holder is the account in view unless named. A
/// partner license creates its partner (`partner_name`, `owner_name`, `owner_email`) below the
/// holder named (or the account in view), and is held by that new partner.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct NewLicense {
    #[serde(rename = "type", default)]
    #[schema(rename = "type", required = true, example = "login")]
    pub license_type: String,
    /// The account that holds it: the account in view or one below (default: in view).
    #[schema(value_type = Option<i64>, nullable = false)]
    pub holder_id: Option<AccountId>,
    /// `active` (default) or `pending` (waits for an activation).
    #[schema(nullable = false)]
    pub state: Option<String>,
    /// A day (2026-12-01) or a time (RFC 3339); default now.
    #[schema(nullable = false)]
    pub starts_at: Option<String>,
    /// A day or a time after the start; empty or absent: no end.
    #[schema(nullable = false)]
    pub ends_at: Option<String>,
    /// Login and agent licenses: seats, 1 or more (default 1), at most what the package allows.
    #[schema(nullable = false)]
    pub seats: Option<i64>,
    /// What it is bound to (a player, a machine); empty for none.
    #[schema(nullable = false)]
    pub bound_to: Option<String>,
    #[schema(nullable = false)]
    pub partner_name: Option<String>,
    #[schema(nullable = false)]
    pub owner_name: Option<String>,
    #[schema(nullable = false)]
    pub owner_email: Option<String>,
    /// A login license: the login it entitles, created with it on the holder (owners and
    /// admins of the holder; the login gets its sign-in by email). Absent: no login is made.
    #[schema(nullable = false, example = "anna@cafe.example")]
    pub login_email: Option<String>,
    /// The new login's name (required with `login_email`).
    #[schema(nullable = false)]
    pub login_name: Option<String>,
    /// The new login's role: owner, admin, member (default) or viewer.
    #[schema(nullable = false)]
    pub login_role: Option<String>,
}

/// Who may hold a license of each type.
pub fn holder_kinds(t: LicenseType) -> &'static [Kind] {
    match t {
        // A partner license is held by the partner it creates, below one of these.
        LicenseType::Development | LicenseType::Partner => {
            &[Kind::Operator, Kind::Partner, Kind::Reseller]
        }
        LicenseType::Agent | LicenseType::Login => {
            &[Kind::Partner, Kind::Reseller, Kind::Dealer, Kind::Customer]
        }
        LicenseType::Player => &[Kind::Dealer, Kind::Customer],
    }
}

/// The kinds an account of `kind` may have anywhere below it (none for a customer).
pub fn kinds_below(kind: Kind) -> Vec<Kind> {
    let mut out: Vec<Kind> = accounts::allowed_children(kind).to_vec();
    let mut i = 0;
    while i < out.len() {
        for k in accounts::allowed_children(out[i]) {
            if !out.contains(k) {
                out.push(*k);
            }
        }
        i += 1;
    }
    out
}

/// The license types that accounts of an account's subtree (itself included) may hold: a
/// customer never sees development or partner licenses it cannot have.
pub fn types_in_subtree(kind: Kind) -> Vec<LicenseType> {
    let mut kinds = kinds_below(kind);
    kinds.push(kind);
    LicenseType::ALL
        .iter()
        .copied()
        .filter(|t| holder_kinds(*t).iter().any(|k| kinds.contains(k)))
        .collect()
}

/// The quick actions of an account of `kind`: (type, label), for the types it may hold itself
/// (a partner license: the types below which it creates the partner).
pub fn quick_actions(kind: Kind) -> Vec<(&'static str, &'static str)> {
    [
        (LicenseType::Development, "+ Partner development"),
        (LicenseType::Partner, "+ Partner profile"),
        (LicenseType::Agent, "+ Agent"),
        (LicenseType::Login, "+ Login"),
        (LicenseType::Player, "+ Player"),
    ]
    .into_iter()
    .filter(|(t, _)| holder_kinds(*t).contains(&kind))
    .map(|(t, l)| (t.as_str(), l))
    .collect()
}

/// A day (its first millisecond, UTC) or a time.
pub fn parse_when(field: &str, v: &str) -> AppResult<i64> {
    let v = v.trim();
    if v.len() == 10 {
        validate::day(field, v)
    } else {
        validate::time(field, v)
    }
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn end_after_start(starts: i64, ends: Option<i64>) -> AppResult<()> {
    match ends {
        Some(e) if e <= starts => Err(AppError::validation(
            "ends_at",
            "The end must come after the start",
        )),
        _ => Ok(()),
    }
}
