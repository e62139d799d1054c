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

/// Expired sessions are removed every hour.
pub const JOBS: &[crate::kernel::jobs::JobKind] = &[crate::kernel::jobs::JobKind {
    kind: "purge_sessions",
    run: |state, _| {
        Box::pin(async move {
            rules::purge_expired_sessions(state)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    },
    every_ms: Some(3_600_000),
}];
