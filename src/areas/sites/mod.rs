//! Sites and probes (PRODUCT.md §7, seed 004): a customer account has sites (name, address,
//! time zone, notes); a probe is a monitoring agent installed at a site. A site hands out
//! enrollment codes (single use, expiring, revocable, kept as a hash); a probe registers with
//! one and checks in with a token of its own (kept as a hash) at the interval the panel tells
//! it, written at most once per interval; the panel shows it online, late or offline.

pub mod api;
pub mod check_ins;
pub mod model;
pub mod pages;
pub mod probe_api;
pub mod probes;
pub mod rules;
pub mod store;

pub use model::*;
pub use rules::*;

use crate::kernel::access::{Need, Reach, Resource, Side};
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

crate::id_type! {
    /// A site of a customer.
    pub struct SiteId for ["site"];
    /// A probe at a site.
    pub struct ProbeId for ["probe"];
    /// An enrollment link of a site.
    pub struct EnrollmentId for ["probe_enrollment"];
}

/// A site: reached when its customer is the account in view or below it.
pub const SITE: Resource = Resource {
    kind: "site",
    sides: &[Side::owner(
        "SELECT customer_id AS owner_id FROM sites WHERE id = $1",
        Reach::InView,
    )],
};

/// A probe: reached as its customer is.
pub const PROBE: Resource = Resource {
    kind: "probe",
    sides: &[Side::owner(
        "SELECT customer_id AS owner_id FROM probes WHERE id = $1",
        Reach::InView,
    )],
};

/// An enrollment code of a site: reached as its customer is.
pub const PROBE_ENROLLMENT: Resource = Resource {
    kind: "probe_enrollment",
    sides: &[Side::owner(
        "SELECT customer_id AS owner_id FROM probe_enrollments WHERE id = $1",
        Reach::InView,
    )],
};

/// A customer finds its own sites in the menu; the accounts above reach a customer's sites
/// from its account page.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "overview",
    id: "sites",
    label: "Sites and probes",
    href: "/accounts/{view}/sites",
    active_on: &["sites"],
    kinds: &[Kind::Customer],
    need: Need::Read,
    while_acting: true,
    badge: None,
}];
