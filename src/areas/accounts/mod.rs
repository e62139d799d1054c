//! The account tree: accounts, their logins, acting as an account below, the audit log pages.

pub mod acting;
pub mod api;
pub mod list;
pub mod logins;
pub mod pages;
pub mod rules;

pub use list::*;
pub use rules::*;
