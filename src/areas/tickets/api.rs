//! JSON API of tickets: the list (a customer's own tickets, or the queue below the account in
//! view) with filters, sort, pages and CSV; opening; the thread; answers, replies and internal
//! notes; statuses; notifications; the escalation settings.

use crate::areas::tickets;
use crate::areas::tickets::AttachmentId;
use crate::areas::tickets::TicketId;
use crate::areas::tickets::{Thread, Ticket, TicketFilter};
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::csv_stream_response;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiJsonUpload;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, response::Response, Json};

crate::route_table! { ROUTES, routes;
    get "/tickets" => list_tickets, A::SignedIn;
    post "/tickets" => open_ticket, A::SignedIn;
    get "/tickets.csv" => tickets_csv, A::SignedIn;
    get "/tickets/notifications" => ticket_notifications, A::SignedIn;
    get "/tickets/settings" => get_ticket_settings, A::Operator(Need::Read);
    put "/tickets/settings" => put_ticket_settings, A::Operator(Need::Admin);
    get "/tickets/{id}" => get_ticket, A::On(&crate::areas::tickets::TICKET, Need::Read);
    post "/tickets/{id}/messages" => write_message, A::On(&crate::areas::tickets::TICKET, Need::Write);
    get "/tickets/{id}/notes" => ticket_notes, A::On(&crate::areas::tickets::TICKET_NOTES, Need::Read);
    post "/tickets/{id}/status" => set_ticket_status, A::On(&crate::areas::tickets::TICKET, Need::Write);
    get "/ticket-attachments/{id}" => download_attachment, A::On(&crate::areas::tickets::TICKET_ATTACHMENT, Need::Read);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_tickets,
    open_ticket,
    tickets_csv,
    ticket_notifications,
    get_ticket_settings,
    put_ticket_settings,
    get_ticket,
    write_message,
    ticket_notes,
    set_ticket_status,
    download_attachment
))]
pub struct Doc;

#[utoipa::path(get, path = "/tickets", tag = "tickets", operation_id = "listTickets",
    summary = "A customer's own tickets, or the queue of every ticket of the customers below the account in view (all for the operator): filters, search, sort, pages",
    params(TicketFilter),
    responses(
        (status = 200, description = "Page", body = Page<Ticket>),
        (status = 422, description = "An unknown status, priority, sort or direction, or a customer out of view (`validation_failed`, with `field`)", body = E),
    ))]
async fn list_tickets(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<TicketFilter>,
) -> AppResult<Json<Page<Ticket>>> {
    Ok(Json(tickets::list(&state, &who, &f).await?))
}

#[utoipa::path(post, path = "/tickets", tag = "tickets", operation_id = "openTicket",
    summary = "Open a ticket as the customer in view (members and up); it goes to the nearest partner, reseller or dealer above",
    description = "Files go in `attachments`, each as its `name` and its bytes in base64 (`data`): at most 5, each at most 5 MiB decoded, of a type read from the bytes (PNG, JPEG, PDF, plain text). The body may then be up to 40 MiB.",
    request_body = tickets::NewTicket,
    responses(
        (status = 201, description = "Opened", body = Thread),
        (status = 403, description = "Not a customer, or a viewer (`forbidden`)", body = E),
        (status = 413, description = "A body over 40 MiB (`payload_too_large`)", body = E),
        (status = 422, description = "Empty or too long subject or message, unknown category or priority (`validation_failed`, with `field` and `fields`); a file over 5 MiB (`attachment_too_large`), of another type (`attachment_type_refused`), empty, not base64 or more than 5 (`validation_failed`), field `attachments`", body = E),
    ))]
async fn open_ticket(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJsonUpload(body): ApiJsonUpload<tickets::NewTicket>,
) -> AppResult<(StatusCode, Json<Thread>)> {
    Ok((
        StatusCode::CREATED,
        Json(tickets::open(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/tickets.csv", tag = "tickets", operation_id = "ticketsCsv",
    summary = "The filtered tickets as CSV (UTF-8 with BOM, RFC 4180, formulas neutralised); every answer's sender is Servicecenter",
    params(TicketFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 422, description = "A filter outside what is documented (`validation_failed`, with `field`)", body = E),
    ))]
async fn tickets_csv(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<TicketFilter>,
) -> AppResult<Response> {
    Ok(csv_stream_response(
        "tickets.csv",
        tickets::list_csv(&state, &who, &f).await?,
    ))
}

#[utoipa::path(get, path = "/tickets/notifications", tag = "tickets", operation_id = "ticketNotifications",
    summary = "Notices about tickets for the account in view (answers and statuses from Servicecenter; escalations for the operator), newest first",
    responses((status = 200, description = "Notifications", body = Vec<tickets::Notification>)))]
async fn ticket_notifications(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Vec<tickets::Notification>>> {
    Ok(Json(tickets::notifications(&state, &who).await?))
}

#[utoipa::path(get, path = "/tickets/settings", tag = "tickets", operation_id = "ticketSettings",
    summary = "The response time per priority (business minutes) and the business-hours calendar (operator)",
    responses(
        (status = 200, description = "Settings", body = tickets::TicketSettings),
        (status = 403, description = "Not the operator (`forbidden`)", body = E),
    ))]
async fn get_ticket_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<tickets::TicketSettings>> {
    Ok(Json(tickets::settings(&state, &who).await?))
}

#[utoipa::path(put, path = "/tickets/settings", tag = "tickets", operation_id = "setTicketSettings",
    summary = "Set the response times and the calendar (operator admins); due times of running clocks move with them",
    request_body = tickets::TicketSettings,
    responses(
        (status = 200, description = "Saved", body = tickets::TicketSettings),
        (status = 403, description = "Not an operator admin (`forbidden`)", body = E),
        (status = 422, description = "A calendar with no working hours (`no_working_hours`), an unknown zone, weekday or time, a response time outside 1 to 10080 (`validation_failed`), with `field`", body = E),
    ))]
async fn put_ticket_settings(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<tickets::TicketSettings>,
) -> AppResult<Json<tickets::TicketSettings>> {
    Ok(Json(tickets::set_settings(&state, &who, &body).await?))
}

#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets", operation_id = "getTicket",
    summary = "A ticket with its thread: the customer reads every answer from Servicecenter and no internal note",
    params(("id" = i64, Path, description = "A ticket id")),
    responses(
        (status = 200, description = "The ticket", body = Thread),
        (status = 404, description = "No such ticket, or one outside your reach (`not_found`)", body = E),
    ))]
async fn get_ticket(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<TicketId>,
) -> AppResult<Json<Thread>> {
    Ok(Json(tickets::thread(&state, &who, id).await?))
}

#[utoipa::path(post, path = "/tickets/{id}/messages", tag = "tickets", operation_id = "writeTicketMessage",
    summary = "Write in the thread (members and up): the customer's reply, or an answer (sent as Servicecenter) or an internal note of the service side; optionally a status too",
    description = "Files go in `attachments` as when opening a ticket (base64, at most 5 of 5 MiB: PNG, JPEG, PDF, plain text); those of an internal note are never listed to, nor downloadable by, the customer.",
    params(("id" = i64, Path, description = "A ticket id")),
    request_body = tickets::NewMessage,
    responses(
        (status = 200, description = "The ticket after it", body = Thread),
        (status = 403, description = "The customer writing an internal note or setting pending or solved, or a viewer (`forbidden`)", body = E),
        (status = 404, description = "No such ticket, or one outside your reach (`not_found`)", body = E),
        (status = 413, description = "A body over 40 MiB (`payload_too_large`)", body = E),
        (status = 422, description = "An empty or too long text, an unknown status (`validation_failed`, with `field`); a file over 5 MiB (`attachment_too_large`), of another type (`attachment_type_refused`), empty, not base64 or more than 5 (`validation_failed`), field `attachments`", body = E),
    ))]
async fn write_message(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<TicketId>,
    ApiJsonUpload(body): ApiJsonUpload<tickets::NewMessage>,
) -> AppResult<Json<Thread>> {
    Ok(Json(tickets::write(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/tickets/{id}/notes", tag = "tickets", operation_id = "ticketNotes",
    summary = "The internal notes of a ticket (service side only)",
    params(("id" = i64, Path, description = "A ticket id")),
    responses(
        (status = 200, description = "Notes", body = Vec<tickets::Message>),
        (status = 403, description = "The customer's side (`forbidden`)", body = E),
        (status = 404, description = "No such ticket, or one outside your reach (`not_found`)", body = E),
    ))]
async fn ticket_notes(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<TicketId>,
) -> AppResult<Json<Vec<tickets::Message>>> {
    Ok(Json(tickets::notes(&state, &who, id).await?))
}

#[utoipa::path(post, path = "/tickets/{id}/status", tag = "tickets", operation_id = "setTicketStatus",
    summary = "Set the status (members and up): open, pending (waiting on the customer: the response clock pauses), solved, closed; the customer may only close or reopen",
    params(("id" = i64, Path, description = "A ticket id")),
    request_body = tickets::StatusChange,
    responses(
        (status = 200, description = "The ticket after it", body = Thread),
        (status = 403, description = "The customer setting pending or solved, or a viewer (`forbidden`)", body = E),
        (status = 404, description = "No such ticket, or one outside your reach (`not_found`)", body = E),
        (status = 422, description = "An unknown status (`validation_failed`, field `status`)", body = E),
    ))]
async fn set_ticket_status(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<TicketId>,
    ApiJson(body): ApiJson<tickets::StatusChange>,
) -> AppResult<Json<Thread>> {
    Ok(Json(tickets::set_status(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/ticket-attachments/{id}", tag = "tickets", operation_id = "downloadTicketAttachment",
    summary = "Download a file of a ticket's thread (as an attachment, with its checked type and nosniff); the customer's side gets 404 for an internal note's file",
    params(("id" = i64, Path, description = "An attachment id")),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "No such file, one of a ticket outside your reach, or an internal note's file for the customer (`not_found`)", body = E),
    ))]
async fn download_attachment(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AttachmentId>,
) -> AppResult<Response> {
    Ok(tickets::attachments::response(
        tickets::attachments::download(&state, &who, id).await?,
    ))
}
