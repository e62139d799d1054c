//! JSON API of onboarding: packages, add-ons, registration, partnership requests, My partners.

use crate::areas::catalog;
use crate::areas::catalog::AddonId;
use crate::areas::catalog::PackageId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::openapi::Items;
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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_packages,
    create_package,
    update_package,
    package_status,
    list_addons,
    create_addon,
    addon_status
))]
pub struct Doc;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllQuery {
    /// Operator only: include retired entries (ignored for anyone else).
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

#[utoipa::path(get, path = "/packages", tag = "onboarding", operation_id = "listPackages",
    summary = "The packages on offer (the operator adds ?all=true to see retired ones too)",
    security(()),
    params(AllQuery),
    responses(
        (status = 200, description = "Packages", body = Items<catalog::Package>),
        (status = 422, description = "all is not true or false (`validation_failed`, field `all`)", body = E),
    ))]
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

#[utoipa::path(post, path = "/packages", tag = "onboarding", operation_id = "createPackage",
    summary = "Create a package (operator owners and admins)",
    request_body = catalog::NewPackage,
    responses(
        (status = 201, description = "Created", body = catalog::Package),
        (status = 409, description = "Name in use by a package or add-on (`name_taken`)", body = E),
        (status = 422, description = "A required field missing, an invalid field, or a field sent as null (`validation_failed`, with `field`)", body = E),
    ))]
pub(crate) async fn create_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<catalog::NewPackage>,
) -> AppResult<(StatusCode, Json<catalog::Package>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_package(&state, &who, &body).await?),
    ))
}

#[utoipa::path(patch, path = "/packages/{id}", tag = "onboarding", operation_id = "updatePackage",
    summary = "Edit a package; partners keep it, new prices apply to the next invoice",
    params(("id" = i64, Path, description = "A package id")),
    request_body = catalog::PackageInput,
    responses(
        (status = 200, description = "Saved", body = catalog::Package),
        (status = 404, description = "No such package (`not_found`)", body = E),
        (status = 409, description = "Name in use (`name_taken`)", body = E),
        (status = 422, description = "An invalid field, or a field sent as null (`validation_failed`, with `field`)", body = E),
    ))]
pub(crate) async fn update_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PackageId>,
    ApiJson(body): ApiJson<catalog::PackageInput>,
) -> AppResult<Json<catalog::Package>> {
    Ok(Json(
        catalog::update_package(&state, &who, id, &body).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CatalogStatus)]
pub struct StatusBody {
    #[serde(default)]
    #[schema(required = true, schema_with = catalog::active_retired)]
    pub status: String,
}

#[utoipa::path(post, path = "/packages/{id}/status", tag = "onboarding", operation_id = "packageStatus",
    summary = "Retire a package (no longer offered; kept by partners that have it) or offer it again",
    params(("id" = i64, Path, description = "A package id")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "Saved", body = catalog::Package),
        (status = 404, description = "No such package (`not_found`)", body = E),
        (status = 422, description = "Status must be active or retired (`validation_failed`)", body = E),
    ))]
pub(crate) async fn package_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PackageId>,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<catalog::Package>> {
    Ok(Json(
        catalog::set_package_status(&state, &who, id, body.status.trim()).await?,
    ))
}

#[utoipa::path(get, path = "/addons", tag = "onboarding", operation_id = "listAddons",
    summary = "The add-ons on offer (?all=true for the operator)",
    security(()),
    params(AllQuery),
    responses(
        (status = 200, description = "Add-ons", body = Items<catalog::Addon>),
        (status = 422, description = "all is not true or false (`validation_failed`, field `all`)", body = E),
    ))]
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

#[utoipa::path(post, path = "/addons", tag = "onboarding", operation_id = "createAddon",
    summary = "Create an add-on (operator owners and admins)",
    request_body = catalog::AddonInput,
    responses(
        (status = 201, description = "Created", body = catalog::Addon),
        (status = 409, description = "Name in use (`name_taken`)", body = E),
        (status = 422, description = "A required field missing, an invalid field, or a field sent as null (`validation_failed`, with `field`)", body = E),
    ))]
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

#[utoipa::path(post, path = "/addons/{id}/status", tag = "onboarding", operation_id = "addonStatus",
    summary = "Retire an add-on or offer it again",
    params(("id" = i64, Path, description = "An add-on id")),
    request_body = StatusBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "No such add-on (`not_found`)", body = E),
        (status = 422, description = "Status must be active or retired (`validation_failed`)", body = E),
    ))]
pub(crate) async fn addon_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AddonId>,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<StatusCode> {
    catalog::set_addon_status(&state, &who, id, body.status.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}
