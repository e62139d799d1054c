//! Partner onboarding: public registration, partnership requests, the operator's decision, the
//! history of decisions, operator settings and "My partners".

use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::accounts::AccountId;
use crate::areas::catalog;
use crate::areas::catalog::PackageId;
use crate::areas::onboarding::PartnershipRequestId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::is_unique_violation;
use crate::kernel::db::Backend;
use crate::kernel::db::Row;
use crate::kernel::enums::{Kind, Role};
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::notify as notifications;
use crate::kernel::secrets;
use crate::kernel::validate;
use crate::kernel::validate::text;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

mod decide;
mod register;
pub use decide::*;
pub use register::*;

pub const AUTO_APPROVE: &str = "auto_approve_partners";

/// Registrations allowed per address per hour.
pub const REGISTRATIONS_PER_HOUR: i64 = 5;

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct Registration {
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub company_name: String,
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub contact_name: String,
    #[serde(default)]
    #[schema(required = true, format = Email)]
    pub email: String,
    /// Digits, spaces and + - ( ) . / only; needed for delivery by SMS.
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub phone: String,
    /// Starts with https:// or http://, without spaces.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub website: String,
    /// How you want to work with us; line breaks allowed.
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub description: String,
    /// One of the active packages.
    #[schema(value_type = Option<i64>, required = true, nullable = false)]
    pub package_id: Option<PackageId>,
    /// "I do not want to provide services to resellers".
    #[serde(default)]
    pub no_resellers: bool,
    /// "List my company in the partner directory, with email, phone and website" (default off).
    #[serde(default)]
    pub directory_consent: bool,
    /// How the credentials are sent: email (default) or sms.
    #[schema(schema_with = delivery_values)]
    pub delivery: Option<String>,
    /// What registers: a partner (default) or a reseller.
    #[schema(schema_with = registration_kinds)]
    pub kind: Option<String>,
}

fn delivery_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["email", "sms"])
}

fn registration_kinds() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["partner", "reseller"])
}

fn request_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["pending", "approved", "rejected"])
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PartnershipRequest {
    #[schema(value_type = i64)]
    pub id: PartnershipRequestId,
    pub company_name: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub description: String,
    pub no_resellers: bool,
    /// Agreed to be listed in the partner directory with its contact details.
    pub directory_consent: bool,
    #[schema(schema_with = delivery_values)]
    pub delivery: String,
    #[schema(value_type = i64)]
    pub package_id: PackageId,
    pub package_name: String,
    pub monthly_price: i64,
    pub currency: String,
    pub price_label: String,
    pub already_partner: bool,
    #[schema(schema_with = request_status_values)]
    pub status: String,
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub partner_account_id: Option<AccountId>,
    /// partner or reseller.
    #[schema(schema_with = registration_kinds)]
    pub kind: String,
}

pub(crate) const COLUMNS: &str = "id, company_name, contact_name, email, phone, website, description, no_resellers, directory_consent, delivery, \
     package_id, package_name, monthly_price, currency, already_partner, status, reason, created_at, decided_at, \
     decided_by_email, partner_account_id, kind";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; integer flags become booleans.
pub(crate) fn from_row(r: &Row) -> Result<PartnershipRequest, sqlx::Error> {
    let price: i64 = r.try_get("monthly_price")?;
    let currency: String = r.try_get("currency")?;
    Ok(PartnershipRequest {
        id: r.try_get("id")?,
        company_name: r.try_get("company_name")?,
        contact_name: r.try_get("contact_name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        website: r.try_get("website")?,
        description: r.try_get("description")?,
        no_resellers: r.try_get::<i64, _>("no_resellers")? != 0,
        directory_consent: r.try_get::<i64, _>("directory_consent")? != 0,
        delivery: r.try_get("delivery")?,
        package_id: r.try_get("package_id")?,
        package_name: r.try_get("package_name")?,
        monthly_price: price,
        price_label: catalog::money(price, &currency),
        currency,
        already_partner: r.try_get::<i64, _>("already_partner")? != 0,
        status: r.try_get("status")?,
        reason: r.try_get("reason")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        decided_at: r
            .try_get::<Option<i64>, _>("decided_at")?
            .map(crate::clock::rfc3339),
        decided_by: r.try_get("decided_by_email")?,
        partner_account_id: r.try_get("partner_account_id")?,
        kind: r.try_get("kind")?,
    })
}

pub(crate) async fn get(
    state: &AppState,
    id: PartnershipRequestId,
) -> AppResult<Option<PartnershipRequest>> {
    let q = format!("SELECT {COLUMNS} FROM partnership_requests WHERE id = $1");
    let row = sqlx::query(&q)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn setting(state: &AppState, key: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&state.db.pool)
            .await?,
    )
}

/// Turns automatic approval of partnership requests on or off (operator admins).
pub async fn set_auto_approve(state: &AppState, who: &Identity, on: bool) -> AppResult<()> {
    access::operator(state, who, Need::Admin).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(AUTO_APPROVE)
        .bind(if on { "1" } else { "0" })
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "settings.auto_approve",
            target_type: None,
            target_id: None,
            detail: Some(if on { "on" } else { "off" }.into()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
