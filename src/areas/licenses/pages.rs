//! Pages of licenses: the overview (totals as tiles and a stacked bar per type, each number a
//! link to the list filtered by exactly that type and state; quick actions), the list with its
//! filters, sort, pages, bulk changes and CSV, a license with its actions, deletion.

use crate::areas::accounts::pages::after;
use crate::areas::licenses;
use crate::areas::licenses::{License, LicenseFilter, LicenseState, LicenseType, Totals};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
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
    get "/licenses/overview" => overview, A::SignedIn;
    post "/licenses/bulk" => bulk_submit, A::SignedIn;
    post "/licenses/settings" => settings_submit, A::Operator(Need::Admin);
    post "/licenses/package-limits" => limits_submit, A::Operator(Need::Admin);
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
            holder_id: num("holder_id", &self.holder_id)?,
            state: opt(&self.state),
            starts_at: opt(&self.starts_at),
            ends_at: opt(&self.ends_at),
            seats: num("seats", &self.seats)?,
            bound_to: opt(&self.bound_to),
            partner_name: opt(&self.partner_name),
            owner_name: opt(&self.owner_name),
            owner_email: opt(&self.owner_email),
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
    // A filter that breaks a rule shows the whole list with the reason.
    let (list, f, filter_error) = match licenses::list(state, who, &f).await {
        Ok(l) => (l, f, String::new()),
        Err(e @ AppError::Validation { .. }) => (
            licenses::list(state, who, &LicenseFilter::default()).await?,
            LicenseFilter::default(),
            e.public_message(),
        ),
        Err(e) => return Err(e),
    };
    Ok(ListTpl {
        layout: Layout::for_user(state, who, headers, "Licenses", "licenses").await?,
        base_query: filter_query(&f),
        f,
        list,
        holders: holders(state, who).await?,
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
    match r {
        Ok(l) => Ok(redirect_with_flash(
            &format!("/licenses/{}", l.id),
            &format!(
                "The {} license for {} was created.",
                l.license_type.label().to_lowercase(),
                l.holder_name
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

/// One tile or bar segment: a count and the list it links to.
pub struct Cell {
    pub state: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    /// Where the segment starts and how wide it is in the bar (percent of the type's total).
    pub x: f64,
    pub w: f64,
}

pub struct Row {
    pub license_type: &'static str,
    pub label: &'static str,
    pub total: i64,
    pub href: String,
    pub cells: Vec<Cell>,
}

fn rows_of(t: &Totals) -> Vec<Row> {
    t.types
        .iter()
        .map(|ty| {
            let mut x = 0.0;
            let cells = ty
                .states
                .iter()
                .map(|c| {
                    let w = if ty.total > 0 {
                        c.count as f64 * 100.0 / ty.total as f64
                    } else {
                        0.0
                    };
                    let cell = Cell {
                        state: c.state.as_str(),
                        label: c.state.label(),
                        count: c.count,
                        href: format!("/licenses?type={}&state={}", ty.license_type, c.state),
                        x,
                        w,
                    };
                    x += w;
                    cell
                })
                .collect();
            Row {
                license_type: ty.license_type.as_str(),
                label: ty.license_type.label(),
                total: ty.total,
                href: format!("/licenses?type={}", ty.license_type),
                cells,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "licenses/overview.html")]
struct OverviewTpl {
    layout: Layout,
    view_name: String,
    totals: Totals,
    rows: Vec<Row>,
    can_write: bool,
    is_operator_admin: bool,
    reminder_days: i64,
    /// The operator's packages and their limits per type.
    packages: Vec<(i64, String, Vec<licenses::TypeLimit>)>,
    /// Quick actions that fit the account in view: (type, label).
    quick: Vec<(&'static str, &'static str)>,
}

pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let view = access::account(&state, &who, who.view_account_id, Need::Read).await?;
    let totals = licenses::totals(&state, &who).await?;
    let quick = [
        ("development", "+ Partner development"),
        ("partner", "+ Partner profile"),
        ("agent", "+ Agent"),
        ("login", "+ Login"),
        ("player", "+ Player"),
    ]
    .into_iter()
    .filter(|(t, _)| {
        LicenseType::parse(t).is_some_and(|t| licenses::holder_kinds(t).contains(&view.kind))
    })
    .collect();
    let is_operator_admin =
        view.kind == Kind::Operator && access::allows(access::effective_role(&who), Need::Admin);
    let t = OverviewTpl {
        layout: Layout::for_user(&state, &who, &headers, "License totals", "licenses").await?,
        view_name: view.name.clone(),
        rows: rows_of(&totals),
        totals,
        can_write: access::allows(access::effective_role(&who), Need::Write),
        is_operator_admin,
        reminder_days: licenses::reminder_days(&state).await?,
        packages: if is_operator_admin {
            package_limits(&state).await?
        } else {
            Vec::new()
        },
        quick,
    };
    show(&state, &t, &t.layout)
}

async fn package_limits(
    state: &AppState,
) -> Result<Vec<(i64, String, Vec<licenses::TypeLimit>)>, AppError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM packages WHERE status = 'active' ORDER BY name, id")
            .fetch_all(&state.db.pool)
            .await?;
    let mut out = Vec::new();
    for (id, name) in rows {
        out.push((id, name, licenses::package_limits(state, id).await?));
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
pub struct LimitForm {
    #[serde(default)]
    package_id: String,
    #[serde(rename = "type", default)]
    license_type: String,
    #[serde(default)]
    max_licenses: String,
    #[serde(default)]
    max_seats: String,
}

pub async fn limits_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<LimitForm>,
) -> PageResult {
    let num = |field: &str, v: &str| -> Result<Option<i64>, AppError> {
        match v.trim() {
            "" => Ok(None),
            t => t.parse().map(Some).map_err(|_| {
                AppError::validation(
                    field,
                    "Write a whole number, or leave it empty for no limit",
                )
            }),
        }
    };
    let r = async {
        let pkg = num("package_id", &f.package_id)?
            .ok_or_else(|| AppError::validation("package_id", "Choose a package"))?;
        let t = licenses::parse_type("type", &f.license_type)?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM packages WHERE id = $1")
            .bind(pkg)
            .fetch_optional(&state.db.pool)
            .await?;
        if exists.is_none() {
            return Err(AppError::validation("package_id", "No such package"));
        }
        let limit = licenses::TypeLimit {
            license_type: t,
            max_licenses: num("max_licenses", &f.max_licenses)?,
            max_seats: num("max_seats", &f.max_seats)?,
        };
        licenses::set_package_limits(&state, &who, pkg, &[limit]).await
    }
    .await;
    after(&state, r, "/licenses/overview", |_| {
        "The package's license limits were saved.".to_string()
    })
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
            licenses::reach(&state, &who, *id, Need::Write).await?;
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

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    reminder_days: Option<String>,
}

pub async fn settings_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<SettingsForm>,
) -> PageResult {
    let days = f
        .reminder_days
        .as_deref()
        .and_then(|d| d.trim().parse().ok());
    let r = licenses::set_settings(
        &state,
        &who,
        &licenses::LicenseSettings {
            reminder_days: days,
        },
    )
    .await;
    after(&state, r, "/licenses/overview", |s| {
        format!(
            "Owners are now reminded {} day(s) before a license ends.",
            s.reminder_days.unwrap_or_default()
        )
    })
}

#[derive(Template)]
#[template(path = "licenses/license.html")]
struct LicenseTpl {
    layout: Layout,
    l: License,
    can_write: bool,
    can_admin: bool,
}

pub async fn license_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let l = licenses::reach(&state, &who, id, Need::Read).await?;
    let role = access::effective_role(&who);
    let t = LicenseTpl {
        layout: Layout::for_user(&state, &who, &headers, "License", "licenses").await?,
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
    PageId(id): PageId,
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
    PageId(id): PageId,
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
    PageId(id): PageId,
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
