//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::Deserialize;
use serde_json::json;

use super::{
    api::{csv_stream_response, ApiQuery},
    ApiId, ApiJson, Auth, RouteAccess as A,
};
use crate::{
    domain::{
        access::Need,
        advertising, channels, networks,
        query::Page,
        requests::{self, Request},
    },
    error::AppResult,
    state::AppState,
};

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}/channels" => list_channels, A::Account(Need::Read);
    post "/accounts/{id}/channels" => create_channel, A::Account(Need::Write);
    patch "/channels/{id}" => update_channel, A::SignedIn;
    delete "/channels/{id}" => delete_channel, A::SignedIn;
    post "/channels/{id}/followers" => follow, A::SignedIn;
    post "/channels/{id}/followers/remove" => unfollow, A::SignedIn;
    get "/ad-packages" => list_ad_packages, A::Public;
    post "/ad-packages" => create_ad_package, A::Operator(Need::Admin);
    post "/ad-packages/{id}/status" => ad_package_status, A::Operator(Need::Admin);
    get "/accounts/{id}/impressions" => impressions, A::Account(Need::Read);
    get "/requests" => mine, A::SignedIn;
    post "/requests" => create, A::SignedIn;
    get "/requests/{id}" => one, A::SignedIn;
    post "/requests/{id}/withdraw" => withdraw, A::SignedIn;
    get "/inbox" => inbox, A::SignedIn;
    post "/inbox/{id}/approve" => approve, A::SignedIn;
    post "/inbox/{id}/reject" => reject, A::SignedIn;
    get "/inbox/history" => history, A::SignedIn;
    get "/inbox/history.csv" => history_csv, A::SignedIn;
    get "/resellers" => my_resellers, A::SignedIn;
    post "/resellers/{id}/remove" => remove_reseller, A::SignedIn;
    get "/my-partner" => my_partner, A::SignedIn;
    post "/my-partner/leave" => leave_partner, A::SignedIn;
    get "/engagements" => engagements, A::SignedIn;
}

async fn list_channels(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": channels::list(&state, &who, id).await? }),
    ))
}

async fn create_channel(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<channels::ChannelInput>,
) -> AppResult<(StatusCode, Json<channels::Channel>)> {
    Ok((
        StatusCode::CREATED,
        Json(channels::create(&state, &who, id, &body).await?),
    ))
}

async fn update_channel(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<channels::ChannelInput>,
) -> AppResult<Json<channels::Channel>> {
    Ok(Json(channels::update(&state, &who, id, &body).await?))
}

async fn delete_channel(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<StatusCode> {
    channels::delete(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct FollowerBody {
    pub customer_id: Option<i64>,
}

async fn set_follower(
    state: AppState,
    who: crate::domain::Identity,
    id: i64,
    body: FollowerBody,
    follow: bool,
) -> AppResult<Json<channels::Channel>> {
    let customer = body.customer_id.ok_or_else(|| {
        crate::error::AppError::validation("customer_id", "Name the customer (customer_id)")
    })?;
    Ok(Json(
        channels::set_follower(&state, &who, id, customer, follow).await?,
    ))
}

async fn follow(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<FollowerBody>,
) -> AppResult<Json<channels::Channel>> {
    set_follower(state, who, id, body, true).await
}

async fn unfollow(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<FollowerBody>,
) -> AppResult<Json<channels::Channel>> {
    set_follower(state, who, id, body, false).await
}

#[derive(Deserialize, Default)]
pub struct AllQuery {
    pub all: Option<bool>,
}

async fn list_ad_packages(
    State(state): State<AppState>,
    axum::Extension(super::MaybeIdentity(who)): axum::Extension<super::MaybeIdentity>,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let all = match (q.all, who) {
        (Some(true), Some(who)) => crate::domain::access::operator(&state, &who, Need::Read)
            .await
            .is_ok(),
        _ => false,
    };
    Ok(Json(
        json!({ "items": advertising::packages(&state, all).await? }),
    ))
}

async fn create_ad_package(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<advertising::AdPackageInput>,
) -> AppResult<(StatusCode, Json<advertising::AdPackage>)> {
    Ok((
        StatusCode::CREATED,
        Json(advertising::create_package(&state, &who, &body).await?),
    ))
}

#[derive(Deserialize)]
pub struct StatusBody {
    #[serde(default)]
    pub status: String,
}

async fn ad_package_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<advertising::AdPackage>> {
    Ok(Json(
        advertising::set_package_status(&state, &who, id, &body.status).await?,
    ))
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

async fn my_resellers(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": networks::my_resellers(&state, &who).await? }),
    ))
}

async fn remove_reseller(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<StatusCode> {
    networks::remove_reseller(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn leave_partner(State(state): State<AppState>, Auth(who): Auth) -> AppResult<StatusCode> {
    networks::leave_partner(&state, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn my_partner(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<networks::MyPartner>> {
    Ok(Json(networks::my_partner(&state, &who).await?))
}
