//! JSON API of release notes: the notes of the caller's panel with their read state, opening
//! one (marks it read), and writing, editing, publishing and unpublishing (operator admins).

use crate::areas::release_notes;
use crate::areas::release_notes::ReleaseNoteId;
use crate::areas::release_notes::{NoteInput, ReleaseNote};
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};

crate::route_table! { ROUTES, routes;
    get "/release-notes" => list_release_notes, A::SignedIn;
    post "/release-notes" => create_release_note, A::Operator(Need::Admin);
    get "/release-notes/{id}" => open_release_note, A::On(&crate::areas::release_notes::RELEASE_NOTE, Need::Read);
    put "/release-notes/{id}" => update_release_note, A::On(&crate::areas::release_notes::RELEASE_NOTE_ADMIN, Need::Admin);
    post "/release-notes/{id}/publish" => publish_release_note, A::On(&crate::areas::release_notes::RELEASE_NOTE_ADMIN, Need::Admin);
    post "/release-notes/{id}/unpublish" => unpublish_release_note, A::On(&crate::areas::release_notes::RELEASE_NOTE_ADMIN, Need::Admin);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_release_notes,
    create_release_note,
    open_release_note,
    update_release_note,
    publish_release_note,
    unpublish_release_note
))]
pub struct Doc;

#[utoipa::path(get, path = "/release-notes", tag = "release notes", operation_id = "listReleaseNotes",
    summary = "The published release notes meant for the kind of account in view, newest first, with whether this login opened each (the operator also gets drafts)",
    responses((status = 200, description = "Notes", body = Vec<ReleaseNote>)))]
async fn list_release_notes(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Vec<ReleaseNote>>> {
    Ok(Json(release_notes::list(&state, &who).await?))
}

#[utoipa::path(post, path = "/release-notes", tag = "release notes", operation_id = "createReleaseNote",
    summary = "Write a release note (operator admins): a draft, or published at once with `publish`",
    request_body = NoteInput,
    responses(
        (status = 201, description = "Written", body = ReleaseNote),
        (status = 403, description = "Not an operator admin (`forbidden`)", body = E),
        (status = 422, description = "Empty or too long title or text, an unknown kind (`validation_failed`, with `field` and `fields`)", body = E),
    ))]
async fn create_release_note(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<NoteInput>,
) -> AppResult<(StatusCode, Json<ReleaseNote>)> {
    Ok((
        StatusCode::CREATED,
        Json(release_notes::create(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/release-notes/{id}", tag = "release notes", operation_id = "openReleaseNote",
    summary = "Open a release note: from now on it counts as read for this login",
    params(("id" = i64, Path, description = "A release note id")),
    responses(
        (status = 200, description = "The note", body = ReleaseNote),
        (status = 404, description = "No such note, a draft, or one meant for other kinds (`not_found`)", body = E),
    ))]
async fn open_release_note(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ReleaseNoteId>,
) -> AppResult<Json<ReleaseNote>> {
    Ok(Json(release_notes::open(&state, &who, id).await?))
}

#[utoipa::path(put, path = "/release-notes/{id}", tag = "release notes", operation_id = "updateReleaseNote",
    summary = "Edit a release note (operator admins); `publish` publishes a draft",
    params(("id" = i64, Path, description = "A release note id")),
    request_body = NoteInput,
    responses(
        (status = 200, description = "Saved", body = ReleaseNote),
        (status = 403, description = "Not an operator admin (`forbidden`)", body = E),
        (status = 404, description = "No such note (`not_found`)", body = E),
        (status = 422, description = "Empty or too long title or text, an unknown kind (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_release_note(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ReleaseNoteId>,
    ApiJson(body): ApiJson<NoteInput>,
) -> AppResult<Json<ReleaseNote>> {
    Ok(Json(release_notes::update(&state, &who, id, &body).await?))
}

#[utoipa::path(post, path = "/release-notes/{id}/publish", tag = "release notes", operation_id = "publishReleaseNote",
    summary = "Publish a release note now (operator admins)",
    params(("id" = i64, Path, description = "A release note id")),
    responses(
        (status = 200, description = "Published", body = ReleaseNote),
        (status = 403, description = "Not an operator admin (`forbidden`)", body = E),
        (status = 404, description = "No such note (`not_found`)", body = E),
    ))]
async fn publish_release_note(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ReleaseNoteId>,
) -> AppResult<Json<ReleaseNote>> {
    Ok(Json(
        release_notes::set_published(&state, &who, id, true).await?,
    ))
}

#[utoipa::path(post, path = "/release-notes/{id}/unpublish", tag = "release notes", operation_id = "unpublishReleaseNote",
    summary = "Take a release note back to a draft (operator admins): panels stop showing it",
    params(("id" = i64, Path, description = "A release note id")),
    responses(
        (status = 200, description = "Unpublished", body = ReleaseNote),
        (status = 403, description = "Not an operator admin (`forbidden`)", body = E),
        (status = 404, description = "No such note (`not_found`)", body = E),
    ))]
async fn unpublish_release_note(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ReleaseNoteId>,
) -> AppResult<Json<ReleaseNote>> {
    Ok(Json(
        release_notes::set_published(&state, &who, id, false).await?,
    ))
}
