//! Pages of the reseller and dealer networks: My dealers (add, edit, shut down, reactivate,
//! delete with its subscribers), a partner's reseller settings, the partner directory.

use crate::areas::accounts::pages::after;
use crate::areas::accounts::AccountId;
use crate::areas::networks;
use crate::areas::networks::Dealer;
use crate::areas::networks::DealerFilter;
use crate::areas::networks::DealerInput;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{plain, sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/dealers" => dealers_page, A::SignedIn;
    post "/dealers" => dealer_create, A::SignedIn;
    get "/dealers/{id}" => dealer_page, A::On(&crate::areas::networks::DEALER, Need::Read);
    post "/dealers/{id}" => dealer_update, A::On(&crate::areas::networks::DEALER, Need::Write);
    post "/dealers/{id}/status" => dealer_status, A::On(&crate::areas::networks::DEALER, Need::Admin);
    get "/dealers/{id}/delete" => dealer_delete_page, A::On(&crate::areas::networks::DEALER, Need::Admin);
    post "/dealers/{id}/delete" => dealer_delete, A::On(&crate::areas::networks::DEALER, Need::Admin);
    get "/reseller-settings" => settings_page, A::SignedIn;
    post "/reseller-settings" => settings_submit, A::SignedIn;
    get "/partner-directory" => directory_page, A::SignedIn;
}

#[derive(Template)]
#[template(path = "networks/dealers.html")]
struct DealersTpl {
    layout: Layout,
    list: Page<Dealer>,
    table: Table,
    q: String,
    status: String,
    notice: Option<String>,
    can_add: bool,
    form: DealerInput,
    errors: FormErrors,
}

const DEALER_FIELDS: &[&str] = &[
    "name",
    "contact_name",
    "email",
    "phone",
    "username",
    "password",
];

async fn dealers_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    f: &DealerFilter,
) -> Result<DealersTpl, AppError> {
    let mut f = f.clone();
    // A sort not understood: by name, and a word about it.
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) =
        f.list_params().sort(&networks::DEALER_SORTS, false)
    {
        notice = Some(format!("{message}: the list is sorted by name instead."));
        f.sort = None;
        f.dir = None;
    }
    let order = f.list_params().sort(&networks::DEALER_SORTS, false)?;
    let list = networks::list_dealers(state, who, &f).await?;
    let table = Table::new(
        "dealer-list",
        "/dealers",
        &[("q", f.q.as_deref()), ("status", f.status.as_deref())],
        vec![
            sortable("Dealer", "name"),
            sortable("Contact", "contact"),
            plain("Username"),
            sortable("Status", "status"),
            sortable("Subscribers", "subscribers"),
            sortable("Added", "created"),
            plain(""),
        ],
        &order,
        &list,
    );
    Ok(DealersTpl {
        layout: Layout::for_user(state, who, headers, "My dealers", "dealers").await?,
        list,
        table,
        q: f.q.clone().unwrap_or_default(),
        status: f.status.clone().unwrap_or_default(),
        notice,
        can_add: access::allows(access::effective_role(who), Need::Admin),
        form: DealerInput::default(),
        errors: FormErrors::default(),
    })
}

pub async fn dealers_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<DealerFilter>,
) -> PageResult {
    let t = dealers_view(&state, &who, &headers, &f).await?;
    show(&state, &t, &t.layout)
}

pub async fn dealer_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<DealerInput>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    match networks::create_dealer(&state, &who, &form).await {
        Ok(d) => Ok(redirect_with_flash(
            "/dealers",
            &format!(
                "The dealer {} was added; it signs in as {}.",
                d.name,
                d.username.as_deref().unwrap_or("")
            ),
            secure,
        )),
        // The form again, with the reason beside the field.
        Err(
            e @ (AppError::Validation { .. } | AppError::Fields(_) | AppError::Conflict { .. }),
        ) => {
            let mut t = dealers_view(&state, &who, &headers, &DealerFilter::default()).await?;
            t.errors = FormErrors::from_error(&e, DEALER_FIELDS);
            t.form = DealerInput {
                password: String::new(),
                ..form
            };
            Ok(render(e.status(), &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "networks/dealer.html")]
struct DealerTpl {
    layout: Layout,
    d: Dealer,
    can_write: bool,
    can_admin: bool,
}

pub async fn dealer_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let d = networks::get_dealer(&state, &who, id).await?;
    let role = access::effective_role(&who);
    let t = DealerTpl {
        layout: Layout::for_user(&state, &who, &headers, &d.name, "dealers").await?,
        d,
        can_write: access::allows(role, Need::Write),
        can_admin: access::allows(role, Need::Admin),
    };
    show(&state, &t, &t.layout)
}

pub async fn dealer_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<networks::DealerUpdate>,
) -> PageResult {
    let r = networks::update_dealer(&state, &who, id, &form).await;
    after(&state, r, &format!("/dealers/{id}"), |d| {
        format!("{} was saved.", d.name)
    })
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn dealer_status(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<StatusForm>,
) -> PageResult {
    let r = networks::set_dealer_status(&state, &who, id, form.status.trim()).await;
    after(&state, r, &format!("/dealers/{id}"), |d| {
        if d.status == "active" {
            format!(
                "{} is active again: the dealer and its subscribers can sign in.",
                d.name
            )
        } else {
            format!(
                "{} is inactive: the dealer and its {} subscriber(s) are signed out and cannot sign in; their data is kept.",
                d.name, d.subscribers
            )
        }
    })
}

#[derive(Template)]
#[template(path = "networks/dealer_delete.html")]
struct DealerDeleteTpl {
    layout: Layout,
    p: networks::DealerDeletion,
}

pub async fn dealer_delete_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let p = networks::dealer_deletion_preview(&state, &who, id).await?;
    let layout = Layout::for_user(&state, &who, &headers, "Delete dealer", "dealers").await?;
    let t = DealerDeleteTpl { layout, p };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    confirm_accounts: Option<i64>,
}

pub async fn dealer_delete(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<DeleteForm>,
) -> PageResult {
    let r = networks::delete_dealer(&state, &who, id, form.confirm_accounts).await;
    let back = if r.is_ok() {
        "/dealers".to_string()
    } else {
        format!("/dealers/{id}/delete")
    };
    after(&state, r, &back, |p| {
        format!(
            "{} was deleted with its {} subscriber(s) and {} login(s).",
            p.dealer.name, p.subscribers, p.logins
        )
    })
}

#[derive(Template)]
#[template(path = "networks/reseller_settings.html")]
struct SettingsTpl {
    layout: Layout,
    s: networks::ResellerSettings,
    can_edit: bool,
    error: String,
}

async fn settings_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
) -> Result<SettingsTpl, AppError> {
    let s = networks::reseller_settings(state, who).await?;
    Ok(SettingsTpl {
        layout: Layout::for_user(
            state,
            who,
            headers,
            "Reseller settings",
            "reseller-settings",
        )
        .await?,
        s,
        can_edit: access::allows(access::effective_role(who), Need::Admin),
        error: String::new(),
    })
}

pub async fn settings_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let t = settings_view(&state, &who, &headers).await?;
    show(&state, &t, &t.layout)
}

/// The settings form: a checkbox is present when ticked.
#[derive(Deserialize)]
pub struct SettingsForm {
    serves_resellers: Option<String>,
    listed: Option<String>,
    #[serde(default)]
    email: String,
    show_email: Option<String>,
    #[serde(default)]
    phone: String,
    show_phone: Option<String>,
    #[serde(default)]
    website: String,
    show_website: Option<String>,
    #[serde(default)]
    address: String,
    show_address: Option<String>,
    #[serde(default)]
    note: String,
}

pub async fn settings_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(f): PageForm<SettingsForm>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let input = networks::ResellerSettingsInput {
        serves_resellers: Some(f.serves_resellers.is_some()),
        listed: Some(f.listed.is_some()),
        email: Some(f.email.clone()),
        show_email: Some(f.show_email.is_some()),
        phone: Some(f.phone.clone()),
        show_phone: Some(f.show_phone.is_some()),
        website: Some(f.website.clone()),
        show_website: Some(f.show_website.is_some()),
        address: Some(f.address.clone()),
        show_address: Some(f.show_address.is_some()),
        note: Some(f.note.clone()),
    };
    match networks::update_reseller_settings(&state, &who, &input).await {
        Ok(s) => Ok(redirect_with_flash(
            "/reseller-settings",
            if s.serves_resellers && s.listed {
                "Your reseller settings were saved: resellers find you in the partner directory with the details you chose."
            } else {
                "Your reseller settings were saved: you are not listed in the partner directory."
            },
            secure,
        )),
        // The form again, as it was sent, with the reason.
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => {
            let mut t = settings_view(&state, &who, &headers).await?;
            t.s = networks::ResellerSettings {
                serves_resellers: f.serves_resellers.is_some(),
                listed: f.listed.is_some(),
                email: f.email,
                show_email: f.show_email.is_some(),
                phone: f.phone,
                show_phone: f.show_phone.is_some(),
                website: f.website,
                show_website: f.show_website.is_some(),
                address: f.address,
                show_address: f.show_address.is_some(),
                note: f.note,
            };
            t.error = e.public_message();
            Ok(render(e.status(), &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "networks/partner_directory.html")]
struct DirectoryTpl {
    layout: Layout,
    list: Page<networks::DirectoryEntry>,
    /// The shared pager (page numbers, a jump, page size); entries are by name.
    table: Table,
    q: String,
    /// The account in view is a reseller (it may send requests for partner).
    reseller: bool,
    /// The reseller's partner, if it has one: no more requests then.
    linked: Option<(i64, String)>,
    /// Partners the reseller's requests wait for.
    waiting: Vec<i64>,
}

impl DirectoryTpl {
    fn waits_for(&self, id: &AccountId) -> bool {
        self.waiting.contains(&id.get())
    }
}

pub async fn directory_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<networks::DirectoryFilter>,
) -> PageResult {
    let list = networks::directory(&state, &who, &f).await?;
    let layout = Layout::for_user(&state, &who, &headers, "Partner directory", "directory").await?;
    let reseller = layout
        .user
        .as_ref()
        .is_some_and(|u| u.account_kind == Kind::Reseller);
    let (linked, waiting) = if reseller {
        networks::link_state(&state, who.view_account_id).await?
    } else {
        (None, Vec::new())
    };
    let by_name = crate::kernel::http::table::ListParams::default().sort(&[("name", "")], false)?;
    let table = Table::new(
        "directory",
        "/partner-directory",
        &[("q", f.q.as_deref())],
        vec![],
        &by_name,
        &list,
    );
    let t = DirectoryTpl {
        reseller,
        linked,
        waiting,
        layout,
        list,
        table,
        q: f.q.clone().unwrap_or_default(),
    };
    show(&state, &t, &t.layout)
}
