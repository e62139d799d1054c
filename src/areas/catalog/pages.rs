//! Pages of onboarding: the public plans and registration form, and the operator's requests
//! inbox, decision history, packages and add-ons, and My partners.

use crate::areas::accounts::pages::after;
use crate::areas::catalog;
use crate::areas::catalog::AddonId;
use crate::areas::catalog::PackageId;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/operator/packages" => packages, A::Operator(Need::Read);
    post "/operator/packages" => package_create, A::Operator(Need::Admin);
    post "/operator/packages/{id}" => package_update, A::On(&crate::areas::catalog::PACKAGE, Need::Admin);
    post "/operator/packages/{id}/status" => package_status, A::On(&crate::areas::catalog::PACKAGE, Need::Admin);
    post "/operator/addons" => addon_create, A::Operator(Need::Admin);
    post "/operator/addons/{id}/status" => addon_status, A::On(&crate::areas::catalog::ADDON, Need::Admin);
}

#[derive(Template)]
#[template(path = "catalog/packages.html")]
pub(crate) struct PackagesTpl {
    layout: Layout,
    list: crate::kernel::query::Page<catalog::Package>,
    table: crate::kernel::http::table::Table,
    notice: Option<String>,
    addons: Vec<catalog::Addon>,
    ad_packages: Vec<crate::areas::catalog::advertising::AdPackage>,
    /// The new-package form as typed, and its errors.
    new: PackageForm,
    errors: FormErrors,
}

/// The fields of the new-package form (the price is `monthly_price` in the rules).
const PACKAGE_FIELDS: &[&str] = &[
    "name",
    "monthly_price",
    "currency",
    "trial_days",
    "max_customers",
    "max_dealers",
    "max_players",
];

impl PackagesTpl {
    /// A typed value of the new-package form, or `default` when nothing was typed yet.
    fn typed<'a>(&'a self, v: &'a Option<String>, default: &'a str) -> &'a str {
        v.as_deref().unwrap_or(default)
    }
}

async fn packages_view(
    state: &AppState,
    who: &crate::kernel::Identity,
    headers: &HeaderMap,
    new: PackageForm,
    errors: FormErrors,
    mut params: crate::kernel::http::table::ListParams,
) -> Result<PackagesTpl, AppError> {
    use crate::kernel::http::table::{plain, sortable, Table};
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) = params.sort(&catalog::PACKAGE_SORTS, false) {
        notice = Some(format!("{message}: the list is sorted by price instead."));
        params = params.without_sort();
    }
    let order = params.sort(&catalog::PACKAGE_SORTS, false)?;
    let list = catalog::packages_page(state, &params).await?;
    let table = Table::new(
        "package-list",
        "/operator/packages",
        &[],
        vec![
            sortable("Name", "name"),
            sortable("Price / month", "price"),
            sortable("Trial", "trial"),
            plain("Features"),
            plain("Limits"),
            sortable("Status", "status"),
            plain(""),
            plain(""),
        ],
        &order,
        &list,
    );
    Ok(PackagesTpl {
        layout: Layout::for_user(state, who, headers, "Packages", "packages").await?,
        list,
        table,
        notice,
        addons: catalog::addons(state, true).await?,
        ad_packages: crate::areas::catalog::advertising::packages(state, true).await?,
        new,
        errors,
    })
}

pub async fn packages(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    crate::kernel::http::PageQuery(params): crate::kernel::http::PageQuery<
        crate::kernel::http::table::ListParams,
    >,
) -> PageResult {
    let t = packages_view(
        &state,
        &who,
        &headers,
        PackageForm::default(),
        FormErrors::default(),
        params,
    )
    .await?;
    show(&state, &t, &t.layout)
}

#[derive(Deserialize, Default, Clone)]
pub struct PackageForm {
    name: Option<String>,
    /// A price such as 19.99.
    price: Option<String>,
    currency: Option<String>,
    trial_days: Option<String>,
    feature_ads: Option<String>,
    feature_hardware: Option<String>,
    feature_resellers: Option<String>,
    max_customers: Option<String>,
    max_dealers: Option<String>,
    max_players: Option<String>,
}

/// "19.99" → 1999 cents.
pub(crate) fn parse_price(v: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::validation("monthly_price", "Write the price like 19.99");
    let (whole, frac) = v.split_once(['.', ',']).unwrap_or((v, "0"));
    if frac.len() > 2
        || whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 9
    {
        return Err(bad());
    }
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(Some(whole.parse::<i64>().map_err(|_| bad())? * 100 + cents))
}

pub(crate) fn parse_int(field: &str, v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::validation(field, "Write a whole number")),
    }
}

/// The form's values as the rules take them; every value that cannot be read is named at once.
pub(crate) fn package_input(f: &PackageForm) -> Result<catalog::PackageInput, AppError> {
    let mut c = crate::kernel::validate::Collect::new();
    let input = catalog::PackageInput {
        name: f.name.clone(),
        monthly_price: c.take(parse_price(f.price.as_deref()))?,
        currency: f.currency.clone().filter(|c| !c.trim().is_empty()),
        trial_days: c.take(parse_int("trial_days", f.trial_days.as_deref()))?,
        feature_ads: Some(f.feature_ads.is_some()),
        feature_hardware: Some(f.feature_hardware.is_some()),
        feature_resellers: Some(f.feature_resellers.is_some()),
        max_customers: c
            .take(parse_int("max_customers", f.max_customers.as_deref()))?
            .map(Some),
        max_dealers: c
            .take(parse_int("max_dealers", f.max_dealers.as_deref()))?
            .map(Some),
        max_players: c
            .take(parse_int("max_players", f.max_players.as_deref()))?
            .map(Some),
    };
    c.finish()?;
    Ok(input)
}

pub async fn package_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<PackageForm>,
) -> PageResult {
    let r = match package_input(&f) {
        Ok(input) => catalog::create_package(&state, &who, &input).await,
        Err(e) => Err(e),
    };
    match r {
        // The form again, as typed, with every error beside its field.
        Err(
            e @ (AppError::Validation { .. } | AppError::Fields(_) | AppError::Conflict { .. }),
        ) => {
            let errors = FormErrors::from_error(&e, PACKAGE_FIELDS);
            let t = packages_view(&state, &who, &headers, f, errors, Default::default()).await?;
            Ok(crate::kernel::http::layout::render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        r => after(&state, r, "/operator/packages", |p| {
            format!("The package {} was created.", p.name)
        }),
    }
}

pub async fn package_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PackageId>,
    PageForm(f): PageForm<PackageForm>,
) -> PageResult {
    let r = match package_input(&f) {
        Ok(input) => catalog::update_package(&state, &who, id, &input).await,
        Err(e) => Err(e),
    };
    after(&state, r, "/operator/packages", |p| {
        format!("The package {} was saved.", p.name)
    })
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn package_status(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PackageId>,
    PageForm(f): PageForm<StatusForm>,
) -> PageResult {
    let r = catalog::set_package_status(&state, &who, id, f.status.trim()).await;
    after(&state, r, "/operator/packages", |p| {
        format!("The package {} is {}.", p.name, p.status)
    })
}

#[derive(Deserialize)]
pub struct AddonForm {
    name: Option<String>,
    description: Option<String>,
    price: Option<String>,
    currency: Option<String>,
}

pub async fn addon_create(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<AddonForm>,
) -> PageResult {
    let r = match parse_price(f.price.as_deref()) {
        Ok(price) => {
            let input = catalog::AddonInput {
                name: f.name,
                description: f.description,
                monthly_price: price,
                currency: f.currency.filter(|c| !c.trim().is_empty()),
            };
            catalog::create_addon(&state, &who, &input).await
        }
        Err(e) => Err(e),
    };
    after(&state, r, "/operator/packages", |a| {
        format!("The add-on {} was created.", a.name)
    })
}

pub async fn addon_status(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AddonId>,
    PageForm(f): PageForm<StatusForm>,
) -> PageResult {
    let r = catalog::set_addon_status(&state, &who, id, f.status.trim()).await;
    after(&state, r, "/operator/packages", |_| {
        "The add-on was saved.".into()
    })
}
