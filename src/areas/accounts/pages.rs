//! Pages of the account tree: search, account detail, children, logins, status, deletion,
//! acting as another account, and the audit log.

use crate::areas::accounts;
use crate::areas::accounts::acting;
use crate::areas::accounts::logins;
use crate::areas::accounts::Account;
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
    root: i64,
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

impl AccountTpl {
    fn add_href(&self) -> String {
        format!("/accounts/{}/new", self.a.id)
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

impl AccountTpl {
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

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountTpl {
    layout: Layout,
    a: Account,
    crumbs: Vec<Account>,
    children: Page<Account>,
    f: ListFilter,
    table: Table,
    logins: Vec<logins::Login>,
    /// The logins' table: its headers sort by `lsort` and `ldir`, beside the children's.
    login_table: Table,
    counts: Vec<accounts::KindCount>,
    child_kinds: &'static [accounts::Kind],
    /// The empty state's add action (the kinds this login may add here, and its label).
    add_kinds: &'static [accounts::Kind],
    add_label: &'static str,
    is_view: bool,
    can_write: bool,
    can_admin: bool,
    can_act: bool,
    can_act_rows: bool,
    my_login_id: i64,
    /// A sort or page cursor of the children that was not understood, and what is shown instead.
    notice: Option<String>,
}

pub async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageQuery(f): PageQuery<ListFilter>,
    PageQuery(lq): PageQuery<LoginSortParams>,
) -> PageResult {
    let a = accounts::load(&state, id).await?;
    let layout = Layout::for_user(&state, &who, &headers, &a.name, "accounts").await?;
    let mut f = f;
    let (_, children, notice) = list_or_default_sort(&state, &who, a.id, true, &mut f).await?;
    // A sort of the logins that is not understood: by name, as by default.
    let login_sort = logins::LoginSortQuery {
        sort: lq.lsort.clone(),
        dir: lq.ldir.clone(),
        ..Default::default()
    }
    .sort()
    .or_else(|_| logins::LoginSortQuery::default().sort())?;
    let path = format!("/accounts/{}", a.id);
    let login_list =
        logins::list_for_account(&state, &who, a.id, &login_sort, lq.lpage, lq.lper_page).await?;
    let login_table = login_table(&path, &f, &login_sort, &login_list);
    // What the children's table keeps in its links of the logins' table: the sort chosen and
    // the page shown.
    let mut login_params: Vec<(String, String)> = Vec::new();
    if lq.lsort.is_some() || lq.ldir.is_some() {
        login_params.push(("lsort".into(), login_sort.key.to_string()));
        login_params.push((
            "ldir".into(),
            if login_sort.desc { "desc" } else { "asc" }.to_string(),
        ));
    }
    if login_list.page > 1 {
        login_params.push(("lpage".into(), login_list.page.to_string()));
    }
    if lq.lper_page.is_some() {
        login_params.push(("lper_page".into(), login_list.per_page.to_string()));
    }
    let role = access::effective_role(&who);
    let child_kinds = if a.status == AccountStatus::Active {
        accounts::allowed_children(a.kind)
    } else {
        &[]
    };
    let t = AccountTpl {
        layout,
        add_kinds: if access::allows(role, Need::Write) {
            child_kinds
        } else {
            &[]
        },
        add_label: add_label(a.kind.as_str()),
        child_kinds,
        crumbs: accounts::path(&state.db, a.id, who.view_account_id).await?,
        logins: login_list.items,
        login_table,
        counts: accounts::counts_below(&state.db, a.id).await?,
        is_view: a.id == who.view_account_id,
        can_write: access::allows(role, Need::Write),
        can_admin: access::allows(role, Need::Admin),
        can_act: who.acting_as.is_none()
            && a.id != who.home_account_id
            && access::allows(who.login.role, Need::Admin),
        can_act_rows: who.acting_as.is_none() && access::allows(who.login.role, Need::Admin),
        my_login_id: who.login.id,
        notice,
        table: keep_login_params(
            account_table("account-list", &path, &f, &children),
            login_params,
        ),
        f,
        children: children.page,
        a,
    };
    show(&state, &t, &t.layout)
}

/// The sort and page of an account's logins on its page (`lsort`, `ldir`, `lpage`,
/// `lper_page`: the children's table uses `sort`, `dir`, `page` and `per_page`).
#[derive(Deserialize, Default)]
pub struct LoginSortParams {
    lsort: Option<String>,
    ldir: Option<String>,
    lpage: Option<i64>,
    lper_page: Option<i64>,
}

/// The logins' table of an account page: sortable headers that keep the children's filters,
/// sort and page, and come back to the logins.
fn login_table(path: &str, f: &ListFilter, sort: &Sort, list: &Page<logins::Login>) -> Table {
    let per_page = f.per_page.map(|n| n.to_string());
    let page = f.page.map(|n| n.to_string());
    Table::new(
        "login-list",
        path,
        &[
            ("q", f.q.as_deref()),
            ("kind", f.kind.as_deref()),
            ("status", f.status.as_deref()),
            ("sort", f.sort.as_deref()),
            ("dir", f.dir.as_deref()),
            ("per_page", per_page.as_deref()),
            ("page", page.as_deref()),
            ("after", f.after.as_deref()),
            ("before", f.before.as_deref()),
        ],
        vec![
            sortable("Name", "name"),
            sortable("Email", "email"),
            sortable("Role", "role"),
            sortable("Dashboard", "dashboard"),
            sortable("Status", "status"),
            plain(""),
        ],
        sort,
        list,
    )
    .with_sort_params("lsort", "ldir")
    .with_page_params("lpage", "lper_page")
    .with_anchor("logins")
}

/// The children's table keeps the logins' sort and page chosen on the page in its links.
fn keep_login_params(mut t: Table, login_params: Vec<(String, String)>) -> Table {
    t.filters.extend(login_params);
    t
}

pub async fn account_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<accounts::AccountUpdate>,
) -> PageResult {
    let r = accounts::update(&state, &who, id, &form).await;
    after(&state, r, &format!("/accounts/{id}"), |a| {
        format!("{} was saved.", a.name)
    })
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn status_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<StatusForm>,
) -> PageResult {
    let r = accounts::set_status(&state, &who, id, form.status.trim()).await;
    after(&state, r, &format!("/accounts/{id}"), |a| {
        if a.status == AccountStatus::Active {
            format!(
                "{} is active again: its logins and those below it can sign in.",
                a.name
            )
        } else {
            format!("{} is inactive: its logins and every login below it are signed out and cannot sign in.", a.name)
        }
    })
}

#[derive(Template)]
#[template(path = "accounts/delete_account.html")]
struct DeleteTpl {
    layout: Layout,
    p: accounts::DeletionPreview,
}

pub async fn delete_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let p = accounts::deletion_preview(&state, &who, id).await?;
    let layout = Layout::for_user(&state, &who, &headers, "Delete account", "accounts").await?;
    let t = DeleteTpl { layout, p };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    confirm_accounts: Option<i64>,
}

pub async fn delete_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<DeleteForm>,
) -> PageResult {
    let parent = accounts::get(&state.db, id)
        .await
        .ok()
        .flatten()
        .and_then(|a| a.parent_id);
    let r = accounts::delete(&state, &who, id, form.confirm_accounts).await;
    let back = match (&r, parent) {
        (Ok(_), Some(p)) if p != -1 => format!("/accounts/{p}"),
        (Ok(_), _) => "/accounts".to_string(),
        (Err(_), _) => format!("/accounts/{id}/delete"),
    };
    after(&state, r, &back, |p| {
        if p.sites > 0 {
            format!(
                "{} was deleted with {} account(s), {} login(s), {} site(s) and {} probe(s).",
                p.account.name, p.accounts, p.logins, p.sites, p.probes
            )
        } else {
            format!(
                "{} was deleted with {} account(s) and {} login(s).",
                p.account.name, p.accounts, p.logins
            )
        }
    })
}

#[derive(Deserialize)]
pub struct LoginUpdateForm {
    role: Option<String>,
    status: Option<String>,
    dashboard_rights: Option<String>,
}

pub async fn login_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<LoginUpdateForm>,
) -> PageResult {
    let account = logins::get(&state, id)
        .await
        .ok()
        .flatten()
        .map(|l| l.account_id)
        .unwrap_or(0);
    let input = logins::LoginUpdate {
        name: None,
        role: form.role,
        status: form.status,
        dashboard_rights: Some(form.dashboard_rights.is_some()),
    };
    let r = logins::update_login(&state, &who, id, &input).await;
    after(&state, r, &format!("/accounts/{account}"), |l| {
        format!("The login {} was saved.", l.email)
    })
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

pub async fn login_delete(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<ConfirmForm>,
) -> PageResult {
    let account = logins::get(&state, id)
        .await
        .ok()
        .flatten()
        .map(|l| l.account_id)
        .unwrap_or(0);
    let r = logins::delete_login(&state, &who, id, form.confirm.as_deref() == Some("1")).await;
    after(&state, r, &format!("/accounts/{account}"), |_| {
        "The login was deleted.".to_string()
    })
}

#[derive(Deserialize)]
pub struct ActAsForm {
    account_id: Option<String>,
}

pub async fn act_as_start(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ActAsForm>,
) -> PageResult {
    let Some(Ok(target)) = form.account_id.as_deref().map(|v| v.trim().parse::<i64>()) else {
        return Err(AppError::validation("account_id", "Choose an account to act as").into());
    };
    let r = acting::start(&state, &who, target).await;
    after(&state, r, "/", |a| {
        format!("You are now acting as {}.", a.name)
    })
}

pub async fn act_as_exit(State(state): State<AppState>, PageAuth(who): PageAuth) -> PageResult {
    let r = acting::exit(&state, &who).await;
    after(&state, r, "/", |_| {
        "You are back in your own account.".to_string()
    })
}

pub async fn act_as_renew(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let back = headers
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let r = acting::renew(&state, &who).await;
    after(&state, r, &back, |_| {
        "Acting as this account was renewed for an hour.".to_string()
    })
}

#[derive(Template)]
#[template(path = "accounts/switcher.html")]
struct SwitcherTpl {
    items: Vec<Account>,
    csrf: String,
    q: String,
}

#[derive(Deserialize)]
pub struct SwitcherQuery {
    q: Option<String>,
    /// Only this kind (the dashboard's "Login as partner" box).
    kind: Option<String>,
}

/// The "Current view" switcher's results (an HTML fragment for htmx).
pub async fn switcher(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(q): PageQuery<SwitcherQuery>,
) -> PageResult {
    if who.acting_as.is_some() || !access::allows(who.login.role, Need::Admin) {
        return Ok(Html(
            "<p class=\"muted small\">Only owners and admins may act as another account.</p>",
        )
        .into_response());
    }
    let f = ListFilter {
        q: q.q.clone(),
        kind: q.kind.clone().filter(|k| !k.is_empty()),
        per_page: Some(10),
        ..Default::default()
    };
    // An HTML fragment for htmx: an error is a fragment too, not the error page.
    match accounts::list(&state, &who, who.home_account_id, false, &f).await {
        Ok(page) => {
            let t = SwitcherTpl {
                items: page.page.items,
                csrf: who.csrf_token().to_string(),
                q: q.q.unwrap_or_default(),
            };
            let html = t
                .render()
                .map_err(|e| AppError::Internal(format!("template: {e}")))?;
            Ok(Html(html).into_response())
        }
        Err(e) => Ok((
            e.status(),
            Html(format!(
                "<p class=\"error\">{}</p>",
                askama_escape(&e.public_message())
            )),
        )
            .into_response()),
    }
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
