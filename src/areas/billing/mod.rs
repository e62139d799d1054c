//! Subscriptions, invoices, reminders, suspension and purge, payments (operator and webhook), the data export.

pub mod api;
pub mod figures;
pub mod forget;
pub mod invoices;
pub mod on_demand;
pub mod pages;
pub mod partner_pages;
pub mod payments;
pub mod rules;
pub mod scan;

pub use figures::*;
pub use invoices::*;
pub use on_demand::*;
pub use payments::*;
pub use rules::*;
pub use scan::*;

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// An invoice.
    pub struct InvoiceId for ["invoice"];
}

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

/// A partner (or reseller) whose billing the operator handles on demand.
pub const BILLED_PARTNER: Resource = Resource {
    kind: "partner",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM accounts WHERE id = $1 AND kind IN ('partner', 'reseller') AND status <> 'deleted'",
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
