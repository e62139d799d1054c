//! JSON API of sites and probes: a customer's sites (list, add, delete with the probes that go),
//! its probe settings, a site (edit, enrollment codes), enrollment codes (revoke), probes
//! (rename, disable, move, delete).

use super::model::*;
use super::{probes, rules};
use crate::areas::accounts::AccountId;
use crate::areas::sites::EnrollmentId;
use crate::areas::sites::ProbeId;
use crate::areas::sites::SiteId;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}/sites" => list_sites, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/sites" => create_site, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    post "/accounts/{id}/sites/deletion" => sites_deletion_preview, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    post "/accounts/{id}/sites/delete" => delete_sites, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    get "/accounts/{id}/probe-settings" => get_probe_settings, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    put "/accounts/{id}/probe-settings" => put_probe_settings, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    get "/sites/{id}" => get_site, A::On(&super::SITE, Need::Read);
    patch "/sites/{id}" => update_site, A::On(&super::SITE, Need::Write);
    delete "/sites/{id}" => delete_site, A::On(&super::SITE, Need::Admin);
    post "/sites/{id}/enrollments" => create_enrollment, A::On(&super::SITE, Need::Write);
    post "/probe-enrollments/{id}/revoke" => revoke_enrollment, A::On(&super::PROBE_ENROLLMENT, Need::Write);
    get "/probes/{id}" => get_probe, A::On(&super::PROBE, Need::Read);
    patch "/probes/{id}" => update_probe, A::On(&super::PROBE, Need::Write);
    post "/probes/{id}/move" => move_probe, A::On(&super::PROBE, Need::Write);
    delete "/probes/{id}" => delete_probe, A::On(&super::PROBE, Need::Admin);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_sites,
        create_site,
        sites_deletion_preview,
        delete_sites,
        get_probe_settings,
        put_probe_settings,
        get_site,
        update_site,
        delete_site,
        create_enrollment,
        revoke_enrollment,
        get_probe,
        update_probe,
        move_probe,
        delete_probe
    ),
    tags((name = "sites", description = "Sites of customers, their probes and enrollment codes"))
)]
pub struct Doc;

const NOT_A_CUSTOMER: &str = "The account is not a customer (`not_a_customer`)";

#[utoipa::path(get, path = "/accounts/{id}/sites", tag = "sites", operation_id = "listSites",
    summary = "The sites of a customer in view or below: search by name or address, sort, pages",
    params(("id" = i64, Path, description = "A customer account id"), SiteFilter),
    responses(
        (status = 200, description = "Page", body = Page<Site>),
        (status = 409, description = NOT_A_CUSTOMER, body = E),
        (status = 422, description = "An unknown sort or direction, a search text over 100 characters (`validation_failed`, with `field`)", body = E),
    ))]
async fn list_sites(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiQuery(f): ApiQuery<SiteFilter>,
) -> AppResult<Json<Page<Site>>> {
    Ok(Json(rules::list(&state, &who, id, &f).await?))
}

#[utoipa::path(post, path = "/accounts/{id}/sites", tag = "sites", operation_id = "createSite",
    summary = "Add a site to a customer (members and up)",
    params(("id" = i64, Path, description = "A customer account id")),
    request_body = NewSite,
    responses(
        (status = 201, description = "Added", body = Site),
        (status = 409, description = "The customer has a site of that name already (`name_taken`); the account is not a customer (`not_a_customer`)", body = E),
        (status = 422, description = "An empty or too long name, a too long address or notes, control characters, an unknown time zone (`validation_failed`, with `field` and `fields`)", body = E),
    ))]
async fn create_site(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<NewSite>,
) -> AppResult<(StatusCode, Json<Site>)> {
    Ok((
        StatusCode::CREATED,
        Json(rules::create(&state, &who, id, &body).await?),
    ))
}

#[utoipa::path(post, path = "/accounts/{id}/sites/deletion", tag = "sites", operation_id = "sitesDeletionPreview",
    summary = "What deleting these sites of a customer removes: the sites and every probe at them, by name (admins and owners)",
    params(("id" = i64, Path, description = "A customer account id")),
    request_body = SitesChoice,
    responses(
        (status = 200, description = "Preview", body = SitesDeletionPreview),
        (status = 404, description = "An id that is not a site of this customer (`not_found`)", body = E),
        (status = 409, description = NOT_A_CUSTOMER, body = E),
        (status = 422, description = "No ids, or more than 500 (`validation_failed`, field `ids`)", body = E),
    ))]
async fn sites_deletion_preview(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<SitesChoice>,
) -> AppResult<Json<SitesDeletionPreview>> {
    Ok(Json(
        rules::deletion_preview(&state, &who, id, &body.ids).await?,
    ))
}

#[utoipa::path(post, path = "/accounts/{id}/sites/delete", tag = "sites", operation_id = "deleteSites",
    summary = "Delete sites of a customer with their probes and enrollment codes, in one transaction (admins and owners)",
    description = "`confirm_probes` must be the number of probes the preview named (0 when none): counted again under the lock, a different number refuses the deletion and nothing goes.",
    params(("id" = i64, Path, description = "A customer account id")),
    request_body = SitesDeletion,
    responses(
        (status = 200, description = "Deleted", body = SitesDeleted),
        (status = 404, description = "An id that is not a site of this customer (`not_found`)", body = E),
        (status = 409, description = NOT_A_CUSTOMER, body = E),
        (status = 422, description = "No ids or more than 500 (field `ids`); `confirm_probes` missing or not the number of probes that go (field `confirm_probes`) (`validation_failed`)", body = E),
    ))]
async fn delete_sites(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<SitesDeletion>,
) -> AppResult<Json<SitesDeleted>> {
    Ok(Json(
        rules::delete(&state, &who, id, &body.ids, body.confirm_probes).await?,
    ))
}

#[utoipa::path(get, path = "/accounts/{id}/probe-settings", tag = "sites", operation_id = "probeSettings",
    summary = "How often the customer's probes check in, and when they read late and offline",
    params(("id" = i64, Path, description = "A customer account id")),
    responses(
        (status = 200, description = "Settings", body = ProbeSettings),
        (status = 409, description = NOT_A_CUSTOMER, body = E),
    ))]
async fn get_probe_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<ProbeSettings>> {
    Ok(Json(rules::settings(&state, &who, id).await?))
}

#[utoipa::path(put, path = "/accounts/{id}/probe-settings", tag = "sites", operation_id = "setProbeSettings",
    summary = "Set the check-in interval and the late and offline thresholds of a customer's probes (admins and owners)",
    params(("id" = i64, Path, description = "A customer account id")),
    request_body = ProbeSettings,
    responses(
        (status = 200, description = "Saved", body = ProbeSettings),
        (status = 409, description = NOT_A_CUSTOMER, body = E),
        (status = 422, description = "An interval outside 10 to 3600, late before twice the interval, offline not after late or over 30 days (`validation_failed`, with `field` and `fields`)", body = E),
    ))]
async fn put_probe_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<ProbeSettings>,
) -> AppResult<Json<ProbeSettings>> {
    Ok(Json(rules::set_settings(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/sites/{id}", tag = "sites", operation_id = "getSite",
    summary = "A site with its probes (status, version, last seen), its enrollment codes and the thresholds in force",
    params(("id" = i64, Path, description = "A site id")),
    responses((status = 200, description = "The site", body = SiteDetail)))]
async fn get_site(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<SiteId>,
) -> AppResult<Json<SiteDetail>> {
    Ok(Json(rules::detail(&state, &who, id).await?))
}

#[utoipa::path(patch, path = "/sites/{id}", tag = "sites", operation_id = "updateSite",
    summary = "Change a site's name, address, time zone or notes (members and up); fields left out keep their value",
    params(("id" = i64, Path, description = "A site id")),
    request_body = SiteInput,
    responses(
        (status = 200, description = "Changed", body = Site),
        (status = 409, description = "The customer has a site of that name already (`name_taken`)", body = E),
        (status = 422, description = "An empty or too long name, a too long address or notes, control characters, an unknown time zone (`validation_failed`, with `field` and `fields`)", body = E),
    ))]
async fn update_site(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<SiteId>,
    ApiJson(body): ApiJson<SiteInput>,
) -> AppResult<Json<Site>> {
    Ok(Json(rules::update(&state, &who, id, &body).await?))
}

/// The confirmation of a site's deletion.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteSiteQuery {
    /// The number of probes at the site (as `GET /sites/{id}` lists them): they go with it.
    #[param(required = true, minimum = 0)]
    pub confirm_probes: Option<i64>,
}

#[utoipa::path(delete, path = "/sites/{id}", tag = "sites", operation_id = "deleteSite",
    summary = "Delete a site with its probes and enrollment codes (admins and owners)",
    params(("id" = i64, Path, description = "A site id"), DeleteSiteQuery),
    responses(
        (status = 200, description = "Deleted", body = SitesDeleted),
        (status = 422, description = "`confirm_probes` is not the number of probes at the site (`validation_failed`, field `confirm_probes`)", body = E),
    ))]
async fn delete_site(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<SiteId>,
    ApiQuery(q): ApiQuery<DeleteSiteQuery>,
) -> AppResult<Json<SitesDeleted>> {
    let site = rules::site(&state, &who, id, Need::Admin).await?;
    Ok(Json(
        rules::delete(
            &state,
            &who,
            site.customer_id,
            &[id.get()],
            q.confirm_probes,
        )
        .await?,
    ))
}

#[utoipa::path(post, path = "/sites/{id}/enrollments", tag = "sites", operation_id = "createEnrollment",
    summary = "A new enrollment code for the site (members and up): shown this once, single use, expiring (default 24 hours), revocable",
    params(("id" = i64, Path, description = "A site id")),
    request_body = NewEnrollment,
    responses(
        (status = 201, description = "The code, with where a probe registers with it", body = EnrollmentCreated),
        (status = 422, description = "A time outside 1 to 720 hours (`validation_failed`, field `expires_in_hours`)", body = E),
    ))]
async fn create_enrollment(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<SiteId>,
    ApiJson(body): ApiJson<NewEnrollment>,
) -> AppResult<(StatusCode, Json<EnrollmentCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(probes::create_enrollment(&state, &who, id, &body).await?),
    ))
}

#[utoipa::path(post, path = "/probe-enrollments/{id}/revoke", tag = "sites", operation_id = "revokeEnrollment",
    summary = "Revoke an enrollment code not used yet (members and up); a used, expired or revoked one stays as it is",
    params(("id" = i64, Path, description = "An enrollment code's id")),
    responses((status = 200, description = "The code's state after it", body = Enrollment)))]
async fn revoke_enrollment(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<EnrollmentId>,
) -> AppResult<Json<Enrollment>> {
    Ok(Json(probes::revoke_enrollment(&state, &who, id).await?))
}

#[utoipa::path(get, path = "/probes/{id}", tag = "sites", operation_id = "getProbe",
    summary = "A probe: its site, status (online, late, offline, disabled), version and last check-in",
    params(("id" = i64, Path, description = "A probe id")),
    responses((status = 200, description = "The probe", body = Probe)))]
async fn get_probe(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ProbeId>,
) -> AppResult<Json<Probe>> {
    Ok(Json(probes::probe(&state, &who, id, Need::Read).await?))
}

#[utoipa::path(patch, path = "/probes/{id}", tag = "sites", operation_id = "updateProbe",
    summary = "Rename a probe (members and up), or disable or enable it (`enabled`; admins and owners): a disabled probe's token stops working",
    params(("id" = i64, Path, description = "A probe id")),
    request_body = ProbeInput,
    responses(
        (status = 200, description = "The probe after it", body = Probe),
        (status = 403, description = "`enabled` from a member or viewer (`forbidden`)", body = E),
        (status = 422, description = "An empty or too long name (`validation_failed`, field `name`)", body = E),
    ))]
async fn update_probe(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ProbeId>,
    ApiJson(body): ApiJson<ProbeInput>,
) -> AppResult<Json<Probe>> {
    Ok(Json(probes::update(&state, &who, id, &body).await?))
}

#[utoipa::path(post, path = "/probes/{id}/move", tag = "sites", operation_id = "moveProbe",
    summary = "Move (associate) a probe to another site of the same customer (members and up)",
    params(("id" = i64, Path, description = "A probe id")),
    request_body = MoveProbe,
    responses(
        (status = 200, description = "The probe at its new site", body = Probe),
        (status = 422, description = "A site of another customer, or none (`site_of_another_customer`, field `site_id`)", body = E),
    ))]
async fn move_probe(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ProbeId>,
    ApiJson(body): ApiJson<MoveProbe>,
) -> AppResult<Json<Probe>> {
    Ok(Json(probes::move_to(&state, &who, id, &body).await?))
}

#[utoipa::path(delete, path = "/probes/{id}", tag = "sites", operation_id = "deleteProbe",
    summary = "Delete a probe (admins and owners): its token stops working",
    params(("id" = i64, Path, description = "A probe id")),
    responses((status = 200, description = "The probe that was deleted", body = Probe)))]
async fn delete_probe(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ProbeId>,
) -> AppResult<Json<Probe>> {
    Ok(Json(probes::delete(&state, &who, id).await?))
}
