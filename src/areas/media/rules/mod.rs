//! The rules of players: the operator's catalogue of models, connecting a partner's player by
//! MAC, the "Add player" wizard (a player for a client, with a pending player license), the
//! list with own devices and devices of clients, editing, cloning a client's player and
//! disconnecting. Each change is one transaction with its audit record; the operator hears of
//! added and disconnected players in the panel and by email.

use super::model::*;
use super::store;
use super::Orientation;
use crate::areas::accounts;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::licenses::{LicenseState, LicenseType};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::query::{paging, Page, Sql};
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;

mod cloning;
mod connect;
mod disconnect;
mod edit;
mod models;
mod notices;
mod players;
mod wizard;
pub use cloning::*;
pub use connect::*;
pub use disconnect::*;
pub use edit::*;
pub use models::*;
pub use notices::*;
pub use players::*;
pub use wizard::*;

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn required<T: Clone>(field: &str, v: &Option<T>, what: &str) -> AppResult<T> {
    v.clone()
        .ok_or_else(|| AppError::validation(field, format!("{what} is required")))
}

// ---- choices for forms ----

/// The playlists of an account (name order), for a player's edit form.
pub async fn playlists_of(state: &AppState, owner: AccountId) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM playlists WHERE owner_id = $1 ORDER BY name, id LIMIT 500",
    )
    .bind(owner)
    .fetch_all(&state.db.pool)
    .await?)
}

/// Active partners and resellers (name order), for the operator's connect form.
pub async fn partners(state: &AppState) -> AppResult<Vec<(i64, String, Kind)>> {
    Ok(sqlx::query_as(
        "SELECT id, name, kind FROM accounts WHERE kind IN ('partner', 'reseller') \
         AND status = 'active' ORDER BY name, id LIMIT 1000",
    )
    .fetch_all(&state.db.pool)
    .await?)
}
