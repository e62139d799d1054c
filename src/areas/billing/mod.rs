//! Subscriptions, invoices, reminders, suspension and purge, payments (operator and webhook), the data export.

pub mod api;
pub mod invoices;
pub mod pages;
pub mod payments;
pub mod rules;
pub mod scan;

pub use invoices::*;
pub use payments::*;
pub use rules::*;
pub use scan::*;
