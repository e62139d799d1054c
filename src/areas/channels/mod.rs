//! A partner's channels and their followers (customers below it, or below its linked resellers).

pub mod api;
pub mod pages;
pub mod rules;

pub use rules::*;
