//! A customer's rebrand information: setting, removing and showing it.

use super::*;
use crate::areas::accounts::AccountId;

/// Sets the rebrand information of an account that may carry one (the router checked reach).
pub async fn set_brand(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
    fields: &brand::BrandFields,
) -> AppResult<brand::Brand> {
    let a = brand_holder(state, account_id).await?;
    let checked = brand::check(fields)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    brand::save_in(&mut tx, now, &who.actor(), a.id, &checked).await?;
    let b = brand::own_brand(&mut tx, a.id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(b)
}

/// Removes an account's rebrand information; its logins see the brand above it again.
pub async fn remove_brand(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
) -> AppResult<bool> {
    let a = brand_holder(state, account_id).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let gone = brand::remove_in(&mut tx, now, &who.actor(), a.id).await?;
    tx.commit().await?;
    Ok(gone)
}

/// What the rebranding page and `GET /brands/{id}` show of an account.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BrandView {
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    pub account_name: String,
    /// The account's own rebrand information (null: none).
    pub brand: Option<brand::Brand>,
    /// What its logins see: its own, else the nearest above with one (null: the panel's own).
    pub seen: Option<brand::Brand>,
}

pub async fn brand_view(state: &AppState, account_id: AccountId) -> AppResult<BrandView> {
    let a = brand_holder(state, account_id).await?;
    let mut conn = state.db.pool.acquire().await?;
    let own = brand::own_brand(&mut conn, a.id).await?;
    let seen = brand::brand_seen_from(&mut conn, a.id).await?;
    Ok(BrandView {
        account_id: a.id,
        account_name: a.name,
        brand: own,
        seen,
    })
}

/// An account that may carry rebrand information (the router checked reach).
async fn brand_holder(state: &AppState, account_id: AccountId) -> AppResult<Account> {
    let a = accounts::load(state, account_id).await?;
    if a.kind == Kind::Dealer {
        return Err(AppError::NotFound);
    }
    Ok(a)
}
