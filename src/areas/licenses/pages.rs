//! Pages of licenses: the overview (totals as tiles and a stacked bar per type, each number a
//! link to the list filtered by exactly that type and state; quick actions), the list with its
//! filters, sort, pages, bulk changes and CSV, a license with its actions, deletion.

use crate::areas::accounts::pages::after;
use crate::areas::accounts::AccountId;
use crate::areas::licenses;
use crate::areas::licenses::LicenseId;
use crate::areas::licenses::{License, LicenseFilter, LicenseState, LicenseType};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::url_encode;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/licenses" => list_page, A::SignedIn;
    post "/licenses" => create_submit, A::SignedIn;
    get "/licenses.csv" => list_csv, A::SignedIn;
    get "/licenses/overview" => super::overview::overview, A::SignedIn;
    post "/licenses/bulk" => bulk_submit, A::SignedIn;
    post "/licenses/settings" => super::overview::settings_submit, A::Operator(Need::Admin);
    post "/licenses/package-limits" => super::overview::limits_submit, A::Operator(Need::Admin);
    get "/licenses/{id}" => license_page, A::On(&crate::areas::licenses::LICENSE, Need::Read);
    post "/licenses/{id}/change" => change_submit, A::On(&crate::areas::licenses::LICENSE, Need::Write);
    get "/licenses/{id}/delete" => delete_page, A::On(&crate::areas::licenses::LICENSE, Need::Admin);
    post "/licenses/{id}/delete" => delete_submit, A::On(&crate::areas::licenses::LICENSE, Need::Admin);
}

/// The create form as typed (numbers as text, so a wrong one is a field error, not a 400).
#[derive(Clone, Debug, Deserialize, Default)]
pub struct LicenseForm {
    #[serde(rename = "type", default)]
    pub license_type: String,
    #[serde(default)]
    pub holder_id: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub seats: String,
    #[serde(default)]
    pub bound_to: String,
    #[serde(default)]
    pub partner_name: String,
    #[serde(default)]
    pub owner_name: String,
    #[serde(default)]
    pub owner_email: String,
    #[serde(default)]
    pub login_email: String,
    #[serde(default)]
    pub login_name: String,
    #[serde(default)]
    pub login_role: String,
}

fn opt(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|v| !v.is_empty())
}

impl LicenseForm {
    fn to_input(&self) -> Result<licenses::NewLicense, AppError> {
        let num = |field: &str, v: &str| -> Result<Option<i64>, AppError> {
            match v.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| {
                    AppError::validation(field, format!("{field} must be a whole number"))
                }),
            }
        };
        Ok(licenses::NewLicense {
            license_type: self.license_type.clone(),
            holder_id: (num("holder_id", &self.holder_id)?).map(AccountId),
            state: opt(&self.state),
            starts_at: opt(&self.starts_at),
            ends_at: opt(&self.ends_at),
            seats: num("seats", &self.seats)?,
            bound_to: opt(&self.bound_to),
            partner_name: opt(&self.partner_name),
            owner_name: opt(&self.owner_name),
            owner_email: opt(&self.owner_email),
            login_email: opt(&self.login_email),
            login_name: opt(&self.login_name),
            login_role: opt(&self.login_role),
        })
    }
}

const FORM_FIELDS: &[&str] = &[
    "type",
    "holder_id",
    "state",
    "starts_at",
    "ends_at",
    "seats",
    "bound_to",
    "partner_name",
    "owner_name",
    "owner_email",
    "login_email",
    "login_name",
    "login_role",
];

#[derive(Template)]
#[template(path = "licenses/list.html")]
struct ListTpl {
    layout: Layout,
    f: LicenseFilter,
    list: Page<License>,
    base_query: String,
    holders: Vec<(i64, String)>,
    can_write: bool,
    form: LicenseForm,
    error: Option<(String, String)>,
    filter_error: String,
}

impl ListTpl {
    fn err_for(&self, field: &str) -> String {
        match &self.error {
            Some((f, m)) if f == field => m.clone(),
            _ => String::new(),
        }
    }
    fn general_err(&self) -> String {
        match &self.error {
            Some((f, m)) if !FORM_FIELDS.contains(&f.as_str()) => m.clone(),
            _ => String::new(),
        }
    }
    fn is(&self, a: Option<&str>, b: &str) -> bool {
        a == Some(b)
    }
    fn types(&self) -> &'static [&'static str] {
        LicenseType::TEXTS
    }
    fn states(&self) -> &'static [&'static str] {
        LicenseState::TEXTS
    }
    fn sort_link(&self, col: &str) -> String {
        let dir = if self.f.sort.as_deref().unwrap_or("ends_at") == col
            && self.f.dir.as_deref() != Some("desc")
        {
            "desc"
        } else {
            "asc"
        };
        let mut f = self.f.clone();
        f.sort = Some(col.into());
        f.dir = Some(dir.into());
        f.page = None;
        format!("/licenses?{}", filter_query(&f))
    }
}

/// The filter as a query string (without its page).
fn filter_query(f: &LicenseFilter) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("q", &f.q),
        ("type", &f.license_type),
        ("state", &f.state),
        ("holder_id", &f.holder_id),
        ("ends_from", &f.ends_from),
        ("ends_to", &f.ends_to),
        ("sort", &f.sort),
        ("dir", &f.dir),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", url_encode(v)));
        }
    }
    if let Some(p) = f.per_page {
        parts.push(format!("per_page={p}"));
    }
    parts.join("&")
}

/// The account in view and up to 200 accounts directly below it (by name, from the index),
/// for the holder choice; deeper holders are reached by acting as the account above them.
async fn holders(state: &AppState, who: &Identity) -> Result<Vec<(i64, String)>, AppError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, name, kind FROM accounts WHERE id = $1 UNION ALL \
         SELECT * FROM (SELECT id, name, kind FROM accounts WHERE parent_id = $1 \
         AND status <> 'deleted' ORDER BY name, id LIMIT 200) x",
    )
    .bind(who.view_account_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind)| (id, format!("{name} ({kind})")))
        .collect())
}

async fn list_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    f: LicenseFilter,
) -> Result<ListTpl, AppError> {
    // The list, the layout and the holder choice read at once (each on its own connection):
    // the page waits for the slowest of them, not for their sum.
    let (listed, layout, holders) = tokio::try_join!(
        async { Ok::<_, AppError>(licenses::list(state, who, &f).await) },
        Layout::for_user(state, who, headers, "Licenses", "licenses"),
        holders(state, who),
    )?;
    // A filter that breaks a rule shows the whole list with the reason.
    let (list, f, filter_error) = match listed {
        Ok(l) => (l, f, String::new()),
        Err(e @ AppError::Validation { .. }) => (
            licenses::list(state, who, &LicenseFilter::default()).await?,
            LicenseFilter::default(),
            e.public_message(),
        ),
        Err(e) => return Err(e),
    };
    Ok(ListTpl {
        layout,
        base_query: filter_query(&f),
        f,
        list,
        holders,
        can_write: access::allows(access::effective_role(who), Need::Write),
        form: LicenseForm::default(),
        error: None,
        filter_error,
    })
}

pub async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<LicenseFilter>,
) -> PageResult {
    let mut t = list_view(&state, &who, &headers, f).await?;
    // A quick action opens the form with its type chosen.
    if let Some(new) = uri.query().and_then(|q| {
        q.split('&')
            .find_map(|p| p.strip_prefix("new="))
            .and_then(LicenseType::parse)
    }) {
        t.form.license_type = new.as_str().to_string();
    }
    show(&state, &t, &t.layout)
}

pub async fn create_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<LicenseForm>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let r = match form.to_input() {
        Ok(input) => licenses::create(&state, &who, &input).await,
        Err(e) => Err(e),
    };
    let with_login = !form.login_email.trim().is_empty();
    match r {
        Ok(l) => Ok(redirect_with_flash(
            &format!("/licenses/{}", l.id),
            &format!(
                "The {} license for {} was created{}.",
                l.license_type.label().to_lowercase(),
                l.holder_name,
                if with_login {
                    format!(
                        ", with the login {} (its sign-in goes out by email)",
                        l.bound_to
                    )
                } else {
                    String::new()
                }
            ),
            secure,
        )),
        // The form again, with the reason beside the field; 404 (holder out of reach) too.
        Err(e @ (AppError::Validation { .. } | AppError::Conflict { .. } | AppError::NotFound)) => {
            let mut t = list_view(&state, &who, &headers, LicenseFilter::default()).await?;
            let field = match &e {
                AppError::NotFound => "holder_id",
                other => other.field().unwrap_or(""),
            };
            let message = match &e {
                AppError::NotFound => "No such account in view or below".to_string(),
                other => other.public_message(),
            };
            t.error = Some((field.to_string(), message));
            t.form = form;
            Ok(render(e.status(), &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn list_csv(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<LicenseFilter>,
) -> PageResult {
    let rx = licenses::list_csv(&state, &who, &f).await?;
    Ok(crate::kernel::http::csv_stream_response("licenses.csv", rx))
}

#[derive(Template)]
#[template(path = "licenses/bulk_confirm.html")]
struct BulkTpl {
    layout: Layout,
    action: String,
    ids: Vec<i64>,
    ends_at: String,
    back: String,
}

pub async fn bulk_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut ids = Vec::new();
    for (k, v) in &pairs {
        if k == "ids" {
            match v.trim().parse::<i64>() {
                Ok(id) => ids.push(id),
                Err(_) => {
                    return Err(AppError::validation("ids", "License ids are whole numbers").into())
                }
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let b = licenses::BulkChange {
        action: get("action"),
        ids: ids.clone(),
        ends_at: opt(&get("ends_at")),
        confirm: get("confirm").trim().parse().ok(),
    };
    let back = opt(&get("back"))
        .filter(|b| b.starts_with("/licenses"))
        .unwrap_or_else(|| "/licenses".into());
    if b.confirm.is_none() {
        // First step: check what would change, then ask with the number.
        let check = licenses::Change::parse(&b.action, b.ends_at.as_deref()).and_then(|_| {
            if ids.is_empty() {
                Err(AppError::validation("ids", "Choose at least one license"))
            } else {
                Ok(())
            }
        });
        if let Err(e) = check {
            return after(&state, Err::<(), _>(e), &back, |_| String::new());
        }
        for id in &ids {
            licenses::reach(&state, &who, LicenseId(*id), Need::Write).await?;
        }
        let t = BulkTpl {
            layout: Layout::for_user(&state, &who, &headers, "Confirm", "licenses").await?,
            action: b.action.clone(),
            ids,
            ends_at: b.ends_at.clone().unwrap_or_default(),
            back: back.clone(),
        };
        return show(&state, &t, &t.layout);
    }
    let r = licenses::bulk(&state, &who, &b).await;
    after(&state, r, &back, |r| {
        let done = match r.action.as_str() {
            "activate" => "activated",
            "deactivate" => "deactivated",
            _ => "renewed",
        };
        format!("{} license(s) {done}.", r.changed)
    })
}

#[derive(Template)]
#[template(path = "licenses/license.html")]
struct LicenseTpl {
    layout: Layout,
    l: License,
    can_write: bool,
    can_admin: bool,
    /// Held by the account in view: switched off only from above.
    own: bool,
}

pub async fn license_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LicenseId>,
) -> PageResult {
    let l = licenses::reach(&state, &who, id, Need::Read).await?;
    let role = access::effective_role(&who);
    let t = LicenseTpl {
        layout: Layout::for_user(&state, &who, &headers, "License", "licenses").await?,
        own: l.holder_id == who.view_account_id,
        l,
        can_write: access::allows(role, Need::Write),
        can_admin: access::allows(role, Need::Admin),
    };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize, Default)]
pub struct ChangeForm {
    #[serde(default)]
    action: String,
    ends_at: Option<String>,
}

pub async fn change_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LicenseId>,
    PageForm(f): PageForm<ChangeForm>,
) -> PageResult {
    let back = format!("/licenses/{id}");
    let r = match licenses::Change::parse(&f.action, f.ends_at.as_deref()) {
        Ok(c) => licenses::change(&state, &who, id, &c).await,
        Err(e) => Err(e),
    };
    after(&state, r, &back, |l| {
        format!(
            "The license is {}{}.",
            l.state,
            l.ends_at
                .as_deref()
                .map(|e| format!(", until {}", &e[..10.min(e.len())]))
                .unwrap_or_default()
        )
    })
}

#[derive(Template)]
#[template(path = "licenses/delete.html")]
struct DeleteTpl {
    layout: Layout,
    l: License,
}

pub async fn delete_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LicenseId>,
) -> PageResult {
    let l = licenses::reach(&state, &who, id, Need::Admin).await?;
    let t = DeleteTpl {
        layout: Layout::for_user(&state, &who, &headers, "Delete license", "licenses").await?,
        l,
    };
    show(&state, &t, &t.layout)
}

pub async fn delete_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LicenseId>,
) -> PageResult {
    let r = licenses::delete(&state, &who, id).await;
    after(&state, r, "/licenses", |l| {
        format!(
            "The {} license of {} was deleted.",
            l.license_type.label().to_lowercase(),
            l.holder_name
        )
    })
}
