//! Registration from the plans page, partnership requests and their history, My partners.

pub mod api;
pub mod pages;
pub mod partners;
pub mod rules;

pub use partners::*;
pub use rules::*;
