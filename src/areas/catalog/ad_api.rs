//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::catalog::advertising;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::json;

crate::route_table! { ROUTES, routes;
    get "/ad-packages" => list_ad_packages, A::Public;
    post "/ad-packages" => create_ad_package, A::Operator(Need::Admin);
    post "/ad-packages/{id}/status" => ad_package_status, A::On(&crate::areas::catalog::AD_PACKAGE, Need::Admin);
}

#[derive(Deserialize, Default)]
pub struct AllQuery {
    pub all: Option<bool>,
}

pub(crate) async fn list_ad_packages(
    State(state): State<AppState>,
    axum::Extension(crate::kernel::http::MaybeIdentity(who)): axum::Extension<
        crate::kernel::http::MaybeIdentity,
    >,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> AppResult<Json<serde_json::Value>> {
    let all = match (q.all, who) {
        (Some(true), Some(who)) => crate::kernel::access::operator(&state, &who, Need::Read)
            .await
            .is_ok(),
        _ => false,
    };
    Ok(Json(
        json!({ "items": advertising::packages(&state, all).await? }),
    ))
}

pub(crate) async fn create_ad_package(
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

pub(crate) async fn ad_package_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<advertising::AdPackage>> {
    Ok(Json(
        advertising::set_package_status(&state, &who, id, &body.status).await?,
    ))
}
