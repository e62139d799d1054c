//! Pages of release notes: "What's new" in every panel (the list, unread ones marked, and each
//! note, which opening marks read), and for the operator the form to write one, edit it,
//! publish and unpublish.

use crate::areas::accounts::pages::after;
use crate::areas::release_notes;
use crate::areas::release_notes::ReleaseNoteId;
use crate::areas::release_notes::{NoteInput, ReleaseNote};
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
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};

crate::route_table! { ROUTES, routes;
    get "/whats-new" => whats_new_page, A::SignedIn;
    post "/whats-new" => create_note_submit, A::Operator(Need::Admin);
    get "/whats-new/{id}" => note_page, A::On(&crate::areas::release_notes::RELEASE_NOTE, Need::Read);
    post "/whats-new/{id}/edit" => edit_note_submit, A::On(&crate::areas::release_notes::RELEASE_NOTE_ADMIN, Need::Admin);
    post "/whats-new/{id}/publish" => publish_submit, A::On(&crate::areas::release_notes::RELEASE_NOTE_ADMIN, Need::Admin);
    post "/whats-new/{id}/unpublish" => unpublish_submit, A::On(&crate::areas::release_notes::RELEASE_NOTE_ADMIN, Need::Admin);
}

/// The note form as typed.
#[derive(Clone, Debug, Default)]
pub struct NoteForm {
    pub title: String,
    pub body: String,
    pub audience: Vec<String>,
    pub publish: bool,
}

impl NoteForm {
    fn from_pairs(pairs: &[(String, String)]) -> NoteForm {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        NoteForm {
            title: get("title"),
            body: get("body"),
            audience: pairs
                .iter()
                .filter(|(k, _)| k == "audience")
                .map(|(_, v)| v.clone())
                .collect(),
            publish: !get("publish").is_empty(),
        }
    }
    fn input(&self) -> NoteInput {
        NoteInput {
            title: self.title.clone(),
            body: self.body.clone(),
            audience: self.audience.clone(),
            publish: self.publish,
        }
    }
    fn of(n: &ReleaseNote) -> NoteForm {
        NoteForm {
            title: n.title.clone(),
            body: n.body.clone(),
            audience: n.audience.clone(),
            publish: n.published,
        }
    }
}

const FIELDS: &[&str] = &["title", "body", "audience"];

#[derive(Template)]
#[template(path = "release_notes/list.html")]
struct ListTpl {
    layout: Layout,
    notes: Vec<ReleaseNote>,
    operator: bool,
    form: NoteForm,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "release_notes/note.html")]
struct NoteTpl {
    layout: Layout,
    n: ReleaseNote,
    operator: bool,
    form: NoteForm,
    errors: FormErrors,
}

trait Kinds {
    fn form(&self) -> &NoteForm;
    fn kinds(&self) -> &'static [&'static str] {
        Kind::TEXTS
    }
    fn aud_checked(&self, k: &str) -> &'static str {
        if self.form().audience.iter().any(|a| a == k) {
            "checked"
        } else {
            ""
        }
    }
}
impl Kinds for ListTpl {
    fn form(&self) -> &NoteForm {
        &self.form
    }
}
impl Kinds for NoteTpl {
    fn form(&self) -> &NoteForm {
        &self.form
    }
}

async fn is_operator_admin(state: &AppState, who: &Identity) -> Result<bool, AppError> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    Ok(view.kind == Kind::Operator && access::allows(access::effective_role(who), Need::Admin))
}

async fn list_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
) -> Result<ListTpl, AppError> {
    Ok(ListTpl {
        notes: release_notes::list(state, who).await?,
        operator: is_operator_admin(state, who).await?,
        form: NoteForm::default(),
        errors: FormErrors::default(),
        layout: Layout::for_user(state, who, headers, "What's new", "whats-new").await?,
    })
}

pub async fn whats_new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let t = list_view(&state, &who, &headers).await?;
    show(&state, &t, &t.layout)
}

pub async fn create_note_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let form = NoteForm::from_pairs(&pairs);
    match release_notes::create(&state, &who, &form.input()).await {
        Ok(n) => Ok(redirect_with_flash(
            &format!("/whats-new/{}", n.id),
            if n.published {
                "The release note was published."
            } else {
                "The release note was saved as a draft."
            },
            state.config.secure_cookies,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => {
            let mut t = list_view(&state, &who, &headers).await?;
            t.errors = FormErrors::from_error(&e, FIELDS);
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

async fn note_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: ReleaseNoteId,
) -> Result<NoteTpl, AppError> {
    let n = release_notes::open(state, who, id).await?;
    // Opening it changed the badge: the layout is built after.
    Ok(NoteTpl {
        layout: Layout::for_user(state, who, headers, &n.title, "whats-new").await?,
        operator: is_operator_admin(state, who).await?,
        form: NoteForm::of(&n),
        errors: FormErrors::default(),
        n,
    })
}

pub async fn note_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ReleaseNoteId>,
) -> PageResult {
    let t = note_view(&state, &who, &headers, id).await?;
    show(&state, &t, &t.layout)
}

pub async fn edit_note_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ReleaseNoteId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let form = NoteForm::from_pairs(&pairs);
    match release_notes::update(&state, &who, id, &form.input()).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/whats-new/{id}"),
            "The release note was saved.",
            state.config.secure_cookies,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => {
            let mut t = note_view(&state, &who, &headers, id).await?;
            t.errors = FormErrors::from_error(&e, FIELDS);
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

pub async fn publish_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ReleaseNoteId>,
) -> PageResult {
    let r = release_notes::set_published(&state, &who, id, true).await;
    after(&state, r, &format!("/whats-new/{id}"), |n| {
        format!(
            "“{}” is published: every panel it is meant for shows it.",
            n.title
        )
    })
}

pub async fn unpublish_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<ReleaseNoteId>,
) -> PageResult {
    let r = release_notes::set_published(&state, &who, id, false).await;
    after(&state, r, &format!("/whats-new/{id}"), |n| {
        format!("“{}” is a draft again: panels no longer show it.", n.title)
    })
}
