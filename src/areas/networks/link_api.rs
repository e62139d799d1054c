//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::networks;
use crate::kernel::error::AppResult;
use crate::kernel::http::ApiId;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::json;

use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    get "/resellers" => my_resellers, A::SignedIn;
    post "/resellers/{id}/remove" => remove_reseller, A::On(&crate::areas::networks::RESELLER, Need::Admin);
    get "/my-partner" => my_partner, A::SignedIn;
    post "/my-partner/leave" => leave_partner, A::SignedIn;
}

pub(crate) async fn my_resellers(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(
        json!({ "items": networks::my_resellers(&state, &who).await? }),
    ))
}

pub(crate) async fn remove_reseller(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<StatusCode> {
    networks::remove_reseller(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn leave_partner(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<StatusCode> {
    networks::leave_partner(&state, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn my_partner(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<networks::MyPartner>> {
    Ok(Json(networks::my_partner(&state, &who).await?))
}
