//! The JSON API under /api/v1: thin handlers over the domain.

use crate::areas::accounts;
use crate::areas::accounts::acting;
use crate::areas::accounts::logins;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::areas::auth::api::{me_body, MeBody};
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess;
use crate::kernel::http::*;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::Deserialize;
use RouteAccess as A;

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}" => get_account, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    patch "/accounts/{id}" => update_account, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    get "/accounts/{id}/children" => list_children, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/children" => create_child, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    get "/accounts/{id}/subtree" => search_subtree, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    get "/accounts/{id}/found" => found_accounts, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/bulk" => bulk_accounts, A::SignedIn;
    post "/accounts/{id}/status" => set_status, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    get "/accounts/{id}/deletion" => deletion_preview, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    delete "/accounts/{id}" => delete_account, A::On(&crate::areas::accounts::ACCOUNT_BELOW, Need::Admin);
    get "/accounts/{id}/logins" => list_logins, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/logins" => create_login, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    patch "/logins/{id}" => update_login, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
    delete "/logins/{id}" => delete_login, A::On(&crate::areas::accounts::LOGIN, Need::Admin);
    post "/act-as" => act_as_start, A::SignedIn;
    post "/act-as/exit" => act_as_exit, A::SignedIn;
    post "/act-as/renew" => act_as_renew, A::SignedIn;
    get "/audit" => audit_search, A::SignedIn;
    get "/audit.csv" => audit_csv, A::SignedIn;
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    get_account,
    update_account,
    list_children,
    create_child,
    search_subtree,
    found_accounts,
    set_status,
    bulk_accounts,
    deletion_preview,
    delete_account,
    list_logins,
    create_login,
    update_login,
    delete_login,
    act_as_start,
    act_as_exit,
    act_as_renew,
    audit_search,
    audit_csv
))]
pub struct Doc;

#[utoipa::path(get, path = "/accounts/{id}", tag = "accounts", operation_id = "getAccount",
    summary = "One account: the account in view or one below it",
    params(("id" = i64, Path, description = "An account id")),
    responses((status = 200, description = "Account", body = accounts::Account)))]
async fn get_account(
    State(state): State<AppState>,
    Auth(_): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<accounts::Account>> {
    Ok(Json(accounts::load(&state, id).await?))
}

#[utoipa::path(patch, path = "/accounts/{id}", tag = "accounts", operation_id = "updateAccount",
    summary = "Edit an account's name, email, phone (member and up)",
    params(("id" = i64, Path, description = "An account id")),
    request_body = accounts::AccountUpdate,
    responses(
        (status = 200, description = "Saved", body = accounts::Account),
        (status = 422, description = "Invalid field, or a field sent as null (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_account(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<accounts::AccountUpdate>,
) -> AppResult<Json<accounts::Account>> {
    Ok(Json(accounts::update(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/accounts/{id}/children", tag = "accounts", operation_id = "listChildren",
    summary = "Accounts directly below, filtered, sorted and paged",
    params(("id" = i64, Path, description = "An account id"), accounts::ListFilter),
    responses(
        (status = 200, description = "Page of accounts, with the cursors of the pages around it", body = accounts::AccountPage),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`); a cursor that cannot be read or of another sort (`cursor_invalid`, with `field`)", body = E),
    ))]
async fn list_children(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiQuery(f): ApiQuery<accounts::ListFilter>,
) -> AppResult<Json<accounts::AccountPage>> {
    Ok(Json(
        accounts::list(&state, &who, id, true, &f).await?.into(),
    ))
}

#[utoipa::path(get, path = "/accounts/{id}/subtree", tag = "accounts", operation_id = "searchSubtree",
    summary = "Search every account below, by name, kind and status, sorted and paged",
    params(("id" = i64, Path, description = "An account id"), accounts::ListFilter),
    responses(
        (status = 200, description = "Page of accounts, with the cursors of the pages around it", body = accounts::AccountPage),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`); a cursor that cannot be read or of another sort (`cursor_invalid`, with `field`)", body = E),
    ))]
async fn search_subtree(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiQuery(f): ApiQuery<accounts::ListFilter>,
) -> AppResult<Json<accounts::AccountPage>> {
    Ok(Json(
        accounts::list(&state, &who, id, false, &f).await?.into(),
    ))
}

#[utoipa::path(get, path = "/accounts/{id}/found", tag = "accounts", operation_id = "findAccounts",
    summary = "Type-to-search: the first accounts below whose name holds a text, by name, without a total",
    description = "What the Current view switcher shows. Over more than 5,000 accounts below, a text of three characters or more gives the first matches in the order the database reads them cheaply (SQLite: by id; PostgreSQL: by path), sorted by name; otherwise the first by name. `more` says as many as asked were found. For every match, sorted and counted, use `/accounts/{id}/subtree`.",
    params(("id" = i64, Path, description = "An account id"), accounts::FoundQuery),
    responses(
        (status = 200, description = "The accounts found, by name", body = accounts::FoundAccounts),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn found_accounts(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiQuery(f): ApiQuery<accounts::FoundQuery>,
) -> AppResult<Json<accounts::FoundAccounts>> {
    let limit = f.limit.unwrap_or(10);
    let items =
        accounts::found_below(&state, &who, id, f.q.as_deref(), f.kind.as_deref(), limit).await?;
    Ok(Json(accounts::FoundAccounts {
        more: items.len() as i64 >= limit,
        items,
    }))
}

#[utoipa::path(post, path = "/accounts/{id}/children", tag = "accounts", operation_id = "createChild",
    summary = "Create an account directly below (member and up)",
    description = "Allowed kinds: operator → partner, reseller; partner → partner, dealer, customer; reseller → partner, customer; dealer → customer.",
    params(("id" = i64, Path, description = "An account id")),
    request_body = accounts::AccountInput,
    responses(
        (status = 201, description = "Created", body = accounts::Account),
        (status = 409, description = "The parent is inactive (`parent_inactive`); or the package of a partner above caps customers or dealers and the cap is reached (`limit_reached`)", body = E),
        (status = 422, description = "Kind not allowed here, or an invalid field (`validation_failed`, with `field`)", body = E),
    ))]
async fn create_child(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<accounts::AccountInput>,
) -> AppResult<(StatusCode, Json<accounts::Account>)> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::create_child(&state, &who, id, &body).await?),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusBody {
    #[serde(default)]
    #[schema(required = true, schema_with = active_inactive)]
    pub status: String,
}

fn active_inactive() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["active", "inactive"])
}

#[utoipa::path(post, path = "/accounts/{id}/status", tag = "accounts", operation_id = "setAccountStatus",
    summary = "Set an account below active or inactive (admin and up)",
    description = "Inactive: its logins and all below cannot sign in; their sessions end.",
    params(("id" = i64, Path, description = "An account id")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "Saved", body = accounts::Account),
        (status = 422, description = "Status must be active or inactive (`validation_failed`)", body = E),
    ))]
async fn set_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<StatusBody>,
) -> AppResult<Json<accounts::Account>> {
    Ok(Json(
        accounts::set_status(&state, &who, id, body.status.trim()).await?,
    ))
}

#[utoipa::path(post, path = "/accounts/bulk", tag = "accounts", operation_id = "bulkAccounts",
    summary = "Suspend, resume or delete several accounts below at once (admin and up)",
    description = "All or nothing: every id is checked as `POST /accounts/{id}/status` and `DELETE /accounts/{id}` check it (strictly below the account in view, admin and up) before anything changes. One id outside reach (or missing) answers 404 and nothing is changed; the account in view itself answers 403. `delete` needs `confirm` equal to the number of ids.",
    request_body = accounts::bulk::BulkInput,
    responses(
        (status = 200, description = "Done", body = accounts::bulk::BulkResult),
        (status = 403, description = "The account in view is among the ids, or the role is too weak (`forbidden`)", body = E),
        (status = 404, description = "An id is not an account below the account in view (`not_found`); nothing changed", body = E),
        (status = 422, description = "Unknown action, no ids or more than 500, or `confirm` missing for delete (`validation_failed`, with `field`)", body = E),
    ))]
async fn bulk_accounts(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<accounts::bulk::BulkInput>,
) -> AppResult<Json<accounts::bulk::BulkResult>> {
    Ok(Json(accounts::bulk::bulk(&state, &who, &body).await?))
}

#[utoipa::path(get, path = "/accounts/{id}/deletion", tag = "accounts", operation_id = "deletionPreview",
    summary = "What deleting this account would remove",
    params(("id" = i64, Path, description = "An account id")),
    responses((status = 200, description = "Preview", body = accounts::DeletionPreview)))]
async fn deletion_preview(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<accounts::DeletionPreview>> {
    Ok(Json(accounts::deletion_preview(&state, &who, id).await?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteAccount {
    /// The number of accounts the deletion removes, as /deletion reported it.
    #[param(required = true)]
    pub confirm_accounts: Option<i64>,
}

#[utoipa::path(delete, path = "/accounts/{id}", tag = "accounts", operation_id = "deleteAccount",
    summary = "Delete an account below and its whole subtree (admin and up)",
    description = "confirm_accounts must equal the count from /deletion, counted again under the lock.",
    params(("id" = i64, Path, description = "An account id"), DeleteAccount),
    responses(
        (status = 200, description = "Deleted", body = accounts::DeletionPreview),
        (status = 422, description = "confirm_accounts missing or not the current count (`validation_failed`, field `confirm_accounts`)", body = E),
    ))]
async fn delete_account(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiQuery(q): ApiQuery<DeleteAccount>,
) -> AppResult<Json<accounts::DeletionPreview>> {
    Ok(Json(
        accounts::delete(&state, &who, id, q.confirm_accounts).await?,
    ))
}

#[utoipa::path(get, path = "/accounts/{id}/logins", tag = "logins", operation_id = "listLogins",
    summary = "A page of the logins of an account, sorted",
    params(("id" = i64, Path, description = "An account id"), logins::LoginSortQuery),
    responses(
        (status = 200, description = "A page of logins (25 unless `per_page` says otherwise) and how many there are", body = Page<logins::Login>),
        (status = 422, description = "A sort or direction outside what is documented, page below 1 or per_page outside 1..=100 (`validation_failed`, with `field`)", body = E),
    ))]
async fn list_logins(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiQuery(q): ApiQuery<logins::LoginSortQuery>,
) -> AppResult<Json<Page<logins::Login>>> {
    let sort = q.sort()?;
    Ok(Json(
        logins::list_for_account(&state, &who, id, &sort, q.page, q.per_page).await?,
    ))
}

#[utoipa::path(post, path = "/accounts/{id}/logins", tag = "logins", operation_id = "createLogin",
    summary = "Add a login to an account (admin and up)",
    params(("id" = i64, Path, description = "An account id")),
    request_body = logins::LoginInput,
    responses(
        (status = 201, description = "Created", body = logins::Login),
        (status = 409, description = "Email in use (`email_taken`)", body = E),
        (status = 422, description = "Invalid field (`validation_failed`, with `field`)", body = E),
    ))]
async fn create_login(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<logins::LoginInput>,
) -> AppResult<(StatusCode, Json<logins::Login>)> {
    Ok((
        StatusCode::CREATED,
        Json(logins::create_for_account(&state, &who, id, &body).await?),
    ))
}

#[utoipa::path(patch, path = "/logins/{id}", tag = "logins", operation_id = "updateLogin",
    summary = "Change another login's name, role, dashboard rights or status (admin and up)",
    params(("id" = i64, Path, description = "A login id")),
    request_body = logins::LoginUpdate,
    responses(
        (status = 200, description = "Saved", body = logins::Login),
        (status = 403, description = "Your own login (change it under My profile), or an owner changed by an admin (`forbidden`)", body = E),
        (status = 422, description = "Invalid field, or a field sent as null (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_login(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LoginId>,
    ApiJson(body): ApiJson<logins::LoginUpdate>,
) -> AppResult<Json<logins::Login>> {
    Ok(Json(logins::update_login(&state, &who, id, &body).await?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConfirmQuery {
    /// Must be true.
    #[param(required = true)]
    pub confirm: Option<bool>,
}

#[utoipa::path(delete, path = "/logins/{id}", tag = "logins", operation_id = "deleteLogin",
    summary = "Delete another login (admin and up); its sessions and tokens go with it",
    params(("id" = i64, Path, description = "A login id"), ConfirmQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Your own login, or an owner deleted by an admin (`forbidden`)", body = E),
        (status = 422, description = "confirm missing or not true (`validation_failed`, field `confirm`)", body = E),
    ))]
async fn delete_login(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<LoginId>,
    ApiQuery(q): ApiQuery<ConfirmQuery>,
) -> AppResult<StatusCode> {
    logins::delete_login(&state, &who, id, q.confirm.unwrap_or(false)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActAsBody {
    #[schema(value_type = i64)]
    pub account_id: AccountId,
}

#[utoipa::path(post, path = "/act-as", tag = "acting", operation_id = "actAsStart",
    summary = "Act as an account below your own, with owner rights there, for an hour",
    description = "For a session; with an API token send X-Act-As on each call instead.",
    request_body = ActAsBody,
    responses(
        (status = 200, description = "Now acting", body = MeBody),
        (status = 403, description = "Only owners and admins act as another account (`forbidden`)", body = E),
        (status = 404, description = "The account is not below yours (`not_found`)", body = E),
        (status = 409, description = "Already acting (`already_acting`)", body = E),
        (status = 422, description = "Your own account (`validation_failed`, field `account_id`)", body = E),
    ))]
async fn act_as_start(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<ActAsBody>,
) -> AppResult<Json<MeBody>> {
    let account = acting::start(&state, &who, body.account_id).await?;
    let who = Identity {
        view_account_id: account.id,
        acting_as: Some(account.id),
        view: None,
        ..who
    };
    Ok(Json(me_body(&state, &who).await?))
}

#[utoipa::path(post, path = "/act-as/exit", tag = "acting", operation_id = "actAsExit",
    summary = "Stop acting as another account",
    responses(
        (status = 200, description = "Back home", body = MeBody),
        (status = 409, description = "Not acting (`not_acting`)", body = E),
    ))]
async fn act_as_exit(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Json<MeBody>> {
    acting::exit(&state, &who).await?;
    let who = Identity {
        view_account_id: who.home_account_id,
        acting_as: None,
        view: None,
        ..who
    };
    Ok(Json(me_body(&state, &who).await?))
}

#[utoipa::path(post, path = "/act-as/renew", tag = "acting", operation_id = "actAsRenew",
    summary = "Extend acting as the current account by an hour",
    responses(
        (status = 204, description = "Renewed"),
        (status = 409, description = "Not acting (`not_acting`)", body = E),
    ))]
async fn act_as_renew(State(state): State<AppState>, Auth(who): Auth) -> AppResult<StatusCode> {
    acting::renew(&state, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/audit", tag = "audit", operation_id = "auditLog",
    summary = "The audit log of the account in view and everything below it, newest first",
    params(audit::AuditFilter),
    responses(
        (status = 200, description = "Page of records", body = Page<audit::AuditRecord>),
        (status = 422, description = "A query parameter outside what is documented, or an unknown action (`validation_failed`, with `field`)", body = E),
    ))]
async fn audit_search(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<audit::AuditFilter>,
) -> AppResult<Json<Page<audit::AuditRecord>>> {
    Ok(Json(audit::search(&state, &who, &f).await?))
}

#[utoipa::path(get, path = "/audit.csv", tag = "audit", operation_id = "auditCsv",
    summary = "The filtered audit log as CSV (UTF-8, RFC 4180, formulas neutralised), at most 100000 rows",
    params(audit::AuditFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 422, description = "A query parameter outside what is documented, or an unknown action (`validation_failed`, with `field`)", body = E),
    ))]
async fn audit_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<audit::AuditFilter>,
) -> AppResult<Response> {
    Ok(csv_response(
        "audit.csv",
        audit::export_csv(&state, &who, &f).await?,
    ))
}
