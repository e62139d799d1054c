//! JSON API of onboarding: packages, add-ons, registration, partnership requests, My partners.

use crate::areas::onboarding;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::http::csv_response;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, response::Response, Extension, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    post "/registrations" => register, A::Public;
    get "/partnership-requests" => pending, A::Operator(Need::Read);
    post "/partnership-requests/{id}/approve" => approve, A::On(&crate::areas::onboarding::PARTNERSHIP_REQUEST, Need::Admin);
    post "/partnership-requests/{id}/reject" => reject, A::On(&crate::areas::onboarding::PARTNERSHIP_REQUEST, Need::Admin);
    get "/partnership-requests/history" => history, A::Operator(Need::Read);
    get "/partnership-requests/history.csv" => history_csv, A::Operator(Need::Read);
    get "/partners" => partners, A::Operator(Need::Read);
    patch "/partners/{id}" => update_partner, A::On(&crate::areas::onboarding::PARTNER, Need::Admin);
    get "/settings" => get_settings, A::Operator(Need::Admin);
    put "/settings" => put_settings, A::Operator(Need::Admin);
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
    Auth(_who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    let on = onboarding::setting(&state, onboarding::AUTO_APPROVE)
        .await?
        .as_deref()
        == Some("1");
    let days = crate::areas::billing::reminder_days(&state).await?;
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
    if body.auto_approve_partners.is_none() && body.reminder_days.is_none() {
        return Err(crate::kernel::error::AppError::validation(
            "auto_approve_partners",
            "Send auto_approve_partners and/or reminder_days",
        ));
    }
    if let Some(days) = &body.reminder_days {
        crate::areas::billing::set_reminder_days(&state, &who, days).await?;
    }
    if let Some(on) = body.auto_approve_partners {
        onboarding::set_auto_approve(&state, &who, on).await?;
    }
    get_settings(State(state), Auth(who)).await
}
