//! Pages of the account tree: search, account detail, children, logins, status, deletion,
//! acting as another account, and the audit log.

use crate::areas::accounts;
use crate::areas::accounts::acting;
use crate::areas::accounts::logins;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::ListFilter;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::AccountStatus;
use crate::kernel::error::{AppError, ErrorCode};
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{plain, sortable, Sort, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::State,
    http::HeaderMap,
    response::{Html, IntoResponse},
};
use serde::Deserialize;

mod account;
mod actions;
mod switcher;
pub use account::*;
pub use actions::*;
pub use switcher::*;

crate::route_table! { ROUTES, routes;
    get "/accounts" => accounts_page, A::SignedIn;
    get "/accounts/{id}" => account_page, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/bulk" => super::bulk_pages::bulk_submit, A::SignedIn;
    post "/accounts/{id}" => account_update, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    get "/accounts/{id}/new" => super::add_pages::child_new, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    post "/accounts/{id}/children" => super::add_pages::child_create, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    post "/accounts/{id}/status" => status_submit, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    get "/accounts/{id}/delete" => delete_page, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    post "/accounts/{id}/delete" => delete_submit, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    get "/accounts/{id}/logins/new" => super::add_pages::login_new, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    post "/accounts/{id}/logins" => super::add_pages::login_create, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    post "/logins/{id}" => login_update, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
    post "/logins/{id}/delete" => login_delete, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
    post "/act-as" => act_as_start, A::SignedIn;
    post "/act-as/exit" => act_as_exit, A::SignedIn;
    post "/act-as/renew" => act_as_renew, A::SignedIn;
    get "/switcher" => switcher, A::SignedIn;
    get "/audit" => super::audit_pages::audit_page, A::SignedIn;
    get "/audit.csv" => super::audit_pages::audit_csv, A::SignedIn;
}

/// After a form: success goes back with a message; a rule broken goes back with the reason;
/// not found / not allowed / internal show the error page.
pub(crate) fn after<T>(
    state: &AppState,
    r: Result<T, AppError>,
    back: &str,
    ok: impl FnOnce(T) -> String,
) -> PageResult {
    let secure = state.config.secure_cookies;
    match r {
        Ok(v) => Ok(redirect_with_flash(back, &ok(v), secure)),
        Err(
            e @ (AppError::Validation { .. }
            | AppError::Fields(_)
            | AppError::Conflict { .. }
            | AppError::BadRequest { .. }),
        ) => Ok(redirect_with_flash(
            back,
            &format!("!{}", e.public_message()),
            secure,
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/accounts.html")]
struct AccountsTpl {
    layout: Layout,
    view: Account,
    f: ListFilter,
    list: Page<Account>,
    table: Table,
    can_act_rows: bool,
    /// Bulk actions (admins and up).
    can_bulk: bool,
    /// A sort or direction that was not understood and is ignored.
    notice: Option<String>,
    /// The kinds the account in view may add ("Add customer", "Add subscriber").
    add_kinds: &'static [accounts::Kind],
    add_label: &'static str,
}

/// The table of an account list (the Accounts page, the children of an account).
fn account_table(id: &'static str, path: &str, f: &ListFilter, list: &accounts::Listed) -> Table {
    let key = match f.sort.as_deref() {
        Some("created") => "created",
        Some("kind") => "kind",
        Some("status") => "status",
        _ => "name",
    };
    let sort = Sort {
        key,
        column: "",
        desc: f.dir.as_deref() == Some("desc"),
    };
    Table::new(
        id,
        path,
        &[
            ("q", f.q.as_deref()),
            ("kind", f.kind.as_deref()),
            ("status", f.status.as_deref()),
        ],
        vec![
            sortable("Name", "name"),
            sortable("Kind", "kind"),
            sortable("Status", "status"),
            sortable("Created", "created"),
            plain(""),
        ],
        &sort,
        &list.page,
    )
    .with_cursors(list.next_after.clone(), list.prev_before.clone())
}

/// Lists with a sort or direction not understood: the list sorted as by default, and a message.
async fn list_or_default_sort(
    state: &AppState,
    who: &crate::kernel::Identity,
    root: AccountId,
    children_only: bool,
    f: &mut ListFilter,
) -> Result<(Account, accounts::Listed, Option<String>), AppError> {
    match accounts::list_with_root(state, who, root, children_only, f).await {
        Err(AppError::Validation { field, message }) if field == "sort" || field == "dir" => {
            f.sort = None;
            f.dir = None;
            f.after = None;
            f.before = None;
            let (a, p) = accounts::list_with_root(state, who, root, children_only, f).await?;
            Ok((
                a,
                p,
                Some(format!("{message}: the list is sorted by name instead.")),
            ))
        }
        // A page cursor that cannot be read (an old or edited link): the first page, said so.
        Err(AppError::Field {
            code: ErrorCode::CursorInvalid,
            ..
        }) => {
            f.after = None;
            f.before = None;
            f.page = None;
            let (a, p) = accounts::list_with_root(state, who, root, children_only, f).await?;
            Ok((
                a,
                p,
                Some(
                    "This page link is out of date or was changed: the first page is shown.".into(),
                ),
            ))
        }
        r => r.map(|(a, p)| (a, p, None)),
    }
}

impl AccountsTpl {
    /// The page of the add action.
    fn add_href(&self) -> String {
        format!("/accounts/{}/new", self.view.id)
    }
}

/// The label of the add action for an account of `kind`.
pub(crate) fn add_label(kind: &str) -> &'static str {
    match kind {
        "dealer" => "Add subscriber",
        "partner" | "reseller" => "Add customer",
        "operator" => "Add account",
        _ => "",
    }
}

/// Template helper: is this option the one chosen?
pub fn is(a: Option<&str>, b: &str) -> bool {
    a == Some(b)
}

impl AccountsTpl {
    fn is(&self, a: Option<&str>, b: &str) -> bool {
        is(a, b)
    }
}

pub async fn accounts_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(mut f): PageQuery<ListFilter>,
) -> PageResult {
    let (view, list, notice) =
        list_or_default_sort(&state, &who, who.view_account_id, false, &mut f).await?;
    let layout =
        Layout::for_user_in(&state, &who, &headers, "Accounts", "accounts", view.clone()).await?;
    let role = access::effective_role(&who);
    let can_bulk = access::allows(role, Need::Admin);
    let add_kinds = if view.status == "active" && access::allows(role, Need::Write) {
        accounts::allowed_children(view.kind)
    } else {
        &[]
    };
    let t = AccountsTpl {
        layout,
        table: account_table("account-list", "/accounts", &f, &list).with_select(can_bulk),
        add_label: add_label(view.kind.as_str()),
        add_kinds,
        view,
        notice,
        f,
        list: list.page,
        can_bulk,
        can_act_rows: who.acting_as.is_none() && access::allows(who.login.role, Need::Admin),
    };
    show(&state, &t, &t.layout)
}
