//! JSON API of licenses: the list of the account in view and below (filters, sort, pages, CSV),
//! creation, state changes, renewal, deletion, bulk changes, totals, the reminder setting and
//! the package limits per type.

use crate::areas::catalog::PackageId;
use crate::areas::licenses;
use crate::areas::licenses::LicenseId;
use crate::areas::licenses::{License, LicenseFilter};
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::csv_stream_response;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/licenses" => list, A::SignedIn;
    post "/licenses" => create, A::SignedIn;
    get "/licenses.csv" => list_csv, A::SignedIn;
    get "/licenses/totals" => totals, A::SignedIn;
    post "/licenses/bulk" => bulk, A::SignedIn;
    get "/licenses/settings" => get_settings, A::Operator(Need::Read);
    put "/licenses/settings" => put_settings, A::Operator(Need::Admin);
    get "/licenses/{id}" => get_one, A::On(&crate::areas::licenses::LICENSE, Need::Read);
    post "/licenses/{id}/activate" => activate, A::On(&crate::areas::licenses::LICENSE, Need::Write);
    post "/licenses/{id}/deactivate" => deactivate, A::On(&crate::areas::licenses::LICENSE, Need::Write);
    post "/licenses/{id}/renew" => renew, A::On(&crate::areas::licenses::LICENSE, Need::Write);
    delete "/licenses/{id}" => delete, A::On(&crate::areas::licenses::LICENSE, Need::Admin);
    get "/packages/{id}/license-limits" => get_limits, A::On(&crate::areas::catalog::PACKAGE, Need::Read);
    put "/packages/{id}/license-limits" => put_limits, A::On(&crate::areas::catalog::PACKAGE, Need::Admin);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    list_csv,
    totals,
    bulk,
    get_settings,
    put_settings,
    get_one,
    activate,
    deactivate,
    renew,
    delete,
    get_limits,
    put_limits
))]
pub struct Doc;

#[utoipa::path(get, path = "/licenses", tag = "licenses", operation_id = "listLicenses",
    summary = "The licenses of the account in view and below: search by holder, filters, sort, pages",
    params(LicenseFilter),
    responses(
        (status = 200, description = "Page", body = Page<License>),
        (status = 422, description = "An unknown type, state, sort or day, or a holder out of view (`validation_failed`, with `field`)", body = E),
    ))]
async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<LicenseFilter>,
) -> AppResult<Json<Page<License>>> {
    Ok(Json(licenses::list(&state, &who, &f).await?))
}

#[utoipa::path(post, path = "/licenses", tag = "licenses", operation_id = "createLicense",
    summary = "Create a license for the account in view or one below (members and up); a partner license creates its partner and owner login",
    request_body = licenses::NewLicense,
    responses(
        (status = 201, description = "Created", body = License),
        (status = 404, description = "The holder is outside your reach (`not_found`)", body = E),
        (status = 409, description = "The package's limit for this type is reached (`limit_reached`), the partner name is taken (`name_taken`), the owner email is taken (`email_taken`), or the holder is inactive (`parent_inactive`)", body = E),
        (status = 422, description = "Unknown type or state, end before start, seats below 1 or above the package, a holder of the wrong kind (`validation_failed`, with `field`)", body = E),
    ))]
async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<licenses::NewLicense>,
) -> AppResult<(StatusCode, Json<License>)> {
    Ok((
        StatusCode::CREATED,
        Json(licenses::create(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/licenses.csv", tag = "licenses", operation_id = "licensesCsv",
    summary = "The filtered licenses as CSV (UTF-8 with BOM, RFC 4180, formulas neutralised), streamed",
    params(LicenseFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 422, description = "A filter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn list_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<LicenseFilter>,
) -> AppResult<Response> {
    Ok(csv_stream_response(
        "licenses.csv",
        licenses::list_csv(&state, &who, &f).await?,
    ))
}

#[utoipa::path(get, path = "/licenses/totals", tag = "licenses", operation_id = "licenseTotals",
    summary = "Licenses per type and state in the whole subtree of the account in view (from counters)",
    responses((status = 200, description = "Totals", body = licenses::Totals)))]
async fn totals(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<licenses::Totals>> {
    Ok(Json(licenses::totals(&state, &who).await?))
}

#[utoipa::path(post, path = "/licenses/bulk", tag = "licenses", operation_id = "bulkLicenses",
    summary = "Activate, deactivate or renew many licenses at once, confirmed with their number (all or nothing)",
    request_body = licenses::BulkChange,
    responses(
        (status = 200, description = "Changed", body = licenses::BulkResult),
        (status = 404, description = "A license outside your reach (`not_found`)", body = E),
        (status = 409, description = "Deactivating a license held by the account in view, or switching one on again that was switched off from above: only an account above may (`only_from_above`)", body = E),
        (status = 422, description = "Unknown action, no ids, a wrong confirmation number, or a license that cannot change so (`validation_failed`, with `field`)", body = E),
    ))]
async fn bulk(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<licenses::BulkChange>,
) -> AppResult<Json<licenses::BulkResult>> {
    Ok(Json(licenses::bulk(&state, &who, &body).await?))
}

#[utoipa::path(get, path = "/licenses/settings", tag = "licenses", operation_id = "licenseSettings",
    summary = "The license reminder setting (operator)",
    responses(
        (status = 200, description = "Settings", body = licenses::LicenseSettings),
        (status = 403, description = "Not the operator (`forbidden`)", body = E),
    ))]
async fn get_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<licenses::LicenseSettings>> {
    Ok(Json(licenses::settings(&state, &who).await?))
}

#[utoipa::path(put, path = "/licenses/settings", tag = "licenses", operation_id = "setLicenseSettings",
    summary = "Set how many days before its end a license's owners are reminded (operator admins)",
    request_body = licenses::LicenseSettings,
    responses(
        (status = 200, description = "Saved", body = licenses::LicenseSettings),
        (status = 403, description = "Not an operator admin (`forbidden`)", body = E),
        (status = 422, description = "Days outside 1 to 90 (`validation_failed`, field `reminder_days`)", body = E),
    ))]
async fn put_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<licenses::LicenseSettings>,
) -> AppResult<Json<licenses::LicenseSettings>> {
    Ok(Json(licenses::set_settings(&state, &who, &body).await?))
}

#[utoipa::path(get, path = "/licenses/{id}", tag = "licenses", operation_id = "getLicense",
    summary = "One license",
    params(("id" = i64, Path, description = "A license id")),
    responses(
        (status = 200, description = "The license", body = License),
        (status = 404, description = "No such license, or one outside your reach (`not_found`)", body = E),
    ))]
async fn get_one(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LicenseId>,
) -> AppResult<Json<License>> {
    Ok(Json(licenses::reach(&state, &who, id, Need::Read).await?))
}

#[utoipa::path(post, path = "/licenses/{id}/activate", tag = "licenses", operation_id = "activateLicense",
    summary = "Make a pending or inactive license active (members and up)",
    params(("id" = i64, Path, description = "A license id")),
    responses(
        (status = 200, description = "Active", body = License),
        (status = 403, description = "The role is too weak (`forbidden`)", body = E),
        (status = 404, description = "No such license, or one outside your reach (`not_found`)", body = E),
        (status = 409, description = "The license was switched off from above and is held by the account in view: only an account above may switch it on again (`only_from_above`)", body = E),
        (status = 422, description = "The license has ended: renew it (`validation_failed`, field `state`)", body = E),
    ))]
async fn activate(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LicenseId>,
) -> AppResult<Json<License>> {
    Ok(Json(
        licenses::change(&state, &who, id, &licenses::Change::Activate).await?,
    ))
}

#[utoipa::path(post, path = "/licenses/{id}/deactivate", tag = "licenses", operation_id = "deactivateLicense",
    summary = "Switch a license off (members and up, from an account above its holder)",
    params(("id" = i64, Path, description = "A license id")),
    responses(
        (status = 200, description = "Inactive", body = License),
        (status = 403, description = "The role is too weak (`forbidden`)", body = E),
        (status = 404, description = "No such license, or one outside your reach (`not_found`)", body = E),
        (status = 409, description = "The license is held by the account in view: only an account above may switch it off (`only_from_above`)", body = E),
        (status = 422, description = "The license has expired (`validation_failed`, field `state`)", body = E),
    ))]
async fn deactivate(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LicenseId>,
) -> AppResult<Json<License>> {
    Ok(Json(
        licenses::change(&state, &who, id, &licenses::Change::Deactivate).await?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct RenewBody {
    /// The new end: a day (2027-12-31) or a time, after the start and in the future.
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub ends_at: Option<String>,
}

#[utoipa::path(post, path = "/licenses/{id}/renew", tag = "licenses", operation_id = "renewLicense",
    summary = "Give a license a new end; an expired one becomes active again (members and up)",
    params(("id" = i64, Path, description = "A license id")),
    request_body = RenewBody,
    responses(
        (status = 200, description = "Renewed", body = License),
        (status = 403, description = "The role is too weak (`forbidden`)", body = E),
        (status = 404, description = "No such license, or one outside your reach (`not_found`)", body = E),
        (status = 422, description = "No end, an end before the start or in the past (`validation_failed`, field `ends_at`)", body = E),
    ))]
async fn renew(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LicenseId>,
    ApiJson(body): ApiJson<RenewBody>,
) -> AppResult<Json<License>> {
    let c = licenses::Change::parse("renew", body.ends_at.as_deref())?;
    Ok(Json(licenses::change(&state, &who, id, &c).await?))
}

#[utoipa::path(delete, path = "/licenses/{id}", tag = "licenses", operation_id = "deleteLicense",
    summary = "Delete a license (admins and owners); a partner license's partner account stays",
    params(("id" = i64, Path, description = "A license id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role is too weak (`forbidden`)", body = E),
        (status = 404, description = "No such license, or one outside your reach (`not_found`)", body = E),
    ))]
async fn delete(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LicenseId>,
) -> AppResult<StatusCode> {
    licenses::delete(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/packages/{id}/license-limits", tag = "licenses", operation_id = "packageLicenseLimits",
    summary = "A package's limits per license type (operator)",
    params(("id" = i64, Path, description = "A package id")),
    responses(
        (status = 200, description = "Limits, one per type", body = Vec<licenses::TypeLimit>),
        (status = 403, description = "Not the operator (`forbidden`)", body = E),
        (status = 404, description = "No such package (`not_found`)", body = E),
    ))]
async fn get_limits(
    State(state): State<AppState>,
    Auth(_who): Auth,
    ApiId(id): ApiId<PackageId>,
) -> AppResult<Json<Vec<licenses::TypeLimit>>> {
    Ok(Json(licenses::package_limits(&state, id).await?))
}

#[utoipa::path(put, path = "/packages/{id}/license-limits", tag = "licenses", operation_id = "setPackageLicenseLimits",
    summary = "Set a package's limits per license type: licenses anywhere below the partner holding it, seats per license (operator admins)",
    params(("id" = i64, Path, description = "A package id")),
    request_body = Vec<licenses::TypeLimit>,
    responses(
        (status = 200, description = "Saved", body = Vec<licenses::TypeLimit>),
        (status = 403, description = "Not an operator admin (`forbidden`)", body = E),
        (status = 404, description = "No such package (`not_found`)", body = E),
        (status = 422, description = "A limit below 0, seats below 1 (`validation_failed`, with `field`)", body = E),
    ))]
async fn put_limits(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PackageId>,
    ApiJson(body): ApiJson<Vec<licenses::TypeLimit>>,
) -> AppResult<Json<Vec<licenses::TypeLimit>>> {
    Ok(Json(
        licenses::set_package_limits(&state, &who, id, &body).await?,
    ))
}
