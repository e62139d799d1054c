//! Changes from an account's page: its details, status, deletion, logins, and acting as it.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;

pub async fn account_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<accounts::AccountUpdate>,
) -> PageResult {
    let r = accounts::update(&state, &who, id, &form).await;
    after(&state, r, &format!("/accounts/{id}"), |a| {
        format!("{} was saved.", a.name)
    })
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn status_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<StatusForm>,
) -> PageResult {
    let r = accounts::set_status(&state, &who, id, form.status.trim()).await;
    after(&state, r, &format!("/accounts/{id}"), |a| {
        if a.status == AccountStatus::Active {
            format!(
                "{} is active again: its logins and those below it can sign in.",
                a.name
            )
        } else {
            format!("{} is inactive: its logins and every login below it are signed out and cannot sign in.", a.name)
        }
    })
}

#[derive(Template)]
#[template(path = "accounts/delete_account.html")]
struct DeleteTpl {
    layout: Layout,
    p: accounts::DeletionPreview,
}

pub async fn delete_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
) -> PageResult {
    let p = accounts::deletion_preview(&state, &who, id).await?;
    let layout = Layout::for_user(&state, &who, &headers, "Delete account", "accounts").await?;
    let t = DeleteTpl { layout, p };
    show(&state, &t, &t.layout)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    confirm_accounts: Option<i64>,
}

pub async fn delete_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<DeleteForm>,
) -> PageResult {
    let parent = accounts::get(&state.db, id)
        .await
        .ok()
        .flatten()
        .and_then(|a| a.parent_id);
    let r = accounts::delete(&state, &who, id, form.confirm_accounts).await;
    let back = match (&r, parent) {
        (Ok(_), Some(p)) if p != -1 => format!("/accounts/{p}"),
        (Ok(_), _) => "/accounts".to_string(),
        (Err(_), _) => format!("/accounts/{id}/delete"),
    };
    after(&state, r, &back, |p| {
        if p.sites > 0 {
            format!(
                "{} was deleted with {} account(s), {} login(s), {} site(s) and {} probe(s).",
                p.account.name, p.accounts, p.logins, p.sites, p.probes
            )
        } else {
            format!(
                "{} was deleted with {} account(s) and {} login(s).",
                p.account.name, p.accounts, p.logins
            )
        }
    })
}

#[derive(Deserialize)]
pub struct LoginUpdateForm {
    role: Option<String>,
    status: Option<String>,
    dashboard_rights: Option<String>,
}

pub async fn login_update(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LoginId>,
    PageForm(form): PageForm<LoginUpdateForm>,
) -> PageResult {
    let account = logins::get(&state, id)
        .await
        .ok()
        .flatten()
        .map(|l| l.account_id)
        .unwrap_or_default();
    let input = logins::LoginUpdate {
        name: None,
        role: form.role,
        status: form.status,
        dashboard_rights: Some(form.dashboard_rights.is_some()),
    };
    let r = logins::update_login(&state, &who, id, &input).await;
    after(&state, r, &format!("/accounts/{account}"), |l| {
        format!("The login {} was saved.", l.email)
    })
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

pub async fn login_delete(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<LoginId>,
    PageForm(form): PageForm<ConfirmForm>,
) -> PageResult {
    let account = logins::get(&state, id)
        .await
        .ok()
        .flatten()
        .map(|l| l.account_id)
        .unwrap_or_default();
    let r = logins::delete_login(&state, &who, id, form.confirm.as_deref() == Some("1")).await;
    after(&state, r, &format!("/accounts/{account}"), |_| {
        "The login was deleted.".to_string()
    })
}

#[derive(Deserialize)]
pub struct ActAsForm {
    account_id: Option<String>,
}

pub async fn act_as_start(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageForm(form): PageForm<ActAsForm>,
) -> PageResult {
    let Some(Ok(target)) = form.account_id.as_deref().map(|v| v.trim().parse::<i64>()) else {
        return Err(AppError::validation("account_id", "Choose an account to act as").into());
    };
    let r = acting::start(&state, &who, AccountId(target)).await;
    after(&state, r, "/", |a| {
        format!("You are now acting as {}.", a.name)
    })
}

pub async fn act_as_exit(State(state): State<AppState>, PageAuth(who): PageAuth) -> PageResult {
    let r = acting::exit(&state, &who).await;
    after(&state, r, "/", |_| {
        "You are back in your own account.".to_string()
    })
}

pub async fn act_as_renew(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let back = headers
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let r = acting::renew(&state, &who).await;
    after(&state, r, &back, |_| {
        "Acting as this account was renewed for an hour.".to_string()
    })
}
