//! Advertising: the operator's advertising packages (impressions at a price) and each partner's
//! impressions: credited by approved packages, held by pending and live campaigns.

use crate::areas::accounts::AccountId;
use crate::areas::catalog::money;
use crate::areas::catalog::AdPackageId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AdPackage {
    #[schema(value_type = i64)]
    pub id: AdPackageId,
    pub name: String,
    pub impressions: i64,
    /// Minor units (cents).
    pub price: i64,
    pub currency: String,
    pub price_label: String,
    #[schema(schema_with = crate::areas::catalog::active_retired)]
    pub status: String,
}

/// Hand-written rather than `#[derive(sqlx::FromRow)]` (see `kernel::db::Row`): the price label
/// follows from the price and currency.
fn from_row(r: &Row) -> Result<AdPackage, sqlx::Error> {
    let price: i64 = r.try_get("price")?;
    let currency: String = r.try_get("currency")?;
    Ok(AdPackage {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        impressions: r.try_get("impressions")?,
        price_label: money(price, &currency),
        price,
        currency,
        status: r.try_get("status")?,
    })
}

const COLUMNS: &str = "id, name, impressions, price, currency, status";

pub async fn packages(state: &AppState, include_retired: bool) -> AppResult<Vec<AdPackage>> {
    let filter = if include_retired {
        ""
    } else {
        "WHERE status = 'active'"
    };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM ad_packages {filter} ORDER BY impressions, name"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn package(state: &AppState, id: AdPackageId) -> AppResult<Option<AdPackage>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM ad_packages WHERE id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct AdPackageInput {
    #[schema(
        required = true,
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        minimum = 1,
        maximum = 1000000000000i64
    )]
    pub impressions: Option<i64>,
    /// In minor units (cents).
    #[schema(required = true, nullable = false, minimum = 0, maximum = 100000000)]
    pub price: Option<i64>,
    /// A three-letter code; EUR when left out.
    #[schema(nullable = false, pattern = r"^[A-Za-z]{3}$")]
    pub currency: Option<String>,
}

/// Adds an advertising package to the operator's catalogue.
pub async fn create_package(
    state: &AppState,
    who: &Identity,
    input: &AdPackageInput,
) -> AppResult<AdPackage> {
    access::operator(state, who, Need::Admin).await?;
    let name = validate::name("name", input.name.as_deref().unwrap_or(""), 100)?;
    let impressions = match input.impressions {
        Some(n) if (1..=1_000_000_000_000).contains(&n) => n,
        _ => {
            return Err(AppError::validation(
                "impressions",
                "Impressions must be a whole number from 1 to 1,000,000,000,000",
            ))
        }
    };
    let price = crate::areas::catalog::check_price(
        "price",
        input
            .price
            .ok_or_else(|| AppError::validation("price", "Price is required"))?,
    )?;
    let currency =
        crate::areas::catalog::check_currency(input.currency.as_deref().unwrap_or("EUR"))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ad_packages (name, impressions, price, currency, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&name)
    .bind(impressions)
    .bind(price)
    .bind(&currency)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => AppError::conflict(
            ErrorCode::NameTaken,
            "An advertising package of that name exists already",
        ),
        _ => e.into(),
    })?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "ad_package.create",
            target_type: Some("ad_package"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{name}: {impressions} impressions")),
        },
    )
    .await?;
    tx.commit().await?;
    package(state, AdPackageId(id))
        .await?
        .ok_or(AppError::NotFound)
}

/// Retires an advertising package (no new requests) or offers it again.
pub async fn set_package_status(
    state: &AppState,
    who: &Identity,
    id: AdPackageId,
    status: &str,
) -> AppResult<AdPackage> {
    super::set_item_status(state, who, super::Item::AdPackage, id, status).await?;
    package(state, id).await?.ok_or(AppError::NotFound)
}

/// A partner's impressions: credited, held by pending requests, held by approved campaigns that
/// have not ended, spent by ended ones, and what is left to ask for.
#[derive(Clone, Debug, Serialize, Default, utoipa::ToSchema)]
pub struct Wallet {
    pub credited: i64,
    pub pending: i64,
    pub live: i64,
    pub spent: i64,
    pub available: i64,
}

pub async fn wallet_unchecked(
    conn: &mut sqlx::AnyConnection,
    account_id: AccountId,
    now: i64,
) -> Result<Wallet, sqlx::Error> {
    let sum = |cond: &str| {
        format!(
            "CAST(COALESCE((SELECT SUM(impressions) FROM requests WHERE account_id = $1 AND kind = 'ad' AND {cond}), 0) AS BIGINT)"
        )
    };
    let row = sqlx::query(&format!(
        "SELECT CAST(COALESCE((SELECT credited FROM ad_wallets WHERE account_id = $1), 0) AS BIGINT) AS credited, \
         {} AS pending, {} AS live, {} AS spent",
        sum("status = 'pending'"),
        sum("status = 'approved' AND ends_at > $2"),
        sum("status = 'approved' AND ends_at <= $2"),
    ))
    .bind(account_id)
    .bind(now)
    .fetch_one(conn)
    .await?;
    let mut w = Wallet {
        credited: row.try_get("credited")?,
        pending: row.try_get("pending")?,
        live: row.try_get("live")?,
        spent: row.try_get("spent")?,
        available: 0,
    };
    w.available = w.credited - w.pending - w.live - w.spent;
    Ok(w)
}

/// The impressions of an account the identity reaches.
pub async fn wallet(state: &AppState, who: &Identity, account_id: AccountId) -> AppResult<Wallet> {
    access::account(state, who, account_id, Need::Read).await?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(wallet_unchecked(&mut conn, account_id, state.now_ms()).await?)
}
