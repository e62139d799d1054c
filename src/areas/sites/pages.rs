//! Pages of sites and probes: a customer's sites (search, sort, pages, checkboxes, "Delete
//! sites" with a confirmation naming the probes that go, the add form, the probe settings), a
//! site (edit, its probes with status, version and last seen, move, disable, delete, and its
//! enrollment codes).

use super::model::*;
use super::{probes, rules};
use crate::areas::accounts::pages::after;
use crate::areas::accounts::Account;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::{AppError, ErrorCode, FieldError};
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}/sites" => sites_page, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/sites" => create_site_submit, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    post "/accounts/{id}/sites/delete" => delete_sites_submit, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    post "/accounts/{id}/probe-settings" => probe_settings_submit, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    get "/sites/{id}" => site_page, A::On(&super::SITE, Need::Read);
    post "/sites/{id}" => update_site_submit, A::On(&super::SITE, Need::Write);
    post "/sites/{id}/enrollments" => create_enrollment_submit, A::On(&super::SITE, Need::Write);
    post "/probe-enrollments/{id}/revoke" => revoke_enrollment_submit, A::On(&super::PROBE_ENROLLMENT, Need::Write);
    post "/probes/{id}/move" => move_probe_submit, A::On(&super::PROBE, Need::Write);
    post "/probes/{id}/status" => probe_status_submit, A::On(&super::PROBE, Need::Admin);
    post "/probes/{id}/delete" => delete_probe_submit, A::On(&super::PROBE, Need::Admin);
}

/// The site form as typed.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct SiteForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub notes: String,
}

impl SiteForm {
    fn input(&self) -> SiteInput {
        SiteInput {
            name: Some(self.name.clone()),
            address: Some(self.address.clone()),
            time_zone: Some(self.time_zone.clone()),
            notes: Some(self.notes.clone()),
        }
    }
    fn of(s: &Site) -> SiteForm {
        SiteForm {
            name: s.name.clone(),
            address: s.address.clone(),
            time_zone: s.time_zone.clone(),
            notes: s.notes.clone(),
        }
    }
}

const SITE_FIELDS: &[&str] = &["name", "address", "time_zone", "notes"];

/// The settings form as typed (numbers as text: a wrong one is a field error).
#[derive(Clone, Debug, Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    pub interval_seconds: String,
    #[serde(default)]
    pub late_after_seconds: String,
    #[serde(default)]
    pub offline_after_seconds: String,
}

const SETTINGS_FIELDS: &[&str] = &[
    "interval_seconds",
    "late_after_seconds",
    "offline_after_seconds",
];

impl SettingsForm {
    fn of(s: &ProbeSettings) -> SettingsForm {
        SettingsForm {
            interval_seconds: s.interval_seconds.to_string(),
            late_after_seconds: s.late_after_seconds.to_string(),
            offline_after_seconds: s.offline_after_seconds.to_string(),
        }
    }
    fn parse(&self) -> Result<ProbeSettings, AppError> {
        let mut c = crate::kernel::validate::Collect::new();
        let mut num = |field: &str, v: &str| match v.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                c.add(field, "A whole number of seconds");
                0
            }
        };
        let s = ProbeSettings {
            interval_seconds: num("interval_seconds", &self.interval_seconds),
            late_after_seconds: num("late_after_seconds", &self.late_after_seconds),
            offline_after_seconds: num("offline_after_seconds", &self.offline_after_seconds),
        };
        c.finish()?;
        rules::check_settings(&s)?;
        Ok(s)
    }
}

/// A name taken is said beside the name field.
fn site_errors(e: &AppError) -> FormErrors {
    match e {
        AppError::Conflict {
            code: ErrorCode::NameTaken,
            message,
        } => FormErrors {
            fields: vec![FieldError {
                field: "name".into(),
                message: message.clone(),
            }],
            general: None,
        },
        e => FormErrors::from_error(e, SITE_FIELDS),
    }
}

fn is_form_error(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. } | AppError::Fields(_) | AppError::Conflict { .. }
    )
}

#[derive(Template)]
#[template(path = "sites/list.html")]
struct ListTpl {
    layout: Layout,
    customer: Account,
    f: SiteFilter,
    list: Page<Site>,
    table: Table,
    notice: Option<String>,
    can_write: bool,
    can_admin: bool,
    form: SiteForm,
    errors: FormErrors,
    settings: SettingsForm,
    settings_errors: FormErrors,
    zones: Vec<String>,
}

async fn list_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: i64,
    mut f: SiteFilter,
) -> Result<ListTpl, AppError> {
    // A search or sort that breaks a rule shows the whole list with the reason.
    let mut notice = None;
    let (customer, settings, list) = match rules::list_of(state, who, id, &f).await {
        Ok(l) => l,
        Err(e @ AppError::Validation { .. }) => {
            notice = Some(format!(
                "{}: showing every site instead.",
                e.public_message()
            ));
            f = SiteFilter {
                per_page: f.per_page.filter(|p| (1..=100).contains(p)),
                ..SiteFilter::default()
            };
            rules::list_of(state, who, id, &f).await?
        }
        Err(e) => return Err(e),
    };
    let sort = f.list_params().sort(&SITE_SORTS, false)?;
    let role = access::effective_role(who);
    let can_admin = access::allows(role, Need::Admin);
    let columns = vec![
        sortable("Name", "name"),
        sortable("Address", "address"),
        sortable("Time zone", "time_zone"),
        sortable("Probes", "probes"),
        sortable("Added", "created"),
    ];
    let table = Table::new(
        "site-list",
        &format!("/accounts/{id}/sites"),
        &[("q", f.q.as_deref())],
        columns,
        &sort,
        &list,
    )
    .with_select(can_admin);
    Ok(ListTpl {
        layout: Layout::for_user(
            state,
            who,
            headers,
            &format!("Sites of {}", customer.name),
            "sites",
        )
        .await?,
        customer,
        f,
        list,
        table,
        notice,
        can_write: access::allows(role, Need::Write),
        can_admin,
        form: SiteForm {
            time_zone: "UTC".into(),
            ..SiteForm::default()
        },
        errors: FormErrors::default(),
        settings: SettingsForm::of(&settings),
        settings_errors: FormErrors::default(),
        zones: crate::kernel::http::when::zone_names(),
    })
}

pub async fn sites_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageQuery(f): PageQuery<SiteFilter>,
) -> PageResult {
    let t = list_view(&state, &who, &headers, id, f).await?;
    show(&state, &t, &t.layout)
}

pub async fn create_site_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<SiteForm>,
) -> PageResult {
    match rules::create(&state, &who, id, &form.input()).await {
        Ok(s) => Ok(redirect_with_flash(
            &format!("/sites/{}", s.id),
            &format!(
                "The site {} was added. Give a probe an enrollment code below.",
                s.name
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let mut t = list_view(&state, &who, &headers, id, SiteFilter::default()).await?;
            t.errors = site_errors(&e);
            t.form = form;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn probe_settings_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<SettingsForm>,
) -> PageResult {
    let r = match form.parse() {
        Ok(s) => rules::set_settings(&state, &who, id, &s).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(s) => Ok(redirect_with_flash(
            &format!("/accounts/{id}/sites"),
            &format!(
                "Probes check in every {} seconds; late after {} seconds, offline after {} seconds.",
                s.interval_seconds, s.late_after_seconds, s.offline_after_seconds
            ),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let mut t = list_view(&state, &who, &headers, id, SiteFilter::default()).await?;
            t.settings_errors = FormErrors::from_error(&e, SETTINGS_FIELDS);
            t.settings = form;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "sites/delete_confirm.html")]
struct ConfirmTpl {
    layout: Layout,
    customer_id: i64,
    p: SitesDeletionPreview,
    back: String,
}

impl ConfirmTpl {
    fn probes_of(&self, site: &i64) -> Vec<&str> {
        self.p
            .probes
            .iter()
            .filter(|p| p.site_id == Some(*site))
            .map(|p| p.name.as_str())
            .collect()
    }
}

/// "Delete sites": the ticked rows; first a page naming the sites and every probe that goes,
/// then (with `confirm_probes` from that page) the deletion.
pub async fn delete_sites_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let list = format!("/accounts/{id}/sites");
    let back = get("back")
        .filter(|b| b.starts_with(&list) || b.starts_with("/sites/"))
        .map(|b| crate::kernel::http::layout::safe_next(Some(&b)))
        .unwrap_or_else(|| list.clone());
    let ids = match crate::kernel::http::table::form_ids(&pairs) {
        Ok(ids) => ids,
        Err(e) => return after(&state, Err::<(), _>(e), &back, |_| String::new()),
    };
    let confirm: Option<i64> = get("confirm_probes").and_then(|c| c.parse().ok());
    if confirm.is_none() {
        let p = rules::deletion_preview(&state, &who, id, &ids).await?;
        let n = p.sites.len();
        let t = ConfirmTpl {
            layout: Layout::for_user(
                &state,
                &who,
                &headers,
                &format!("Delete {n} site{}?", if n == 1 { "" } else { "s" }),
                "sites",
            )
            .await?,
            customer_id: id,
            p,
            back,
        };
        return show(&state, &t, &t.layout);
    }
    let r = rules::delete(&state, &who, id, &ids, confirm).await;
    // Back to the list: the site page of a deleted site is gone.
    after(&state, r, &list, |d| {
        format!(
            "{} site{} deleted with {} probe{}.",
            d.sites,
            if d.sites == 1 { "" } else { "s" },
            d.probes,
            if d.probes == 1 { "" } else { "s" }
        )
    })
}

#[derive(Template)]
#[template(path = "sites/site.html")]
struct SiteTpl {
    layout: Layout,
    d: SiteDetail,
    customer: Account,
    can_write: bool,
    can_admin: bool,
    form: SiteForm,
    errors: FormErrors,
    others: Vec<(i64, String)>,
    new_code: Option<EnrollmentCreated>,
    zones: Vec<String>,
    enroll_url: String,
}

impl SiteTpl {
    fn online(&self) -> usize {
        self.d
            .probes
            .iter()
            .filter(|p| p.status == ProbeStatus::Online)
            .count()
    }
}

async fn site_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: i64,
) -> Result<SiteTpl, AppError> {
    let d = rules::detail(state, who, id).await?;
    let customer = rules::customer(state, who, d.site.customer_id, Need::Read).await?;
    let role = access::effective_role(who);
    Ok(SiteTpl {
        layout: Layout::for_user(state, who, headers, &d.site.name, "sites").await?,
        form: SiteForm::of(&d.site),
        others: rules::sibling_sites(state, d.site.customer_id, id).await?,
        d,
        customer,
        can_write: access::allows(role, Need::Write),
        can_admin: access::allows(role, Need::Admin),
        errors: FormErrors::default(),
        new_code: None,
        zones: crate::kernel::http::when::zone_names(),
        enroll_url: format!("{}{}/enroll", state.config.base_url, probes::PROTOCOL),
    })
}

pub async fn site_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let t = site_view(&state, &who, &headers, id).await?;
    show(&state, &t, &t.layout)
}

pub async fn update_site_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<SiteForm>,
) -> PageResult {
    match rules::update(&state, &who, id, &form.input()).await {
        Ok(s) => Ok(redirect_with_flash(
            &format!("/sites/{id}"),
            &format!("The site {} was saved.", s.name),
            state.config.secure_cookies,
        )),
        Err(e) if is_form_error(&e) => {
            let mut t = site_view(&state, &who, &headers, id).await?;
            t.errors = site_errors(&e);
            t.form = form;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct EnrollmentForm {
    #[serde(default)]
    expires_in_hours: String,
}

/// A new enrollment code: the site page again, showing the code this once.
pub async fn create_enrollment_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<EnrollmentForm>,
) -> PageResult {
    let hours = match form.expires_in_hours.trim() {
        "" => Ok(None),
        h => h.parse::<i64>().map(Some).map_err(|_| {
            AppError::validation("expires_in_hours", "A whole number of hours, 1 to 720")
        }),
    };
    let r = match hours {
        Ok(h) => {
            probes::create_enrollment(
                &state,
                &who,
                id,
                &NewEnrollment {
                    expires_in_hours: h,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(created) => {
            let mut t = site_view(&state, &who, &headers, id).await?;
            t.new_code = Some(created);
            Ok(render(
                StatusCode::CREATED,
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => after(&state, Err::<(), _>(e), &format!("/sites/{id}"), |_| {
            String::new()
        }),
    }
}

pub async fn revoke_enrollment_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let r = probes::revoke_enrollment(&state, &who, id).await;
    let back = match &r {
        Ok(e) => format!("/sites/{}", e.site_id),
        Err(_) => "/".into(),
    };
    after(&state, r, &back, |e| match e.state {
        EnrollmentState::Revoked => format!(
            "The enrollment code {}… was revoked: no probe can register with it.",
            e.code_prefix
        ),
        other => format!(
            "The enrollment code {}… is {other} and stays so.",
            e.code_prefix
        ),
    })
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    site_id: String,
}

pub async fn move_probe_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<MoveForm>,
) -> PageResult {
    let old = probes::probe(&state, &who, id, Need::Write).await?;
    let r = match form.site_id.trim().parse::<i64>() {
        Ok(site_id) => probes::move_to(&state, &who, id, &MoveProbe { site_id }).await,
        Err(_) => Err(AppError::validation(
            "site_id",
            "Choose the site to move it to",
        )),
    };
    let r = r.map_err(|e| match e {
        // A coded field error reads as a message on the page it came from.
        AppError::Field { message, .. } => AppError::validation("site_id", message),
        e => e,
    });
    after(&state, r, &format!("/sites/{}", old.site_id), |p| {
        format!("The probe {} moved to {}.", p.name, p.site_name)
    })
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    enabled: String,
}

pub async fn probe_status_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
    PageForm(form): PageForm<StatusForm>,
) -> PageResult {
    let old = probes::probe(&state, &who, id, Need::Admin).await?;
    let r = match form.enabled.trim() {
        "true" | "false" => {
            probes::update(
                &state,
                &who,
                id,
                &ProbeInput {
                    name: None,
                    enabled: Some(form.enabled.trim() == "true"),
                },
            )
            .await
        }
        _ => Err(AppError::validation("enabled", "Enabled is true or false")),
    };
    after(&state, r, &format!("/sites/{}", old.site_id), |p| {
        if p.enabled {
            format!("The probe {} is enabled: its token works again.", p.name)
        } else {
            format!(
                "The probe {} is disabled: its token no longer works.",
                p.name
            )
        }
    })
}

pub async fn delete_probe_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let r = probes::delete(&state, &who, id).await;
    let back = match &r {
        Ok(p) => format!("/sites/{}", p.site_id),
        Err(_) => "/".into(),
    };
    after(&state, r, &back, |p| {
        format!(
            "The probe {} was deleted: its token no longer works.",
            p.name
        )
    })
}
