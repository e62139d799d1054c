//! Pages of requests: a partner's channels and requests, the approval inbox with a tab per type,
//! and the decision history with its CSV export.

use crate::areas::accounts::pages::after;
use crate::areas::catalog::advertising;
use crate::areas::catalog::AdPackageId;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    post "/operator/ad-packages" => ad_package_create, A::Operator(Need::Admin);
    post "/operator/ad-packages/{id}/status" => ad_package_status, A::On(&crate::areas::catalog::AD_PACKAGE, Need::Admin);
}

#[derive(Deserialize, Default)]
pub struct AdPackageForm {
    name: Option<String>,
    impressions: Option<String>,
    price: Option<String>,
    currency: Option<String>,
}

pub async fn ad_package_create(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<AdPackageForm>,
) -> PageResult {
    let r = async {
        let impressions = match f.impressions.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => Some(v.parse().map_err(|_| {
                AppError::validation("impressions", "Impressions must be a whole number")
            })?),
            _ => None,
        };
        let input = advertising::AdPackageInput {
            name: f.name.clone(),
            impressions,
            price: crate::areas::catalog::pages::parse_price(f.price.as_deref())?,
            currency: f.currency.clone().filter(|c| !c.trim().is_empty()),
        };
        advertising::create_package(&state, &who, &input).await
    }
    .await;
    after(&state, r, "/operator/packages", |p| {
        format!("The advertising package {} was created.", p.name)
    })
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn ad_package_status(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AdPackageId>,
    PageForm(f): PageForm<StatusForm>,
) -> PageResult {
    let r = advertising::set_package_status(&state, &who, id, &f.status).await;
    after(&state, r, "/operator/packages", |p| {
        format!("The advertising package {} is now {}.", p.name, p.status)
    })
}
