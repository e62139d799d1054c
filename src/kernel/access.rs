//! The one place that decides who may read and change what.
//!
//! A login reaches its own account and everything below it, within its role; nothing else.
//! While acting as an account below, it has owner rights there. An account outside reach answers
//! 404, exactly like one that does not exist; a role too weak answers 403.

use crate::areas::accounts::logins::Login;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::kernel::enums::{Kind, Role};
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::Identity;
use crate::state::AppState;

/// What an operation needs of the login's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Any role: viewer and up.
    Read,
    /// Create and edit accounts: member and up.
    Write,
    /// Status, deletion, logins, acting as: admin and up.
    Admin,
}

/// The role in force: the login's own, or owner while acting as an account below.
pub fn effective_role(who: &Identity) -> Role {
    if who.acting_as.is_some() {
        Role::Owner
    } else {
        who.login.role
    }
}

pub fn allows(role: Role, need: Need) -> bool {
    let r = role.rank();
    match need {
        Need::Read => true,
        Need::Write => r >= 1,
        Need::Admin => r >= 2,
    }
}

/// 403 unless the role in force allows `need`.
pub fn require(who: &Identity, need: Need) -> AppResult<()> {
    if allows(effective_role(who), need) {
        Ok(())
    } else {
        Err(AppError::forbidden(match need {
            Need::Read => "your role does not allow this",
            Need::Write => "your role (viewer) can only look, not change",
            Need::Admin => "only owners and admins of an account may do this",
        }))
    }
}

/// True when `id` is `ancestor` or below it (and not deleted).
pub async fn is_within(state: &AppState, ancestor: AccountId, id: AccountId) -> AppResult<bool> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT c.depth FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND c.descendant_id = $2 AND a.status <> 'deleted'",
    )
    .bind(ancestor)
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(n.is_some())
}

/// The account `id` if the identity reaches it (the account in view or below), checked for `need`.
pub async fn account(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    need: Need,
) -> AppResult<Account> {
    // The reach and the row in one statement: the same answer as `is_within` then `get`.
    let q = format!(
        "SELECT {} FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND c.descendant_id = $2 AND a.status <> 'deleted'",
        crate::areas::accounts::COLUMNS
    );
    let row = sqlx::query(&q)
        .bind(who.view_account_id)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    require(who, need)?;
    Ok(crate::areas::accounts::from_row(&row)?)
}

/// Like `account`, for changes that may not touch the account in view itself (status, deletion).
pub async fn account_below(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    need: Need,
) -> AppResult<Account> {
    let a = account(state, who, id, need).await?;
    if a.id == who.view_account_id {
        return Err(AppError::forbidden(
            "you cannot change the status of, or delete, your own account",
        ));
    }
    Ok(a)
}

/// A login whose account the identity reaches, for managing it (admin and up).
pub async fn login(state: &AppState, who: &Identity, login_id: LoginId) -> AppResult<Login> {
    let l = crate::areas::accounts::logins::get(state, login_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !is_within(state, who.view_account_id, l.account_id).await? {
        return Err(AppError::NotFound);
    }
    require(who, Need::Admin)?;
    Ok(l)
}

/// Decides whether the identity may give or change the role `role` on a login of `account_id`:
/// an admin may not make or change owners of its own account.
pub fn may_assign_role(who: &Identity, account_id: AccountId, role: Role) -> AppResult<()> {
    if role == Role::Owner
        && effective_role(who) != Role::Owner
        && account_id == who.view_account_id
    {
        return Err(AppError::forbidden(
            "only an owner may add or change owners of this account",
        ));
    }
    Ok(())
}

/// Checks that the identity may act as `target`: a session (or token) of its own, not already
/// acting, admin or owner, and the target strictly below its home account.
pub async fn may_act_as(state: &AppState, who: &Identity, target: AccountId) -> AppResult<Account> {
    if who.acting_as.is_some() {
        return Err(AppError::conflict(
            ErrorCode::AlreadyActing,
            "You are already acting as another account: exit it first",
        ));
    }
    if !is_within(state, who.home_account_id, target).await? {
        return Err(AppError::NotFound);
    }
    if target == who.home_account_id {
        return Err(AppError::validation(
            "account_id",
            "This is your own account",
        ));
    }
    if !allows(who.login.role, Need::Admin) {
        return Err(AppError::forbidden(
            "only owners and admins may act as another account",
        ));
    }
    crate::areas::accounts::get(&state.db, target)
        .await?
        .ok_or(AppError::NotFound)
}

/// The operator's own business (packages, partnership requests, billing): only when the account
/// in view is the operator, with `need`. Anyone else gets 403.
pub async fn operator(state: &AppState, who: &Identity, need: Need) -> AppResult<Account> {
    let view = crate::areas::accounts::get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if view.kind != Kind::Operator {
        return Err(AppError::forbidden("only the operator does this"));
    }
    require(who, need)?;
    Ok(view)
}

// ---- resources named by routes ----

/// How the account that owns a resource must stand to the caller for one side of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The owner is the account in view or below it.
    InView,
    /// The owner is strictly below the account in view; the account in view itself is refused
    /// (403) with this message.
    Below(&'static str),
    /// The owner is exactly the account in view.
    View,
    /// The owner is the account in view or above it (the caller is in the owner's subtree).
    AboveView,
    /// The owner column is a login id: the signed-in login itself.
    OwnLogin,
    /// The operator's business: the account in view must be the operator (403 otherwise, even
    /// for a missing id); the resource only has to exist.
    Operator,
    /// Anyone signed in, as long as the resource exists (the area's rules decide the rest).
    Anyone,
}

/// One side of a resource: how its owner is found, and how the owner must stand to the caller.
#[derive(Debug, PartialEq, Eq)]
pub struct Side {
    /// What this side is, in words ("asker", "addressee", "linked reseller"…).
    pub name: &'static str,
    /// A SELECT with one parameter, `$1` = the id in the path, giving `owner_id` (an account id,
    /// or a login id for `Reach::OwnLogin`); no row means "not this side".
    pub owner: &'static str,
    pub reach: Reach,
    /// True when the owner on this side is the other party of a two-sided resource (the addressee
    /// of a request, a reseller linked to a partner), not the account the route is about.
    pub other_party: bool,
    /// When set, a caller on this side may not use the route: 403 with this message (unless
    /// another side lets it through).
    pub refuse: Option<&'static str>,
}

/// What the `{id}` of a route is, and the sides from which it may be reached.
#[derive(Debug, PartialEq, Eq)]
pub struct Resource {
    pub kind: &'static str,
    pub sides: &'static [Side],
}

impl Side {
    /// The usual side: the account the resource belongs to, reached as `reach`.
    pub const fn owner(owner: &'static str, reach: Reach) -> Side {
        Side {
            name: "owner",
            owner,
            reach,
            other_party: false,
            refuse: None,
        }
    }
}

/// A resource id the router has resolved and checked; handlers only ever see these.
#[derive(Clone, Copy, Debug)]
pub struct Checked {
    pub kind: &'static str,
    pub id: i64,
    /// The owner found on the side that let the caller in.
    pub owner: i64,
    pub side: &'static str,
}

enum Held {
    No,
    /// The owner, and its distance from the account in view (0: the account in view itself).
    Yes(i64, i64),
}

async fn side_holds(state: &AppState, who: &Identity, side: &Side, id: i64) -> AppResult<Held> {
    let (sql, bind) = match side.reach {
        Reach::InView | Reach::Below(_) => (
            format!(
                "SELECT o.owner_id, c.depth FROM ({}) o JOIN account_closure c ON c.descendant_id = o.owner_id \
                 JOIN accounts a ON a.id = o.owner_id \
                 WHERE c.ancestor_id = $2 AND a.status <> 'deleted'",
                side.owner
            ),
            who.view_account_id.get(),
        ),
        Reach::AboveView => (
            format!(
                "SELECT o.owner_id, c.depth FROM ({}) o JOIN account_closure c ON c.ancestor_id = o.owner_id \
                 JOIN accounts a ON a.id = o.owner_id \
                 WHERE c.descendant_id = $2 AND a.status <> 'deleted'",
                side.owner
            ),
            who.view_account_id.get(),
        ),
        Reach::View => (
            format!(
                "SELECT o.owner_id, CAST(0 AS BIGINT) FROM ({}) o WHERE o.owner_id = $2",
                side.owner
            ),
            who.view_account_id.get(),
        ),
        Reach::OwnLogin => (
            format!(
                "SELECT o.owner_id, CAST(0 AS BIGINT) FROM ({}) o WHERE o.owner_id = $2",
                side.owner
            ),
            who.login.id.get(),
        ),
        Reach::Operator | Reach::Anyone => {
            let found: Option<i64> = sqlx::query_scalar(&format!(
                "SELECT o.owner_id FROM ({}) o",
                side.owner
            ))
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
            return Ok(found.map(|o| Held::Yes(o, 0)).unwrap_or(Held::No));
        }
    };
    let row: Option<(i64, i64)> = sqlx::query_as(&sql)
        .bind(id)
        .bind(bind)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.map(|(o, d)| Held::Yes(o, d)).unwrap_or(Held::No))
}

/// Resolves the resource `id` for the identity: the first side that reaches it lets the caller
/// in (then the role must allow `need`, 403); a side that refuses gives 403; nothing: 404, the
/// same answer as a missing id.
pub async fn resource(
    state: &AppState,
    who: &Identity,
    res: &'static Resource,
    id: impl Into<i64>,
    need: Need,
) -> AppResult<Checked> {
    // Any kind of resource: its id is the route's `{id}`, whatever type the caller holds it as.
    let id: i64 = id.into();
    if res.sides.iter().any(|s| s.reach == Reach::Operator) {
        operator(state, who, need).await?;
    }
    let mut refused = None;
    for side in res.sides {
        let Held::Yes(owner, depth) = side_holds(state, who, side, id).await? else {
            continue;
        };
        if let Some(msg) = side.refuse {
            refused.get_or_insert(msg);
            continue;
        }
        if let Reach::Below(msg) = side.reach {
            if depth == 0 {
                return Err(AppError::forbidden(msg));
            }
        }
        require(who, need)?;
        return Ok(Checked {
            kind: res.kind,
            id,
            owner,
            side: side.name,
        });
    }
    match refused {
        Some(msg) => Err(AppError::forbidden(msg)),
        None => Err(AppError::NotFound),
    }
}
