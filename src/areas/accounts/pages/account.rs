//! An account's page: its details, its logins table, and the table's sort.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;

impl AccountTpl {
    fn add_href(&self) -> String {
        format!("/accounts/{}/new", self.a.id)
    }
}

impl AccountTpl {
    fn is(&self, a: Option<&str>, b: &str) -> bool {
        is(a, b)
    }
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
    my_login_id: LoginId,
    /// A sort or page cursor of the children that was not understood, and what is shown instead.
    notice: Option<String>,
}

pub async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageQuery(f): PageQuery<ListFilter>,
    PageQuery(lq): PageQuery<LoginSortParams>,
) -> PageResult {
    let a = accounts::load(&state, id).await?;
    let mut f = f;
    // A sort of the logins that is not understood: by name, as by default.
    let login_sort = logins::LoginSortQuery {
        sort: lq.lsort.clone(),
        dir: lq.ldir.clone(),
        ..Default::default()
    }
    .sort()
    .or_else(|_| logins::LoginSortQuery::default().sort())?;
    let path = format!("/accounts/{}", a.id);
    // The page's reads are independent once the account is known: at once, each on its own
    // connection.
    let (layout, (_, children, notice), login_list, crumbs, counts) = tokio::try_join!(
        Layout::for_user(&state, &who, &headers, &a.name, "accounts"),
        list_or_default_sort(&state, &who, a.id, true, &mut f),
        logins::list_for_account(&state, &who, a.id, &login_sort, lq.lpage, lq.lper_page),
        async {
            accounts::path(&state.db, a.id, who.view_account_id)
                .await
                .map_err(AppError::from)
        },
        async {
            accounts::counts_below(&state.db, a.id)
                .await
                .map_err(AppError::from)
        },
    )?;
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
        crumbs,
        logins: login_list.items,
        login_table,
        counts,
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
