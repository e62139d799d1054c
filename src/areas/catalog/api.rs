//! JSON API of onboarding: packages, add-ons, registration, partnership requests, My partners.

use crate::areas::catalog;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Extension, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    get "/packages" => list_packages, A::Public;
    post "/packages" => create_package, A::Operator(Need::Admin);
    patch "/packages/{id}" => update_package, A::On(&crate::areas::catalog::PACKAGE, Need::Admin);
    post "/packages/{id}/status" => package_status, A::On(&crate::areas::catalog::PACKAGE, Need::Admin);
    get "/addons" => list_addons, A::Public;
    post "/addons" => create_addon, A::Operator(Need::Admin);
    post "/addons/{id}/status" => addon_status, A::On(&crate::areas::catalog::ADDON, Need::Admin);
}

#[derive(Deserialize, Default)]
pub struct AllQuery {
    /// Operator only: include retired entries.
    pub all: Option<bool>,
}

/// `?all=true` counts only for the operator; everyone else sees what is on offer.
pub(crate) async fn include_retired(
    state: &AppState,
    q: &AllQuery,
    who: Option<crate::kernel::Identity>,
) -> bool {
    match (q.all, who) {
        (Some(true), Some(who)) => access::operator(state, &who, Need::Read).await.is_ok(),
        _ => false,
    }
}

pub(crate) async fn list_packages(
    State(state): State<AppState>,
    Extension(crate::kernel::http::MaybeIdentity(who)): Extension<
        crate::kernel::http::MaybeIdentity,
    >,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let all = include_retired(&state, &q, who).await;
    Ok(Json(
        json!({ "items": catalog::packages(&state, all).await? }),
    ))
}

pub(crate) async fn create_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<catalog::PackageInput>,
) -> AppResult<(StatusCode, Json<catalog::Package>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_package(&state, &who, &body).await?),
    ))
}

pub(crate) async fn update_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<catalog::PackageInput>,
) -> AppResult<Json<catalog::Package>> {
    Ok(Json(
        catalog::update_package(&state, &who, id, &body).await?,
    ))
}

#[derive(Deserialize)]
pub struct StatusBody {
    #[serde(default)]
    pub status: String,
}

pub(crate) async fn package_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<catalog::Package>> {
    Ok(Json(
        catalog::set_package_status(&state, &who, id, body.status.trim()).await?,
    ))
}

pub(crate) async fn list_addons(
    State(state): State<AppState>,
    Extension(crate::kernel::http::MaybeIdentity(who)): Extension<
        crate::kernel::http::MaybeIdentity,
    >,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let all = include_retired(&state, &q, who).await;
    Ok(Json(
        json!({ "items": catalog::addons(&state, all).await? }),
    ))
}

pub(crate) async fn create_addon(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<catalog::AddonInput>,
) -> AppResult<(StatusCode, Json<catalog::Addon>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_addon(&state, &who, &body).await?),
    ))
}

pub(crate) async fn addon_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<StatusCode> {
    catalog::set_addon_status(&state, &who, id, body.status.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}
