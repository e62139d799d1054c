//! Integration tests: the real panel over HTTP, on SQLite by default and on PostgreSQL when
//! TEST_DATABASE_URL is set.

mod answers;
mod support;

mod access_matrix;
mod audit_sides;
mod auth;
mod billing;
mod billing_on_demand;
pub mod browser;
mod browser_layout;
mod browser_lists;
mod browser_tables;
mod closing_ties;
mod contract;
mod dashboard;
mod dashboard_browser;
mod data_export;
mod decided_by;
mod error_codes;
mod fixes;
mod forms;
mod hostile;
mod jobs;
pub mod layout;
mod licenses;
mod licenses_browser;
mod licenses_more;
mod lists;
pub mod networks;
mod onboarding;
mod operations;
mod panel_forms;
mod panel_tables;
mod platform;
mod profile;
mod release_notes;
mod requests;
mod search;
mod sessions;
mod signin;
mod tables;
mod ticket_attachments;
mod ticket_badges;
mod tickets;
mod tickets_browser;
pub mod tree;
