//! Pages of requests: a partner's channels and requests, the approval inbox with a tab per type,
//! and the decision history with its CSV export.

use crate::areas::accounts::pages::after;
use crate::areas::channels;
use crate::areas::channels::ChannelId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::*;
use crate::kernel::http::table::{plain, sortable, ListParams, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/channels" => channels_page, A::SignedIn;
    post "/channels" => channel_create, A::SignedIn;
    post "/channels/{id}" => channel_update, A::On(&crate::areas::channels::CHANNEL, Need::Write);
    post "/channels/{id}/delete" => channel_delete, A::On(&crate::areas::channels::CHANNEL, Need::Write);
    post "/channels/{id}/followers" => channel_follower, A::On(&crate::areas::channels::FOLLOWABLE_CHANNEL, Need::Write);
}

#[derive(Template)]
#[template(path = "channels/channels.html")]
pub(crate) struct ChannelsTpl {
    layout: Layout,
    list: Page<channels::Channel>,
    table: Table,
    notice: Option<String>,
    customers: Vec<(i64, String)>,
    can_edit: bool,
}

pub async fn channels_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(mut params): PageQuery<ListParams>,
) -> PageResult {
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) = params.sort(&channels::CHANNEL_SORTS, false)
    {
        notice = Some(format!("{message}: the list is sorted by name instead."));
        params = params.without_sort();
    }
    let order = params.sort(&channels::CHANNEL_SORTS, false)?;
    let list = channels::list_page(&state, &who, who.view_account_id, &params).await?;
    let table = Table::new(
        "channel-list",
        "/channels",
        &[],
        vec![
            sortable("Channel", "name"),
            plain("Description"),
            sortable("Followers", "followers"),
            sortable("Added", "created"),
            plain(""),
        ],
        &order,
        &list,
    );
    let t = ChannelsTpl {
        layout: Layout::for_user(&state, &who, &headers, "Channels", "channels").await?,
        list,
        table,
        notice,
        customers: channels::customers_below(&state, who.view_account_id).await?,
        can_edit: access::allows(access::effective_role(&who), Need::Write),
    };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize, Default)]
pub struct ChannelForm {
    name: Option<String>,
    description: Option<String>,
}

pub async fn channel_create(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<ChannelForm>,
) -> PageResult {
    let input = channels::ChannelInput {
        name: f.name.or(Some(String::new())),
        description: f.description,
    };
    let r = channels::create(&state, &who, who.view_account_id, &input).await;
    after(&state, r, "/channels", |c| {
        format!("The channel {} was added.", c.name)
    })
}

pub async fn channel_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ChannelId>,
    PageForm(f): PageForm<ChannelForm>,
) -> PageResult {
    let input = channels::ChannelInput {
        name: f.name,
        description: f.description,
    };
    let r = channels::update(&state, &who, id, &input).await;
    after(&state, r, "/channels", |c| {
        format!("The channel {} was saved.", c.name)
    })
}

pub async fn channel_delete(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ChannelId>,
) -> PageResult {
    let r = channels::delete(&state, &who, id).await;
    after(&state, r, "/channels", |c| {
        format!("The channel {} was deleted.", c.name)
    })
}

#[derive(Deserialize, Default)]
pub struct FollowerForm {
    customer_id: Option<String>,
    remove: Option<String>,
}

/// Adds or removes the chosen customer as a follower, then goes back to `back`.
pub(crate) async fn set_follower(
    state: &AppState,
    who: &Identity,
    id: ChannelId,
    f: &FollowerForm,
    back: &str,
) -> PageResult {
    let follow = f.remove.is_none();
    let r = match f.customer_id.as_deref().and_then(|v| v.trim().parse().ok()) {
        Some(c) => channels::set_follower(state, who, id, c, follow).await,
        None => Err(AppError::validation("customer_id", "Choose a customer")),
    };
    after(state, r, back, |c| {
        if follow {
            format!("{} has a new follower.", c.name)
        } else {
            format!("A follower left {}.", c.name)
        }
    })
}

pub async fn channel_follower(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ChannelId>,
    PageForm(f): PageForm<FollowerForm>,
) -> PageResult {
    set_follower(&state, &who, id, &f, "/channels").await
}
