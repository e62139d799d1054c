//! The dashboard of the account in view.

pub mod api;
pub mod pages;
