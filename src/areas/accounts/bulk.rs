//! Bulk actions on accounts selected in a list: suspend, resume, delete. All or nothing for
//! access: every id is checked exactly as the single-account route checks it (the account
//! strictly below the account in view, admin and up) before anything changes; one id outside
//! reach makes the whole call answer 404 and nothing is changed.

use super::*;
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
    for id in &ids {
        match action {
            "suspend" => {
                set_status(state, who, *id, "inactive").await?;
            }
            "resume" => {
                set_status(state, who, *id, "active").await?;
            }
            _ => {
                // An account selected with one above it went with that one.
                if !access::is_within(state, who.view_account_id, *id).await? {
                    continue;
                }
                let p = deletion_preview(state, who, *id).await?;
                delete(state, who, *id, Some(p.accounts)).await?;
            }
        }
    }
    Ok(BulkResult {
        action: action.to_string(),
        changed: ids.len() as i64,
        ids,
    })
}
