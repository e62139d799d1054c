//! The operator's catalogue: packages, add-ons and advertising packages (and a partner's impressions wallet).

pub mod ad_api;
pub mod ad_pages;
pub mod advertising;
pub mod api;
pub mod pages;
pub mod rules;

pub use rules::*;
