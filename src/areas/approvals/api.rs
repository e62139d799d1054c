//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::approvals as requests;
use crate::areas::approvals::Request;
use crate::areas::catalog::advertising;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
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
use serde_json::json;

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}/impressions" => impressions, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    get "/requests" => mine, A::SignedIn;
    post "/requests" => create, A::SignedIn;
    get "/requests/{id}" => one, A::On(&crate::areas::approvals::REQUEST, Need::Read);
    post "/requests/{id}/withdraw" => withdraw, A::On(&crate::areas::approvals::ASKED_REQUEST, Need::Write);
    get "/inbox" => inbox, A::SignedIn;
    post "/inbox/{id}/approve" => approve, A::On(&crate::areas::approvals::INBOX_REQUEST, Need::Admin);
    post "/inbox/{id}/reject" => reject, A::On(&crate::areas::approvals::INBOX_REQUEST, Need::Admin);
    get "/inbox/history" => history, A::SignedIn;
    get "/inbox/history.csv" => history_csv, A::SignedIn;
    get "/engagements" => engagements, A::SignedIn;
}

async fn impressions(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<advertising::Wallet>> {
    Ok(Json(advertising::wallet(&state, &who, id).await?))
}

async fn mine(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<requests::MineFilter>,
) -> AppResult<Json<Page<Request>>> {
    Ok(Json(requests::mine(&state, &who, &f).await?))
}

async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<requests::NewRequest>,
) -> AppResult<(StatusCode, Json<Request>)> {
    Ok((
        StatusCode::CREATED,
        Json(requests::create(&state, &who, &body).await?),
    ))
}

async fn one(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<Request>> {
    Ok(Json(requests::request(&state, &who, id).await?))
}

async fn withdraw(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<Request>> {
    Ok(Json(requests::withdraw(&state, &who, id).await?))
}

async fn inbox(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<requests::InboxFilter>,
) -> AppResult<Json<serde_json::Value>> {
    let page = requests::inbox(&state, &who, &f).await?;
    let counts = requests::counts(&state, &who).await?;
    Ok(Json(json!({
        "pending": counts,
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    })))
}

async fn approve(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<Request>> {
    Ok(Json(requests::decide(&state, &who, id, true, "").await?))
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
) -> AppResult<Json<Request>> {
    Ok(Json(
        requests::decide(&state, &who, id, false, &body.reason).await?,
    ))
}

async fn history(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<requests::HistoryFilter>,
) -> AppResult<Json<Page<requests::Decision>>> {
    Ok(Json(requests::history(&state, &who, &f).await?))
}

async fn history_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<requests::HistoryFilter>,
) -> AppResult<Response> {
    Ok(csv_stream_response(
        "decision-history.csv",
        requests::history_csv(&state, &who, &f).await?,
    ))
}

async fn engagements(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<requests::Engagements>> {
    Ok(Json(requests::engagements(&state, &who).await?))
}
