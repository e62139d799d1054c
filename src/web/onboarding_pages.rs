//! Pages of onboarding: the public plans and registration form, and the operator's requests
//! inbox, decision history, packages and add-ons, and My partners.

use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::Response,
    Extension,
};
use serde::Deserialize;

use super::{error_page, render, tree::after, Layout};
use crate::{
    domain::{
        access::{self, Need},
        billing, catalog, onboarding,
        query::Page,
    },
    error::AppError,
    state::AppState,
    web::{cookies, PageAuth, PageForm, PageId, PageQuery, RequestMeta},
};

// ---- public: plans and registration ----

#[derive(Template)]
#[template(path = "pages/plans.html")]
struct PlansTpl {
    layout: Layout,
    packages: Vec<catalog::Package>,
    addons: Vec<catalog::Addon>,
    f: onboarding::Registration,
    error: Option<(String, String)>,
    done: Option<onboarding::PartnershipRequest>,
}

impl PlansTpl {
    fn err(&self, field: &str) -> String {
        match &self.error {
            Some((f, m)) if f == field => m.clone(),
            _ => String::new(),
        }
    }
    fn general(&self) -> String {
        match &self.error {
            Some((f, m)) if f.is_empty() => m.clone(),
            _ => String::new(),
        }
    }
    fn chosen(&self, id: &i64) -> bool {
        self.f.package_id == Some(*id)
    }
}

fn pre_csrf(headers: &HeaderMap) -> (String, Option<axum::http::HeaderValue>) {
    match cookies::get(headers, cookies::PRE_CSRF) {
        Some(v) if v.len() == 32 => (v, None),
        _ => {
            let v = crate::domain::secrets::random_hex(16);
            let c = cookies::set(cookies::PRE_CSRF, &v, None, false);
            (v, Some(c))
        }
    }
}

async fn plans_view(
    state: &AppState,
    headers: &HeaderMap,
    f: onboarding::Registration,
    error: Option<(String, String)>,
    done: Option<onboarding::PartnershipRequest>,
) -> Result<(PlansTpl, Option<axum::http::HeaderValue>), AppError> {
    let (csrf, set) = pre_csrf(headers);
    Ok((
        PlansTpl {
            layout: Layout::anonymous("Become a partner", &csrf, headers),
            packages: catalog::packages(state, false).await?,
            addons: catalog::addons(state, false).await?,
            f,
            error,
            done,
        },
        set,
    ))
}

pub async fn plans(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match plans_view(&state, &headers, Default::default(), None, None).await {
        Ok((t, set)) => {
            let mut r = render(StatusCode::OK, &t, &t.layout, state.config.secure_cookies);
            if let Some(c) = set {
                r.headers_mut().append(header::SET_COOKIE, c);
            }
            r
        }
        Err(e) => error_page(&e),
    }
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
    delivery: Option<String>,
    kind: Option<String>,
}

pub async fn register(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(form): PageForm<RegisterForm>,
) -> Response {
    let input = onboarding::Registration {
        company_name: form.company_name,
        contact_name: form.contact_name,
        email: form.email,
        phone: form.phone,
        website: form.website,
        description: form.description,
        package_id: form.package_id.as_deref().and_then(|v| v.parse().ok()),
        no_resellers: form.no_resellers.is_some(),
        delivery: form.delivery,
        kind: form.kind,
    };
    let (status, error, done) = match onboarding::register(&state, &input, &meta.ip, &meta.id).await
    {
        Ok(r) => (StatusCode::CREATED, None, Some(r)),
        Err(e @ AppError::Internal(_)) => return error_page(&e),
        Err(e) => (
            e.status(),
            Some((e.field().unwrap_or("").to_string(), e.public_message())),
            None,
        ),
    };
    match plans_view(&state, &headers, input, error, done).await {
        Ok((t, _)) => render(status, &t, &t.layout, state.config.secure_cookies),
        Err(e) => error_page(&e),
    }
}

// ---- operator: requests inbox and history ----

#[derive(Template)]
#[template(path = "pages/requests.html")]
struct RequestsTpl {
    layout: Layout,
    pending: Vec<onboarding::PartnershipRequest>,
    auto_approve: bool,
}

pub async fn requests(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> Response {
    let r = async {
        let pending = onboarding::pending(&state, &who).await?;
        Ok::<_, AppError>(RequestsTpl {
            layout: Layout::for_user(&state, &who, &headers, "Partnership requests", "requests")
                .await?,
            pending,
            auto_approve: onboarding::setting(&state, onboarding::AUTO_APPROVE)
                .await?
                .as_deref()
                == Some("1"),
        })
    }
    .await;
    match r {
        Ok(t) => render(StatusCode::OK, &t, &t.layout, state.config.secure_cookies),
        Err(e) => error_page(&e),
    }
}

pub async fn approve(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> Response {
    let r = onboarding::approve(&state, &who, id).await;
    after(&state, r, "/operator/requests", |r| {
        format!(
            "{} is approved: the partner and its owner login were created and emailed.",
            r.company_name
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
    PageId(id): PageId,
    PageForm(f): PageForm<RejectForm>,
) -> Response {
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
) -> Response {
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
#[template(path = "pages/history.html")]
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
    super::query_string(&[("q", &f.q), ("decision", &f.decision)])
}

pub async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<onboarding::HistoryFilter>,
) -> Response {
    let r = async {
        let list = onboarding::history(&state, &who, &f).await?;
        Ok::<_, AppError>(HistoryTpl {
            layout: Layout::for_user(&state, &who, &headers, "Decision history", "requests")
                .await?,
            base_query: history_query(&f),
            f,
            list,
        })
    }
    .await;
    match r {
        Ok(t) => render(StatusCode::OK, &t, &t.layout, state.config.secure_cookies),
        Err(e) => error_page(&e),
    }
}

pub async fn history_csv(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<onboarding::HistoryFilter>,
) -> Response {
    match onboarding::history_csv(&state, &who, &f).await {
        Ok(b) => super::super::api::csv_response("partnership-history.csv", b),
        Err(e) => error_page(&e),
    }
}

// ---- operator: packages and add-ons ----

#[derive(Template)]
#[template(path = "pages/packages.html")]
struct PackagesTpl {
    layout: Layout,
    packages: Vec<catalog::Package>,
    addons: Vec<catalog::Addon>,
    ad_packages: Vec<crate::domain::advertising::AdPackage>,
}

pub async fn packages(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> Response {
    let r = async {
        access::operator(&state, &who, Need::Read).await?;
        Ok::<_, AppError>(PackagesTpl {
            layout: Layout::for_user(&state, &who, &headers, "Packages", "packages").await?,
            packages: catalog::packages(&state, true).await?,
            addons: catalog::addons(&state, true).await?,
            ad_packages: crate::domain::advertising::packages(&state, true).await?,
        })
    }
    .await;
    match r {
        Ok(t) => render(StatusCode::OK, &t, &t.layout, state.config.secure_cookies),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct PackageForm {
    name: Option<String>,
    /// A price such as 19.99.
    price: Option<String>,
    currency: Option<String>,
    trial_days: Option<String>,
    feature_ads: Option<String>,
    feature_hardware: Option<String>,
    feature_resellers: Option<String>,
    max_customers: Option<String>,
    max_dealers: Option<String>,
    max_players: Option<String>,
}

/// "19.99" → 1999 cents.
pub(crate) fn parse_price(v: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::validation("monthly_price", "Write the price like 19.99");
    let (whole, frac) = v.split_once(['.', ',']).unwrap_or((v, "0"));
    if frac.len() > 2
        || whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 9
    {
        return Err(bad());
    }
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(Some(whole.parse::<i64>().map_err(|_| bad())? * 100 + cents))
}

fn parse_int(field: &str, v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::validation(field, "Write a whole number")),
    }
}

fn package_input(f: &PackageForm) -> Result<catalog::PackageInput, AppError> {
    Ok(catalog::PackageInput {
        name: f.name.clone(),
        monthly_price: parse_price(f.price.as_deref())?,
        currency: f.currency.clone().filter(|c| !c.trim().is_empty()),
        trial_days: parse_int("trial_days", f.trial_days.as_deref())?,
        feature_ads: Some(f.feature_ads.is_some()),
        feature_hardware: Some(f.feature_hardware.is_some()),
        feature_resellers: Some(f.feature_resellers.is_some()),
        max_customers: parse_int("max_customers", f.max_customers.as_deref())?,
        max_dealers: parse_int("max_dealers", f.max_dealers.as_deref())?,
        max_players: parse_int("max_players", f.max_players.as_deref())?,
    })
}

pub async fn package_create(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<PackageForm>,
) -> Response {
    let r = match package_input(&f) {
        Ok(input) => catalog::create_package(&state, &who, &input).await,
        Err(e) => Err(e),
    };
    after(&state, r, "/operator/packages", |p| {
        format!("The package {} was created.", p.name)
    })
}

pub async fn package_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(f): PageForm<PackageForm>,
) -> Response {
    let r = match package_input(&f) {
        Ok(input) => catalog::update_package(&state, &who, id, &input).await,
        Err(e) => Err(e),
    };
    after(&state, r, "/operator/packages", |p| {
        format!("The package {} was saved.", p.name)
    })
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn package_status(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(f): PageForm<StatusForm>,
) -> Response {
    let r = catalog::set_package_status(&state, &who, id, f.status.trim()).await;
    after(&state, r, "/operator/packages", |p| {
        format!("The package {} is {}.", p.name, p.status)
    })
}

#[derive(Deserialize)]
pub struct AddonForm {
    name: Option<String>,
    description: Option<String>,
    price: Option<String>,
    currency: Option<String>,
}

pub async fn addon_create(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<AddonForm>,
) -> Response {
    let r = match parse_price(f.price.as_deref()) {
        Ok(price) => {
            let input = catalog::AddonInput {
                name: f.name,
                description: f.description,
                monthly_price: price,
                currency: f.currency.filter(|c| !c.trim().is_empty()),
            };
            catalog::create_addon(&state, &who, &input).await
        }
        Err(e) => Err(e),
    };
    after(&state, r, "/operator/packages", |a| {
        format!("The add-on {} was created.", a.name)
    })
}

pub async fn addon_status(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(f): PageForm<StatusForm>,
) -> Response {
    let r = catalog::set_addon_status(&state, &who, id, f.status.trim()).await;
    after(&state, r, "/operator/packages", |_| {
        "The add-on was saved.".into()
    })
}

// ---- operator: My partners ----

#[derive(Template)]
#[template(path = "pages/partners.html")]
struct PartnersTpl {
    layout: Layout,
    partners: Vec<(
        onboarding::PartnerRow,
        Option<billing::Subscription>,
        Option<billing::Invoice>,
    )>,
    q: String,
}

#[derive(Deserialize, Default)]
pub struct PartnersQuery {
    q: Option<String>,
}

pub async fn partners(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(q): PageQuery<PartnersQuery>,
) -> Response {
    let r = async {
        let rows = onboarding::my_partners(&state, &who, q.q.as_deref()).await?;
        let mut partners = Vec::new();
        for row in rows {
            let sub = billing::subscription(&state, row.account.id).await?;
            let open = billing::invoices_unchecked(&state, row.account.id)
                .await?
                .into_iter()
                .find(|i| i.status == "open");
            partners.push((row, sub, open));
        }
        Ok::<_, AppError>(PartnersTpl {
            layout: Layout::for_user(&state, &who, &headers, "My partners", "partners").await?,
            partners,
            q: q.q.unwrap_or_default(),
        })
    }
    .await;
    match r {
        Ok(t) => render(StatusCode::OK, &t, &t.layout, state.config.secure_cookies),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    external_invoice_id: String,
}

pub async fn partner_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(f): PageForm<PartnerForm>,
) -> Response {
    let r = onboarding::set_external_invoice_id(&state, &who, id, &f.external_invoice_id).await;
    after(&state, r, "/operator/partners", |_| {
        "The external invoice id was saved.".into()
    })
}

#[derive(Deserialize)]
pub struct PaymentForm {
    #[serde(default)]
    reference: String,
}

pub async fn payment(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(f): PageForm<PaymentForm>,
) -> Response {
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
