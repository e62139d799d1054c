//! A partner's own requests: the page with its tabs, a new request, withdrawing one.

use super::*;
use crate::areas::approvals::RequestId;

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
    fn chosen(&self, field: &str, id: &impl std::fmt::Display) -> bool {
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

pub async fn request_withdraw(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<RequestId>,
) -> PageResult {
    let r = requests::withdraw(&state, &who, id).await;
    after(&state, r, "/requests", |r| {
        format!("Your request \"{}\" was withdrawn.", r.title)
    })
}
