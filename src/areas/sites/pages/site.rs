//! A site's page: its edit form, its enrollment codes and its probes (move, status, delete).

use super::*;
use crate::areas::sites::EnrollmentId;
use crate::areas::sites::ProbeId;
use crate::areas::sites::SiteId;

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
    id: SiteId,
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
    PageId(id): PageId<SiteId>,
) -> PageResult {
    let t = site_view(&state, &who, &headers, id).await?;
    show(&state, &t, &t.layout)
}

pub async fn update_site_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<SiteId>,
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
    PageId(id): PageId<SiteId>,
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
    PageId(id): PageId<EnrollmentId>,
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
    PageId(id): PageId<ProbeId>,
    PageForm(form): PageForm<MoveForm>,
) -> PageResult {
    let old = probes::probe(&state, &who, id, Need::Write).await?;
    let r = match form.site_id.trim().parse::<i64>() {
        Ok(site_id) => {
            probes::move_to(
                &state,
                &who,
                id,
                &MoveProbe {
                    site_id: SiteId(site_id),
                },
            )
            .await
        }
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
    PageId(id): PageId<ProbeId>,
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
    PageId(id): PageId<ProbeId>,
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
