//! JSON API of the reseller and dealer networks: My dealers, reseller settings, the partner
//! directory.

use crate::areas::accounts::api::DeleteAccount;
use crate::areas::accounts::api::StatusBody;
use crate::areas::networks;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

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

async fn list_dealers(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<networks::DealerFilter>,
) -> AppResult<Json<Page<networks::Dealer>>> {
    Ok(Json(networks::list_dealers(&state, &who, &f).await?))
}

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

async fn get_dealer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<networks::Dealer>> {
    Ok(Json(networks::get_dealer(&state, &who, id).await?))
}

async fn update_dealer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<networks::DealerUpdate>,
) -> AppResult<Json<networks::Dealer>> {
    Ok(Json(
        networks::update_dealer(&state, &who, id, &body).await?,
    ))
}

async fn dealer_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<networks::Dealer>> {
    Ok(Json(
        networks::set_dealer_status(&state, &who, id, body.status.trim()).await?,
    ))
}

async fn dealer_deletion(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
) -> AppResult<Json<networks::DealerDeletion>> {
    Ok(Json(
        networks::dealer_deletion_preview(&state, &who, id).await?,
    ))
}

async fn delete_dealer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId,
    ApiQuery(q): ApiQuery<DeleteAccount>,
) -> AppResult<Json<networks::DealerDeletion>> {
    Ok(Json(
        networks::delete_dealer(&state, &who, id, q.confirm_accounts).await?,
    ))
}

async fn get_reseller_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<networks::ResellerSettings>> {
    Ok(Json(networks::reseller_settings(&state, &who).await?))
}

async fn put_reseller_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<networks::ResellerSettingsInput>,
) -> AppResult<Json<networks::ResellerSettings>> {
    Ok(Json(
        networks::update_reseller_settings(&state, &who, &body).await?,
    ))
}

async fn partner_directory(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<networks::DirectoryFilter>,
) -> AppResult<Json<Page<networks::DirectoryEntry>>> {
    Ok(Json(networks::directory(&state, &who, &f).await?))
}

/// Adds the operations and schemas of this module to the OpenAPI document.
pub fn document(doc: &mut Value) {
    use crate::kernel::http::openapi::{err, ok, op, with_id, with_query};
    let paths = doc["paths"].as_object_mut().expect("paths");
    let limit = "The package of a partner above caps dealers or customers and the cap is reached (`limit_reached`)";
    paths.insert("/api/v1/dealers".into(), json!({
        "get": with_query(op("listDealers", "networks", "My dealers: the dealers directly under the partner in view, with status and number of subscribers (customers below each)", None,
            json!({ "200": ok("Page of dealers", "DealerPage"), "403": err("The account in view is not a partner (`forbidden`)"), "422": err("Bad filter (`validation_failed`)") })),
            &[("q", json!({ "type": "string", "maxLength": 100 }), "Part of the name, any case"),
              ("status", json!({ "type": "string", "enum": ["active", "inactive"] }), "Only this status"),
              ("page", json!({ "type": "integer", "minimum": 1, "default": 1 }), "1-based page"),
              ("per_page", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 25 }), "Rows per page")]),
        "post": op("createDealer", "networks", "Add a dealer under the partner in view with its owner login (owners and admins), in one transaction: nothing is written if any part fails", Some("DealerInput"),
            json!({ "201": ok("Created", "Dealer"), "403": err("The account in view is not a partner, or the role is too weak (`forbidden`)"),
                    "409": err(&format!("The username is taken (`email_taken`); the partner is inactive (`parent_inactive`); or: {limit}")),
                    "422": err("Invalid field (`validation_failed`, with `field`)") }))
    }));
    paths.insert("/api/v1/dealers/{id}".into(), json!({
        "get": with_id(op("getDealer", "networks", "One dealer below the account in view", None, json!({ "200": ok("Dealer", "Dealer") }))),
        "patch": with_id(op("updateDealer", "networks", "Edit a dealer's name and contact (member and up)", Some("DealerUpdate"),
            json!({ "200": ok("Saved", "Dealer"), "422": err("Invalid field (`validation_failed`, with `field`)") }))),
        "delete": with_query(with_id(op("deleteDealer", "networks", "Delete a dealer with all its subscribers (admin and up); confirm_accounts must equal the count from /deletion", None,
            json!({ "200": ok("Deleted", "DealerDeletion"), "422": err("confirm_accounts missing or not the current count (`validation_failed`)") }))),
            &[("confirm_accounts", json!({ "type": "integer" }), "The number of accounts the deletion removes (the dealer and its subscribers), as /deletion reported it")])
    }));
    paths.insert("/api/v1/dealers/{id}/status".into(), json!({
        "post": with_id(op("setDealerStatus", "networks", "Inactive (temporary shutdown: the dealer's and its subscribers' sessions end and they cannot sign in; data kept) or active again (admin and up)", Some("StatusBody"),
            json!({ "200": ok("Changed", "Dealer"), "422": err("Status is not active or inactive (`validation_failed`)") })))
    }));
    paths.insert("/api/v1/dealers/{id}/deletion".into(), json!({
        "get": with_id(op("dealerDeletionPreview", "networks", "What deleting this dealer removes: accounts (itself and its subscribers), subscribers, logins", None,
            json!({ "200": ok("Preview", "DealerDeletion") })))
    }));
    paths.insert("/api/v1/reseller-settings".into(), json!({
        "get": op("getResellerSettings", "networks", "Whether the partner in view serves resellers and which contact details the partner directory shows them", None,
            json!({ "200": ok("Settings", "ResellerSettings"), "403": err("The account in view is not a partner (`forbidden`)") })),
        "put": op("putResellerSettings", "networks", "Change the reseller settings of the partner in view (owners and admins); absent fields stay", Some("ResellerSettingsInput"),
            json!({ "200": ok("Saved", "ResellerSettings"), "403": err("Not a partner, or the role is too weak (`forbidden`)"),
                    "422": err("Invalid field, or a detail shown without a value (`validation_failed`, with `field`)") }))
    }));
    paths.insert("/api/v1/partner-directory".into(), json!({
        "get": with_query(op("partnerDirectory", "networks", "For resellers (and the operator): the active partners that serve resellers, by name, each with only the contact details it chose to show (the others are absent)", None,
            json!({ "200": ok("Page of partners", "DirectoryPage"), "403": err("The account in view is not a reseller or the operator (`forbidden`)"), "422": err("Bad filter (`validation_failed`)") })),
            &[("q", json!({ "type": "string", "maxLength": 100 }), "Part of the name, any case"),
              ("page", json!({ "type": "integer", "minimum": 1, "default": 1 }), "1-based page"),
              ("per_page", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 25 }), "Rows per page")])
    }));
    let children = doc["paths"]["/api/v1/accounts/{id}/children"]["post"]["responses"]
        .as_object_mut()
        .expect("createChild");
    children.insert(
        "409".into(),
        err(&format!(
            "The parent is inactive (`parent_inactive`); or: {limit}"
        )),
    );
    doc["tags"].as_array_mut().expect("tags").push(
        json!({ "name": "networks", "description": "Dealer and reseller networks: My dealers, package limits, reseller settings, the partner directory" }),
    );
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    schemas.insert("Dealer".into(), json!({ "type": "object", "required": ["id", "name", "status", "contact_name", "subscribers", "created_at"], "properties": {
        "id": { "type": "integer", "format": "int64" }, "name": { "type": "string" },
        "status": { "type": "string", "enum": ["active", "inactive", "deleted"] },
        "contact_name": { "type": "string" }, "email": { "type": "string", "nullable": true }, "phone": { "type": "string", "nullable": true },
        "username": { "type": "string", "nullable": true, "description": "What the dealer's owner login signs in with (a username or an email)" },
        "subscribers": { "type": "integer", "description": "Customers below the dealer" },
        "created_at": { "type": "string", "format": "date-time" } } }));
    schemas.insert("DealerPage".into(), json!({ "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": { "type": "array", "items": { "$ref": "#/components/schemas/Dealer" } },
        "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } }));
    schemas.insert("DealerInput".into(), json!({ "type": "object", "required": ["name", "contact_name", "email", "password"], "properties": {
        "name": { "type": "string", "maxLength": 100, "pattern": "\\S" },
        "contact_name": { "type": "string", "maxLength": 100, "pattern": "\\S" },
        "email": { "type": "string", "format": "email", "description": "The contact's email" },
        "phone": { "type": "string", "maxLength": 40, "pattern": "^[0-9 +()./-]*$" },
        "username": { "type": "string", "description": "What the dealer signs in with: a username (3–40 letters, digits, . _ -) or an email; the contact's email when empty" },
        "password": { "type": "string", "format": "password", "minLength": 10, "maxLength": 256 } } }));
    schemas.insert(
        "DealerUpdate".into(),
        json!({ "type": "object", "properties": {
        "name": { "type": "string", "maxLength": 100, "pattern": "\\S" },
        "contact_name": { "type": "string", "maxLength": 100, "pattern": "\\S" },
        "email": { "type": "string", "format": "email" },
        "phone": { "type": "string", "maxLength": 40, "pattern": "^[0-9 +()./-]*$" } } }),
    );
    schemas.insert("ResellerSettings".into(), json!({ "type": "object", "required": ["serves_resellers", "email", "show_email", "phone", "show_phone", "website", "show_website", "address", "show_address", "note"], "properties": {
        "serves_resellers": { "type": "boolean", "description": "Listed in the partner directory" },
        "email": { "type": "string" }, "show_email": { "type": "boolean" },
        "phone": { "type": "string" }, "show_phone": { "type": "boolean" },
        "website": { "type": "string" }, "show_website": { "type": "boolean" },
        "address": { "type": "string" }, "show_address": { "type": "boolean" },
        "note": { "type": "string", "description": "How the partner works with resellers; shown when not empty" } } }));
    schemas.insert("ResellerSettingsInput".into(), json!({ "type": "object", "properties": {
        "serves_resellers": { "type": "boolean" },
        "email": { "type": "string", "description": "An email address, or empty" }, "show_email": { "type": "boolean" },
        "phone": { "type": "string", "maxLength": 40, "pattern": "^[0-9 +()./-]*$" }, "show_phone": { "type": "boolean" },
        "website": { "type": "string", "maxLength": 200, "description": "Starts with https:// or http://, or empty" }, "show_website": { "type": "boolean" },
        "address": { "type": "string", "maxLength": 300 }, "show_address": { "type": "boolean" },
        "note": { "type": "string", "maxLength": 2000 } } }));
    schemas.insert("DirectoryEntry".into(), json!({ "type": "object", "required": ["id", "name"], "description": "A detail the partner does not show is absent", "properties": {
        "id": { "type": "integer", "format": "int64" }, "name": { "type": "string" },
        "email": { "type": "string" }, "phone": { "type": "string" }, "website": { "type": "string" },
        "address": { "type": "string" }, "note": { "type": "string" } } }));
    schemas.insert("DirectoryPage".into(), json!({ "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": { "type": "array", "items": { "$ref": "#/components/schemas/DirectoryEntry" } },
        "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } }));
    schemas.insert("DealerDeletion".into(), json!({ "type": "object", "required": ["dealer", "accounts", "subscribers", "logins"], "properties": {
        "dealer": { "$ref": "#/components/schemas/Dealer" }, "accounts": { "type": "integer", "description": "The dealer and its subscribers" },
        "subscribers": { "type": "integer" }, "logins": { "type": "integer" } } }));
}
