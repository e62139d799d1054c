//! The operator's catalogue: packages, add-ons and advertising packages (and a partner's impressions wallet).

pub mod ad_api;
pub mod ad_pages;
pub mod advertising;
pub mod api;
pub mod pages;
pub mod rules;

pub use rules::*;

use crate::kernel::access::{Reach, Resource, Side};

crate::id_type! {
    /// A package of the catalogue.
    pub struct PackageId for ["package"];
    /// An add-on of the catalogue.
    pub struct AddonId for ["addon"];
    /// An advertising package.
    pub struct AdPackageId for ["ad_package"];
}

/// A package of the operator's catalogue.
pub const PACKAGE: Resource = Resource {
    kind: "package",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM packages WHERE id = $1",
        Reach::Operator,
    )],
};

/// An add-on of the operator's catalogue.
pub const ADDON: Resource = Resource {
    kind: "addon",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM addons WHERE id = $1",
        Reach::Operator,
    )],
};

/// An advertising package of the operator's catalogue.
pub const AD_PACKAGE: Resource = Resource {
    kind: "ad_package",
    sides: &[Side::owner(
        "SELECT id AS owner_id FROM ad_packages WHERE id = $1",
        Reach::Operator,
    )],
};

use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::http::menu::MenuEntry;

/// The menu entries of this area.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    group: "partners",
    id: "packages",
    label: "Packages",
    href: "/operator/packages",
    active_on: &["packages"],
    kinds: &[Kind::Operator],
    need: Need::Read,
    while_acting: true,
    badge: None,
}];
