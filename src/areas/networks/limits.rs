//! Reseller and dealer networks (PRODUCT.md §5, seed 001): a partner's dealers ("My dealers")
//! and the package limits on what is created below a partner.
//!
//! Dealers are accounts of the tree: status, deletion and access go through `accounts` and
//! `access`; this module adds the dealer's owner login (created with it, in one transaction),
//! its contact, and the counts of its subscribers (customers below it, from the rollups).

use super::*;
use crate::areas::accounts::AccountId;
use crate::kernel::db::Backend;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::state::AppState;
use sqlx::Row as _;

/// Inside a write transaction that adds an account of `kind` under `parent_id`: refuses it when
/// a package above (the partner's, or any partner's above it) caps that kind and the cap is
/// reached. Counts come from the rollups. On PostgreSQL the subscriptions concerned are locked
/// first, so two concurrent additions under one partner are counted one after the other; on
/// SQLite the writer lock already serialises them.
pub(crate) async fn check_package_limits(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    parent_id: AccountId,
    kind: Kind,
) -> AppResult<()> {
    let (column, plural) = match kind {
        Kind::Dealer => ("max_dealers", "dealers"),
        Kind::Customer => ("max_customers", "customers"),
        _ => return Ok(()),
    };
    if state.db.backend == Backend::Postgres {
        sqlx::query(
            "SELECT account_id FROM subscriptions WHERE account_id IN \
             (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1) \
             ORDER BY account_id FOR UPDATE",
        )
        .bind(parent_id)
        .fetch_all(&mut *conn)
        .await?;
    }
    // A statement of its own, after the lock: it sees every addition committed before.
    let rows = sqlx::query(&format!(
        "SELECT a.name, p.{column} AS cap, COALESCE(r.total, 0) AS used \
         FROM account_closure c JOIN subscriptions s ON s.account_id = c.ancestor_id \
         JOIN packages p ON p.id = s.package_id JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN account_rollup r ON r.account_id = s.account_id AND r.kind = $2 \
         WHERE c.descendant_id = $1 AND p.{column} IS NOT NULL ORDER BY c.depth"
    ))
    .bind(parent_id)
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let cap: i64 = r.try_get("cap")?;
        let used: i64 = r.try_get("used")?;
        if used >= cap {
            let name: String = r.try_get("name")?;
            return Err(limit_reached(&name, cap, used, plural));
        }
    }
    Ok(())
}

pub fn limit_reached(partner: &str, cap: i64, used: i64, plural: &str) -> AppError {
    AppError::conflict(
        ErrorCode::LimitReached,
        format!(
            "Package limit reached: the package of {partner} allows {cap} {plural} and {used} exist already. \
             Upgrade the package under Billing, or remove {plural} first."
        ),
    )
}

pub(crate) const DEALER_COLUMNS: &str = "a.id, a.name, a.status, a.email, a.phone, \
     COALESCE(a.contact_name, '') AS contact_name, a.created_at, \
     COALESCE((SELECT r.total FROM account_rollup r WHERE r.account_id = a.id AND r.kind = 'customer'), 0) AS subscribers, \
     (SELECT MIN(l.email) FROM logins l WHERE l.account_id = a.id AND l.role = 'owner') AS username";

/// The settings columns with their defaults for a partner without a row (`a` the account,
/// `s` the settings, left-joined).
pub(crate) const SETTINGS_COLUMNS: &str = "COALESCE(s.serves_resellers, 1) AS serves_resellers, \
     COALESCE(s.listed, 1) AS listed, \
     COALESCE(s.email, a.email, '') AS s_email, COALESCE(s.show_email, 0) AS show_email, \
     COALESCE(s.phone, a.phone, '') AS s_phone, COALESCE(s.show_phone, 0) AS show_phone, \
     COALESCE(s.website, '') AS website, COALESCE(s.show_website, 0) AS show_website, \
     COALESCE(s.address, '') AS address, COALESCE(s.show_address, 0) AS show_address, \
     COALESCE(s.note, '') AS note";

/// The first reseller settings of a partner approved from a registration, in the approval's
/// transaction: its choice about resellers, and (only when it agreed to be listed in the
/// directory) the registration's contact details shown.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn init_reseller_settings(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    no_resellers: bool,
    consent: bool,
    email: &str,
    phone: &str,
    website: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let s = ResellerSettings {
        serves_resellers: !no_resellers,
        listed: consent,
        email: email.to_string(),
        show_email: consent && !email.is_empty(),
        phone: phone.to_string(),
        show_phone: consent && !phone.is_empty(),
        website: website.to_string(),
        show_website: consent && !website.is_empty(),
        ..Default::default()
    };
    write_settings(conn, AccountId(account_id), &s, now).await
}

pub(crate) const LISTED: &str =
    "a.kind = 'partner' AND a.status = 'active' AND COALESCE(s.serves_resellers, 1) = 1 \
     AND COALESCE(s.listed, 1) = 1 \
     AND NOT EXISTS (SELECT 1 FROM account_closure ac JOIN accounts aa ON aa.id = ac.ancestor_id \
     WHERE ac.descendant_id = a.id AND aa.status <> 'active')";
