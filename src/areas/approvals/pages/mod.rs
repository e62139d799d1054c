//! Pages of requests: a partner's channels and requests, the approval inbox with a tab per type,
//! and the decision history with its CSV export.

use crate::areas::accounts::pages::after;
use crate::areas::approvals as requests;
use crate::areas::approvals::Request;
use crate::areas::catalog;
use crate::areas::catalog::advertising;
use crate::areas::catalog::AdPackageId;
use crate::areas::catalog::AddonId;
use crate::areas::channels;
use crate::areas::channels::ChannelId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::*;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::response::IntoResponse;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

mod decisions;
mod inbox_page;
mod own_requests;
pub use decisions::*;
pub use inbox_page::*;
pub use own_requests::*;

crate::route_table! { ROUTES, routes;
    get "/requests" => my_requests, A::SignedIn;
    post "/requests" => request_create, A::SignedIn;
    post "/requests/{id}/withdraw" => request_withdraw, A::On(&crate::areas::approvals::ASKED_REQUEST, Need::Write);
    get "/inbox" => inbox, A::SignedIn;
    post "/inbox/{id}/approve" => inbox_approve, A::On(&crate::areas::approvals::INBOX_REQUEST, Need::Admin);
    post "/inbox/{id}/reject" => inbox_reject, A::On(&crate::areas::approvals::INBOX_REQUEST, Need::Admin);
    get "/inbox/history" => history, A::SignedIn;
    get "/inbox/history.csv" => history_csv, A::SignedIn;
    get "/engagements" => engagements_page, A::SignedIn;
}

#[derive(Deserialize, Default, Clone)]
pub struct RequestForm {
    #[serde(rename = "type")]
    kind: Option<String>,
    addon_id: Option<String>,
    channel_id: Option<String>,
    engagement: Option<String>,
    message: Option<String>,
    options: Option<String>,
    coupon_code: Option<String>,
    discount: Option<String>,
    ad_package_id: Option<String>,
    title: Option<String>,
    text: Option<String>,
    image_url: Option<String>,
    target_url: Option<String>,
    impressions: Option<String>,
    starts_at: Option<String>,
    ends_at: Option<String>,
}

impl RequestForm {
    fn v(&self, field: &str) -> &str {
        match field {
            "message" => self.message.as_deref(),
            "options" => self.options.as_deref(),
            "coupon_code" => self.coupon_code.as_deref(),
            "discount" => self.discount.as_deref(),
            "title" => self.title.as_deref(),
            "text" => self.text.as_deref(),
            "image_url" => self.image_url.as_deref(),
            "target_url" => self.target_url.as_deref(),
            "impressions" => self.impressions.as_deref(),
            "starts_at" => self.starts_at.as_deref(),
            "ends_at" => self.ends_at.as_deref(),
            "engagement" => self.engagement.as_deref(),
            _ => None,
        }
        .unwrap_or("")
    }
}

fn id_field(field: &str, v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::validation(field, "Choose one from the list")),
    }
}

fn to_input(f: &RequestForm) -> Result<requests::NewRequest, AppError> {
    Ok(requests::NewRequest {
        kind: f.kind.clone(),
        addon_id: (id_field("addon_id", f.addon_id.as_deref())?).map(AddonId),
        channel_id: (id_field("channel_id", f.channel_id.as_deref())?).map(ChannelId),
        engagement: f.engagement.clone(),
        message: f.message.clone(),
        options: f
            .options
            .as_deref()
            .map(|o| o.lines().map(String::from).collect()),
        coupon_code: f.coupon_code.clone(),
        discount: f.discount.clone(),
        ad_package_id: (id_field("ad_package_id", f.ad_package_id.as_deref())?).map(AdPackageId),
        title: f.title.clone(),
        text: f.text.clone(),
        image_url: f.image_url.clone(),
        target_url: f.target_url.clone(),
        impressions: match f
            .impressions
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => None,
            Some(v) => Some(v.parse().map_err(|_| {
                AppError::validation("impressions", "Impressions must be a whole number above 0")
            })?),
        },
        starts_at: f.starts_at.clone(),
        ends_at: f.ends_at.clone(),
        partner_id: None,
    })
}

#[derive(Deserialize, Default)]
pub struct TabQuery {
    tab: Option<String>,
    /// The broadcast's engagement (message, survey or coupon): the form shows only its fields.
    engagement: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

fn tab_of(v: Option<&str>) -> String {
    match v.unwrap_or("") {
        t @ ("addon" | "broadcast" | "ad_package" | "ad") => t.to_string(),
        _ => "addon".to_string(),
    }
}

#[derive(Template)]
#[template(path = "approvals/engagements.html")]
struct EngagementsTpl {
    layout: Layout,
    e: requests::Engagements,
}

pub async fn engagements_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let e = requests::engagements(&state, &who).await?;
    let t = EngagementsTpl {
        layout: Layout::for_user(&state, &who, &headers, "Messages and offers", "engagements")
            .await?,
        e,
    };
    show(&state, &t, &t.layout)
}
