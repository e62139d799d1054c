//! JSON API of content: the clip library (own, shared by accounts above), slides, images,
//! videos, sharing, and playlists.

use crate::areas::media::clips::{self, Clip, ClipFilter};
use crate::areas::media::playlists::{self, Playlist};
use crate::areas::media::ClipId;
use crate::areas::media::PlaylistId;
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::openapi::Items;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiJsonUpload;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};

crate::route_table! { ROUTES, routes;
    get "/clips" => list_clips, A::SignedIn;
    post "/clips" => create_clip, A::SignedIn;
    get "/clips/{id}" => get_clip, A::On(&crate::areas::media::CLIP, Need::Read);
    patch "/clips/{id}" => update_clip, A::On(&crate::areas::media::CLIP, Need::Write);
    delete "/clips/{id}" => delete_clip, A::On(&crate::areas::media::CLIP, Need::Write);
    put "/clips/{id}/image" => put_clip_image, A::On(&crate::areas::media::CLIP, Need::Write);
    put "/clips/{id}/video" => put_clip_video, A::On(&crate::areas::media::CLIP, Need::Write);
    put "/clips/{id}/sharing" => put_clip_sharing, A::On(&crate::areas::media::CLIP, Need::Write);
    get "/playlists" => list_playlists, A::SignedIn;
    post "/playlists" => create_playlist, A::SignedIn;
    get "/playlists/{id}" => get_playlist, A::On(&crate::areas::media::PLAYLIST, Need::Read);
    put "/playlists/{id}" => update_playlist, A::On(&crate::areas::media::PLAYLIST, Need::Write);
    delete "/playlists/{id}" => delete_playlist, A::On(&crate::areas::media::PLAYLIST, Need::Write);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_clips,
        create_clip,
        get_clip,
        update_clip,
        delete_clip,
        put_clip_image,
        put_clip_video,
        put_clip_sharing,
        list_playlists,
        create_playlist,
        get_playlist,
        update_playlist,
        delete_playlist
    ),
    tags((name = "content", description = "Clips (slides, images, videos, sharing down the tree) and playlists"))
)]
pub struct Doc;

#[utoipa::path(get, path = "/clips", tag = "content", operation_id = "listClips",
    summary = "The clip library of the account in view: its own clips, or (tab=partner) those shared with it from above",
    params(ClipFilter),
    responses(
        (status = 200, description = "Clips", body = Items<Clip>),
        (status = 422, description = "An unknown tab (`validation_failed`, field `tab`)", body = E),
    ))]
async fn list_clips(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<ClipFilter>,
) -> AppResult<Json<Items<Clip>>> {
    Ok(Json(Items {
        items: clips::library(&state, &who, &f).await?,
    }))
}

#[utoipa::path(post, path = "/clips", tag = "content", operation_id = "createClip",
    summary = "Compose a slide (title, text, background colour, duration) for the account in view; an image or a video is added after (PUT …/image, PUT …/video)",
    request_body = clips::NewClip,
    responses(
        (status = 201, description = "Created", body = Clip),
        (status = 422, description = "No title, text too long, a colour that is not #rrggbb, a duration outside 1 to 3600 (`validation_failed`, with `field`)", body = E),
    ))]
async fn create_clip(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<clips::NewClip>,
) -> AppResult<(StatusCode, Json<Clip>)> {
    Ok((
        StatusCode::CREATED,
        Json(clips::create(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/clips/{id}", tag = "content", operation_id = "getClip",
    summary = "One clip of the account in view or below, with whom it is shared",
    params(("id" = i64, Path, description = "A clip id")),
    responses((status = 200, description = "The clip", body = Clip)))]
async fn get_clip(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ClipId>,
) -> AppResult<Json<Clip>> {
    Ok(Json(clips::clip(&state, &who, id).await?))
}

#[utoipa::path(patch, path = "/clips/{id}", tag = "content", operation_id = "updateClip",
    summary = "Change a clip: every playlist holding it gets a new version",
    params(("id" = i64, Path, description = "A clip id")),
    request_body = clips::ClipInput,
    responses(
        (status = 200, description = "Saved", body = Clip),
        (status = 422, description = "An empty title, a wrong colour or duration (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_clip(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ClipId>,
    ApiJson(body): ApiJson<clips::ClipInput>,
) -> AppResult<Json<Clip>> {
    Ok(Json(clips::update(&state, &who, id, &body).await?))
}

#[utoipa::path(delete, path = "/clips/{id}", tag = "content", operation_id = "deleteClip",
    summary = "Delete a clip: playlists holding it lose it (and get a new version)",
    params(("id" = i64, Path, description = "A clip id")),
    responses((status = 204, description = "Deleted")))]
async fn delete_clip(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ClipId>,
) -> AppResult<StatusCode> {
    clips::delete(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/clips/{id}/image", tag = "content", operation_id = "putClipImage",
    summary = "Give a clip its image (PNG or JPEG, at most 2 MiB, checked by its bytes): it becomes an image clip",
    params(("id" = i64, Path, description = "A clip id")),
    request_body = clips::ClipImage,
    responses(
        (status = 200, description = "Saved", body = Clip),
        (status = 422, description = "No data or not base64 (`validation_failed`), too large (`attachment_too_large`), not a PNG or JPEG or one that does not decode (`attachment_type_refused`); field `image` or `data`", body = E),
    ))]
async fn put_clip_image(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ClipId>,
    ApiJsonUpload(body): ApiJsonUpload<clips::ClipImage>,
) -> AppResult<Json<Clip>> {
    let data = clips::decode(&body.data)?;
    Ok(Json(clips::set_image(&state, &who, id, &data).await?))
}

#[utoipa::path(put, path = "/clips/{id}/video", tag = "content", operation_id = "putClipVideo",
    summary = "Give a clip its video (MP4 or WebM, checked by its bytes, at most PANEL_MEDIA_MAX_VIDEO_BYTES, 50 MiB by default): it becomes a video clip lasting the video's length",
    description = "The length comes from the file (an MP4's `mvhd` box, a WebM's Duration); only when the file does not say is `duration_s` used, and without either the video is refused. \
        Players get the video through their playlist's `media_url`, with range requests. The body may be up to the video's size in base64 and a little more; a larger body is 413 `payload_too_large`. \
        A refused video changes nothing: the clip stays as it was.",
    params(("id" = i64, Path, description = "A clip id")),
    request_body = crate::areas::media::video::ClipVideo,
    responses(
        (status = 200, description = "Saved: `kind` is `video`, `video_type`, `video_bytes`, `video_url` and `duration_s` say what was kept", body = Clip),
        (status = 413, description = "The body is larger than a video of the largest size in base64 (`payload_too_large`)", body = E),
        (status = 422, description = "No data or not base64 (`validation_failed`, field `data` or `video`); larger than the setting allows (`video_too_large`, field `video`); not an MP4 of a known brand with its boxes whole, nor a WebM (`video_type_refused`, field `video`); longer than an hour (`validation_failed`, field `video`); a file that does not say how long it lasts and no `duration_s` (`video_duration_unknown`, field `duration_s`), or `duration_s` outside 1 to 3600 (`validation_failed`)", body = E),
    ))]
async fn put_clip_video(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ClipId>,
    ApiJsonUpload(body): ApiJsonUpload<crate::areas::media::video::ClipVideo>,
) -> AppResult<Json<Clip>> {
    let data = clips::decode(&body.data)?;
    Ok(Json(
        crate::areas::media::video::set_video(&state, &who, id, &data, body.duration_s).await?,
    ))
}

#[utoipa::path(put, path = "/clips/{id}/sharing", tag = "content", operation_id = "putClipSharing",
    summary = "Who below sees a clip (package feature “advertisement tool”): all, the accounts given, or none",
    params(("id" = i64, Path, description = "A clip id")),
    request_body = clips::ClipSharing,
    responses(
        (status = 200, description = "Saved", body = Clip),
        (status = 403, description = "The owner's package lacks the advertisement tool (`forbidden`)", body = E),
        (status = 422, description = "An account that is not below the owner, or accounts given with all (`validation_failed`, field `account_ids`)", body = E),
    ))]
async fn put_clip_sharing(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<ClipId>,
    ApiJson(body): ApiJson<clips::ClipSharing>,
) -> AppResult<Json<Clip>> {
    Ok(Json(clips::set_sharing(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/playlists", tag = "content", operation_id = "listPlaylists",
    summary = "The playlists of the account in view",
    responses((status = 200, description = "Playlists", body = Items<Playlist>)))]
async fn list_playlists(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Items<Playlist>>> {
    Ok(Json(Items {
        items: playlists::list(&state, &who).await?,
    }))
}

#[utoipa::path(post, path = "/playlists", tag = "content", operation_id = "createPlaylist",
    summary = "A playlist of the account in view: ordered clips (its own or shared with it), each with a duration",
    request_body = playlists::NewPlaylist,
    responses(
        (status = 201, description = "Created", body = Playlist),
        (status = 422, description = "No name, a clip not of yours nor shared with you (another tenant's reads the same), a duration outside 1 to 3600 (`validation_failed`, e.g. field `items[0].clip_id`)", body = E),
    ))]
async fn create_playlist(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<playlists::NewPlaylist>,
) -> AppResult<(StatusCode, Json<Playlist>)> {
    Ok((
        StatusCode::CREATED,
        Json(playlists::create(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/playlists/{id}", tag = "content", operation_id = "getPlaylist",
    summary = "One playlist with its items",
    params(("id" = i64, Path, description = "A playlist id")),
    responses((status = 200, description = "The playlist", body = Playlist)))]
async fn get_playlist(
    State(state): State<AppState>,
    Auth(_who): Auth,
    ApiId(id): ApiId<PlaylistId>,
) -> AppResult<Json<Playlist>> {
    Ok(Json(playlists::playlist(&state, id).await?))
}

#[utoipa::path(put, path = "/playlists/{id}", tag = "content", operation_id = "updatePlaylist",
    summary = "Rename a playlist or replace its items (in order): its version goes up, its players (and their clones) get it",
    params(("id" = i64, Path, description = "A playlist id")),
    request_body = playlists::PlaylistInput,
    responses(
        (status = 200, description = "Saved", body = Playlist),
        (status = 422, description = "An empty name, a clip not of the owner nor shared with it, a duration outside 1 to 3600 (`validation_failed`, with `field`); nothing is changed", body = E),
    ))]
async fn update_playlist(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PlaylistId>,
    ApiJson(body): ApiJson<playlists::PlaylistInput>,
) -> AppResult<Json<Playlist>> {
    Ok(Json(playlists::update(&state, &who, id, &body).await?))
}

#[utoipa::path(delete, path = "/playlists/{id}", tag = "content", operation_id = "deletePlaylist",
    summary = "Delete a playlist: its players show nothing until another is assigned",
    params(("id" = i64, Path, description = "A playlist id")),
    responses((status = 204, description = "Deleted")))]
async fn delete_playlist(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PlaylistId>,
) -> AppResult<StatusCode> {
    playlists::delete(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
