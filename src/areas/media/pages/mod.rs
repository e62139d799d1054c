//! Pages of players: the Players list (own devices / devices of clients, online and offline,
//! search, sort, pages), the "Add player" wizard (client, player ID and model, name), a player's
//! edit page with "Disconnect media player" and its confirmation, the Clone pop-up (pick a
//! client, then one of its players), and the operator's connect-by-MAC form and catalogue of
//! models.

use crate::areas::accounts::pages::after;
use crate::areas::media;
use crate::areas::media::{Player, PlayerFilter, PlayerModel};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{plain, sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

mod cloning;
mod connect;
mod disconnect;
mod list;
mod models;
mod player;
mod wizard;
pub use cloning::*;
pub use connect::*;
pub use disconnect::*;
pub use list::*;
pub use models::*;
pub use player::*;
pub use wizard::*;

crate::route_table! { ROUTES, routes;
    get "/players" => players_page, A::SignedIn;
    get "/players/add" => add_player_page, A::SignedIn;
    post "/players/add" => add_player_submit, A::SignedIn;
    get "/players/connect" => connect_page, A::Operator(Need::Read);
    post "/players/connect" => connect_submit, A::Operator(Need::Write);
    post "/players/notifications/read" => notices_read_submit, A::Operator(Need::Write);
    get "/players/{id}" => player_page, A::On(&crate::areas::media::PLAYER, Need::Read);
    post "/players/{id}" => player_submit, A::On(&crate::areas::media::PLAYER, Need::Write);
    get "/players/{id}/disconnect" => disconnect_page, A::On(&crate::areas::media::PLAYER, Need::Write);
    post "/players/{id}/disconnect" => disconnect_submit, A::On(&crate::areas::media::PLAYER, Need::Write);
    get "/players/{id}/clone" => clone_page, A::On(&crate::areas::media::PLAYER, Need::Write);
    post "/players/{id}/clone" => clone_submit, A::On(&crate::areas::media::PLAYER, Need::Write);
    get "/player-models" => models_page, A::Operator(Need::Read);
    post "/player-models" => model_create_submit, A::Operator(Need::Write);
    post "/player-models/{id}" => model_update_submit, A::On(&crate::areas::media::PLAYER_MODEL, Need::Write);
}

fn is_form_error(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. }
            | AppError::Fields(_)
            | AppError::Field { .. }
            | AppError::Conflict { .. }
    )
}

/// The errors of a form: a conflict (already connected) shown beside `conflict_field`.
fn errors_of(e: &AppError, known: &[&str], conflict_field: &str) -> FormErrors {
    match e {
        AppError::Conflict { message, .. } | AppError::Field { message, .. } => FormErrors {
            fields: vec![crate::kernel::error::FieldError {
                field: match e {
                    AppError::Field { field, .. } => field.clone(),
                    _ => conflict_field.to_string(),
                },
                message: message.clone(),
            }],
            general: None,
        },
        e => FormErrors::from_error(e, known),
    }
}
