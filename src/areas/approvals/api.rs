//! JSON API of requests and the approval inbox: channels, advertising packages and impressions,
//! a partner's requests, the addressee's inbox, decisions and their history.

use crate::areas::accounts::AccountId;
use crate::areas::approvals as requests;
use crate::areas::approvals::Request;
use crate::areas::approvals::RequestId;
use crate::areas::catalog::advertising;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    impressions,
    mine,
    create,
    one,
    withdraw,
    inbox,
    approve,
    reject,
    history,
    history_csv,
    engagements
))]
pub struct Doc;

/// What waits for the account in view's decision, with the pending counts per type.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Inbox {
    /// Pending counts per type (partnership for the operator).
    pub pending: requests::Counts,
    pub items: Vec<Request>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[utoipa::path(get, path = "/accounts/{id}/impressions", tag = "requests", operation_id = "impressions",
    summary = "A partner's impressions: credited, held by pending and live campaigns, spent, available",
    params(("id" = i64, Path, description = "A partner's account id")),
    responses(
        (status = 200, description = "Impressions", body = advertising::Wallet),
        (status = 422, description = "Not a partner (`validation_failed`)", body = E),
    ))]
async fn impressions(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<advertising::Wallet>> {
    Ok(Json(advertising::wallet(&state, &who, id).await?))
}

#[utoipa::path(get, path = "/requests", tag = "requests", operation_id = "myRequests",
    summary = "The requests of the account in view, newest first, with status and rejection reasons",
    params(requests::MineFilter),
    responses(
        (status = 200, description = "Page", body = Page<Request>),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn mine(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<requests::MineFilter>,
) -> AppResult<Json<Page<Request>>> {
    Ok(Json(requests::mine(&state, &who, &f).await?))
}

#[utoipa::path(post, path = "/requests", tag = "requests", operation_id = "createRequest",
    summary = "Ask: an add-on, a broadcast to non-followers, an advertising package, an ad campaign, or (a reseller) a partner",
    description = "A partner (member and up) asks the operator; an ad campaign holds its impressions until rejected or ended. A reseller asks a partner of the directory (type reseller_link).",
    request_body = requests::NewRequest,
    responses(
        (status = 201, description = "Created", body = Request),
        (status = 403, description = "Not a partner (or, for reseller_link, not a reseller), or the role is too weak (`forbidden`)", body = E),
        (status = 409, description = "The same request is pending, or the add-on is on already (`duplicate_request`); the reseller has a partner already (`already_linked`)", body = E),
        (status = 422, description = "A field breaks a rule, e.g. more impressions than available, or is sent as null (`validation_failed`, with `field`)", body = E),
    ))]
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

#[utoipa::path(get, path = "/requests/{id}", tag = "requests", operation_id = "getRequest",
    summary = "One request of the account in view (or below), or addressed to it",
    params(("id" = i64, Path, description = "A request id")),
    responses(
        (status = 200, description = "Request", body = Request),
        (status = 404, description = "No such request, or one outside your reach (`not_found`)", body = E),
    ))]
async fn one(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<RequestId>,
) -> AppResult<Json<Request>> {
    Ok(Json(requests::request(&state, &who, id).await?))
}

#[utoipa::path(post, path = "/requests/{id}/withdraw", tag = "requests", operation_id = "withdrawRequest",
    summary = "The account that asked (member and up) withdraws a request still waiting; it frees what it held",
    params(("id" = i64, Path, description = "A request id")),
    responses(
        (status = 200, description = "Withdrawn", body = Request),
        (status = 403, description = "The role is too weak, or the request is not of the account in view (`forbidden`)", body = E),
        (status = 404, description = "No such request, or one outside your reach (`not_found`)", body = E),
        (status = 409, description = "No longer waiting (`already_decided`)", body = E),
    ))]
async fn withdraw(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<RequestId>,
) -> AppResult<Json<Request>> {
    Ok(Json(requests::withdraw(&state, &who, id).await?))
}

#[utoipa::path(get, path = "/inbox", tag = "requests", operation_id = "inbox",
    summary = "What waits for the account in view's decision, oldest first, with pending counts per type",
    params(requests::InboxFilter),
    responses(
        (status = 200, description = "Inbox", body = Inbox),
        (status = 422, description = "A query parameter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
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

#[utoipa::path(post, path = "/inbox/{id}/approve", tag = "requests", operation_id = "approveInboxRequest",
    summary = "Approve (owners and admins of the addressee): takes effect at once",
    description = "Add-on on, impressions credited, broadcast scheduled, campaign live, reseller linked.",
    params(("id" = i64, Path, description = "A request id")),
    responses(
        (status = 200, description = "Approved", body = Request),
        (status = 403, description = "Your own account's request, or your role (`forbidden`)", body = E),
        (status = 404, description = "No such request, or not addressed to the account in view (`not_found`)", body = E),
        (status = 409, description = "Already decided (`already_decided`), the campaign's end has passed (`request_expired`), the reseller has a partner already (`already_linked`), the requester is no longer active (`requester_inactive`), or the broadcast's channel was deleted (`channel_gone`)", body = E),
    ))]
async fn approve(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<RequestId>,
) -> AppResult<Json<Request>> {
    Ok(Json(requests::decide(&state, &who, id, true, "").await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = InboxRejectBody)]
pub struct RejectBody {
    /// Emailed to the partner; line breaks allowed.
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 1000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub reason: String,
}

#[utoipa::path(post, path = "/inbox/{id}/reject", tag = "requests", operation_id = "rejectInboxRequest",
    summary = "Reject with a reason, emailed to the partner; frees what the request held",
    params(("id" = i64, Path, description = "A request id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "Rejected", body = Request),
        (status = 403, description = "Your own account's request, or your role (`forbidden`)", body = E),
        (status = 404, description = "No such request, or not addressed to the account in view (`not_found`)", body = E),
        (status = 409, description = "Already decided (`already_decided`)", body = E),
        (status = 422, description = "Reason missing (`validation_failed`, field `reason`)", body = E),
    ))]
async fn reject(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<RequestId>,
    ApiJson(body): ApiJson<RejectBody>,
) -> AppResult<Json<Request>> {
    Ok(Json(
        requests::decide(&state, &who, id, false, &body.reason).await?,
    ))
}

#[utoipa::path(get, path = "/inbox/history", tag = "requests", operation_id = "decisionHistory",
    summary = "Decisions of the account in view (the operator's include partnerships), newest first",
    params(requests::HistoryFilter),
    responses(
        (status = 200, description = "Page", body = Page<requests::Decision>),
        (status = 422, description = "A query parameter outside what is documented, or `to` before `from` (`validation_failed`, with `field`)", body = E),
    ))]
async fn history(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<requests::HistoryFilter>,
) -> AppResult<Json<Page<requests::Decision>>> {
    Ok(Json(requests::history(&state, &who, &f).await?))
}

#[utoipa::path(get, path = "/inbox/history.csv", tag = "requests", operation_id = "decisionHistoryCsv",
    summary = "The filtered decision history as CSV (UTF-8 with BOM, RFC 4180, formulas neutralised), streamed",
    params(requests::HistoryFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 422, description = "A query parameter outside what is documented, or `to` before `from` (`validation_failed`, with `field`)", body = E),
    ))]
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

#[utoipa::path(get, path = "/engagements", tag = "requests", operation_id = "engagements",
    summary = "What a customer (end-user) is shown: broadcasts sent to it from channels it does not follow, and the ad campaigns live now",
    responses(
        (status = 200, description = "Engagements", body = requests::Engagements),
        (status = 403, description = "The account in view is not a customer (`forbidden`)", body = E),
    ))]
async fn engagements(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<requests::Engagements>> {
    Ok(Json(requests::engagements(&state, &who).await?))
}
