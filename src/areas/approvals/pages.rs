//! Pages of requests: a partner's channels and requests, the approval inbox with a tab per type,
//! and the decision history with its CSV export.

use crate::areas::accounts::pages::after;
use crate::areas::approvals as requests;
use crate::areas::approvals::Request;
use crate::areas::catalog;
use crate::areas::catalog::advertising;
use crate::areas::channels;
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
        addon_id: id_field("addon_id", f.addon_id.as_deref())?,
        channel_id: id_field("channel_id", f.channel_id.as_deref())?,
        engagement: f.engagement.clone(),
        message: f.message.clone(),
        options: f
            .options
            .as_deref()
            .map(|o| o.lines().map(String::from).collect()),
        coupon_code: f.coupon_code.clone(),
        discount: f.discount.clone(),
        ad_package_id: id_field("ad_package_id", f.ad_package_id.as_deref())?,
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

#[derive(Template)]
#[template(path = "approvals/my_requests.html")]
struct MyRequestsTpl {
    layout: Layout,
    tab: String,
    list: Page<Request>,
    table: crate::kernel::http::table::Table,
    notice: Option<String>,
    addons: Vec<catalog::Addon>,
    ad_packages: Vec<advertising::AdPackage>,
    channels: Vec<channels::Channel>,
    wallet: advertising::Wallet,
    is_partner: bool,
    f: RequestForm,
    errors: FormErrors,
    /// The broadcast's engagement in force (message, survey or coupon): only its fields show.
    engagement: String,
}

/// Every field of the request forms (an error naming another is shown above the form).
const REQUEST_FIELDS: &[&str] = &[
    "addon_id",
    "channel_id",
    "engagement",
    "message",
    "options",
    "coupon_code",
    "discount",
    "ad_package_id",
    "title",
    "text",
    "image_url",
    "target_url",
    "impressions",
    "starts_at",
    "ends_at",
];

/// The engagements a broadcast offers: (value, label, what its text is called).
const ENGAGEMENTS: [(&str, &str, &str); 3] = [
    ("message", "Message", "Message"),
    ("survey", "Survey", "Survey question"),
    ("coupon", "Coupon", "Coupon text"),
];

fn engagement_of(v: Option<&str>) -> String {
    match v.map(str::trim).unwrap_or("") {
        e @ ("survey" | "coupon") => e.to_string(),
        _ => "message".to_string(),
    }
}

impl MyRequestsTpl {
    fn val(&self, field: &str) -> String {
        self.f.v(field).to_string()
    }
    fn chosen(&self, field: &str, id: &i64) -> bool {
        let v = match field {
            "addon_id" => &self.f.addon_id,
            "channel_id" => &self.f.channel_id,
            _ => &self.f.ad_package_id,
        };
        v.as_deref() == Some(id.to_string().as_str())
    }
    fn engagements(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        ENGAGEMENTS.to_vec()
    }
    fn text_label(&self) -> &'static str {
        ENGAGEMENTS
            .iter()
            .find(|(v, _, _)| *v == self.engagement)
            .map(|(_, _, l)| *l)
            .unwrap_or("Message")
    }
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

async fn my_requests_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    tab: String,
    mut lf: requests::MineFilter,
    f: RequestForm,
    errors: FormErrors,
) -> Result<MyRequestsTpl, AppError> {
    use crate::kernel::http::table::{plain, sortable, Table};
    // A sort not understood: newest first, and a word about it.
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) = lf.order() {
        notice = Some(format!("{message}: the newest are shown first instead."));
        lf.sort = None;
        lf.dir = None;
    }
    let order = lf.order()?;
    let list = requests::mine(state, who, &lf).await?;
    let table = Table::new(
        "my-request-list",
        "/requests",
        &[("tab", Some(tab.as_str()))],
        vec![
            sortable("Asked", "asked"),
            sortable("Type", "type"),
            sortable("Title", "title"),
            sortable("Status", "status"),
            plain("Reason of a rejection"),
            plain(""),
        ],
        &order,
        &list,
    );
    let layout = Layout::for_user(state, who, headers, "My requests", "my-requests").await?;
    let is_partner = layout
        .user
        .as_ref()
        .is_some_and(|u| u.account_kind == Kind::Partner);
    Ok(MyRequestsTpl {
        tab,
        list,
        table,
        notice,
        addons: catalog::addons(state, false).await?,
        ad_packages: advertising::packages(state, false).await?,
        channels: if is_partner {
            channels::list(state, who, who.view_account_id).await?
        } else {
            Vec::new()
        },
        wallet: if is_partner {
            advertising::wallet(state, who, who.view_account_id).await?
        } else {
            Default::default()
        },
        is_partner,
        layout,
        engagement: engagement_of(f.engagement.as_deref()),
        f,
        errors,
    })
}

pub async fn my_requests(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(q): PageQuery<TabQuery>,
) -> PageResult {
    let tab = tab_of(q.tab.as_deref());
    let f = RequestForm {
        engagement: q.engagement.clone(),
        ..Default::default()
    };
    let lf = requests::MineFilter {
        sort: q.sort.clone(),
        dir: q.dir.clone(),
        page: q.page,
        per_page: q.per_page,
        ..Default::default()
    };
    let t = my_requests_view(&state, &who, &headers, tab, lf, f, FormErrors::default()).await?;
    show(&state, &t, &t.layout)
}

pub async fn request_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<RequestForm>,
) -> PageResult {
    let r = match to_input(&f) {
        Ok(input) => requests::create(&state, &who, &input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(req) => Ok(redirect_with_flash(
            &format!("/requests?tab={}", req.kind),
            &format!(
                "Your request \"{}\" was sent; you will get an email when it is decided.",
                req.title
            ),
            state.config.secure_cookies,
        )),
        // The form again, as it was sent, with the reason beside the field.
        Err(
            e @ (AppError::Validation { .. }
            | AppError::Fields(_)
            | AppError::Conflict { .. }
            | AppError::BadRequest { .. }),
        ) => {
            let status = e.status();
            let errors = FormErrors::from_error(&e, REQUEST_FIELDS);
            let tab = tab_of(f.kind.as_deref());
            let t = my_requests_view(&state, &who, &headers, tab, Default::default(), f, errors)
                .await?;
            Ok(render(status, &t, &t.layout, state.config.secure_cookies))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "approvals/inbox.html")]
struct InboxTpl {
    layout: Layout,
    tab: String,
    counts: requests::Counts,
    list: Page<Request>,
    table: crate::kernel::http::table::Table,
    notice: Option<String>,
    operator: bool,
}

impl InboxTpl {
    fn tabs(&self) -> Vec<(&'static str, &'static str, i64)> {
        let mut v = Vec::new();
        for (k, label) in requests::KINDS {
            if k == "reseller_link" && self.operator {
                continue;
            }
            if k != "reseller_link" && !self.operator {
                continue;
            }
            v.push((k, label, self.counts.of(k)));
        }
        v
    }
}

pub async fn inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(q): PageQuery<TabQuery>,
) -> PageResult {
    let operator = access::operator(&state, &who, Need::Read).await.is_ok();
    let counts = requests::counts(&state, &who).await?;
    let tab = match q.tab.as_deref() {
        Some(t @ ("addon" | "broadcast" | "ad_package" | "ad" | "reseller_link")) => t.to_string(),
        // Without a tab asked for, the first tab with requests waiting (Partnerships first).
        _ if operator => {
            if counts.partnership > 0 {
                return Ok(axum::response::Redirect::to("/operator/requests").into_response());
            }
            ["addon", "broadcast", "ad_package", "ad"]
                .into_iter()
                .find(|k| counts.of(k) > 0)
                .unwrap_or("addon")
                .to_string()
        }
        _ => "reseller_link".to_string(),
    };
    let mut f = requests::InboxFilter {
        kind: Some(tab.clone()),
        sort: q.sort.clone(),
        dir: q.dir.clone(),
        page: q.page,
        per_page: q.per_page,
    };
    // A sort not understood: oldest first, and a word about it.
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) =
        f.list_params().sort(&requests::INBOX_SORTS, false)
    {
        notice = Some(format!("{message}: the oldest are shown first instead."));
        f.sort = None;
        f.dir = None;
    }
    let order = f.list_params().sort(&requests::INBOX_SORTS, false)?;
    let list = requests::inbox(&state, &who, &f).await?;
    let partner_label = if operator { "Partner" } else { "Reseller" };
    let table = crate::kernel::http::table::Table::new(
        "inbox-list",
        "/inbox",
        &[("tab", Some(tab.as_str()))],
        vec![
            crate::kernel::http::table::sortable("Asked", "asked"),
            crate::kernel::http::table::sortable(partner_label, "partner"),
            crate::kernel::http::table::sortable("Title", "title"),
        ],
        &order,
        &list,
    );
    let t = InboxTpl {
        layout: Layout::for_user(&state, &who, &headers, "Approvals", "inbox").await?,
        counts,
        tab,
        list,
        table,
        notice,
        operator,
    };
    show(&state, &t, &t.layout)
}

fn back_to(tab: &str) -> String {
    format!("/inbox?tab={tab}")
}

pub async fn inbox_approve(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let r = requests::decide(&state, &who, id, true, "").await;
    let tab = r
        .as_ref()
        .map(|r| r.kind.as_str().to_string())
        .unwrap_or_default();
    after(&state, r, &back_to(&tab), |r| r.decision_flash(true))
}

#[derive(Deserialize, Default)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    tab: String,
}

pub async fn inbox_reject(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(f): PageForm<RejectForm>,
) -> PageResult {
    let r = requests::decide(&state, &who, id, false, &f.reason).await;
    let tab = match &r {
        Ok(r) => r.kind.as_str().to_string(),
        Err(_) => tab_of(Some(&f.tab)),
    };
    after(&state, r, &back_to(&tab), |r| r.decision_flash(false))
}

#[derive(Template)]
#[template(path = "approvals/decisions.html")]
struct DecisionsTpl {
    layout: Layout,
    f: requests::HistoryFilter,
    list: Page<requests::Decision>,
    base_query: String,
    operator: bool,
    table: crate::kernel::http::table::Table,
}

impl DecisionsTpl {
    fn decision_is(&self, v: &str) -> bool {
        self.f.decision.as_deref() == Some(v)
    }
    fn type_is(&self, v: &str) -> bool {
        self.f.kind.as_deref() == Some(v)
    }
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        if self.operator {
            v.push(("partnership", "Partnership"));
        }
        v.extend(requests::KINDS);
        v
    }
}

fn decisions_query(f: &requests::HistoryFilter) -> String {
    crate::kernel::http::layout::query_string(&[
        ("q", &f.q),
        ("type", &f.kind),
        ("decision", &f.decision),
        ("from", &f.from),
        ("to", &f.to),
    ])
}

/// The shared table of the decision history: sortable headers keeping the filters, pages.
fn decisions_table(
    f: &requests::HistoryFilter,
    list: &Page<requests::Decision>,
) -> Result<crate::kernel::http::table::Table, AppError> {
    use crate::kernel::http::table::{plain, sortable, Table};
    Ok(Table::new(
        "history-list",
        "/inbox/history",
        &[
            ("q", f.q.as_deref()),
            ("type", f.kind.as_deref()),
            ("decision", f.decision.as_deref()),
            ("from", f.from.as_deref()),
            ("to", f.to.as_deref()),
        ],
        vec![
            plain("Title"),
            sortable("Partner", "partner"),
            sortable("Type", "type"),
            sortable("Decision", "decision"),
            sortable("Date", "date"),
            plain("Decided by"),
            plain("Reason"),
        ],
        &f.order()?,
        list,
    ))
}

pub async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<requests::HistoryFilter>,
) -> PageResult {
    // A filter that breaks a rule goes back to the unfiltered history with the reason.
    let list = match requests::history(&state, &who, &f).await {
        Ok(list) => list,
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => {
            return Ok(redirect_with_flash(
                "/inbox/history",
                &format!("!{}", e.public_message()),
                state.config.secure_cookies,
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let table = decisions_table(&f, &list)?;
    let t = DecisionsTpl {
        layout: Layout::for_user(&state, &who, &headers, "Decision history", "inbox").await?,
        table,
        base_query: decisions_query(&f),
        operator: access::operator(&state, &who, Need::Read).await.is_ok(),
        f,
        list,
    };
    show(&state, &t, &t.layout)
}

pub async fn history_csv(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<requests::HistoryFilter>,
) -> PageResult {
    let rx = requests::history_csv(&state, &who, &f).await?;
    Ok(crate::kernel::http::csv_stream_response(
        "decision-history.csv",
        rx,
    ))
}

pub async fn request_withdraw(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let r = requests::withdraw(&state, &who, id).await;
    after(&state, r, "/requests", |r| {
        format!("Your request \"{}\" was withdrawn.", r.title)
    })
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
