//! Adding an account below: the page the "Add customer" / "Add subscriber" buttons open (the
//! kind defaulting to customer), and the form's answer. A form with errors comes back with every
//! field's error beside it and what was typed kept (the shared form component).

use super::pages::add_label;
use crate::areas::accounts;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::AccountStatus;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;

const FIELDS: &[&str] = &["kind", "name", "email", "phone"];

#[derive(Template)]
#[template(path = "accounts/new_account.html")]
struct NewTpl {
    layout: Layout,
    parent: Account,
    kinds: Vec<accounts::Kind>,
    label: &'static str,
    f: accounts::AccountInput,
    errors: FormErrors,
}

impl NewTpl {
    fn chosen(&self, k: &accounts::Kind) -> bool {
        let typed = self.f.kind.trim();
        if typed.is_empty() {
            *k == accounts::Kind::Customer
        } else {
            k.as_str() == typed
        }
    }
}

async fn view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: AccountId,
    f: accounts::AccountInput,
    errors: FormErrors,
) -> Result<NewTpl, AppError> {
    let parent = access::account(state, who, id, Need::Write).await?;
    let allowed: &[accounts::Kind] = if parent.status == AccountStatus::Active {
        accounts::allowed_children(parent.kind)
    } else {
        &[]
    };
    // Customer first: what people add most.
    let mut kinds: Vec<accounts::Kind> = allowed
        .iter()
        .copied()
        .filter(|k| *k == accounts::Kind::Customer)
        .collect();
    kinds.extend(
        allowed
            .iter()
            .copied()
            .filter(|k| *k != accounts::Kind::Customer),
    );
    let label = match add_label(parent.kind.as_str()) {
        "" => "Add an account",
        l => l,
    };
    Ok(NewTpl {
        layout: Layout::for_user(state, who, headers, label, "accounts").await?,
        parent,
        kinds,
        label,
        f,
        errors,
    })
}

pub async fn child_new(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let f = accounts::AccountInput {
        kind: String::new(),
        name: String::new(),
        email: None,
        phone: None,
    };
    let t = view(&state, &who, &headers, id, f, FormErrors::default()).await?;
    show(&state, &t, &t.layout)
}

/// The add form, from the add page (`from=new`) or from an account's own page. Either way a
/// refused form comes back as the add page, every error beside its field and what was typed
/// kept; once created, back to where it was sent from.
#[derive(serde::Deserialize)]
pub struct ChildForm {
    #[serde(flatten)]
    input: accounts::AccountInput,
    #[serde(default)]
    from: Option<String>,
}

pub async fn child_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<ChildForm>,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let from_new = form.from.as_deref() == Some("new");
    let r = accounts::create_child(&state, &who, id, &form.input).await;
    match r {
        Ok(a) => {
            let back = if !from_new {
                format!("/accounts/{id}")
            } else if id == who.view_account_id {
                "/accounts".to_string()
            } else {
                format!("/accounts/{id}")
            };
            Ok(redirect_with_flash(
                &back,
                &format!("The {} {} was created.", a.kind, a.name),
                secure,
            ))
        }
        Err(
            e @ (AppError::Validation { .. }
            | AppError::Fields(_)
            | AppError::Conflict { .. }
            | AppError::BadRequest { .. }),
        ) => {
            let errors = FormErrors::from_error(&e, FIELDS);
            let t = view(&state, &who, &headers, id, form.input, errors).await?;
            Ok(render(e.status(), &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}

/// The add-login form (from an account's page, or the add-login page with `from=new`); refused,
/// it comes back as the add-login page with every error beside its field.
#[derive(serde::Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    dashboard_rights: Option<String>,
    /// Where the form was sent from (`new`: the add-login page); either way a created login
    /// goes back to its account's page.
    #[serde(default, rename = "from")]
    _from: Option<String>,
}

const LOGIN_FIELDS: &[&str] = &["email", "name", "password", "role"];

#[derive(Template)]
#[template(path = "accounts/new_login.html")]
struct NewLoginTpl {
    layout: Layout,
    account: Account,
    f: LoginForm,
    errors: FormErrors,
}

impl NewLoginTpl {
    fn role_is(&self, r: &str) -> bool {
        match self.f.role.trim() {
            "" => r == "member",
            typed => typed == r,
        }
    }
}

async fn login_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: AccountId,
    f: LoginForm,
    errors: FormErrors,
) -> Result<NewLoginTpl, AppError> {
    let account = access::account(state, who, id, Need::Admin).await?;
    Ok(NewLoginTpl {
        layout: Layout::for_user(state, who, headers, "Add a login", "accounts").await?,
        account,
        f,
        errors,
    })
}

pub async fn login_new(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let f = LoginForm {
        dashboard_rights: Some("1".into()),
        ..LoginForm::default()
    };
    let t = login_view(&state, &who, &headers, id, f, FormErrors::default()).await?;
    show(&state, &t, &t.layout)
}

pub async fn login_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<LoginForm>,
) -> PageResult {
    let input = accounts::logins::LoginInput {
        email: form.email.clone(),
        name: form.name.clone(),
        password: form.password.clone(),
        role: form.role.clone(),
        dashboard_rights: Some(form.dashboard_rights.is_some()),
    };
    let r = accounts::logins::create_for_account(&state, &who, id, &input).await;
    let back = format!("/accounts/{id}");
    let secure = state.config.secure_cookies;
    match r {
        Ok(l) => Ok(redirect_with_flash(
            &back,
            &format!("The login {} was created.", l.email),
            secure,
        )),
        Err(
            e @ (AppError::Validation { .. }
            | AppError::Fields(_)
            | AppError::Conflict { .. }
            | AppError::BadRequest { .. }),
        ) => {
            let errors = FormErrors::from_error(&e, LOGIN_FIELDS);
            let f = LoginForm {
                password: String::new(),
                ..form
            };
            let t = login_view(&state, &who, &headers, id, f, errors).await?;
            Ok(render(e.status(), &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}
