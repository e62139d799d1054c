//! Pages of customers: the Customers list (search, sort, pages, a checkbox per row, "Delete
//! customers" with its confirmation naming every count), the Add Customer wizard (step 1 name and
//! email with Finish, Quit wizard and Next; step 2 the rebrand information with Finish), and a
//! customer's own page (view and edit).

use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::customers;
use crate::areas::customers::brand::BrandFields;
use crate::areas::customers::{Customer, CustomerDetail, CustomerFilter};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::FieldError;
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
use crate::kernel::http::PageMultipart;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/customers" => customers_page, A::SignedIn;
    get "/customers/new" => wizard_page, A::SignedIn;
    post "/customers/new" => wizard_submit, A::SignedIn;
    post "/customers/delete" => delete_submit, A::SignedIn;
    get "/customers/{id}" => customer_page, A::On(&crate::areas::customers::CUSTOMER, Need::Read);
    post "/customers/{id}" => customer_update, A::On(&crate::areas::customers::CUSTOMER, Need::Write);
}

#[derive(Template)]
#[template(path = "customers/customers.html")]
struct CustomersTpl {
    layout: Layout,
    owner: Account,
    /// The owner is not the account in view (a partner's customers, opened from its row).
    under: bool,
    crumbs: Vec<Account>,
    list: Page<Customer>,
    table: Table,
    q: String,
    status: String,
    notice: Option<String>,
    can_add: bool,
    can_delete: bool,
    rows_below: Vec<customers::OwnerRow>,
    more_below: bool,
    pq: String,
}

impl CustomersTpl {
    fn owner_word(&self) -> &'static str {
        owner_word(self.owner.kind)
    }
    fn new_href(&self) -> String {
        if self.under {
            format!("/customers/new?under={}", self.owner.id)
        } else {
            "/customers/new".to_string()
        }
    }
}

fn owner_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Operator => "Operator (direct customers)",
        Kind::Partner => "Partner",
        Kind::Reseller => "Reseller",
        Kind::Dealer => "Dealer",
        Kind::Customer => "Customer",
    }
}

/// The list's own query: the filter and the search among the accounts below (`pq`).
#[derive(Clone, Debug, Deserialize, Default)]
pub struct CustomersQuery {
    pub under: Option<i64>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    pub pq: Option<String>,
}

fn list_href(under: Option<i64>) -> String {
    match under {
        Some(u) => format!("/customers?under={u}"),
        None => "/customers".to_string(),
    }
}

pub async fn customers_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(query): PageQuery<CustomersQuery>,
) -> PageResult {
    let mut f = CustomerFilter {
        under: query.under,
        q: query.q.clone(),
        status: query.status.clone(),
        sort: query.sort.clone(),
        dir: query.dir.clone(),
        page: query.page,
        per_page: query.per_page,
    };
    let mut notice = None;
    if let Err(AppError::Validation { message, .. }) =
        f.list_params().sort(&customers::CUSTOMER_SORTS, false)
    {
        notice = Some(format!("{message}: the list is sorted by name instead."));
        f.sort = None;
        f.dir = None;
    }
    let order = f.list_params().sort(&customers::CUSTOMER_SORTS, false)?;
    let (owner, list) = customers::list(&state, &who, &f).await?;
    let under = owner.id != who.view_account_id;
    let under_s = under.then(|| owner.id.to_string());
    let table = Table::new(
        "customer-list",
        "/customers",
        &[
            ("under", under_s.as_deref()),
            ("q", f.q.as_deref()),
            ("status", f.status.as_deref()),
        ],
        vec![
            sortable("Customer", "name"),
            sortable("Email", "email"),
            sortable("Status", "status"),
            plain("Logins"),
            plain("Rebrand"),
            sortable("Added", "created"),
            plain(""),
        ],
        &order,
        &list,
    )
    .with_select(access::allows(access::effective_role(&who), Need::Admin));
    let pq = query.pq.clone().unwrap_or_default();
    let role = access::effective_role(&who);
    let title = if under {
        format!("Customers of {}", owner.name)
    } else {
        "Customers".to_string()
    };
    // The rows below, the path and the layout read at once, each on its own connection.
    let ((rows_below, more_below), crumbs, layout) = tokio::try_join!(
        customers::rows_below(&state, owner.id, &pq),
        async {
            Ok::<_, AppError>(if under {
                crate::areas::accounts::path(&state.db, owner.id, who.view_account_id).await?
            } else {
                Vec::new()
            })
        },
        Layout::for_user(&state, &who, &headers, &title, "customers"),
    )?;
    let t = CustomersTpl {
        layout,
        can_add: access::allows(role, Need::Write),
        can_delete: access::allows(role, Need::Admin),
        under,
        crumbs,
        owner,
        list,
        table,
        q: f.q.clone().unwrap_or_default(),
        status: f.status.clone().unwrap_or_default(),
        notice,
        rows_below,
        more_below,
        pq,
    };
    show(&state, &t, &t.layout)
}

// ---- the Add Customer wizard ----

/// What the wizard's steps carry: step 1's fields, and step 2's rebrand fields.
#[derive(Clone, Debug, Default)]
pub struct WizardForm {
    pub name: String,
    pub email: String,
    pub display_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: String,
    pub support_phone: String,
    pub support_url: String,
    pub footer: String,
}

impl WizardForm {
    fn from_parts(m: &PageMultipart) -> WizardForm {
        WizardForm {
            name: m.field("name"),
            email: m.field("email"),
            display_name: m.field("display_name"),
            primary_color: m.field("primary_color"),
            accent_color: m.field("accent_color"),
            support_email: m.field("support_email"),
            support_phone: m.field("support_phone"),
            support_url: m.field("support_url"),
            footer: m.field("footer"),
        }
    }

    fn brand(&self, logo: Option<Vec<u8>>) -> BrandFields {
        BrandFields {
            display_name: self.display_name.clone(),
            primary_color: self.primary_color.clone(),
            accent_color: self.accent_color.clone(),
            support_email: self.support_email.clone(),
            support_phone: self.support_phone.clone(),
            support_url: self.support_url.clone(),
            footer: self.footer.clone(),
            logo,
            remove_logo: false,
        }
    }
}

#[derive(Template)]
#[template(path = "customers/wizard.html")]
struct WizardTpl {
    layout: Layout,
    owner: Account,
    /// The owner is not the account in view.
    under: bool,
    step: u8,
    form: WizardForm,
    errors: FormErrors,
}

impl WizardTpl {
    fn owner_word(&self) -> &'static str {
        owner_word(self.owner.kind)
    }
    fn back(&self) -> String {
        list_href(self.under.then_some(self.owner.id.get()))
    }
}

const STEP1_FIELDS: &[&str] = &["name", "email"];
const STEP2_FIELDS: &[&str] = &[
    "display_name",
    "primary_color",
    "accent_color",
    "support_email",
    "support_phone",
    "support_url",
    "footer",
    "logo",
];

/// The errors of a form, a coded field error (a logo's, a colour's) on its field; a file is not
/// kept by the browser, so its message asks for it again.
pub(crate) fn form_errors(e: &AppError, known: &[&str]) -> FormErrors {
    match e {
        AppError::Field { field, message, .. } if known.contains(&field.as_str()) => FormErrors {
            fields: vec![FieldError {
                field: field.clone(),
                message: if field == "logo" {
                    format!("{message}. Choose the file again.")
                } else {
                    message.clone()
                },
            }],
            general: None,
        },
        AppError::Fields(fs) => FormErrors {
            fields: fs
                .iter()
                .filter(|f| known.contains(&f.field.as_str()))
                .map(|f| FieldError {
                    field: f.field.clone(),
                    message: if f.field == "logo" {
                        format!("{}. Choose the file again.", f.message)
                    } else {
                        f.message.clone()
                    },
                })
                .collect(),
            general: None,
        },
        e => FormErrors::from_error(e, known),
    }
}

#[derive(Deserialize, Default)]
pub struct WizardQuery {
    pub under: Option<i64>,
}

async fn wizard_owner(state: &AppState, who: &Identity, under: Option<i64>) -> PageResult<Account> {
    Ok(customers::owner(state, who, under, Need::Write).await?)
}

pub async fn wizard_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(q): PageQuery<WizardQuery>,
) -> PageResult {
    let owner = wizard_owner(&state, &who, q.under).await?;
    let t = WizardTpl {
        layout: Layout::for_user(&state, &who, &headers, "Add customer", "customers").await?,
        under: owner.id != who.view_account_id,
        owner,
        step: 1,
        form: WizardForm::default(),
        errors: FormErrors::default(),
    };
    show(&state, &t, &t.layout)
}

pub async fn wizard_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    upload: PageMultipart,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let under: Option<i64> = upload.field("under").trim().parse().ok();
    let owner = wizard_owner(&state, &who, under).await?;
    let is_under = owner.id != who.view_account_id;
    let back = list_href(is_under.then_some(owner.id.get()));
    let step = upload.field("step");
    let form = WizardForm::from_parts(&upload);
    let layout = Layout::for_user(&state, &who, &headers, "Add customer", "customers").await?;
    let mut t = WizardTpl {
        layout,
        under: is_under,
        owner,
        step: 1,
        form,
        errors: FormErrors::default(),
    };
    match step.as_str() {
        "quit" => Ok(redirect_with_flash(
            &back,
            "You quit the Add Customer wizard: no customer was added.",
            secure,
        )),
        "back" => show(&state, &t, &t.layout),
        "next" => match customers::check_step1(&t.form.name, &t.form.email) {
            Ok(_) => {
                t.step = 2;
                show(&state, &t, &t.layout)
            }
            Err(e) => {
                t.errors = form_errors(&e, STEP1_FIELDS);
                Ok(render(e.status(), &t, &t.layout, secure))
            }
        },
        "finish" | "finish2" => {
            let step2 = step == "finish2";
            let logo = upload.files("logo").into_iter().next().map(|(_, d)| d);
            let brand = t.form.brand(logo);
            let brand = (step2 && !brand.is_empty()).then_some(brand);
            let r = customers::create(
                &state,
                &who,
                under,
                &t.form.name,
                &t.form.email,
                brand.as_ref(),
            )
            .await;
            match r {
                Ok(c) => Ok(redirect_with_flash(
                    &back,
                    &format!(
                        "The customer {} was added{}.",
                        c.customer.name,
                        if c.brand.is_some() {
                            " with its rebrand information"
                        } else {
                            ""
                        }
                    ),
                    secure,
                )),
                Err(
                    e @ (AppError::Validation { .. }
                    | AppError::Fields(_)
                    | AppError::Field { .. }
                    | AppError::Conflict { .. }),
                ) => {
                    // Back on the step whose field is at fault (step 1 first).
                    let on_step1 = e
                        .field_errors()
                        .iter()
                        .any(|f| STEP1_FIELDS.contains(&f.field.as_str()))
                        || !step2;
                    if on_step1 {
                        t.step = 1;
                        t.errors = form_errors(&e, STEP1_FIELDS);
                    } else {
                        t.step = 2;
                        t.errors = form_errors(&e, STEP2_FIELDS);
                    }
                    Ok(render(e.status(), &t, &t.layout, secure))
                }
                Err(e) => Err(e.into()),
            }
        }
        _ => Err(AppError::validation("step", "Choose Finish, Next or Quit wizard").into()),
    }
}

// ---- one customer ----

#[derive(Template)]
#[template(path = "customers/customer.html")]
struct CustomerTpl {
    layout: Layout,
    d: CustomerDetail,
    form_name: String,
    form_email: String,
    errors: FormErrors,
    can_write: bool,
    can_admin: bool,
    /// The customer's sites page, when the panel has one.
    sites_href: Option<String>,
    /// The owner is the account in view (the list without `under`).
    back: String,
}

async fn customer_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: AccountId,
) -> Result<CustomerTpl, AppError> {
    let d = customers::detail(state, id).await?;
    let role = access::effective_role(who);
    let has_sites = crate::kernel::http::all_routes()
        .iter()
        .any(|(p, _)| p == "/accounts/{id}/sites");
    let back = list_href(
        (d.customer.owner_id != who.view_account_id).then_some(d.customer.owner_id.get()),
    );
    Ok(CustomerTpl {
        layout: Layout::for_user(state, who, headers, &d.customer.name, "customers").await?,
        form_name: d.customer.name.clone(),
        form_email: d.customer.email.clone().unwrap_or_default(),
        sites_href: has_sites.then(|| format!("/accounts/{id}/sites")),
        d,
        errors: FormErrors::default(),
        can_write: access::allows(role, Need::Write),
        can_admin: access::allows(role, Need::Admin),
        back,
    })
}

pub async fn customer_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let t = customer_view(&state, &who, &headers, id).await?;
    show(&state, &t, &t.layout)
}

#[derive(Deserialize, Default)]
pub struct CustomerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

pub async fn customer_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<CustomerForm>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let input = customers::CustomerUpdate {
        name: Some(form.name.clone()),
        email: Some(form.email.clone()),
    };
    match customers::update(&state, &who, id, &input).await {
        Ok(d) => Ok(redirect_with_flash(
            &format!("/customers/{id}"),
            &format!("{} was saved.", d.customer.name),
            secure,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => {
            let mut t = customer_view(&state, &who, &headers, id).await?;
            t.errors = form_errors(&e, STEP1_FIELDS);
            t.form_name = form.name;
            t.form_email = form.email;
            Ok(render(e.status(), &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- deleting several ----

#[derive(Template)]
#[template(path = "customers/delete_confirm.html")]
struct DeleteTpl {
    layout: Layout,
    deletion: customers::CustomerDeletion,
    back: String,
}

impl DeleteTpl {
    /// Every count but the customers', by name ("3 logins").
    fn others(&self) -> Vec<(String, i64)> {
        self.deletion
            .counts
            .iter()
            .filter(|(k, _)| k.as_str() != "customers")
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }
}

/// The bulk form: the `ids` ticked, `confirm` (the number of customers confirmed) and `back`.
/// Without a matching `confirm` it shows the confirmation naming every count.
pub async fn delete_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let back = get("back")
        .filter(|b| b.starts_with("/customers"))
        .map(|b| crate::kernel::http::layout::safe_next(Some(&b)))
        .unwrap_or_else(|| "/customers".to_string());
    let ids = match crate::kernel::http::table::form_ids(&pairs) {
        Ok(ids) => ids,
        Err(e) => {
            return Ok(redirect_with_flash(
                &back,
                &format!("!{}", e.public_message()),
                secure,
            ))
        }
    };
    let confirm: Option<i64> = get("confirm").and_then(|c| c.parse().ok());
    if confirm != Some(ids.len() as i64) {
        let (deletion, _) = customers::deletion_preview(&state, &who, &ids).await?;
        let layout =
            Layout::for_user(&state, &who, &headers, "Delete customers", "customers").await?;
        let t = DeleteTpl {
            layout,
            deletion,
            back,
        };
        return show(&state, &t, &t.layout);
    }
    let input = customers::DeleteCustomers { ids, confirm };
    match customers::delete(&state, &who, &input).await {
        Ok(d) => Ok(redirect_with_flash(
            &back,
            &format!(
                "{} deleted.",
                d.question
                    .trim_start_matches("Delete ")
                    .trim_end_matches('?')
            ),
            secure,
        )),
        Err(
            e @ (AppError::Validation { .. } | AppError::Field { .. } | AppError::Conflict { .. }),
        ) => Ok(redirect_with_flash(
            &back,
            &format!("!{}", e.public_message()),
            secure,
        )),
        Err(e) => Err(e.into()),
    }
}
