//! My partners (the operator's list of its partners) in the shared table, and one page per
//! partner to edit what the operator keeps about it (the external invoice id), so rows hold no
//! inputs and the table fits its card.

use crate::areas::accounts::pages::after;
use crate::areas::accounts::AccountId;
use crate::areas::billing;
use crate::areas::onboarding;
use crate::areas::onboarding::api::PartnersQuery;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{plain, sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;

type Row = (
    onboarding::PartnerRow,
    Option<billing::Subscription>,
    Option<billing::Invoice>,
);

#[derive(Template)]
#[template(path = "onboarding/partners.html")]
struct PartnersTpl {
    layout: Layout,
    partners: Vec<Row>,
    table: Table,
    q: String,
    notice: Option<String>,
    can_admin: bool,
}

async fn with_billing(state: &AppState, row: onboarding::PartnerRow) -> Result<Row, AppError> {
    let sub = billing::subscription(state, row.account.id).await?;
    let open = billing::invoices_unchecked(state, row.account.id)
        .await?
        .into_iter()
        .find(|i| i.status == "open");
    Ok((row, sub, open))
}

pub async fn partners(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(mut q): PageQuery<PartnersQuery>,
) -> PageResult {
    let mut params = q.list_params();
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) =
        params.sort(&onboarding::PARTNER_SORTS, false)
    {
        notice = Some(format!("{message}: the list is sorted by name instead."));
        params = params.without_sort();
        q.sort = None;
        q.dir = None;
    }
    let order = params.sort(&onboarding::PARTNER_SORTS, false)?;
    let page = onboarding::my_partners(&state, &who, q.q.as_deref(), &params).await?;
    let mut partners = Vec::new();
    for row in page.items.iter().cloned() {
        partners.push(with_billing(&state, row).await?);
    }
    let table = Table::new(
        "partner-list",
        "/operator/partners",
        &[("q", q.q.as_deref())],
        vec![
            sortable("Partner", "name"),
            plain("Contact"),
            sortable("Package", "package"),
            sortable("Status", "status"),
            plain("Open invoice"),
            plain(""),
        ],
        &order,
        &page,
    );
    let t = PartnersTpl {
        layout: Layout::for_user(&state, &who, &headers, "My partners", "partners").await?,
        partners,
        table,
        q: q.q.unwrap_or_default(),
        notice,
        can_admin: crate::kernel::access::allows(
            crate::kernel::access::effective_role(&who),
            Need::Admin,
        ),
    };
    show(&state, &t, &t.layout)
}

#[derive(Template)]
#[template(path = "onboarding/partner_edit.html")]
struct PartnerEditTpl {
    layout: Layout,
    row: Row,
    can_admin: bool,
}

/// One partner of My partners: its package, status and open invoice, and the form of what the
/// operator keeps about it.
pub async fn partner_edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let row = onboarding::my_partner(&state, &who, id).await?;
    let row = with_billing(&state, row).await?;
    let t = PartnerEditTpl {
        layout: Layout::for_user(&state, &who, &headers, &row.0.account.name, "partners").await?,
        row,
        can_admin: crate::kernel::access::allows(
            crate::kernel::access::effective_role(&who),
            Need::Admin,
        ),
    };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    external_invoice_id: String,
}

pub async fn partner_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(f): PageForm<PartnerForm>,
) -> PageResult {
    let r = onboarding::set_external_invoice_id(&state, &who, id, &f.external_invoice_id).await;
    after(&state, r, &format!("/operator/partners/{id}"), |_| {
        "The external invoice id was saved.".into()
    })
}
