//! Requests and the approval inbox: add-ons, broadcasts, advertising packages and ad campaigns asked by partners, decided once by the addressee; decision history; what end-users are shown.

pub mod api;
pub mod create;
pub mod history;
pub mod inbox;
pub mod model;
pub mod pages;

pub use create::*;
pub use history::*;
pub use inbox::*;
pub use model::*;
