//! The account tree: kinds, parents, and the closure table that answers "is X below Y".

use super::*;
use crate::areas::accounts::AccountId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Db;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

pub use crate::kernel::enums::{AccountStatus, Kind};

pub const KINDS: &[&str] = Kind::TEXTS;

/// The kinds an account of `parent_kind` may have directly below it (PRODUCT.md §1).
pub fn allowed_children(parent_kind: Kind) -> &'static [Kind] {
    use Kind::*;
    match parent_kind {
        Operator => &[Partner, Reseller],
        Partner => &[Partner, Dealer, Customer],
        Reseller => &[Partner, Customer],
        Dealer => &[Customer],
        Customer => &[],
    }
}

/// An account of the tree.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    #[schema(value_type = i64)]
    pub id: AccountId,
    /// The account above (null for the operator).
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<AccountId>,
    #[schema(schema_with = kind_values)]
    pub kind: Kind,
    pub name: String,
    #[schema(schema_with = status_values)]
    pub status: AccountStatus,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[serde(skip)]
    pub path: String,
}

fn kind_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(KINDS)
}

fn status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(AccountStatus::TEXTS)
}

fn child_kind_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&KINDS[1..])
}

pub const COLUMNS: &str =
    "a.id, a.parent_id, a.kind, a.name, a.status, a.email, a.phone, a.created_at, a.path";

impl Account {
    /// How another tree's audit log names this account when it acts on that tree's side of an
    /// event concerning both: "the operator", or its name and kind as that tree already sees
    /// them (a reseller under My resellers, a partner under My partner or in the directory).
    pub fn known_as(&self) -> String {
        known_as(self.kind, &self.name)
    }
}

/// `Account::known_as` of an account of `kind` named `name`.
pub fn known_as(kind: Kind, name: &str) -> String {
    if kind == Kind::Operator {
        "the operator".to_string()
    } else {
        format!("{name} ({kind})")
    }
}

/// The actor of a record filed on another tree's side of an event (see `audit::record_across`):
/// whoever acted from the account in view `by`, named as that tree knows the acting side: "the
/// operator" when the operator acted from its own view, otherwise the account of the acting side
/// that the tree knows (`kind`, `name`: its partner, its reseller), whoever of that account's
/// side or above it acted. `None`: the panel itself (a job), which has no name.
pub fn actor_seen_across(by: Option<&Account>, kind: Kind, name: &str) -> audit::Actor {
    match by {
        None => audit::Actor::system(),
        Some(v) if v.kind == Kind::Operator => audit::Actor::known_as(v.known_as()),
        Some(_) => audit::Actor::known_as(known_as(kind, name)),
    }
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn from_row(r: &Row) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        status: r.try_get("status")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        path: r.try_get("path")?,
    })
}

/// `COLUMNS` of an account joined as `va`, each named `va_<column>` (beside another table's).
pub const VIEW_COLUMNS: &str = "va.id AS va_id, va.parent_id AS va_parent_id, va.kind AS va_kind, \
     va.name AS va_name, va.status AS va_status, va.email AS va_email, va.phone AS va_phone, \
     va.created_at AS va_created_at, va.path AS va_path";

/// The account of a row selected with `VIEW_COLUMNS` (none when the join found none).
///
/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; its columns carry a prefix.
pub(crate) fn from_view_row(r: &Row) -> Result<Option<Account>, sqlx::Error> {
    let Some(id) = r.try_get::<Option<i64>, _>("va_id")? else {
        return Ok(None);
    };
    Ok(Some(Account {
        id: AccountId(id),
        parent_id: r.try_get("va_parent_id")?,
        kind: r.try_get("va_kind")?,
        name: r.try_get("va_name")?,
        status: r.try_get("va_status")?,
        email: r.try_get("va_email")?,
        phone: r.try_get("va_phone")?,
        created_at: crate::clock::rfc3339(r.try_get("va_created_at")?),
        path: r.try_get("va_path")?,
    }))
}

pub fn account_from_row(r: &Row) -> Result<Account, sqlx::Error> {
    from_row(r)
}

pub async fn get(db: &Db, id: AccountId) -> Result<Option<Account>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM accounts a WHERE a.id = $1");
    let row = sqlx::query(&q).bind(id).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// An account the router has already checked for the caller (see `ACCOUNT`); gone: 404.
pub async fn load(state: &AppState, id: AccountId) -> AppResult<Account> {
    get(&state.db, id)
        .await?
        .filter(|a| a.status != AccountStatus::Deleted)
        .ok_or(AppError::NotFound)
}

pub async fn operator(db: &Db) -> Result<Option<Account>, sqlx::Error> {
    let q = format!("SELECT {COLUMNS} FROM accounts a WHERE a.kind = 'operator'");
    let row = sqlx::query(&q).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// The accounts from the root down to `id` (for breadcrumbs), stopping at `from` when given.
pub async fn path(db: &Db, id: AccountId, from: AccountId) -> Result<Vec<Account>, sqlx::Error> {
    let q = format!(
        "SELECT {COLUMNS} FROM account_closure c JOIN accounts a ON a.id = c.ancestor_id \
         WHERE c.descendant_id = $1 AND c.depth <= (SELECT depth FROM account_closure \
         WHERE ancestor_id = $2 AND descendant_id = $1) ORDER BY c.depth DESC"
    );
    let rows = sqlx::query(&q)
        .bind(id)
        .bind(from)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Inserts an account under `parent_id` (or the root), its closure rows and its counts in the
/// rollups of every account above, in `conn`'s transaction. No rules are checked here.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    now_ms: i64,
    parent_id: Option<i64>,
    kind: Kind,
    name: &str,
    email: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let (depth, parent_path) = match parent_id {
        Some(p) => {
            let r = sqlx::query("SELECT depth, path FROM accounts WHERE id = $1")
                .bind(p)
                .fetch_one(&mut *conn)
                .await?;
            (
                r.try_get::<i64, _>("depth")? + 1,
                r.try_get::<String, _>("path")?,
            )
        }
        None => (0, "/".to_string()),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (parent_id, kind, name, name_folded, email, depth, created_at, updated_at) \
         VALUES ($1, $2, $3, $7, $4, $5, $6, $6) RETURNING id",
    )
    .bind(parent_id)
    .bind(kind)
    .bind(name)
    .bind(email)
    .bind(depth)
    .bind(now_ms)
    .bind(crate::kernel::db::search::fold(name))
    .fetch_one(&mut *conn)
    .await?;
    let path = format!("{parent_path}{id}/");
    sqlx::query("UPDATE accounts SET path = $1, tenant_id = $2 WHERE id = $3")
        .bind(&path)
        .bind(crate::kernel::db::search::tenant_of_path(&path))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO account_closure (ancestor_id, descendant_id, depth) \
         SELECT ancestor_id, $1, depth + 1 FROM account_closure WHERE descendant_id = $2 \
         UNION ALL SELECT $1, $1, 0",
    )
    .bind(id)
    .bind(parent_id.unwrap_or(-1))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO account_rollup (account_id, kind, direct, total) \
         SELECT ancestor_id, $2, CASE WHEN depth = 1 THEN 1 ELSE 0 END, 1 \
         FROM account_closure WHERE descendant_id = $1 AND depth > 0 \
         ON CONFLICT (account_id, kind) DO UPDATE SET \
         direct = account_rollup.direct + excluded.direct, total = account_rollup.total + 1",
    )
    .bind(id)
    .bind(kind)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A new account directly below. Allowed kinds: operator → partner, reseller; partner → partner,
/// dealer, customer; reseller → partner, customer; dealer → customer.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct AccountInput {
    #[serde(default)]
    #[schema(required = true, schema_with = child_kind_values)]
    pub kind: String,
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: String,
    /// An email address, or empty for none.
    #[schema(nullable = false)]
    pub email: Option<String>,
    /// Digits, spaces and + - ( ) . / only; empty for none.
    #[schema(nullable = false, max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub phone: Option<String>,
}

pub(crate) fn clean_optional_email(v: Option<&str>) -> AppResult<Option<String>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(e) => Ok(Some(validate::email("email", e)?)),
        None => Ok(None),
    }
}

pub(crate) fn clean_phone(v: Option<&str>) -> AppResult<Option<String>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(p) => {
            if p.len() > 40
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
            {
                return Err(AppError::validation(
                    "phone",
                    "Phone may hold digits, spaces and + - ( ) . / only, at most 40",
                ));
            }
            Ok(Some(p.to_string()))
        }
        None => Ok(None),
    }
}

/// Creates an account of `input.kind` directly under `parent_id`.
pub async fn create_child(
    state: &AppState,
    who: &Identity,
    parent_id: AccountId,
    input: &AccountInput,
) -> AppResult<Account> {
    let parent = access::account(state, who, parent_id, Need::Write).await?;
    if parent.status != AccountStatus::Active {
        return Err(AppError::conflict(
            ErrorCode::ParentInactive,
            "Accounts cannot be added under an inactive account",
        ));
    }
    let Some(kind) = Kind::parse(input.kind.trim()).filter(|k| *k != Kind::Operator) else {
        return Err(AppError::validation(
            "kind",
            "Kind must be partner, reseller, dealer or customer",
        ));
    };
    let allowed = allowed_children(parent.kind);
    if !allowed.contains(&kind) {
        let msg = if allowed.is_empty() {
            format!("A {} cannot have accounts below it", parent.kind)
        } else {
            format!(
                "A {kind} cannot be placed under a {}; allowed here: {}",
                parent.kind,
                allowed
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(AppError::validation("kind", msg));
    }
    // Every field's error at once.
    let mut c = validate::Collect::new();
    let name = c.take(validate::name("name", &input.name, validate::MAX_NAME))?;
    let email = c.take(clean_optional_email(input.email.as_deref()))?;
    let phone = c.take(clean_phone(input.phone.as_deref()))?;
    c.finish()?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    lock_active_chain(state, &mut tx, parent.id).await?;
    crate::areas::networks::check_package_limits(state, &mut tx, parent.id, kind).await?;
    let id = insert(
        &mut tx,
        now,
        Some(parent.id.get()),
        kind,
        &name,
        email.as_deref(),
    )
    .await?;
    if phone.is_some() {
        sqlx::query("UPDATE accounts SET phone = $1 WHERE id = $2")
            .bind(&phone)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(AccountId(id)),
            action: "account.create",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{kind} {name} under {}", parent.name)),
        },
    )
    .await?;
    tx.commit().await?;
    get(&state.db, AccountId(id))
        .await?
        .ok_or(AppError::NotFound)
}

/// Fields left out stay as they are.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct AccountUpdate {
    #[schema(
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    /// An email address, or empty to clear it.
    #[schema(nullable = false)]
    pub email: Option<String>,
    /// Digits, spaces and + - ( ) . / only; empty to clear it.
    #[schema(nullable = false, max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub phone: Option<String>,
}

pub async fn update(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    input: &AccountUpdate,
) -> AppResult<Account> {
    let a = access::account(state, who, id, Need::Write).await?;
    let name = match &input.name {
        Some(n) => validate::name("name", n, validate::MAX_NAME)?,
        None => a.name.clone(),
    };
    let email = match &input.email {
        Some(e) => clean_optional_email(Some(e))?,
        None => a.email.clone(),
    };
    let phone = match &input.phone {
        Some(p) => clean_phone(Some(p))?,
        None => a.phone.clone(),
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE accounts SET name = $1, email = $2, phone = $3, updated_at = $4, name_folded = $6 \
         WHERE id = $5",
    )
    .bind(&name)
    .bind(&email)
    .bind(&phone)
    .bind(now)
    .bind(id)
    .bind(crate::kernel::db::search::fold(&name))
    .execute(&mut *tx)
    .await?;
    let changes = audit::Changes::new()
        .value("name", &a.name, &name)
        .field("email", &a.email, &email)
        .field("phone", &a.phone, &phone);
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(id),
            action: "account.update",
            target_type: Some("account"),
            target_id: Some(id.to_string()),
            detail: Some(changes.detail()),
        },
    )
    .await?;
    tx.commit().await?;
    get(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// Sets an account below the one in view active or inactive. Inactive shuts its logins and every
/// login below it out at once: their sessions end (a later reactivation does not revive them)
/// and sign-in is refused; active lets them sign in again.
pub async fn set_status(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    status: &str,
) -> AppResult<Account> {
    let a = access::account_below(state, who, id, Need::Admin).await?;
    if status != "active" && status != "inactive" {
        return Err(AppError::validation(
            "status",
            "Status must be active or inactive",
        ));
    }
    if a.status == status {
        return Ok(a);
    }
    let view = get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    set_status_in(&mut tx, now, who, &view, &a, status).await?;
    tx.commit().await?;
    get(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// The change of `set_status` inside a transaction the caller holds (bulk actions: many in one),
/// `a` already access-checked and not yet in `status`.
pub(crate) async fn set_status_in(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    who: &Identity,
    view: &Account,
    a: &Account,
    status: &str,
) -> AppResult<()> {
    // Links and follows of other trees stay (the data is kept); a reseller waiting for the
    // answer of a partner that leaves the directory by it (or comes back) reads that it did.
    let waiting = crate::areas::networks::waiting_for(&mut *tx, a.id).await?;
    sqlx::query("UPDATE accounts SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now)
        .bind(a.id)
        .execute(&mut *tx)
        .await?;
    let now_waiting = crate::areas::networks::waiting_for(&mut *tx, a.id).await?;
    crate::areas::networks::note_directory_changes(&mut *tx, now, view, &waiting, &now_waiting)
        .await?;
    if status == "inactive" {
        sqlx::query(&format!(
            "DELETE FROM sessions WHERE login_id IN (SELECT id FROM logins WHERE account_id IN {SUBTREE})"
        ))
        .bind(a.id)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut *tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(a.id),
            action: if status == "active" {
                "account.activate"
            } else {
                "account.deactivate"
            },
            target_type: Some("account"),
            target_id: Some(a.id.to_string()),
            detail: Some(a.name.clone()),
        },
    )
    .await?;
    Ok(())
}
