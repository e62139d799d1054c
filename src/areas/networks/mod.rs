//! Dealer and reseller networks: My dealers, package limits, reseller settings, the partner directory, reseller links.

pub mod api;
pub mod dealers;
pub mod limits;
pub mod link_api;
pub mod link_pages;
pub mod links;
pub mod pages;
pub mod settings;

pub use dealers::*;
pub use limits::*;
pub use links::*;
pub use settings::*;
