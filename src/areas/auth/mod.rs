//! Sign-in and sign-out, sessions, API tokens, My profile.

pub mod api;
pub mod pages;
pub mod rules;

pub use rules::*;
