//! Support tickets (PRODUCT.md §9, seed 000): a customer opens a ticket, the nearest partner,
//! reseller or dealer above it serves it, every account above sees it in its queue, answers
//! reach the customer from "Servicecenter", internal notes stay with the staff, and a ticket
//! left without an answer past its response time (business hours of a calendar) escalates once
//! to the operator.

pub mod api;
pub mod attachments;
pub mod escalation;
pub mod hours;
pub mod model;
pub mod pages;
pub mod rules;
pub mod settings;

pub use escalation::*;
pub use model::*;
pub use rules::*;
pub use settings::*;

use crate::kernel::access::{Need, Reach, Resource};
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

crate::id_type! {
    /// A support ticket.
    pub struct TicketId for ["ticket"];
    /// A file attached to a ticket.
    pub struct AttachmentId for ["ticket_attachment"];
}

/// The name every answer reaches the customer with, on every surface.
pub const SERVICECENTER: &str = "Servicecenter";

crate::text_enum! {
    /// Where a ticket stands: `pending` waits on the customer (the response clock pauses).
    pub enum TicketStatus {
        Open = "open",
        Pending = "pending",
        Solved = "solved",
        Closed = "closed",
    }
}

crate::text_enum! {
    pub enum Priority {
        Low = "low",
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
}

crate::text_enum! {
    pub enum Category {
        Question = "question",
        Problem = "problem",
        Billing = "billing",
        Feature = "feature",
        Other = "other",
    }
}

impl TicketStatus {
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Open => "Open",
            TicketStatus::Pending => "Pending (waiting on the customer)",
            TicketStatus::Solved => "Solved",
            TicketStatus::Closed => "Closed",
        }
    }
    /// Statuses only the serving side sets; the customer closes or reopens.
    pub fn staff_only(self) -> bool {
        matches!(self, TicketStatus::Pending | TicketStatus::Solved)
    }
}

/// A ticket: reached when its customer is the account in view or below it (the customer
/// itself, every account above it up to the operator); anyone else gets 404.
pub const TICKET: Resource = Resource {
    kind: "ticket",
    sides: &[crate::kernel::access::Side::owner(
        "SELECT customer_id AS owner_id FROM tickets WHERE id = $1",
        Reach::InView,
    )],
};

/// A ticket's internal notes: only from an account above its customer (the customer's own side
/// gets 403 from the router).
pub const TICKET_NOTES: Resource = Resource {
    kind: "ticket",
    sides: &[crate::kernel::access::Side::owner(
        "SELECT customer_id AS owner_id FROM tickets WHERE id = $1",
        Reach::Below("internal notes are for the service side only"),
    )],
};

/// A file attached to a ticket's message: reached as its ticket is (404 for anyone else; the
/// customer's side also gets 404 for an internal note's file, from the rules).
pub const TICKET_ATTACHMENT: Resource = Resource {
    kind: "ticket_attachment",
    sides: &[crate::kernel::access::Side::owner(
        "SELECT t.customer_id AS owner_id FROM ticket_attachments a JOIN tickets t ON t.id = a.ticket_id WHERE a.id = $1",
        Reach::InView,
    )],
};

/// Tickets past their response time escalate to the operator; checked every minute.
pub const JOBS: &[crate::kernel::jobs::JobKind] = &[crate::kernel::jobs::JobKind {
    kind: "ticket_escalation",
    run: |state, _| {
        Box::pin(async move {
            escalation::scan(state)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    },
    every_ms: Some(60_000),
}];

/// Support in the menu of every kind: customers see their tickets, the others their queue; the
/// badge counts tickets waiting for this side.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "overview",
    id: "tickets",
    label: "Support",
    href: "/tickets",
    active_on: &["tickets"],
    kinds: &[
        Kind::Operator,
        Kind::Partner,
        Kind::Reseller,
        Kind::Dealer,
        Kind::Customer,
    ],
    need: Need::Read,
    while_acting: true,
    badge: Some(waiting_badge),
}];

fn waiting_badge(scope: &crate::kernel::http::menu::BadgeScope<'_>) -> crate::kernel::query::Sql {
    rules::badge(scope)
}
