//! Bulk changes: one action on many licenses, confirmed with their number, all or nothing.

use super::model::reach;
use super::rules::{apply, Change};
use crate::areas::licenses::LicenseId;
use crate::kernel::access::Need;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Deserialize;

/// A bulk change: the same action on many licenses, confirmed with their number.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
#[schema(as = LicenseBulkChange)]
pub struct BulkChange {
    /// `activate`, `deactivate` or `renew`.
    #[serde(default)]
    #[schema(required = true)]
    pub action: String,
    /// The licenses (in view or below), at most 500.
    #[serde(default)]
    #[schema(required = true)]
    pub ids: Vec<i64>,
    /// For `renew`: the new end.
    #[schema(nullable = false)]
    pub ends_at: Option<String>,
    /// How many licenses change: must equal the number of distinct ids.
    #[schema(nullable = false)]
    pub confirm: Option<i64>,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = LicenseBulkResult)]
pub struct BulkResult {
    pub action: String,
    pub changed: i64,
}

/// Applies one action to every license named, all or nothing (members and up).
pub async fn bulk(state: &AppState, who: &Identity, b: &BulkChange) -> AppResult<BulkResult> {
    let change = Change::parse(&b.action, b.ends_at.as_deref())?;
    let mut ids = b.ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::validation("ids", "Choose at least one license"));
    }
    if ids.len() > 500 {
        return Err(AppError::validation("ids", "At most 500 licenses at once"));
    }
    for id in &ids {
        reach(state, who, LicenseId(*id), Need::Write).await?;
    }
    let n = ids.len() as i64;
    if b.confirm != Some(n) {
        return Err(AppError::validation(
            "confirm",
            format!(
                "This would {} {n} license(s); confirm with that number",
                change.verb()
            ),
        ));
    }
    let now = state.now_ms();
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    for id in &ids {
        apply(
            state,
            &mut tx,
            &actor,
            who.view_account_id,
            now,
            LicenseId(*id),
            &change,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(BulkResult {
        action: change.verb().to_string(),
        changed: n,
    })
}
