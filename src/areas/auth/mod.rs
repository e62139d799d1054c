//! Sign-in and sign-out, sessions, API tokens, My profile.

pub mod api;
pub mod pages;
pub mod rules;

pub use rules::*;

use crate::kernel::access::{Reach, Resource, Side};

/// An API token of the signed-in login itself.
pub const API_TOKEN: Resource = Resource {
    kind: "api_token",
    sides: &[Side::owner(
        "SELECT login_id AS owner_id FROM api_tokens WHERE id = $1",
        Reach::OwnLogin,
    )],
};
