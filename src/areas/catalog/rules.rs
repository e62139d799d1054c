//! The operator's catalogue: packages partners subscribe to, and priced add-ons.

use crate::areas::catalog::AddonId;
use crate::areas::catalog::PackageId;
use crate::kernel::access;
use crate::kernel::audit;
use crate::kernel::db::is_unique_violation;
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
pub struct Package {
    #[schema(value_type = i64)]
    pub id: PackageId,
    pub name: String,
    /// Monthly price in minor units (cents).
    pub monthly_price: i64,
    pub currency: String,
    pub trial_days: i64,
    pub feature_ads: bool,
    pub feature_hardware: bool,
    pub feature_resellers: bool,
    pub max_customers: Option<i64>,
    pub max_dealers: Option<i64>,
    pub max_players: Option<i64>,
    #[schema(schema_with = active_retired)]
    pub status: String,
}

pub(crate) fn active_retired() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["active", "retired"])
}

impl Package {
    pub fn price_label(&self) -> String {
        money(self.monthly_price, &self.currency)
    }
}

/// 1999 EUR → "19.99 EUR".
pub fn money(minor: i64, currency: &str) -> String {
    format!("{}.{:02} {currency}", minor / 100, (minor % 100).abs())
}

const PACKAGE_COLUMNS: &str =
    "id, name, monthly_price, currency, trial_days, feature_ads, feature_hardware, \
     feature_resellers, max_customers, max_dealers, max_players, status";

/// Hand-written (see `kernel::db::Row`): integer flags become booleans.
fn package_from_row(r: &Row) -> Result<Package, sqlx::Error> {
    Ok(Package {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        monthly_price: r.try_get("monthly_price")?,
        currency: r.try_get("currency")?,
        trial_days: r.try_get("trial_days")?,
        feature_ads: r.try_get::<i64, _>("feature_ads")? != 0,
        feature_hardware: r.try_get::<i64, _>("feature_hardware")? != 0,
        feature_resellers: r.try_get::<i64, _>("feature_resellers")? != 0,
        max_customers: r.try_get("max_customers")?,
        max_dealers: r.try_get("max_dealers")?,
        max_players: r.try_get("max_players")?,
        status: r.try_get("status")?,
    })
}

/// Active packages (for the public plans page), or all of them for the operator.
pub async fn packages(state: &AppState, include_retired: bool) -> AppResult<Vec<Package>> {
    let q = format!(
        "SELECT {PACKAGE_COLUMNS} FROM packages {} ORDER BY monthly_price, name",
        if include_retired {
            ""
        } else {
            "WHERE status = 'active'"
        }
    );
    let rows = sqlx::query(&q).fetch_all(&state.db.pool).await?;
    Ok(rows
        .iter()
        .map(package_from_row)
        .collect::<Result<_, _>>()?)
}

/// The columns the operator's package list sorts by (the first is the default).
pub const PACKAGE_SORTS: [(&str, &str); 4] = [
    ("price", "monthly_price"),
    ("name", "name"),
    ("trial", "trial_days"),
    ("status", "status"),
];

/// A page of every package (retired included), for the operator, by a whitelisted column.
pub async fn packages_page(
    state: &AppState,
    params: &crate::kernel::http::table::ListParams,
) -> AppResult<crate::kernel::query::Page<Package>> {
    let order = params.sort(&PACKAGE_SORTS, false)?;
    let (page, per_page) = params.paging();
    let sql = crate::kernel::query::Sql::new(&format!("SELECT {PACKAGE_COLUMNS} FROM packages"));
    let (total, rows) =
        crate::kernel::query::fetch_page(&state.db.pool, sql, &order, "id", page, per_page).await?;
    Ok(crate::kernel::query::Page {
        items: rows
            .iter()
            .map(package_from_row)
            .collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

pub async fn package(state: &AppState, id: PackageId) -> AppResult<Option<Package>> {
    let q = format!("SELECT {PACKAGE_COLUMNS} FROM packages WHERE id = $1");
    let row = sqlx::query(&q)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.as_ref().map(package_from_row).transpose()?)
}

/// A package's fields; on an edit, those left out stay as they are.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct PackageInput {
    #[schema(
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    /// Monthly price in minor units (cents).
    #[schema(nullable = false, minimum = 0, maximum = 100000000)]
    pub monthly_price: Option<i64>,
    /// A three-letter code; EUR when left out on create.
    #[schema(nullable = false, pattern = r"^[A-Za-z]{3}$")]
    pub currency: Option<String>,
    /// 14 when left out on create.
    #[schema(nullable = false, minimum = 0, maximum = 365)]
    pub trial_days: Option<i64>,
    #[schema(nullable = false)]
    pub feature_ads: Option<bool>,
    #[schema(nullable = false)]
    pub feature_hardware: Option<bool>,
    #[schema(nullable = false)]
    pub feature_resellers: Option<bool>,
    /// Customers anywhere below a partner with this package. null: no limit; left out: no limit
    /// on create, unchanged on an edit.
    #[serde(
        default,
        deserialize_with = "crate::kernel::http::keep_word::value_or_null"
    )]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10000000)]
    pub max_customers: Option<Option<i64>>,
    /// Dealers anywhere below a partner with this package. null: no limit; left out: no limit on
    /// create, unchanged on an edit.
    #[serde(
        default,
        deserialize_with = "crate::kernel::http::keep_word::value_or_null"
    )]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10000000)]
    pub max_dealers: Option<Option<i64>>,
    /// Players. null: no limit; left out: no limit on create, unchanged on an edit.
    #[serde(
        default,
        deserialize_with = "crate::kernel::http::keep_word::value_or_null"
    )]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10000000)]
    pub max_players: Option<Option<i64>>,
}

crate::create_body! {
    /// A new package: the fields of `PackageInput`, with `name` and `monthly_price` required.
    NewPackage(PackageInput), required ["name", "monthly_price"]
}

pub(crate) fn check_price(field: &str, v: i64) -> AppResult<i64> {
    if !(0..=100_000_000).contains(&v) {
        return Err(AppError::validation(
            field,
            "Price must be between 0 and 1000000.00 (in cents: 0 to 100000000)",
        ));
    }
    Ok(v)
}

pub(crate) fn check_currency(v: &str) -> AppResult<String> {
    let c = v.trim().to_uppercase();
    if c.len() != 3 || !c.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(AppError::validation(
            "currency",
            "Currency is a three-letter code such as EUR or USD",
        ));
    }
    Ok(c)
}

fn check_limit(field: &str, v: Option<i64>) -> AppResult<Option<i64>> {
    match v {
        Some(n) if !(0..=10_000_000).contains(&n) => Err(AppError::validation(
            field,
            "Limits are between 0 and 10000000 (empty: no limit)",
        )),
        other => Ok(other),
    }
}

/// Creates a package (operator owners and admins).
pub async fn create_package(
    state: &AppState,
    who: &Identity,
    input: &PackageInput,
) -> AppResult<Package> {
    access::operator(state, who, access::Need::Admin).await?;
    // Every field is checked, and every error answered at once.
    let mut c = validate::Collect::new();
    let name = c.take(validate::name(
        "name",
        input.name.as_deref().unwrap_or(""),
        validate::MAX_NAME,
    ))?;
    let price = match input.monthly_price {
        Some(p) => c.take(check_price("monthly_price", p))?,
        None => {
            c.add("monthly_price", "Monthly price is required");
            0
        }
    };
    let currency = c.take(check_currency(input.currency.as_deref().unwrap_or("EUR")))?;
    let trial = input.trial_days.unwrap_or(14);
    if !(0..=365).contains(&trial) {
        c.add("trial_days", "Trial days are between 0 and 365");
    }
    let max_customers = c.take(check_limit("max_customers", input.max_customers.flatten()))?;
    let max_dealers = c.take(check_limit("max_dealers", input.max_dealers.flatten()))?;
    let max_players = c.take(check_limit("max_players", input.max_players.flatten()))?;
    c.finish()?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO packages (name, monthly_price, currency, trial_days, feature_ads, feature_hardware, \
         feature_resellers, max_customers, max_dealers, max_players, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(&name)
    .bind(price)
    .bind(&currency)
    .bind(trial)
    .bind(input.feature_ads.unwrap_or(false) as i64)
    .bind(input.feature_hardware.unwrap_or(false) as i64)
    .bind(input.feature_resellers.unwrap_or(false) as i64)
    .bind(max_customers)
    .bind(max_dealers)
    .bind(max_players)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { name_taken() } else { e.into() })?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "package.create",
            target_type: Some("package"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{name} at {}", money(price, &currency))),
        },
    )
    .await?;
    tx.commit().await?;
    package(state, PackageId(id))
        .await?
        .ok_or(AppError::NotFound)
}

fn name_taken() -> AppError {
    AppError::conflict(
        ErrorCode::NameTaken,
        "Another package or add-on already has this name",
    )
}

/// Edits a package. Partners that have it keep it; new prices apply to their next invoice.
pub async fn update_package(
    state: &AppState,
    who: &Identity,
    id: PackageId,
    input: &PackageInput,
) -> AppResult<Package> {
    access::operator(state, who, access::Need::Admin).await?;
    let p = package(state, id).await?.ok_or(AppError::NotFound)?;
    let name = match &input.name {
        Some(n) => validate::name("name", n, validate::MAX_NAME)?,
        None => p.name.clone(),
    };
    let price = check_price(
        "monthly_price",
        input.monthly_price.unwrap_or(p.monthly_price),
    )?;
    let currency = check_currency(input.currency.as_deref().unwrap_or(&p.currency))?;
    let trial = input.trial_days.unwrap_or(p.trial_days);
    if !(0..=365).contains(&trial) {
        return Err(AppError::validation(
            "trial_days",
            "Trial days are between 0 and 365",
        ));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE packages SET name = $1, monthly_price = $2, currency = $3, trial_days = $4, feature_ads = $5, \
         feature_hardware = $6, feature_resellers = $7, max_customers = $8, max_dealers = $9, max_players = $10, \
         updated_at = $11 WHERE id = $12",
    )
    .bind(&name)
    .bind(price)
    .bind(&currency)
    .bind(trial)
    .bind(input.feature_ads.unwrap_or(p.feature_ads) as i64)
    .bind(input.feature_hardware.unwrap_or(p.feature_hardware) as i64)
    .bind(input.feature_resellers.unwrap_or(p.feature_resellers) as i64)
    .bind(check_limit("max_customers", input.max_customers.unwrap_or(p.max_customers))?)
    .bind(check_limit("max_dealers", input.max_dealers.unwrap_or(p.max_dealers))?)
    .bind(check_limit("max_players", input.max_players.unwrap_or(p.max_players))?)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { name_taken() } else { e.into() })?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "package.update",
            target_type: Some("package"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{name} at {}", money(price, &currency))),
        },
    )
    .await?;
    tx.commit().await?;
    package(state, id).await?.ok_or(AppError::NotFound)
}

/// Retires a package: no longer offered, kept by the partners that have it.
pub async fn set_package_status(
    state: &AppState,
    who: &Identity,
    id: PackageId,
    status: &str,
) -> AppResult<Package> {
    set_item_status(state, who, Item::Package, id, status).await?;
    package(state, id).await?.ok_or(AppError::NotFound)
}

/// The catalogue's items: each is active (offered) or retired (kept where it is in use).
#[derive(Clone, Copy, Debug)]
pub enum Item {
    Package,
    Addon,
    AdPackage,
}

impl Item {
    fn table(self) -> &'static str {
        match self {
            Item::Package => "packages",
            Item::Addon => "addons",
            Item::AdPackage => "ad_packages",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Item::Package => "package",
            Item::Addon => "addon",
            Item::AdPackage => "ad_package",
        }
    }
}

/// Retires an item of the catalogue or offers it again, audited with its name.
pub async fn set_item_status(
    state: &AppState,
    who: &Identity,
    item: Item,
    id: impl Into<i64>,
    status: &str,
) -> AppResult<()> {
    access::operator(state, who, access::Need::Admin).await?;
    let id: i64 = id.into();
    let retire = match status {
        "retired" => true,
        "active" => false,
        _ => {
            return Err(AppError::validation(
                "status",
                "Status must be active or retired",
            ))
        }
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    // The table name comes from the enum above, never from input.
    let name: Option<String> = sqlx::query_scalar(&format!(
        "UPDATE {} SET status = $1, updated_at = $2 WHERE id = $3 RETURNING name",
        item.table()
    ))
    .bind(status)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let name = name.ok_or(AppError::NotFound)?;
    let action = format!(
        "{}.{}",
        item.kind(),
        if retire { "retire" } else { "reactivate" }
    );
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: &action,
            target_type: Some(item.kind()),
            target_id: Some(id.to_string()),
            detail: Some(name),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Addon {
    #[schema(value_type = i64)]
    pub id: AddonId,
    pub name: String,
    pub description: String,
    /// Minor units (cents).
    pub monthly_price: i64,
    pub currency: String,
    #[schema(schema_with = active_retired)]
    pub status: String,
}

impl Addon {
    pub fn price_label(&self) -> String {
        money(self.monthly_price, &self.currency)
    }
}

fn addon_from_row(r: &Row) -> Result<Addon, sqlx::Error> {
    Ok(Addon {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        monthly_price: r.try_get("monthly_price")?,
        currency: r.try_get("currency")?,
        status: r.try_get("status")?,
    })
}

pub async fn addons(state: &AppState, include_retired: bool) -> AppResult<Vec<Addon>> {
    let q = format!(
        "SELECT id, name, description, monthly_price, currency, status FROM addons {} ORDER BY name",
        if include_retired { "" } else { "WHERE status = 'active'" }
    );
    let rows = sqlx::query(&q).fetch_all(&state.db.pool).await?;
    Ok(rows.iter().map(addon_from_row).collect::<Result<_, _>>()?)
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct AddonInput {
    #[schema(
        required = true,
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    /// Text; line breaks allowed.
    #[schema(
        nullable = false,
        max_length = 1000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub description: Option<String>,
    /// Minor units (cents).
    #[schema(required = true, nullable = false, minimum = 0, maximum = 100000000)]
    pub monthly_price: Option<i64>,
    /// A three-letter code; EUR when left out.
    #[schema(nullable = false, pattern = r"^[A-Za-z]{3}$")]
    pub currency: Option<String>,
}

pub async fn create_addon(
    state: &AppState,
    who: &Identity,
    input: &AddonInput,
) -> AppResult<Addon> {
    access::operator(state, who, access::Need::Admin).await?;
    let name = validate::name(
        "name",
        input.name.as_deref().unwrap_or(""),
        validate::MAX_NAME,
    )?;
    let description = input
        .description
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_string();
    if description.chars().count() > 1000
        || description
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(AppError::validation(
            "description",
            "Description is at most 1000 characters of text",
        ));
    }
    let price = check_price(
        "monthly_price",
        input
            .monthly_price
            .ok_or_else(|| AppError::validation("monthly_price", "Monthly price is required"))?,
    )?;
    let currency = check_currency(input.currency.as_deref().unwrap_or("EUR"))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO addons (name, description, monthly_price, currency, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&name)
    .bind(&description)
    .bind(price)
    .bind(&currency)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            name_taken()
        } else {
            e.into()
        }
    })?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "addon.create",
            target_type: Some("addon"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{name} at {}", money(price, &currency))),
        },
    )
    .await?;
    tx.commit().await?;
    let row = sqlx::query(
        "SELECT id, name, description, monthly_price, currency, status FROM addons WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(addon_from_row(&row)?)
}

pub async fn set_addon_status(
    state: &AppState,
    who: &Identity,
    id: AddonId,
    status: &str,
) -> AppResult<()> {
    set_item_status(state, who, Item::Addon, id, status).await
}
