//! The kernel: what every area uses and no area owns. It knows no area.
//!
//! Database and migrations, the HTTP pipeline (request ids, identity, CSRF, the route table and
//! its enforcement, extractors, page layout and errors, assets, metrics, the OpenAPI document),
//! access, errors, audit, jobs, the outbox, CSV, validation and secrets.

pub mod access;
pub mod audit;
pub mod audit_phrases;
pub mod csv;
pub mod db;
pub mod enums;
pub mod error;
pub mod http;
pub mod identity;
pub mod ids;
pub mod jobs;
pub mod notify;
pub mod query;
pub mod secrets;
pub mod test_clock;
pub mod validate;

pub use identity::{AuthVia, Identity};
