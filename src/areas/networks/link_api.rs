//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::networks;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::openapi::Items;
use crate::kernel::http::ApiId;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::json;

use crate::areas::accounts::AccountId;
use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    get "/resellers" => my_resellers, A::SignedIn;
    post "/resellers/{id}/remove" => remove_reseller, A::On(&crate::areas::networks::RESELLER, Need::Admin);
    get "/my-partner" => my_partner, A::SignedIn;
    post "/my-partner/leave" => leave_partner, A::SignedIn;
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(my_resellers, remove_reseller, my_partner, leave_partner))]
pub struct Doc;

#[utoipa::path(get, path = "/resellers", tag = "networks", operation_id = "myResellers",
    summary = "My resellers: the resellers linked to the partner in view (not their customers)",
    responses(
        (status = 200, description = "Resellers", body = Items<networks::LinkedReseller>),
        (status = 403, description = "The account in view is not a partner (`forbidden`)", body = E),
    ))]
pub(crate) async fn my_resellers(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": networks::my_resellers(&state, &who).await? }),
    ))
}

#[utoipa::path(post, path = "/resellers/{id}/remove", tag = "networks", operation_id = "removeReseller",
    summary = "Remove my reseller (partner owners and admins)",
    description = "The link ends, the reseller loses the partner's channels at once, both are emailed.",
    params(("id" = i64, Path, description = "A linked reseller's account id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a partner, or the role is too weak (`forbidden`)", body = E),
        (status = 404, description = "Not a reseller linked to the partner in view (`not_found`)", body = E),
    ))]
pub(crate) async fn remove_reseller(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<StatusCode> {
    networks::remove_reseller(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/my-partner/leave", tag = "networks", operation_id = "leavePartner",
    summary = "The reseller (owners and admins) stops reselling for its partner",
    description = "The same effects as Remove my reseller, both emailed.",
    responses(
        (status = 204, description = "Left"),
        (status = 403, description = "Not a reseller, or the role is too weak (`forbidden`)", body = E),
        (status = 404, description = "No partner (`not_found`)", body = E),
    ))]
pub(crate) async fn leave_partner(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<StatusCode> {
    networks::leave_partner(&state, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/my-partner", tag = "networks", operation_id = "myPartner",
    summary = "A reseller's partner (its directory entry and channels), and its request for partner waiting for an answer",
    responses(
        (status = 200, description = "My partner", body = networks::MyPartner),
        (status = 403, description = "The account in view is not a reseller (`forbidden`)", body = E),
    ))]
pub(crate) async fn my_partner(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<networks::MyPartner>> {
    Ok(Json(networks::my_partner(&state, &who).await?))
}
