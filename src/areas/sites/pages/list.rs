//! The Sites list page: creating sites, the probe settings, deleting several sites.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::sites::SiteId;

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
    id: AccountId,
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
    PageId(id): PageId<AccountId>,
    PageQuery(f): PageQuery<SiteFilter>,
) -> PageResult {
    let t = list_view(&state, &who, &headers, id, f).await?;
    show(&state, &t, &t.layout)
}

pub async fn create_site_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
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
    PageId(id): PageId<AccountId>,
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
    customer_id: AccountId,
    p: SitesDeletionPreview,
    back: String,
}

impl ConfirmTpl {
    fn probes_of(&self, site: &i64) -> Vec<&str> {
        self.p
            .probes
            .iter()
            .filter(|p| p.site_id == Some(SiteId(*site)))
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
    PageId(id): PageId<AccountId>,
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
