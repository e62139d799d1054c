//! JSON API of the reseller and dealer networks: My dealers, reseller settings, the partner
//! directory.

use crate::areas::accounts::api::DeleteAccount;
use crate::areas::accounts::api::StatusBody;
use crate::areas::accounts::AccountId;
use crate::areas::networks;
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

crate::route_table! { ROUTES, routes;
    get "/dealers" => list_dealers, A::SignedIn;
    post "/dealers" => create_dealer, A::SignedIn;
    get "/dealers/{id}" => get_dealer, A::On(&crate::areas::networks::DEALER, Need::Read);
    patch "/dealers/{id}" => update_dealer, A::On(&crate::areas::networks::DEALER, Need::Write);
    post "/dealers/{id}/status" => dealer_status, A::On(&crate::areas::networks::DEALER, Need::Admin);
    get "/dealers/{id}/deletion" => dealer_deletion, A::On(&crate::areas::networks::DEALER, Need::Admin);
    delete "/dealers/{id}" => delete_dealer, A::On(&crate::areas::networks::DEALER, Need::Admin);
    get "/reseller-settings" => get_reseller_settings, A::SignedIn;
    put "/reseller-settings" => put_reseller_settings, A::SignedIn;
    get "/partner-directory" => partner_directory, A::SignedIn;
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_dealers,
    create_dealer,
    get_dealer,
    update_dealer,
    dealer_status,
    dealer_deletion,
    delete_dealer,
    get_reseller_settings,
    put_reseller_settings,
    partner_directory
))]
pub struct Doc;

#[utoipa::path(get, path = "/dealers", tag = "networks", operation_id = "listDealers",
    summary = "My dealers: the dealers directly under the partner in view, with status and number of subscribers",
    params(networks::DealerFilter),
    responses(
        (status = 200, description = "Page of dealers", body = Page<networks::Dealer>),
        (status = 403, description = "The account in view is not a partner (`forbidden`)", body = E),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn list_dealers(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<networks::DealerFilter>,
) -> AppResult<Json<Page<networks::Dealer>>> {
    Ok(Json(networks::list_dealers(&state, &who, &f).await?))
}

#[utoipa::path(post, path = "/dealers", tag = "networks", operation_id = "createDealer",
    summary = "Add a dealer under the partner in view with its owner login (owners and admins), in one transaction",
    description = "Nothing is written if any part fails.",
    request_body = networks::DealerInput,
    responses(
        (status = 201, description = "Created", body = networks::Dealer),
        (status = 403, description = "The account in view is not a partner, or the role is too weak (`forbidden`)", body = E),
        (status = 409, description = "The username is taken (`email_taken`); the partner is inactive (`parent_inactive`); or the package of a partner above caps dealers and the cap is reached (`limit_reached`)", body = E),
        (status = 422, description = "A required field missing, an invalid field, or one sent as null (`validation_failed`, with `field`)", body = E),
    ))]
async fn create_dealer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<networks::DealerInput>,
) -> AppResult<(StatusCode, Json<networks::Dealer>)> {
    Ok((
        StatusCode::CREATED,
        Json(networks::create_dealer(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/dealers/{id}", tag = "networks", operation_id = "getDealer",
    summary = "One dealer below the account in view",
    params(("id" = i64, Path, description = "A dealer's account id")),
    responses((status = 200, description = "Dealer", body = networks::Dealer)))]
async fn get_dealer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<networks::Dealer>> {
    Ok(Json(networks::get_dealer(&state, &who, id).await?))
}

#[utoipa::path(patch, path = "/dealers/{id}", tag = "networks", operation_id = "updateDealer",
    summary = "Edit a dealer's name and contact (member and up)",
    params(("id" = i64, Path, description = "A dealer's account id")),
    request_body = networks::DealerUpdate,
    responses(
        (status = 200, description = "Saved", body = networks::Dealer),
        (status = 422, description = "An invalid field, or one sent as null (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_dealer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<networks::DealerUpdate>,
) -> AppResult<Json<networks::Dealer>> {
    Ok(Json(
        networks::update_dealer(&state, &who, id, &body).await?,
    ))
}

#[utoipa::path(post, path = "/dealers/{id}/status", tag = "networks", operation_id = "setDealerStatus",
    summary = "Inactive (temporary shutdown) or active again (admin and up)",
    description = "Inactive: the dealer's and its subscribers' sessions end and they cannot sign in; data kept.",
    params(("id" = i64, Path, description = "A dealer's account id")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "Changed", body = networks::Dealer),
        (status = 422, description = "Status is not active or inactive (`validation_failed`)", body = E),
    ))]
async fn dealer_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<networks::Dealer>> {
    Ok(Json(
        networks::set_dealer_status(&state, &who, id, body.status.trim()).await?,
    ))
}

#[utoipa::path(get, path = "/dealers/{id}/deletion", tag = "networks", operation_id = "dealerDeletionPreview",
    summary = "What deleting this dealer removes: accounts (itself and its subscribers), subscribers, logins",
    params(("id" = i64, Path, description = "A dealer's account id")),
    responses((status = 200, description = "Preview", body = networks::DealerDeletion)))]
async fn dealer_deletion(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<networks::DealerDeletion>> {
    Ok(Json(
        networks::dealer_deletion_preview(&state, &who, id).await?,
    ))
}

#[utoipa::path(delete, path = "/dealers/{id}", tag = "networks", operation_id = "deleteDealer",
    summary = "Delete a dealer with all its subscribers (admin and up)",
    description = "confirm_accounts must equal the count from /deletion.",
    params(("id" = i64, Path, description = "A dealer's account id"), DeleteAccount),
    responses(
        (status = 200, description = "Deleted", body = networks::DealerDeletion),
        (status = 422, description = "confirm_accounts missing or not the current count (`validation_failed`, field `confirm_accounts`)", body = E),
    ))]
async fn delete_dealer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiQuery(q): ApiQuery<DeleteAccount>,
) -> AppResult<Json<networks::DealerDeletion>> {
    Ok(Json(
        networks::delete_dealer(&state, &who, id, q.confirm_accounts).await?,
    ))
}

#[utoipa::path(get, path = "/reseller-settings", tag = "networks", operation_id = "getResellerSettings",
    summary = "Whether the partner in view serves resellers and which contact details the partner directory shows them",
    responses(
        (status = 200, description = "Settings", body = networks::ResellerSettings),
        (status = 403, description = "The account in view is not a partner (`forbidden`)", body = E),
    ))]
async fn get_reseller_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<networks::ResellerSettings>> {
    Ok(Json(networks::reseller_settings(&state, &who).await?))
}

#[utoipa::path(put, path = "/reseller-settings", tag = "networks", operation_id = "putResellerSettings",
    summary = "Change the reseller settings of the partner in view (owners and admins); absent fields stay",
    request_body = networks::ResellerSettingsInput,
    responses(
        (status = 200, description = "Saved", body = networks::ResellerSettings),
        (status = 403, description = "Not a partner, or the role is too weak (`forbidden`)", body = E),
        (status = 422, description = "An invalid field, one sent as null, or a detail shown without a value (`validation_failed`, with `field`)", body = E),
    ))]
async fn put_reseller_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<networks::ResellerSettingsInput>,
) -> AppResult<Json<networks::ResellerSettings>> {
    Ok(Json(
        networks::update_reseller_settings(&state, &who, &body).await?,
    ))
}

#[utoipa::path(get, path = "/partner-directory", tag = "networks", operation_id = "partnerDirectory",
    summary = "For resellers (and the operator): the active partners that serve resellers, by name",
    description = "Each with only the contact details it chose to show (the others are absent).",
    params(networks::DirectoryFilter),
    responses(
        (status = 200, description = "Page of partners", body = Page<networks::DirectoryEntry>),
        (status = 403, description = "The account in view is not a reseller or the operator (`forbidden`)", body = E),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn partner_directory(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<networks::DirectoryFilter>,
) -> AppResult<Json<Page<networks::DirectoryEntry>>> {
    Ok(Json(networks::directory(&state, &who, &f).await?))
}
