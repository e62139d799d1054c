//! Pages of onboarding: the public plans and registration form, and the operator's requests
//! inbox, decision history, packages and add-ons, and My partners.

use crate::areas::accounts::pages::after;
use crate::areas::billing;
use crate::areas::billing::InvoiceId;
use crate::areas::catalog;
use crate::areas::catalog::PackageId;
use crate::areas::onboarding;
use crate::areas::onboarding::PartnershipRequestId;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::http::cookies;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RequestMeta;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    Extension,
};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/plans" => plans, A::Public;
    post "/register" => register, A::Public;
    get "/operator/requests" => requests, A::Operator(Need::Read);
    post "/operator/requests/{id}/approve" => approve, A::On(&crate::areas::onboarding::PARTNERSHIP_REQUEST, Need::Admin);
    post "/operator/requests/{id}/reject" => reject, A::On(&crate::areas::onboarding::PARTNERSHIP_REQUEST, Need::Admin);
    post "/operator/settings" => settings, A::Operator(Need::Admin);
    get "/operator/history" => history, A::Operator(Need::Read);
    get "/operator/history.csv" => history_csv, A::Operator(Need::Read);
    get "/operator/partners" => super::partner_pages::partners, A::Operator(Need::Read);
    get "/operator/partners/{id}" => super::partner_pages::partner_edit, A::On(&crate::areas::onboarding::PARTNER, Need::Read);
    post "/operator/partners/{id}" => super::partner_pages::partner_update, A::On(&crate::areas::onboarding::PARTNER, Need::Admin);
    post "/operator/invoices/{id}/payments" => payment, A::On(&crate::areas::billing::INVOICE_TO_PAY, Need::Admin);
}

#[derive(Template)]
#[template(path = "onboarding/plans.html")]
struct PlansTpl {
    layout: Layout,
    packages: Vec<catalog::Package>,
    addons: Vec<catalog::Addon>,
    f: onboarding::Registration,
    errors: FormErrors,
    done: Option<onboarding::PartnershipRequest>,
}

/// The fields of the registration form.
const REGISTER_FIELDS: &[&str] = &[
    "package_id",
    "company_name",
    "contact_name",
    "email",
    "phone",
    "website",
    "description",
    "kind",
    "delivery",
];

impl PlansTpl {
    fn chosen(&self, id: &PackageId) -> bool {
        self.f.package_id == Some(PackageId(id.get()))
    }
}

fn pre_csrf(headers: &HeaderMap) -> (String, Option<axum::http::HeaderValue>) {
    match cookies::get(headers, cookies::PRE_CSRF) {
        Some(v) if v.len() == 32 => (v, None),
        _ => {
            let v = crate::kernel::secrets::random_hex(16);
            let c = cookies::set(cookies::PRE_CSRF, &v, None, false);
            (v, Some(c))
        }
    }
}

async fn plans_view(
    state: &AppState,
    headers: &HeaderMap,
    f: onboarding::Registration,
    errors: FormErrors,
    done: Option<onboarding::PartnershipRequest>,
) -> Result<(PlansTpl, Option<axum::http::HeaderValue>), AppError> {
    let (csrf, set) = pre_csrf(headers);
    Ok((
        PlansTpl {
            layout: Layout::anonymous("Become a partner", &csrf, headers),
            packages: catalog::packages(state, false).await?,
            addons: catalog::addons(state, false).await?,
            f,
            errors,
            done,
        },
        set,
    ))
}

pub async fn plans(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (t, set) = plans_view(
        &state,
        &headers,
        Default::default(),
        FormErrors::default(),
        None,
    )
    .await?;
    let mut r = render(StatusCode::OK, &t, &t.layout, state.config.secure_cookies);
    if let Some(c) = set {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    description: String,
    package_id: Option<String>,
    no_resellers: Option<String>,
    directory_consent: Option<String>,
    delivery: Option<String>,
    kind: Option<String>,
}

pub async fn register(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<RegisterForm>,
) -> PageResult {
    let input = onboarding::Registration {
        company_name: form.company_name,
        contact_name: form.contact_name,
        email: form.email,
        phone: form.phone,
        website: form.website,
        description: form.description,
        package_id: form.package_id.as_deref().and_then(|v| v.parse().ok()),
        no_resellers: form.no_resellers.is_some(),
        directory_consent: form.directory_consent.is_some(),
        delivery: form.delivery,
        kind: form.kind,
    };
    let (status, errors, done) =
        match onboarding::register(&state, &input, &meta.ip, &meta.id).await {
            Ok(r) => (StatusCode::CREATED, FormErrors::default(), Some(r)),
            Err(e @ AppError::Internal(_)) => return Err(e.into()),
            // The form again, as it was sent, with every reason beside its field.
            Err(e) => (
                e.status(),
                FormErrors::from_error(&e, REGISTER_FIELDS),
                None,
            ),
        };
    let (t, _) = plans_view(&state, &headers, input, errors, done).await?;
    Ok(render(status, &t, &t.layout, state.config.secure_cookies))
}

#[derive(Template)]
#[template(path = "onboarding/requests.html")]
struct RequestsTpl {
    layout: Layout,
    pending: Vec<onboarding::PartnershipRequest>,
    auto_approve: bool,
    /// The pending count of every tab of Approvals.
    counts: crate::areas::approvals::Counts,
}

pub async fn requests(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let pending = onboarding::pending(&state, &who).await?;
    let t = RequestsTpl {
        layout: Layout::for_user(&state, &who, &headers, "Partnership requests", "requests")
            .await?,
        pending,
        counts: crate::areas::approvals::counts(&state, &who).await?,
        auto_approve: onboarding::setting(&state, onboarding::AUTO_APPROVE)
            .await?
            .as_deref()
            == Some("1"),
    };
    show(&state, &t, &t.layout)
}

pub async fn approve(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PartnershipRequestId>,
) -> PageResult {
    let r = onboarding::approve(&state, &who, id).await;
    after(&state, r, "/operator/requests", |r| {
        format!(
            "{} is approved: the {} and its owner login were created and emailed.",
            r.company_name,
            if r.kind == "reseller" {
                "reseller"
            } else {
                "partner"
            }
        )
    })
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

pub async fn reject(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<PartnershipRequestId>,
    PageForm(f): PageForm<RejectForm>,
) -> PageResult {
    let r = onboarding::reject(&state, &who, id, &f.reason).await;
    after(&state, r, "/operator/requests", |r| {
        format!("{} was rejected; the reason was emailed.", r.company_name)
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    auto_approve: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<SettingsForm>,
) -> PageResult {
    let on = f.auto_approve.is_some();
    let r = onboarding::set_auto_approve(&state, &who, on).await;
    after(&state, r, "/operator/requests", |_| {
        if on {
            "New requests are now approved automatically.".into()
        } else {
            "New requests now wait for your decision.".into()
        }
    })
}

#[derive(Template)]
#[template(path = "onboarding/history.html")]
struct HistoryTpl {
    layout: Layout,
    f: onboarding::HistoryFilter,
    list: Page<onboarding::PartnershipRequest>,
    base_query: String,
}

impl HistoryTpl {
    fn is(&self, v: &str) -> bool {
        self.f.decision.as_deref() == Some(v)
    }
}

fn history_query(f: &onboarding::HistoryFilter) -> String {
    crate::kernel::http::layout::query_string(&[("q", &f.q), ("decision", &f.decision)])
}

pub async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<onboarding::HistoryFilter>,
) -> PageResult {
    let list = onboarding::history(&state, &who, &f).await?;
    let t = HistoryTpl {
        layout: Layout::for_user(&state, &who, &headers, "Decision history", "requests").await?,
        base_query: history_query(&f),
        f,
        list,
    };
    show(&state, &t, &t.layout)
}

pub async fn history_csv(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<onboarding::HistoryFilter>,
) -> PageResult {
    let b = onboarding::history_csv(&state, &who, &f).await?;
    Ok(crate::kernel::http::csv_response(
        "partnership-history.csv",
        b,
    ))
}

#[derive(Deserialize)]
pub struct PaymentForm {
    #[serde(default)]
    reference: String,
}

pub async fn payment(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<InvoiceId>,
    PageForm(f): PageForm<PaymentForm>,
) -> PageResult {
    let input = billing::PaymentInput {
        reference: f.reference,
        amount: None,
    };
    let r = billing::operator_payment(&state, &who, id, &input).await;
    after(&state, r, "/operator/partners", |p| {
        if p.registered {
            format!(
                "Payment of {} registered for {}.",
                p.invoice.total_label, p.invoice.account_name
            )
        } else {
            "This payment was registered before; nothing changed.".into()
        }
    })
}
