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

use crate::kernel::access::{Reach, Resource, Side};

/// An invoice of the account in view or of one below it.
pub const INVOICE: Resource = Resource {
    kind: "invoice",
    sides: &[Side::owner(
        "SELECT account_id AS owner_id FROM invoices WHERE id = $1",
        Reach::InView,
    )],
};

/// An invoice as the operator registers its payment.
pub const INVOICE_TO_PAY: Resource = Resource {
    kind: "invoice",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM invoices WHERE id = $1",
        Reach::Operator,
    )],
};

/// The billing cycle is looked at every minute: reminders, suspensions, purges.
pub const JOBS: &[crate::kernel::jobs::JobKind] = &[crate::kernel::jobs::JobKind {
    kind: "billing_scan",
    run: |state, _| {
        Box::pin(async move {
            scan::scan(state)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    },
    every_ms: Some(60_000),
}];

use crate::kernel::access::Need;
use crate::kernel::http::menu::{MenuEntry, ALL_KINDS};

/// The menu entries of this area.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "billing",
    id: "billing",
    label: "Billing",
    href: "/billing",
    active_on: &["billing"],
    kinds: ALL_KINDS,
    need: Need::Read,
    while_acting: true,
    badge: None,
}];
