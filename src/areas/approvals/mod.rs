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

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// A request in the approvals inbox.
    pub struct RequestId for ["request"];
}

const ASKER: &str = "SELECT account_id AS owner_id FROM requests WHERE id = $1";
const ADDRESSEE: &str = "SELECT addressee_id AS owner_id FROM requests WHERE id = $1";

/// A request, as its asker (the account in view or below) or its addressee sees it.
pub const REQUEST: Resource = Resource {
    kind: "request",
    sides: &[
        Side {
            name: "asker",
            owner: ASKER,
            reach: Reach::InView,
            other_party: false,
            refuse: None,
        },
        Side {
            name: "addressee",
            owner: ADDRESSEE,
            reach: Reach::View,
            other_party: true,
            refuse: None,
        },
    ],
};

/// A request on its asker's side only (withdraw).
pub const ASKED_REQUEST: Resource = Resource {
    kind: "request",
    sides: &[Side {
        name: "asker",
        owner: ASKER,
        reach: Reach::InView,
        other_party: false,
        refuse: None,
    }],
};

/// A request in the addressee's inbox: only the addressee decides; the asker's side sees it but
/// is refused.
pub const INBOX_REQUEST: Resource = Resource {
    kind: "request",
    sides: &[
        Side {
            name: "addressee",
            owner: ADDRESSEE,
            reach: Reach::View,
            other_party: false,
            refuse: None,
        },
        Side {
            name: "asker",
            owner: ASKER,
            reach: Reach::InView,
            other_party: true,
            refuse: Some(
                "this request is addressed to another account: only that account decides it",
            ),
        },
    ],
};

/// A broadcast is sent at its start.
pub const SEND_BROADCAST: &str = "send_broadcast";

pub const JOBS: &[crate::kernel::jobs::JobKind] = &[crate::kernel::jobs::JobKind {
    kind: SEND_BROADCAST,
    run: |state, job| {
        Box::pin(async move {
            let id = crate::kernel::jobs::payload_id(job, "request_id")?;
            inbox::send_broadcast(state, id)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    },
    every_ms: None,
}];

use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::{BadgeScope, MenuEntry};
use crate::kernel::query::Sql;

/// The requests waiting for the account in view, as the inbox counts them (the menu's badge):
/// `inbox::counts(…).total()` in one subquery.
fn pending_badge(scope: &BadgeScope<'_>) -> Sql {
    let mut sql = Sql::new(
        "SELECT COUNT(*) FROM requests r JOIN accounts a ON a.id = r.account_id \
         WHERE r.status = 'pending' AND a.status <> 'deleted' AND r.addressee_id = ",
    );
    sql.int(scope.id);
    if scope.kind == Kind::Operator && crate::kernel::access::require(scope.who, Need::Read).is_ok()
    {
        let mut all = Sql::new("SELECT (");
        all.append(&sql)
            .push(") + (SELECT COUNT(*) FROM partnership_requests WHERE status = 'pending')");
        return all;
    }
    sql
}

/// The menu entries of this area.
pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        group: "approvals",
        id: "inbox",
        label: "Approvals",
        href: "/inbox",
        active_on: &["inbox", "requests"],
        kinds: &[Kind::Operator, Kind::Partner],
        need: Need::Read,
        while_acting: true,
        badge: Some(pending_badge),
    },
    MenuEntry {
        group: "approvals",
        id: "my-requests",
        label: "My requests",
        href: "/requests",
        active_on: &["my-requests"],
        kinds: &[Kind::Partner, Kind::Reseller],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
    MenuEntry {
        group: "overview",
        id: "engagements",
        label: "Messages and offers",
        href: "/engagements",
        active_on: &["engagements"],
        kinds: &[Kind::Customer],
        need: Need::Read,
        while_acting: true,
        badge: None,
    },
];
