//! Pages of requests: a partner's channels and requests, the approval inbox with a tab per type,
//! and the decision history with its CSV export.

use crate::areas::accounts::pages::after;
use crate::areas::approvals as requests;
use crate::areas::channels;
use crate::areas::channels::pages::{set_follower, FollowerForm};
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::*;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::RouteAccess as A;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};

use crate::areas::accounts::AccountId;
use crate::areas::channels::ChannelId;
use crate::kernel::access::Need;

crate::route_table! { ROUTES, routes;
    post "/partner-directory/{id}/request" => request_partner, A::On(&crate::areas::networks::DIRECTORY_PARTNER, Need::Write);
    get "/resellers" => resellers_page, A::SignedIn;
    post "/resellers/{id}/remove" => reseller_remove, A::On(&crate::areas::networks::RESELLER, Need::Admin);
    get "/my-partner" => my_partner_page, A::SignedIn;
    post "/my-partner/leave" => leave_partner, A::SignedIn;
    post "/my-partner/channels/{id}/followers" => my_partner_follower, A::On(&crate::areas::networks::MY_PARTNER_CHANNEL, Need::Write);
}

#[derive(Template)]
#[template(path = "networks/resellers.html")]
pub(crate) struct ResellersTpl {
    layout: Layout,
    list: crate::kernel::query::Page<crate::areas::networks::LinkedReseller>,
    table: crate::kernel::http::table::Table,
    notice: Option<String>,
    pending: i64,
}

pub async fn resellers_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    crate::kernel::http::PageQuery(mut params): crate::kernel::http::PageQuery<
        crate::kernel::http::table::ListParams,
    >,
) -> PageResult {
    use crate::kernel::http::table::{plain, sortable, Table};
    let sorts = &crate::areas::networks::RESELLER_SORTS;
    let mut notice = None;
    if let Err(crate::kernel::error::AppError::Validation { message, .. }) =
        params.sort(sorts, false)
    {
        notice = Some(format!("{message}: the list is sorted by name instead."));
        params = params.without_sort();
    }
    let order = params.sort(sorts, false)?;
    let list = crate::areas::networks::my_resellers_page(&state, &who, &params).await?;
    let table = Table::new(
        "reseller-list",
        "/resellers",
        &[],
        vec![
            sortable("Reseller", "name"),
            sortable("Email", "email"),
            plain("Phone"),
            sortable("Since", "since"),
            plain(""),
        ],
        &order,
        &list,
    );
    let t = ResellersTpl {
        layout: Layout::for_user(&state, &who, &headers, "My resellers", "resellers").await?,
        pending: requests::counts(&state, &who).await?.reseller_link,
        list,
        table,
        notice,
    };
    show(&state, &t, &t.layout)
}

pub async fn reseller_remove(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let r = crate::areas::networks::remove_reseller(&state, &who, id).await;
    after(&state, r, "/resellers", |_| {
        "The reseller was removed; you and the reseller were notified by email.".into()
    })
}

#[derive(Template)]
#[template(path = "networks/my_partner.html")]
pub(crate) struct MyPartnerTpl {
    layout: Layout,
    mine: crate::areas::networks::MyPartner,
    customers: Vec<(i64, String)>,
}

pub async fn my_partner_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let mine = crate::areas::networks::my_partner(&state, &who).await?;
    let t = MyPartnerTpl {
        layout: Layout::for_user(&state, &who, &headers, "My partner", "my-partner").await?,
        customers: channels::customers_below(&state, who.view_account_id).await?,
        mine,
    };
    show(&state, &t, &t.layout)
}

/// A reseller sends a request for partner from the directory.
pub async fn request_partner(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let input = requests::NewRequest {
        kind: Some("reseller_link".into()),
        partner_id: Some(id),
        ..Default::default()
    };
    let r = requests::create(&state, &who, &input).await;
    let back = if r.is_ok() {
        "/my-partner"
    } else {
        "/partner-directory"
    };
    after(&state, r, back, |r| {
        format!(
            "Your request for partner was sent: {}. You will get an email with the answer.",
            r.title
        )
    })
}

pub async fn my_partner_follower(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ChannelId>,
    PageForm(f): PageForm<FollowerForm>,
) -> PageResult {
    set_follower(&state, &who, id, &f, "/my-partner").await
}

pub async fn leave_partner(State(state): State<AppState>, PageAuth(who): PageAuth) -> PageResult {
    let r = crate::areas::networks::leave_partner(&state, &who).await;
    after(&state, r, "/my-partner", |_| {
        "You no longer resell for this partner; you and the partner were notified by email.".into()
    })
}
