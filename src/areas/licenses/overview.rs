//! The licenses overview: totals as tiles and a stacked bar per type (each number a link to the
//! list filtered by exactly that type and state), quick actions that fit the account in view,
//! and for the operator the reminder setting and the package limits per type.

use crate::areas::accounts::pages::after;
use crate::areas::catalog::PackageId;
use crate::areas::licenses;
use crate::areas::licenses::Totals;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

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

pub(crate) fn rows_of(t: &Totals) -> Vec<Row> {
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
    let totals = licenses::totals(&state, &who)
        .await?
        .only(&licenses::types_in_subtree(view.kind));
    let quick = licenses::quick_actions(view.kind);
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
        out.push((
            id,
            name,
            licenses::package_limits(state, PackageId(id)).await?,
        ));
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
        licenses::set_package_limits(&state, &who, PackageId(pkg), &[limit]).await
    }
    .await;
    after(&state, r, "/licenses/overview", |_| {
        "The package's license limits were saved.".to_string()
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
