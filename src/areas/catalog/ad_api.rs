//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::catalog::advertising;
use crate::areas::catalog::AdPackageId;
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
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    get "/ad-packages" => list_ad_packages, A::Public;
    post "/ad-packages" => create_ad_package, A::Operator(Need::Admin);
    post "/ad-packages/{id}/status" => ad_package_status, A::On(&crate::areas::catalog::AD_PACKAGE, Need::Admin);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_ad_packages, create_ad_package, ad_package_status))]
pub struct Doc;

use super::api::{include_retired, AllQuery};

#[utoipa::path(get, path = "/ad-packages", tag = "requests", operation_id = "listAdPackages",
    summary = "Advertising packages on offer (?all=true for the operator)",
    security(()),
    params(AllQuery),
    responses(
        (status = 200, description = "Packages", body = Items<advertising::AdPackage>),
        (status = 422, description = "all is not true or false (`validation_failed`, field `all`)", body = E),
    ))]
pub(crate) async fn list_ad_packages(
    State(state): State<AppState>,
    axum::Extension(crate::kernel::http::MaybeIdentity(who)): axum::Extension<
        crate::kernel::http::MaybeIdentity,
    >,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let all = include_retired(&state, &q, who).await;
    Ok(Json(
        json!({ "items": advertising::packages(&state, all).await? }),
    ))
}

#[utoipa::path(post, path = "/ad-packages", tag = "requests", operation_id = "createAdPackage",
    summary = "Add an advertising package (operator owners and admins)",
    request_body = advertising::AdPackageInput,
    responses(
        (status = 201, description = "Created", body = advertising::AdPackage),
        (status = 409, description = "Name in use (`name_taken`)", body = E),
        (status = 422, description = "A required field missing, an invalid field, or a field sent as null (`validation_failed`, with `field`)", body = E),
    ))]
pub(crate) async fn create_ad_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<advertising::AdPackageInput>,
) -> AppResult<(StatusCode, Json<advertising::AdPackage>)> {
    Ok((
        StatusCode::CREATED,
        Json(advertising::create_package(&state, &who, &body).await?),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CatalogStatus)]
pub struct StatusBody {
    #[serde(default)]
    #[schema(required = true, schema_with = crate::areas::catalog::active_retired)]
    pub status: String,
}

#[utoipa::path(post, path = "/ad-packages/{id}/status", tag = "requests", operation_id = "adPackageStatus",
    summary = "Retire an advertising package or offer it again",
    params(("id" = i64, Path, description = "An advertising package id")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "Saved", body = advertising::AdPackage),
        (status = 404, description = "No such advertising package (`not_found`)", body = E),
        (status = 422, description = "Status must be active or retired (`validation_failed`)", body = E),
    ))]
pub(crate) async fn ad_package_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AdPackageId>,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<advertising::AdPackage>> {
    Ok(Json(
        advertising::set_package_status(&state, &who, id, &body.status).await?,
    ))
}
