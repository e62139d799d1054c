//! The panel's menu: each area declares its entries beside its routes (a `MENU` const in its
//! `mod.rs`), `crate::areas::menu()` collects them, and the layout keeps those the account in
//! view and the login's role there can use. The kernel knows no area: only the shape of an entry.

use crate::kernel::access::{self, Need};
use crate::kernel::enums::Kind;
use crate::kernel::query::Sql;
use crate::kernel::Identity;

/// What a badge counts for: the login and the account in view.
pub struct BadgeScope<'a> {
    pub who: &'a Identity,
    /// The account in view.
    pub id: i64,
    /// The kind of the account in view.
    pub kind: Kind,
    /// The account in view's path in the tree (`/1/5/`).
    pub path: &'a str,
}

/// A count shown beside an entry (e.g. requests waiting for a decision): a scalar subquery
/// (`SELECT COUNT(*) …`). The layout reads every badge of a page, with the brand, in one
/// statement, so a page costs the same number of statements whatever its menu holds.
pub type Badge = fn(&BadgeScope<'_>) -> Sql;

/// Every kind of account.
pub const ALL_KINDS: &[Kind] = &[
    Kind::Operator,
    Kind::Partner,
    Kind::Reseller,
    Kind::Dealer,
    Kind::Customer,
];

/// A group of the menu, in the order the menu shows them.
pub struct MenuGroup {
    pub key: &'static str,
    pub label: &'static str,
}

/// One entry of the menu.
pub struct MenuEntry {
    /// The group it is shown in (a `MenuGroup::key`).
    pub group: &'static str,
    /// The element id is `nav-<id>`; tests and people's bookmarks lean on it.
    pub id: &'static str,
    pub label: &'static str,
    /// Where it goes; `{view}` is replaced by the id of the account in view.
    pub href: &'static str,
    /// The `Layout::nav` values of the pages that mark this entry as the current one.
    pub active_on: &'static [&'static str],
    /// The kinds of account in view that have it.
    pub kinds: &'static [Kind],
    /// What the login's role in view must allow.
    pub need: Need,
    /// Offered while acting as another account (no for what is a login's own: profile, tokens).
    pub while_acting: bool,
    pub badge: Option<Badge>,
}

impl MenuEntry {
    /// Whether the account in view (of this kind) and the login's role there can use it.
    pub fn offered_to(&self, who: &Identity, kind: Kind) -> bool {
        self.kinds.contains(&kind)
            && access::allows(access::effective_role(who), self.need)
            && (self.while_acting || who.acting_as.is_none())
    }
}

/// An entry as the layout shows it.
pub struct MenuItem {
    pub id: &'static str,
    pub label: &'static str,
    pub href: String,
    pub active: bool,
    pub badge: i64,
}

/// A group as the layout shows it (only groups with entries).
pub struct MenuSection {
    pub key: &'static str,
    pub label: &'static str,
    pub items: Vec<MenuItem>,
    /// Holds the current page: a collapsed menu opens on it.
    pub current: bool,
}

/// The menu for this login and account in view; its badges are still to be counted.
pub struct MenuPlan {
    pub sections: Vec<MenuSection>,
    /// The badges to count: (section, item) and the subquery that counts it.
    pub badges: Vec<((usize, usize), Sql)>,
}

impl MenuPlan {
    /// Puts the counts (in the order of `badges`) beside their entries.
    pub fn fill(mut self, counts: &[i64]) -> Vec<MenuSection> {
        for (((s, i), _), n) in self.badges.iter().zip(counts) {
            self.sections[*s].items[*i].badge = *n;
        }
        self.sections
    }
}

/// The menu for this login and account in view (`scope`), with what counts its badges.
pub fn build(
    scope: &BadgeScope<'_>,
    nav: &str,
    groups: &[MenuGroup],
    entries: &[&'static MenuEntry],
) -> MenuPlan {
    let view_id = scope.id.to_string();
    let mut out = Vec::new();
    let mut badges = Vec::new();
    for g in groups {
        let mut items = Vec::new();
        for e in entries
            .iter()
            .filter(|e| e.group == g.key && e.offered_to(scope.who, scope.kind))
        {
            if let Some(count) = e.badge {
                badges.push(((out.len(), items.len()), count(scope)));
            }
            items.push(MenuItem {
                id: e.id,
                label: e.label,
                href: e.href.replace("{view}", &view_id),
                active: !nav.is_empty() && e.active_on.contains(&nav),
                badge: 0,
            });
        }
        if !items.is_empty() {
            let current = items.iter().any(|i| i.active);
            out.push(MenuSection {
                key: g.key,
                label: g.label,
                items,
                current,
            });
        }
    }
    MenuPlan {
        sections: out,
        badges,
    }
}
