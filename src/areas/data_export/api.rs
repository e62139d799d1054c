//! JSON API of the data export.

use crate::areas::data_export;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, response::Response};

crate::route_table! { ROUTES, routes;
    get "/me/export" => export_my_data, A::SignedIn;
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(export_my_data))]
pub struct Doc;

#[utoipa::path(get, path = "/me/export", tag = "me", operation_id = "exportMyData",
    summary = "Export the data of the account in view as a JSON download: the account, its logins (no password hashes; all of them for owners and admins, else your own) and its tickets with each thread as the customer sees it (answers from Servicecenter, no internal notes, no staff names)",
    responses(
        (status = 200, description = "The export (Content-Disposition: attachment)", body = data_export::DataExport),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = E),
    ))]
async fn export_my_data(State(state): State<AppState>, Auth(who): Auth) -> AppResult<Response> {
    data_export::download(&data_export::export(&state, &who).await?)
}
