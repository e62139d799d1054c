//! JSON API of onboarding: packages, add-ons, registration, partnership requests, My partners.

use axum::{extract::State, http::StatusCode, response::Response, Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::{
    api::csv_response, api::ApiQuery, ApiId, ApiJson, Auth, RequestMeta, RouteAccess as A,
};
use crate::{
    domain::{
        access::{self, Need},
        catalog, onboarding,
        query::Page,
    },
    error::AppResult,
    state::AppState,
};

crate::route_table! { ROUTES, routes;
    get "/packages" => list_packages, A::Public;
    post "/packages" => create_package, A::Operator(Need::Admin);
    patch "/packages/{id}" => update_package, A::Operator(Need::Admin);
    post "/packages/{id}/status" => package_status, A::Operator(Need::Admin);
    get "/addons" => list_addons, A::Public;
    post "/addons" => create_addon, A::Operator(Need::Admin);
    post "/addons/{id}/status" => addon_status, A::Operator(Need::Admin);
    post "/registrations" => register, A::Public;
    get "/partnership-requests" => pending, A::Operator(Need::Read);
    post "/partnership-requests/{id}/approve" => approve, A::Operator(Need::Admin);
    post "/partnership-requests/{id}/reject" => reject, A::Operator(Need::Admin);
    get "/partnership-requests/history" => history, A::Operator(Need::Read);
    get "/partnership-requests/history.csv" => history_csv, A::Operator(Need::Read);
    get "/partners" => partners, A::Operator(Need::Read);
    patch "/partners/{id}" => update_partner, A::Operator(Need::Admin);
    get "/settings" => get_settings, A::Operator(Need::Admin);
    put "/settings" => put_settings, A::Operator(Need::Admin);
}

#[derive(Deserialize, Default)]
pub struct AllQuery {
    /// Operator only: include retired entries.
    pub all: Option<bool>,
}

/// `?all=true` counts only for the operator; everyone else sees what is on offer.
async fn include_retired(
    state: &AppState,
    q: &AllQuery,
    who: Option<crate::domain::Identity>,
) -> bool {
    match (q.all, who) {
        (Some(true), Some(who)) => access::operator(state, &who, Need::Read).await.is_ok(),
        _ => false,
    }
}

async fn list_packages(
    State(state): State<AppState>,
    Extension(super::MaybeIdentity(who)): Extension<super::MaybeIdentity>,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let all = include_retired(&state, &q, who).await;
    Ok(Json(
        json!({ "items": catalog::packages(&state, all).await? }),
    ))
}

async fn create_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<catalog::PackageInput>,
) -> AppResult<(StatusCode, Json<catalog::Package>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_package(&state, &who, &body).await?),
    ))
}

async fn update_package(
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

async fn package_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<catalog::Package>> {
    Ok(Json(
        catalog::set_package_status(&state, &who, id, body.status.trim()).await?,
    ))
}

async fn list_addons(
    State(state): State<AppState>,
    Extension(super::MaybeIdentity(who)): Extension<super::MaybeIdentity>,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let all = include_retired(&state, &q, who).await;
    Ok(Json(
        json!({ "items": catalog::addons(&state, all).await? }),
    ))
}

async fn create_addon(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<catalog::AddonInput>,
) -> AppResult<(StatusCode, Json<catalog::Addon>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_addon(&state, &who, &body).await?),
    ))
}

async fn addon_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<StatusCode> {
    catalog::set_addon_status(&state, &who, id, body.status.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn register(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<onboarding::Registration>,
) -> AppResult<(StatusCode, Json<onboarding::PartnershipRequest>)> {
    Ok((
        StatusCode::CREATED,
        Json(onboarding::register(&state, &body, &meta.ip, &meta.id).await?),
    ))
}

async fn pending(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": onboarding::pending(&state, &who).await? }),
    ))
}

async fn approve(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<onboarding::PartnershipRequest>> {
    Ok(Json(onboarding::approve(&state, &who, id).await?))
}

#[derive(Deserialize)]
pub struct RejectBody {
    #[serde(default)]
    pub reason: String,
}

async fn reject(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<RejectBody>,
) -> AppResult<Json<onboarding::PartnershipRequest>> {
    Ok(Json(
        onboarding::reject(&state, &who, id, &body.reason).await?,
    ))
}

async fn history(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<onboarding::HistoryFilter>,
) -> AppResult<Json<Page<onboarding::PartnershipRequest>>> {
    Ok(Json(onboarding::history(&state, &who, &f).await?))
}

async fn history_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<onboarding::HistoryFilter>,
) -> AppResult<Response> {
    Ok(csv_response(
        "partnership-history.csv",
        onboarding::history_csv(&state, &who, &f).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct PartnersQuery {
    pub q: Option<String>,
}

async fn partners(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<PartnersQuery>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": onboarding::my_partners(&state, &who, q.q.as_deref()).await? }),
    ))
}

#[derive(Deserialize)]
pub struct PartnerUpdate {
    #[serde(default)]
    pub external_invoice_id: String,
}

async fn update_partner(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<PartnerUpdate>,
) -> AppResult<StatusCode> {
    onboarding::set_external_invoice_id(&state, &who, id, &body.external_invoice_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    access::operator(&state, &who, Need::Admin).await?;
    let on = onboarding::setting(&state, onboarding::AUTO_APPROVE)
        .await?
        .as_deref()
        == Some("1");
    let days = crate::domain::billing::reminder_days(&state).await?;
    Ok(Json(
        json!({ "auto_approve_partners": on, "reminder_days": days }),
    ))
}

#[derive(Deserialize)]
pub struct SettingsBody {
    pub auto_approve_partners: Option<bool>,
    /// Days before a period ends when reminders go out, e.g. [7, 1].
    pub reminder_days: Option<Vec<i64>>,
}

async fn put_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<SettingsBody>,
) -> AppResult<Json<serde_json::Value>> {
    access::operator(&state, &who, Need::Admin).await?;
    if body.auto_approve_partners.is_none() && body.reminder_days.is_none() {
        return Err(crate::error::AppError::validation(
            "auto_approve_partners",
            "Send auto_approve_partners and/or reminder_days",
        ));
    }
    if let Some(days) = &body.reminder_days {
        crate::domain::billing::set_reminder_days(&state, &who, days).await?;
    }
    if let Some(on) = body.auto_approve_partners {
        onboarding::set_auto_approve(&state, &who, on).await?;
    }
    get_settings(State(state), Auth(who)).await
}
