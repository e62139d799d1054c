//! Pages of rebranding: an account's rebrand information (its own, and what its logins see),
//! the form that sets it with its logo upload, its removal, and the brand's logo as served to
//! sign-in pages, pages and emails.

use crate::areas::accounts::AccountId;
use crate::areas::customers;
use crate::areas::customers::brand::BrandFields;
use crate::areas::customers::pages::form_errors;
use crate::areas::customers::BrandView;
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
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageId;
use crate::kernel::http::PageMultipart;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

crate::route_table! { ROUTES, routes;
    get "/brands/{id}" => brand_page, A::On(&crate::areas::customers::BRAND, Need::Read);
    post "/brands/{id}" => brand_submit, A::On(&crate::areas::customers::BRAND, Need::Write);
    post "/brands/{id}/remove" => brand_remove, A::On(&crate::areas::customers::BRAND, Need::Write);
    get "/brand/{key}/logo" => brand_logo, A::Public;
}

/// The brand form's fields as typed.
#[derive(Clone, Debug, Default)]
pub struct BrandForm {
    pub display_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: String,
    pub support_phone: String,
    pub support_url: String,
    pub footer: String,
}

#[derive(Template)]
#[template(path = "customers/brand.html")]
struct BrandTpl {
    layout: Layout,
    v: BrandView,
    form: BrandForm,
    errors: FormErrors,
    can_write: bool,
    /// Where "back" goes: the customer's page, or the dashboard.
    back: String,
    base_url: String,
}

const FIELDS: &[&str] = &[
    "display_name",
    "primary_color",
    "accent_color",
    "support_email",
    "support_phone",
    "support_url",
    "footer",
    "logo",
];

async fn brand_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: AccountId,
) -> Result<BrandTpl, AppError> {
    let v = customers::brand_view(state, id).await?;
    let a = crate::areas::accounts::load(state, id).await?;
    let form = match &v.brand {
        Some(b) => BrandForm {
            display_name: b.display_name.clone(),
            primary_color: b.primary_color.clone().unwrap_or_default(),
            accent_color: b.accent_color.clone().unwrap_or_default(),
            support_email: b.support_email.clone().unwrap_or_default(),
            support_phone: b.support_phone.clone().unwrap_or_default(),
            support_url: b.support_url.clone().unwrap_or_default(),
            footer: b.footer.clone().unwrap_or_default(),
        },
        None => BrandForm::default(),
    };
    let title = format!("Rebranding of {}", v.account_name);
    Ok(BrandTpl {
        layout: Layout::for_user(state, who, headers, &title, "rebranding").await?,
        back: if a.kind == Kind::Customer && a.id != who.view_account_id {
            format!("/customers/{}", a.id)
        } else {
            "/".to_string()
        },
        v,
        form,
        errors: FormErrors::default(),
        can_write: access::allows(access::effective_role(who), Need::Write),
        base_url: state.config.base_url.clone(),
    })
}

pub async fn brand_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let t = brand_view(&state, &who, &headers, id).await?;
    show(&state, &t, &t.layout)
}

pub async fn brand_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    upload: PageMultipart,
) -> PageResult {
    let secure = state.config.secure_cookies;
    let form = BrandForm {
        display_name: upload.field("display_name"),
        primary_color: upload.field("primary_color"),
        accent_color: upload.field("accent_color"),
        support_email: upload.field("support_email"),
        support_phone: upload.field("support_phone"),
        support_url: upload.field("support_url"),
        footer: upload.field("footer"),
    };
    let fields = BrandFields {
        display_name: form.display_name.clone(),
        primary_color: form.primary_color.clone(),
        accent_color: form.accent_color.clone(),
        support_email: form.support_email.clone(),
        support_phone: form.support_phone.clone(),
        support_url: form.support_url.clone(),
        footer: form.footer.clone(),
        logo: upload.files("logo").into_iter().next().map(|(_, d)| d),
        remove_logo: !upload.field("remove_logo").is_empty(),
    };
    match customers::set_brand(&state, &who, id, &fields).await {
        Ok(b) => Ok(redirect_with_flash(
            &format!("/brands/{id}"),
            &format!(
                "The rebrand information was saved: logins of {} and below it without a brand of their own now see {}.",
                customers::brand_view(&state, id).await?.account_name,
                b.display_name
            ),
            secure,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_) | AppError::Field { .. })) => {
            let mut t = brand_view(&state, &who, &headers, id).await?;
            t.errors = form_errors(&e, FIELDS);
            t.form = form;
            Ok(render(e.status(), &t, &t.layout, secure))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn brand_remove(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let gone = customers::remove_brand(&state, &who, id).await?;
    Ok(redirect_with_flash(
        &format!("/brands/{id}"),
        if gone {
            "The rebrand information was removed: its logins see the brand of the account above again."
        } else {
            "There was no rebrand information to remove."
        },
        state.config.secure_cookies,
    ))
}

/// A brand's logo, with its checked type; an SVG is served so that nothing in it can run.
pub async fn brand_logo(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let found = match state.db.pool.acquire().await {
        Ok(mut conn) => customers::brand::logo_by_key(&mut conn, &key).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(Some((ty, bytes))) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, ty),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
                        .to_string(),
                ),
                (header::CACHE_CONTROL, "public, max-age=3600".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => crate::kernel::http::layout::error_page(&AppError::NotFound),
        Err(e) => crate::kernel::http::layout::error_page(&AppError::from(e)),
    }
}
