//! Bulk actions on accounts selected in a list: suspend, resume, delete. All or nothing for
//! access: every id is checked exactly as the single-account route checks it (the account
//! strictly below the account in view, admin and up) before anything changes; one id outside
//! reach makes the whole call answer 404 and nothing is changed.

use super::*;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::http::table::check_ids;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};

/// A bulk action on accounts below the account in view.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct BulkInput {
    /// `suspend` (set inactive), `resume` (set active) or `delete` (each with its subtree).
    #[schema(schema_with = action_values)]
    pub action: String,
    /// The accounts, 1 to 500 (repeats are taken once).
    #[schema(min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
    /// For `delete`: the number of accounts selected, as shown to the person who confirmed.
    #[serde(default)]
    #[schema(nullable = false)]
    pub confirm: Option<i64>,
}

fn action_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["suspend", "resume", "delete"])
}

/// What a bulk action did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub action: String,
    /// The accounts changed (for `delete`, those selected; their subtrees went with them).
    pub changed: i64,
    pub ids: Vec<i64>,
}

pub async fn bulk(state: &AppState, who: &Identity, input: &BulkInput) -> AppResult<BulkResult> {
    let action = input.action.trim();
    if !matches!(action, "suspend" | "resume" | "delete") {
        return Err(AppError::validation(
            "action",
            "Action must be suspend, resume or delete",
        ));
    }
    let ids = check_ids(input.ids.clone())?;
    // Every id as the single-account routes check it, before any change.
    for id in &ids {
        access::resource(state, who, &ACCOUNT_BELOW, *id, Need::Admin).await?;
    }
    if action == "delete" && input.confirm != Some(ids.len() as i64) {
        return Err(AppError::validation(
            "confirm",
            format!(
                "Deleting {} account(s) removes them with everything below them; confirm with that number",
                ids.len()
            ),
        ));
    }
    // Everything read before the transaction; then every change in ONE transaction, each
    // account audited on its own: a failure leaves every account as it was.
    let mut targets = Vec::with_capacity(ids.len());
    for id in &ids {
        let a = access::account_below(state, who, AccountId(*id), Need::Admin).await?;
        let preview = if action == "delete" {
            Some(deletion_preview(state, who, AccountId(*id)).await?)
        } else {
            None
        };
        targets.push((a, preview));
    }
    let view = get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    for (a, preview) in targets {
        match (action, preview) {
            ("delete", Some(p)) => {
                // An account selected with one above it went with that one.
                let status: Option<String> =
                    sqlx::query_scalar("SELECT status FROM accounts WHERE id = $1")
                        .bind(a.id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if status.as_deref() == Some("deleted") {
                    continue;
                }
                let n = count_subtree(&mut tx, a.id).await?.accounts;
                delete_in(&mut tx, state.db.backend, now, who, &view, p, Some(n)).await?;
            }
            (_, _) => {
                let status = if action == "suspend" {
                    "inactive"
                } else {
                    "active"
                };
                if a.status != status {
                    set_status_in(&mut tx, now, who, &view, &a, status).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(BulkResult {
        action: action.to_string(),
        changed: ids.len() as i64,
        ids,
    })
}
