//! The panel's menu: each area declares its entries beside its routes (a `MENU` const in its
//! `mod.rs`), `crate::areas::menu()` collects them, and the layout keeps those the account in
//! view and the login's role there can use. The kernel knows no area: only the shape of an entry.

use crate::kernel::access::{self, Need};
use crate::kernel::enums::Kind;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use futures_util::future::BoxFuture;

/// A count shown beside an entry (e.g. requests waiting for a decision); one query.
pub type Badge = for<'a> fn(&'a AppState, &'a Identity) -> BoxFuture<'a, AppResult<i64>>;

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

/// The menu for this login and account in view, with its badges counted.
pub async fn build(
    state: &AppState,
    who: &Identity,
    kind: Kind,
    view_id: i64,
    nav: &str,
    groups: &[MenuGroup],
    entries: &[&'static MenuEntry],
) -> AppResult<Vec<MenuSection>> {
    let mut out = Vec::new();
    for g in groups {
        let mut items = Vec::new();
        for e in entries
            .iter()
            .filter(|e| e.group == g.key && e.offered_to(who, kind))
        {
            let badge = match e.badge {
                Some(count) => count(state, who).await?,
                None => 0,
            };
            items.push(MenuItem {
                id: e.id,
                label: e.label,
                href: e.href.replace("{view}", &view_id.to_string()),
                active: !nav.is_empty() && e.active_on.contains(&nav),
                badge,
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
    Ok(out)
}
