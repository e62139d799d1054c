//! JSON API of players: the list (own devices or devices of clients, online/offline, search,
//! sort, pages) and counts, the "Add player" wizard, connecting by MAC (operator), a player,
//! its edit, clone and disconnect, the catalogue of models and the operator's notices.

use crate::areas::media;
use crate::areas::media::PlayerId;
use crate::areas::media::PlayerModelId;
use crate::areas::media::{Player, PlayerFilter, PlayerModel};
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::openapi::Items;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;

crate::route_table! { ROUTES, routes;
    get "/players" => list_players, A::SignedIn;
    post "/players" => add_client_player, A::SignedIn;
    get "/players/counts" => player_counts, A::SignedIn;
    post "/players/connect" => connect_player, A::Operator(Need::Write);
    get "/players/{id}" => get_player, A::On(&crate::areas::media::PLAYER, Need::Read);
    patch "/players/{id}" => update_player, A::On(&crate::areas::media::PLAYER, Need::Write);
    post "/players/{id}/clone" => clone_player, A::On(&crate::areas::media::PLAYER, Need::Write);
    post "/players/{id}/disconnect" => disconnect_player, A::On(&crate::areas::media::PLAYER, Need::Write);
    get "/player-models" => list_models, A::SignedIn;
    post "/player-models" => create_model, A::Operator(Need::Write);
    patch "/player-models/{id}" => update_model, A::On(&crate::areas::media::PLAYER_MODEL, Need::Write);
    get "/player-notifications" => list_notices, A::Operator(Need::Read);
    post "/player-notifications/read" => read_notices, A::Operator(Need::Write);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_players,
        add_client_player,
        player_counts,
        connect_player,
        get_player,
        update_player,
        clone_player,
        disconnect_player,
        list_models,
        create_model,
        update_model,
        list_notices,
        read_notices
    ),
    tags((name = "players", description = "Media players: own devices and clients', the Add player wizard, connect by MAC, edit, clone, disconnect, the catalogue of models"))
)]
pub struct Doc;

#[utoipa::path(get, path = "/players", tag = "players", operation_id = "listPlayers",
    summary = "Own devices of the account in view, or every player of the accounts below (show=clients): online/offline, search, sort, pages",
    params(PlayerFilter),
    responses(
        (status = 200, description = "Page", body = Page<Player>),
        (status = 422, description = "An unknown show, state, sort or direction (`validation_failed`, with `field`)", body = E),
    ))]
async fn list_players(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<PlayerFilter>,
) -> AppResult<Json<Page<Player>>> {
    Ok(Json(media::list(&state, &who, &f).await?))
}

#[utoipa::path(post, path = "/players", tag = "players", operation_id = "addClientPlayer",
    summary = "Add player (the wizard, with the package feature “add hardware for clients”): a player for a client by its player ID, with a pending player license; the operator is notified",
    request_body = media::AddClientPlayer,
    responses(
        (status = 201, description = "Added: waiting for the activation of its license", body = Player),
        (status = 403, description = "The package lacks “add hardware for clients”, or the role is too weak (`forbidden`)", body = E),
        (status = 409, description = "The player ID is connected already (`already_connected`), the package's player licenses are used up (`limit_reached`), or the client is inactive (`parent_inactive`)", body = E),
        (status = 422, description = "No client of yours, not a player ID, an unknown or incompatible device, a model that is not the device's or not compatible, no name (`validation_failed`, with `field`)", body = E),
    ))]
async fn add_client_player(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<media::AddClientPlayer>,
) -> AppResult<(StatusCode, Json<Player>)> {
    Ok((
        StatusCode::CREATED,
        Json(media::add_client_player(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/players/counts", tag = "players", operation_id = "playerCounts",
    summary = "Players online and offline: the account in view's own, and its clients'",
    responses((status = 200, description = "Counts", body = media::PlayerCounts)))]
async fn player_counts(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<media::PlayerCounts>> {
    Ok(Json(media::counts(&state, &who).await?))
}

#[utoipa::path(post, path = "/players/connect", tag = "players", operation_id = "connectPlayer",
    summary = "Connect a player to a partner or reseller by its MAC address (operator): it appears under that account's own players",
    request_body = media::ConnectPlayer,
    responses(
        (status = 201, description = "Connected", body = Player),
        (status = 409, description = "The MAC address is connected already (`already_connected`), or the account is inactive (`parent_inactive`)", body = E),
        (status = 422, description = "Not a MAC address, no such partner or reseller, an unknown or incompatible model (`validation_failed`, with `field`)", body = E),
    ))]
async fn connect_player(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<media::ConnectPlayer>,
) -> AppResult<(StatusCode, Json<Player>)> {
    Ok((
        StatusCode::CREATED,
        Json(media::connect(&state, &who, &body).await?),
    ))
}

#[utoipa::path(get, path = "/players/{id}", tag = "players", operation_id = "getPlayer",
    summary = "One player",
    params(("id" = i64, Path, description = "A player id")),
    responses((status = 200, description = "The player", body = Player)))]
async fn get_player(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PlayerId>,
) -> AppResult<Json<Player>> {
    Ok(Json(media::player(&state, &who, id).await?))
}

#[utoipa::path(patch, path = "/players/{id}", tag = "players", operation_id = "updatePlayer",
    summary = "Change a player's name, playlist (ends a clone) or settings (members and up)",
    params(("id" = i64, Path, description = "A player id")),
    request_body = media::PlayerEdit,
    responses(
        (status = 200, description = "Saved", body = Player),
        (status = 422, description = "An empty name, a playlist not of the player's owner, an unknown orientation, a volume or interval out of range (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_player(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PlayerId>,
    ApiJson(body): ApiJson<media::PlayerEdit>,
) -> AppResult<Json<Player>> {
    Ok(Json(media::edit(&state, &who, id, &body).await?))
}

#[utoipa::path(post, path = "/players/{id}/clone", tag = "players", operation_id = "clonePlayer",
    summary = "Clone: this own player shows what a client's player shows, following it until something else is assigned; it syncs at once. The client sees nothing of it",
    params(("id" = i64, Path, description = "One of your own players")),
    request_body = media::CloneSource,
    responses(
        (status = 200, description = "Cloning", body = Player),
        (status = 422, description = "No source, a source that is not a player of your clients, a source that clones itself, or a player that is not your own (`validation_failed`, field `source_player_id`)", body = E),
    ))]
async fn clone_player(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PlayerId>,
    ApiJson(body): ApiJson<media::CloneSource>,
) -> AppResult<Json<Player>> {
    Ok(Json(media::clone_player(&state, &who, id, &body).await?))
}

#[utoipa::path(post, path = "/players/{id}/disconnect", tag = "players", operation_id = "disconnectPlayer",
    summary = "Disconnect media player, confirmed: it leaves the account, its token stops working, its license is freed, the operator is notified to check the subscription",
    params(("id" = i64, Path, description = "A player id")),
    request_body = media::Disconnect,
    responses(
        (status = 200, description = "Disconnected: the player as it was", body = Player),
        (status = 422, description = "Not confirmed (`confirmation_required`, field `confirm`)", body = E),
    ))]
async fn disconnect_player(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PlayerId>,
    ApiJson(body): ApiJson<media::Disconnect>,
) -> AppResult<Json<Player>> {
    Ok(Json(media::disconnect(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/player-models", tag = "players", operation_id = "listPlayerModels",
    summary = "The catalogue of player models: every model for the operator, the compatible ones for the others",
    responses((status = 200, description = "Models", body = Items<PlayerModel>)))]
async fn list_models(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Items<PlayerModel>>> {
    Ok(Json(Items {
        items: media::models(&state, &who).await?,
    }))
}

#[utoipa::path(post, path = "/player-models", tag = "players", operation_id = "createPlayerModel",
    summary = "Add a model to the catalogue (operator)",
    request_body = media::NewModel,
    responses(
        (status = 201, description = "Added", body = PlayerModel),
        (status = 409, description = "The name or prefix is in the catalogue already (`name_taken`)", body = E),
        (status = 422, description = "No name, a prefix that is not 2 to 12 letters, digits or dashes (`validation_failed`, with `field`)", body = E),
    ))]
async fn create_model(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<media::NewModel>,
) -> AppResult<(StatusCode, Json<PlayerModel>)> {
    Ok((
        StatusCode::CREATED,
        Json(media::create_model(&state, &who, &body).await?),
    ))
}

#[utoipa::path(patch, path = "/player-models/{id}", tag = "players", operation_id = "updatePlayerModel",
    summary = "Change a model: name, prefix, compatible (operator)",
    params(("id" = i64, Path, description = "A model id")),
    request_body = media::ModelInput,
    responses(
        (status = 200, description = "Saved", body = PlayerModel),
        (status = 409, description = "The name or prefix is taken (`name_taken`)", body = E),
        (status = 422, description = "An empty name or a wrong prefix (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_model(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<PlayerModelId>,
    ApiJson(body): ApiJson<media::ModelInput>,
) -> AppResult<Json<PlayerModel>> {
    Ok(Json(media::update_model(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/player-notifications", tag = "players", operation_id = "listPlayerNotifications",
    summary = "What the operator was told about players (added for a client, disconnected), newest first",
    responses((status = 200, description = "Notices", body = Items<media::PlayerNotice>)))]
async fn list_notices(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Items<media::PlayerNotice>>> {
    Ok(Json(Items {
        items: media::notices(&state, &who).await?,
    }))
}

/// How many notices were marked read.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NoticesRead {
    pub read: i64,
}

#[utoipa::path(post, path = "/player-notifications/read", tag = "players", operation_id = "readPlayerNotifications",
    summary = "Mark every player notice read (operator)",
    responses((status = 200, description = "Marked", body = NoticesRead)))]
async fn read_notices(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<NoticesRead>> {
    Ok(Json(NoticesRead {
        read: media::read_notices(&state, &who).await? as i64,
    }))
}
