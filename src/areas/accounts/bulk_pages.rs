//! The bulk form of the account lists: the ticked rows, the action, and a confirmation that
//! names how many accounts change ("Suspend 3 accounts?"). With script the list asks in a
//! dialog and sends the count; without it (or with a count that does not match) this page asks.

use super::pages::after;
use crate::areas::accounts;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;

#[derive(Template)]
#[template(path = "accounts/bulk_confirm.html")]
struct ConfirmTpl {
    layout: Layout,
    action: String,
    question: String,
    warning: &'static str,
    accounts: Vec<Account>,
    back: String,
}

/// "Suspend 3 accounts?": the question a bulk action asks before it changes `n` accounts.
pub fn question(action: &str, n: usize) -> String {
    let noun = if n == 1 { "account" } else { "accounts" };
    match action {
        "suspend" => format!("Suspend {n} {noun}?"),
        "resume" => format!("Resume {n} {noun}?"),
        _ => format!("Delete {n} {noun}?"),
    }
}

fn warning(action: &str) -> &'static str {
    match action {
        "suspend" => "Their logins and every login below them are signed out and cannot sign in until the accounts are resumed.",
        "resume" => "Their logins can sign in again.",
        _ => "Each goes with everything below it: accounts, logins and data. This cannot be undone.",
    }
}

/// The bulk form: `action`, the `ids` ticked, `confirm` (how many the person confirmed) and
/// `back` (the list to return to).
pub async fn bulk_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let back = get("back")
        .filter(|b| b.starts_with("/accounts"))
        .map(|b| crate::kernel::http::layout::safe_next(Some(&b)))
        .unwrap_or_else(|| "/accounts".to_string());
    let action = get("action").unwrap_or_default();
    let confirm: Option<i64> = get("confirm").and_then(|c| c.parse().ok());
    let ids = crate::kernel::http::table::form_ids(&pairs);
    let r = match ids {
        Ok(ids) if matches!(action.as_str(), "suspend" | "resume" | "delete") => {
            if confirm != Some(ids.len() as i64) {
                // Not confirmed yet: name the accounts and ask.
                let mut list = Vec::with_capacity(ids.len());
                for id in &ids {
                    list.push(
                        access::account_below(&state, &who, AccountId(*id), Need::Admin).await?,
                    );
                }
                let layout =
                    Layout::for_user(&state, &who, &headers, "Confirm", "accounts").await?;
                let t = ConfirmTpl {
                    layout,
                    question: question(&action, list.len()),
                    warning: warning(&action),
                    action,
                    accounts: list,
                    back,
                };
                return show(&state, &t, &t.layout);
            }
            let input = accounts::bulk::BulkInput {
                action: action.clone(),
                confirm,
                ids,
            };
            accounts::bulk::bulk(&state, &who, &input).await
        }
        Ok(_) => Err(AppError::validation(
            "action",
            "Action must be suspend, resume or delete",
        )),
        Err(e) => Err(e),
    };
    after(&state, r, &back, |r| {
        let n = r.changed;
        let noun = if n == 1 { "account" } else { "accounts" };
        match r.action.as_str() {
            "suspend" => format!(
                "{n} {noun} suspended: their logins and every login below them are signed out."
            ),
            "resume" => format!("{n} {noun} active again."),
            _ => format!("{n} {noun} deleted with everything below them."),
        }
    })
}
