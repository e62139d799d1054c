//! The approval inbox: a tab per type of request, approving and rejecting.

use super::*;
use crate::areas::approvals::RequestId;

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
    PageId(id): PageId<RequestId>,
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
    PageId(id): PageId<RequestId>,
    PageForm(f): PageForm<RejectForm>,
) -> PageResult {
    let r = requests::decide(&state, &who, id, false, &f.reason).await;
    let tab = match &r {
        Ok(r) => r.kind.as_str().to_string(),
        Err(_) => tab_of(Some(&f.tab)),
    };
    after(&state, r, &back_to(&tab), |r| r.decision_flash(false))
}
