//! A partner's channels and their followers (customers). Broadcast requests name a channel, and
//! My partners shows each partner's channels.

use crate::areas::accounts::AccountId;
use crate::areas::channels::ChannelId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Row;
use crate::kernel::enums::{AccountStatus, Kind};
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Channel {
    #[schema(value_type = i64)]
    pub id: ChannelId,
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    /// Customers following it.
    pub followers: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

const COLUMNS: &str = "c.id, c.account_id, c.name, c.description, c.created_at, \
    (SELECT COUNT(*) FROM channel_followers f WHERE f.channel_id = c.id) AS followers";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
fn from_row(r: &Row) -> Result<Channel, sqlx::Error> {
    Ok(Channel {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        followers: r.try_get("followers")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
    })
}

/// A channel by id, unchecked.
pub async fn get(state: &AppState, id: ChannelId) -> AppResult<Option<Channel>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM channels c WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// The channels of the given accounts, unchecked (for lists the caller already checked).
pub async fn of_accounts(state: &AppState, ids: &[AccountId]) -> AppResult<Vec<Channel>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM channels c WHERE c.account_id IN ({list}) ORDER BY c.name, c.id"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The channels of an account the identity reaches.
pub async fn list(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
) -> AppResult<Vec<Channel>> {
    access::account(state, who, account_id, Need::Read).await?;
    of_accounts(state, &[account_id]).await
}

/// The columns the channel list sorts by (the first is the default).
pub const CHANNEL_SORTS: [(&str, &str); 3] = [
    ("name", "name"),
    ("followers", "followers"),
    ("created", "created_at"),
];

/// A page of the channels of an account the identity reaches, sorted by a whitelisted column.
pub async fn list_page(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
    params: &crate::kernel::http::table::ListParams,
) -> AppResult<crate::kernel::query::Page<Channel>> {
    access::account(state, who, account_id, Need::Read).await?;
    let order = params.sort(&CHANNEL_SORTS, false)?;
    let (page, per_page) = params.paging();
    let mut sql = crate::kernel::query::Sql::new(&format!(
        "SELECT * FROM (SELECT {COLUMNS} FROM channels c WHERE c.account_id = "
    ));
    sql.int(account_id).push(") ch");
    let (total, rows) =
        crate::kernel::query::fetch_page(&state.db.pool, sql, &order, "id", page, per_page).await?;
    Ok(crate::kernel::query::Page {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// A channel's fields; on an edit, those left out stay as they are.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ChannelInput {
    #[schema(
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub name: Option<String>,
    /// Line breaks allowed.
    #[schema(
        nullable = false,
        max_length = 1000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub description: Option<String>,
}

crate::create_body! {
    /// A new channel: `name` is required.
    NewChannel(ChannelInput), required ["name"]
}

fn check(input: &ChannelInput) -> AppResult<(String, String)> {
    Ok((
        validate::name("name", input.name.as_deref().unwrap_or(""), 100)?,
        validate::text(
            "description",
            input.description.as_deref().unwrap_or(""),
            1000,
            false,
        )?,
    ))
}

fn name_taken(e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => AppError::conflict(
            ErrorCode::NameTaken,
            "This account has a channel of that name already",
        ),
        _ => e.into(),
    }
}

/// Adds a channel to a partner the identity reaches (members and up).
pub async fn create(
    state: &AppState,
    who: &Identity,
    account_id: AccountId,
    input: &ChannelInput,
) -> AppResult<Channel> {
    let account = access::account(state, who, account_id, Need::Write).await?;
    if account.kind != Kind::Partner {
        return Err(AppError::validation(
            "account_id",
            "Only partners have channels",
        ));
    }
    let (name, description) = check(input)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO channels (account_id, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(&name)
    .bind(&description)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(name_taken)?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(account_id),
            action: "channel.create",
            target_type: Some("channel"),
            target_id: Some(id.to_string()),
            detail: Some(name),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, ChannelId(id)).await?.ok_or(AppError::NotFound)
}

/// A channel whose partner the identity reaches with `need`; 404 otherwise.
async fn reach(state: &AppState, who: &Identity, id: ChannelId, need: Need) -> AppResult<Channel> {
    let c = get(state, id).await?.ok_or(AppError::NotFound)?;
    access::account(state, who, c.account_id, need).await?;
    Ok(c)
}

pub async fn update(
    state: &AppState,
    who: &Identity,
    id: ChannelId,
    input: &ChannelInput,
) -> AppResult<Channel> {
    let c = reach(state, who, id, Need::Write).await?;
    let merged = ChannelInput {
        name: input.name.clone().or(Some(c.name.clone())),
        description: input.description.clone().or(Some(c.description.clone())),
    };
    let (name, description) = check(&merged)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE channels SET name = $1, description = $2, updated_at = $3 WHERE id = $4")
        .bind(&name)
        .bind(&description)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(name_taken)?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(c.account_id),
            action: "channel.update",
            target_type: Some("channel"),
            target_id: Some(id.to_string()),
            detail: Some(name),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}

/// Deletes a channel with its follows. Customers of the partner's linked resellers that followed
/// it are another tree: each reads, under its own account (so its reseller too), that it no
/// longer follows the channel because the partner deleted it; the partner's record names none
/// of them.
pub async fn delete(state: &AppState, who: &Identity, id: ChannelId) -> AppResult<Channel> {
    let c = reach(state, who, id, Need::Write).await?;
    let view = crate::areas::accounts::get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let partner = crate::areas::accounts::get(&state.db, c.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let across = sqlx::query(
        "SELECT a.id, a.name FROM channel_followers f JOIN accounts a ON a.id = f.customer_id \
         WHERE f.channel_id = $1 AND a.status <> 'deleted' AND EXISTS (SELECT 1 FROM reseller_links l \
         JOIN account_closure c ON c.ancestor_id = l.reseller_id \
         WHERE l.partner_id = $2 AND c.descendant_id = f.customer_id) ORDER BY a.name, a.id",
    )
    .bind(id)
    .bind(c.account_id)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM channels WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(c.account_id),
            action: "channel.delete",
            target_type: Some("channel"),
            target_id: Some(id.to_string()),
            detail: Some(c.name.clone()),
        },
    )
    .await?;
    let seen_as =
        crate::areas::accounts::actor_seen_across(Some(&view), partner.kind, &partner.name);
    for r in &across {
        let (customer, name): (i64, String) = (r.try_get("id")?, r.try_get("name")?);
        audit::record(
            &mut tx,
            now,
            &seen_as,
            audit::Entry {
                subject_account_id: Some(AccountId(customer)),
                action: "channel.delete",
                target_type: Some("channel"),
                target_id: Some(id.to_string()),
                detail: Some(format!(
                    "{name} (customer {customer}) no longer follows {} of {}: the channel was deleted",
                    c.name, partner.name
                )),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(c)
}

/// True when `customer` may follow the partner's channels: it is below the partner, or below a
/// reseller linked to the partner.
async fn may_follow(state: &AppState, partner: AccountId, customer: AccountId) -> AppResult<bool> {
    if access::is_within(state, partner, customer).await? {
        return Ok(true);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM reseller_links l JOIN account_closure c ON c.ancestor_id = l.reseller_id \
         WHERE l.partner_id = $1 AND c.descendant_id = $2",
    )
    .bind(partner)
    .bind(customer)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(n > 0)
}

/// The reseller linked to `partner` that `customer` is below, if any.
async fn linked_reseller_above(
    state: &AppState,
    partner: AccountId,
    customer: AccountId,
) -> AppResult<Option<crate::areas::accounts::Account>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT l.reseller_id FROM reseller_links l JOIN account_closure c ON c.ancestor_id = l.reseller_id \
         WHERE l.partner_id = $1 AND c.descendant_id = $2",
    )
    .bind(partner)
    .bind(customer)
    .fetch_optional(&state.db.pool)
    .await?;
    match id {
        Some(id) => Ok(crate::areas::accounts::get(&state.db, AccountId(id)).await?),
        None => Ok(None),
    }
}

/// Adds or removes a follower. The partner's side (members and up) may add any customer below
/// the partner; a reseller linked to the partner, any customer below the reseller; a customer
/// may follow or unfollow itself.
pub async fn set_follower(
    state: &AppState,
    who: &Identity,
    id: ChannelId,
    customer_id: AccountId,
    follow: bool,
) -> AppResult<Channel> {
    let c = get(state, id).await?.ok_or(AppError::NotFound)?;
    let owner_side = access::is_within(state, who.view_account_id, c.account_id).await?;
    let reseller_side = !owner_side
        && crate::areas::networks::partner_of(state, who.view_account_id)
            .await?
            .is_some_and(|(p, _)| p == c.account_id)
        && access::is_within(state, who.view_account_id, customer_id).await?;
    let self_side =
        customer_id == who.view_account_id && may_follow(state, c.account_id, customer_id).await?;
    if !owner_side && !reseller_side && !self_side {
        return Err(AppError::NotFound);
    }
    access::require(who, Need::Write)?;
    let customer = crate::areas::accounts::get(&state.db, customer_id)
        .await?
        .filter(|a| a.status != AccountStatus::Deleted);
    // The partner's side reaches its own customers only, never those of its resellers.
    let allowed = if owner_side && !self_side {
        access::is_within(state, c.account_id, customer_id).await?
    } else {
        may_follow(state, c.account_id, customer_id).await?
    };
    let customer = match customer {
        Some(a) if a.kind == Kind::Customer && allowed => a,
        _ => {
            return Err(AppError::validation(
                "customer_id",
                "Followers are customers of this channel's partner or of its resellers",
            ))
        }
    };
    // A customer of a linked reseller is another tree than the channel's partner: the event is
    // recorded on each side (see below).
    let across = if access::is_within(state, c.account_id, customer_id).await? {
        None
    } else {
        let partner = crate::areas::accounts::get(&state.db, c.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reseller = linked_reseller_above(state, c.account_id, customer_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Some((partner, reseller))
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    if reseller_side {
        // The link must still hold when the change is written: a removal in between wins.
        let lock = if state.db.backend == crate::kernel::db::Backend::Postgres {
            " FOR SHARE"
        } else {
            ""
        };
        let linked: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT reseller_id FROM reseller_links WHERE reseller_id = $1 AND partner_id = $2{lock}"
        ))
        .bind(who.view_account_id)
        .bind(c.account_id)
        .fetch_optional(&mut *tx)
        .await?;
        if linked.is_none() {
            return Err(AppError::NotFound);
        }
    }
    if follow {
        sqlx::query(
            "INSERT INTO channel_followers (channel_id, customer_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (channel_id, customer_id) DO NOTHING",
        )
        .bind(id)
        .bind(customer_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM channel_followers WHERE channel_id = $1 AND customer_id = $2")
            .bind(id)
            .bind(customer_id)
            .execute(&mut *tx)
            .await?;
    }
    let action = if follow {
        "channel.follow"
    } else {
        "channel.unfollow"
    };
    let verb = if follow {
        "follows"
    } else {
        "no longer follows"
    };
    match across {
        None => {
            audit::record(
                &mut tx,
                now,
                &who.actor(),
                audit::Entry {
                    subject_account_id: Some(c.account_id),
                    action,
                    target_type: Some("channel"),
                    target_id: Some(id.to_string()),
                    detail: Some(format!("customer {customer_id}")),
                },
            )
            .await?;
        }
        // Filed under the customer on the reseller's side, with who did it; on the partner's
        // side, under the partner, naming only the reseller it sees under My resellers.
        Some((partner, reseller)) => {
            audit::record_across(
                &mut tx,
                now,
                &who.actor(),
                audit::Entry {
                    subject_account_id: Some(customer_id),
                    action,
                    target_type: Some("channel"),
                    target_id: Some(id.to_string()),
                    detail: Some(format!(
                        "{} (customer {customer_id}) {verb} {} of {}",
                        customer.name, c.name, partner.name
                    )),
                },
                audit::OtherSide {
                    entry: audit::Entry {
                        subject_account_id: Some(c.account_id),
                        action,
                        target_type: Some("channel"),
                        target_id: Some(id.to_string()),
                        detail: Some(format!("a customer of {} {verb} {}", reseller.name, c.name)),
                    },
                    actor_known_as: reseller.known_as(),
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}

/// Active customers below an account (up to 500, by name), to pick followers from.
pub async fn customers_below(
    state: &AppState,
    account_id: AccountId,
) -> AppResult<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT a.id, a.name FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND a.kind = 'customer' AND a.status = 'active' ORDER BY a.name, a.id LIMIT 500",
    )
    .bind(account_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}
