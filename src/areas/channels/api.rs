//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::accounts::AccountId;
use crate::areas::channels;
use crate::areas::channels::ChannelId;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::openapi::Items;
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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_channels,
    create_channel,
    update_channel,
    delete_channel,
    follow,
    unfollow
))]
pub struct Doc;

#[utoipa::path(get, path = "/accounts/{id}/channels", tag = "requests", operation_id = "listChannels",
    summary = "The channels of a partner, with follower counts",
    params(("id" = i64, Path, description = "A partner's account id")),
    responses((status = 200, description = "Channels", body = Items<channels::Channel>)))]
pub(crate) async fn list_channels(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": channels::list(&state, &who, id).await? }),
    ))
}

#[utoipa::path(post, path = "/accounts/{id}/channels", tag = "requests", operation_id = "createChannel",
    summary = "Add a channel to a partner (member and up)",
    params(("id" = i64, Path, description = "A partner's account id")),
    request_body = channels::NewChannel,
    responses(
        (status = 201, description = "Created", body = channels::Channel),
        (status = 409, description = "Name in use on this partner (`name_taken`)", body = E),
        (status = 422, description = "Name missing, an invalid field or one sent as null, or not a partner (`validation_failed`, with `field`)", body = E),
    ))]
pub(crate) async fn create_channel(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<channels::NewChannel>,
) -> AppResult<(StatusCode, Json<channels::Channel>)> {
    Ok((
        StatusCode::CREATED,
        Json(channels::create(&state, &who, id, &body).await?),
    ))
}

#[utoipa::path(patch, path = "/channels/{id}", tag = "requests", operation_id = "updateChannel",
    summary = "Rename or describe a channel (member and up)",
    params(("id" = i64, Path, description = "A channel id")),
    request_body = channels::ChannelInput,
    responses(
        (status = 200, description = "Saved", body = channels::Channel),
        (status = 403, description = "The role is too weak (`forbidden`)", body = E),
        (status = 404, description = "No such channel, or one outside your reach (`not_found`)", body = E),
        (status = 409, description = "Name in use (`name_taken`)", body = E),
        (status = 422, description = "An invalid field, or one sent as null (`validation_failed`, with `field`)", body = E),
    ))]
pub(crate) async fn update_channel(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ChannelId>,
    ApiJson(body): ApiJson<channels::ChannelInput>,
) -> AppResult<Json<channels::Channel>> {
    Ok(Json(channels::update(&state, &who, id, &body).await?))
}

#[utoipa::path(delete, path = "/channels/{id}", tag = "requests", operation_id = "deleteChannel",
    summary = "Delete a channel (member and up)",
    params(("id" = i64, Path, description = "A channel id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role is too weak (`forbidden`)", body = E),
        (status = 404, description = "No such channel, or one outside your reach (`not_found`)", body = E),
    ))]
pub(crate) async fn delete_channel(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ChannelId>,
) -> AppResult<StatusCode> {
    channels::delete(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FollowerBody {
    /// A customer below the channel's partner (a customer names itself).
    #[schema(value_type = Option<i64>, required = true, nullable = false)]
    pub customer_id: Option<AccountId>,
}

pub(crate) async fn set_follower(
    state: AppState,
    who: crate::kernel::Identity,
    id: ChannelId,
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

#[utoipa::path(post, path = "/channels/{id}/followers", tag = "requests", operation_id = "followChannel",
    summary = "Add a follower: the partner's side adds a customer below it; a customer follows itself",
    params(("id" = i64, Path, description = "A channel id")),
    request_body = FollowerBody,
    responses(
        (status = 200, description = "Following", body = channels::Channel),
        (status = 403, description = "The role is too weak, or a partner changing its resellers' customers' follows (`forbidden`)", body = E),
        (status = 404, description = "No such channel, or one outside your reach (`not_found`)", body = E),
        (status = 422, description = "customer_id missing or null, or not a customer of this partner (`validation_failed`, field `customer_id`)", body = E),
    ))]
pub(crate) async fn follow(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ChannelId>,
    ApiJson(body): ApiJson<FollowerBody>,
) -> AppResult<Json<channels::Channel>> {
    set_follower(state, who, id, body, true).await
}

#[utoipa::path(post, path = "/channels/{id}/followers/remove", tag = "requests", operation_id = "unfollowChannel",
    summary = "Remove a follower",
    params(("id" = i64, Path, description = "A channel id")),
    request_body = FollowerBody,
    responses(
        (status = 200, description = "Removed", body = channels::Channel),
        (status = 403, description = "The role is too weak, or a partner changing its resellers' customers' follows (`forbidden`)", body = E),
        (status = 404, description = "No such channel, or one outside your reach (`not_found`)", body = E),
        (status = 422, description = "customer_id missing or null, or not a customer of this partner (`validation_failed`, field `customer_id`)", body = E),
    ))]
pub(crate) async fn unfollow(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ChannelId>,
    ApiJson(body): ApiJson<FollowerBody>,
) -> AppResult<Json<channels::Channel>> {
    set_follower(state, who, id, body, false).await
}
