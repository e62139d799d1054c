//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::channels;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}/channels" => list_channels, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/channels" => create_channel, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    patch "/channels/{id}" => update_channel, A::On(&crate::areas::channels::CHANNEL, Need::Write);
    delete "/channels/{id}" => delete_channel, A::On(&crate::areas::channels::CHANNEL, Need::Write);
    post "/channels/{id}/followers" => follow, A::On(&crate::areas::channels::FOLLOWABLE_CHANNEL, Need::Write);
    post "/channels/{id}/followers/remove" => unfollow, A::On(&crate::areas::channels::FOLLOWABLE_CHANNEL, Need::Write);
}

pub(crate) async fn list_channels(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": channels::list(&state, &who, id).await? }),
    ))
}

pub(crate) async fn create_channel(
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

pub(crate) async fn update_channel(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<channels::ChannelInput>,
) -> AppResult<Json<channels::Channel>> {
    Ok(Json(channels::update(&state, &who, id, &body).await?))
}

pub(crate) async fn delete_channel(
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

pub(crate) async fn set_follower(
    state: AppState,
    who: crate::kernel::Identity,
    id: i64,
    body: FollowerBody,
    follow: bool,
) -> AppResult<Json<channels::Channel>> {
    let customer = body.customer_id.ok_or_else(|| {
        crate::kernel::error::AppError::validation("customer_id", "Name the customer (customer_id)")
    })?;
    Ok(Json(
        channels::set_follower(&state, &who, id, customer, follow).await?,
    ))
}

pub(crate) async fn follow(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<FollowerBody>,
) -> AppResult<Json<channels::Channel>> {
    set_follower(state, who, id, body, true).await
}

pub(crate) async fn unfollow(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<FollowerBody>,
) -> AppResult<Json<channels::Channel>> {
    set_follower(state, who, id, body, false).await
}
