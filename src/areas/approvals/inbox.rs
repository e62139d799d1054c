//! Requests and the approval inbox: a partner asks (an add-on, a broadcast to non-followers, an
//! advertising package, an ad campaign); the account the request is addressed to (the operator)
//! approves or rejects it once, and approval takes effect in the same transaction.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::approvals::RequestId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::jobs;
use crate::kernel::notify as notifications;
use crate::kernel::query::paging;
use crate::kernel::query::Page;
use crate::kernel::query::Sql;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineFilter {
    /// Only this type.
    #[serde(rename = "type")]
    #[param(schema_with = kind_values)]
    pub kind: Option<String>,
    /// Only this status.
    #[param(schema_with = status_values)]
    pub status: Option<String>,
    /// Sort key: asked (default, newest first), type, title or status; ties by id. Unknown
    /// keys: 422 `validation_failed` with field `sort`.
    #[param(schema_with = mine_sort_values)]
    pub sort: Option<String>,
    /// asc or desc (default: desc for asked, asc otherwise).
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The columns My requests sorts by (the first is the default, newest first).
pub const MINE_SORTS: [(&str, &str); 4] = [
    ("asked", "r.created_at"),
    ("type", "r.kind"),
    ("title", "r.title"),
    ("status", "r.status"),
];

fn mine_sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asked", "type", "title", "status"])
}

fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

impl MineFilter {
    pub fn list_params(&self) -> crate::kernel::http::table::ListParams {
        crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }

    /// The sort in force: newest first unless another is asked for.
    pub fn order(&self) -> AppResult<crate::kernel::http::table::Sort> {
        self.list_params().sort(&MINE_SORTS, true)
    }
}

fn kind_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(RequestType::TEXTS)
}

fn status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(RequestStatus::TEXTS)
}

pub(crate) fn check_kind(kind: Option<&str>) -> AppResult<Option<RequestType>> {
    match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) if RequestType::parse(k).is_some() => Ok(RequestType::parse(k)),
        Some(_) => Err(AppError::validation(
            "type",
            "Type is addon, broadcast, ad_package, ad or reseller_link",
        )),
    }
}

/// One page of `sql` (a SELECT of requests) in `order`, with the total, as the identity's side
/// sees it.
pub(crate) async fn page_of(
    state: &AppState,
    who: &Identity,
    sql: Sql,
    order: &str,
    page: i64,
    per_page: i64,
) -> AppResult<Page<Request>> {
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let total = count.scalar::<i64>().fetch_one(&state.db.pool).await?;
    let mut sql = sql;
    sql.push(order)
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    let now = state.now_ms();
    let mut items = rows
        .iter()
        .map(|r| from_row(r, now))
        .collect::<Result<Vec<_>, _>>()?;
    seen_by(state, who, &mut items).await?;
    Ok(Page {
        items,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// The requests the account in view made, newest first (or by a whitelisted column), with
/// status and reasons.
pub async fn mine(state: &AppState, who: &Identity, f: &MineFilter) -> AppResult<Page<Request>> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE r.account_id = ").int(who.view_account_id);
    if let Some(k) = check_kind(f.kind.as_deref())? {
        sql.push(" AND r.kind = ").str(k.as_str());
    }
    match f.status.as_deref().unwrap_or("") {
        "" => {}
        s => match RequestStatus::parse(s) {
            Some(s) => {
                sql.push(" AND r.status = ").str(s.as_str());
            }
            None => {
                return Err(AppError::validation(
                    "status",
                    "Status is pending, approved, rejected or withdrawn",
                ))
            }
        },
    }
    let order = f.order()?;
    page_of(state, who, sql, &order.order_by("r.id"), page, per_page).await
}

/// Pending counts per type for the account in view's inbox (partnership included for the operator).
#[derive(Clone, Debug, Serialize, Default, utoipa::ToSchema)]
pub struct Counts {
    pub partnership: i64,
    pub addon: i64,
    pub broadcast: i64,
    pub ad_package: i64,
    pub ad: i64,
    pub reseller_link: i64,
}

impl Counts {
    pub fn of(&self, kind: &str) -> i64 {
        match kind {
            "partnership" => self.partnership,
            "addon" => self.addon,
            "broadcast" => self.broadcast,
            "ad_package" => self.ad_package,
            "ad" => self.ad,
            _ => self.reseller_link,
        }
    }
    pub fn total(&self) -> i64 {
        self.partnership
            + self.addon
            + self.broadcast
            + self.ad_package
            + self.ad
            + self.reseller_link
    }
}

pub async fn counts(state: &AppState, who: &Identity) -> AppResult<Counts> {
    let rows = sqlx::query(
        "SELECT r.kind, COUNT(*) AS n FROM requests r JOIN accounts a ON a.id = r.account_id \
         WHERE r.addressee_id = $1 AND r.status = 'pending' AND a.status <> 'deleted' GROUP BY r.kind",
    )
    .bind(who.view_account_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut c = Counts::default();
    for r in rows {
        let n: i64 = r.try_get("n")?;
        match r.try_get::<String, _>("kind")?.as_str() {
            "addon" => c.addon = n,
            "broadcast" => c.broadcast = n,
            "ad_package" => c.ad_package = n,
            "ad" => c.ad = n,
            _ => c.reseller_link = n,
        }
    }
    if access::operator(state, who, Need::Read).await.is_ok() {
        c.partnership = sqlx::query_scalar(
            "SELECT COUNT(*) FROM partnership_requests WHERE status = 'pending'",
        )
        .fetch_one(&state.db.pool)
        .await?;
    }
    Ok(c)
}

#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxFilter {
    /// Only this type.
    #[serde(rename = "type")]
    #[param(schema_with = kind_values)]
    pub kind: Option<String>,
    /// Sort key: asked (default, oldest first), partner (the asking account's name) or title;
    /// ties by id. Unknown keys: 422 `validation_failed` with field `sort`.
    #[param(schema_with = inbox_sort_values)]
    pub sort: Option<String>,
    /// asc (default) or desc.
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The columns the inbox sorts by (the first is the default, oldest first).
pub const INBOX_SORTS: [(&str, &str); 3] = [
    ("asked", "r.created_at"),
    ("partner", "a.name"),
    ("title", "r.title"),
];

fn inbox_sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asked", "partner", "title"])
}

impl InboxFilter {
    pub fn list_params(&self) -> crate::kernel::http::table::ListParams {
        crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// What waits for the account in view's decision, oldest first (or by a whitelisted column).
pub async fn inbox(state: &AppState, who: &Identity, f: &InboxFilter) -> AppResult<Page<Request>> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE r.addressee_id = ")
        .int(who.view_account_id)
        .push(" AND r.status = 'pending' AND a.status <> 'deleted'");
    if let Some(k) = check_kind(f.kind.as_deref())? {
        sql.push(" AND r.kind = ").str(k.as_str());
    }
    let order = f.list_params().sort(&INBOX_SORTS, false)?;
    page_of(state, who, sql, &order.order_by("r.id"), page, per_page).await
}

/// Approves or rejects a pending request addressed to the account in view (owners and admins).
/// Taken once: of two decisions at once, one succeeds and the other gets `already_decided`.
/// Nobody decides a request of their own account.
pub async fn decide(
    state: &AppState,
    who: &Identity,
    id: RequestId,
    approve: bool,
    reason: &str,
) -> AppResult<Request> {
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    if r.addressee_id != who.view_account_id {
        return if access::is_within(state, who.view_account_id, r.account_id).await? {
            Err(AppError::forbidden(
                "this request is addressed to another account: only that account decides it",
            ))
        } else {
            Err(AppError::NotFound)
        };
    }
    access::require(who, Need::Admin)?;
    if r.account_id == who.home_account_id
        || r.account_id == who.view_account_id
        || r.created_by_login_id == Some(who.login.id)
    {
        return Err(AppError::forbidden(
            "nobody decides a request that they or their own account made",
        ));
    }
    if approve && r.account_status != "active" {
        return Err(AppError::conflict(
            ErrorCode::RequesterInactive,
            format!(
                "{} is not active: reject the request instead",
                r.partner_name
            ),
        ));
    }
    if approve && r.kind == RequestType::Broadcast && r.channel_id.is_none() {
        return Err(AppError::conflict(
            ErrorCode::ChannelGone,
            "The channel of this broadcast was deleted: reject it instead",
        ));
    }
    let reason = if approve {
        String::new()
    } else {
        validate::text("reason", reason, 1000, true)?
    };
    let now = state.now_ms();
    if approve && r.kind == RequestType::Ad {
        if let Some(end) = r.ends_ms {
            if end <= now {
                return Err(AppError::conflict(
                    ErrorCode::RequestExpired,
                    "This campaign's end has passed: reject it instead",
                ));
            }
        }
    }
    let addressee = crate::areas::accounts::get(&state.db, r.addressee_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE requests SET status = $1, reason = $2, decided_at = $3, decided_by_login_id = $4, \
         decided_by_email = $5 WHERE id = $6 AND status = 'pending'",
    )
    .bind(if approve { "approved" } else { "rejected" })
    .bind(if approve { None } else { Some(reason.clone()) })
    .bind(now)
    .bind(who.login.id)
    .bind(&who.login.email)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::conflict(
            ErrorCode::AlreadyDecided,
            "This request was already decided",
        ));
    }
    if approve {
        take_effect(state, &mut tx, &r, now).await?;
    }
    for (to, name) in crate::areas::billing::owner_contacts(state, r.account_id).await? {
        notifications::enqueue(
            state,
            &mut tx,
            &notifications::Message::RequestDecided {
                to,
                name,
                kind: r.type_label.to_lowercase(),
                title: r.title.clone(),
                approved: approve,
                reason: reason.clone(),
            },
        )
        .await?;
    }
    let action = if approve {
        "request.approve"
    } else {
        "request.reject"
    };
    // The decision is the addressee's (the operator, or the partner a reseller asked): its log
    // has the login that decided; the requester's log names the addressee only.
    audit::record_across(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(r.addressee_id),
            action,
            target_type: Some("request"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{}: {} ({})",
                r.type_label, r.title, r.partner_name
            )),
        },
        audit::OtherSide {
            entry: audit::Entry {
                subject_account_id: Some(r.account_id),
                action,
                target_type: Some("request"),
                target_id: Some(id.to_string()),
                detail: Some(if approve {
                    format!("{}: {}", r.type_label, r.title)
                } else {
                    format!("{}: {}: {reason}", r.type_label, r.title)
                }),
            },
            actor_known_as: addressee.known_as(),
        },
    )
    .await?;
    tx.commit().await?;
    get_seen(state, who, id).await
}

/// The effect of an approval, in the decision's transaction.
pub(crate) async fn take_effect(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    r: &Request,
    now: i64,
) -> AppResult<()> {
    match r.kind {
        RequestType::Addon => {
            sqlx::query(
                "INSERT INTO partner_addons (account_id, addon_id, price, currency, request_id, enabled_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, addon_id) DO NOTHING",
            )
            .bind(r.account_id)
            .bind(r.addon_id)
            .bind(r.price.unwrap_or(0))
            .bind(r.currency.clone().unwrap_or_default())
            .bind(r.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        RequestType::AdPackage => {
            let n = r.impressions.unwrap_or(0);
            sqlx::query(
                "INSERT INTO ad_wallets (account_id, credited, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (account_id) DO UPDATE SET credited = ad_wallets.credited + $2, updated_at = $3",
            )
            .bind(r.account_id)
            .bind(n)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        RequestType::Broadcast => {
            let starts = r.starts_ms.unwrap_or(now);
            sqlx::query(
                "INSERT INTO broadcasts (request_id, account_id, channel_id, starts_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(r.id)
            .bind(r.account_id)
            .bind(r.channel_id)
            .bind(starts)
            .execute(&mut *tx)
            .await?;
            jobs::enqueue(
                tx,
                now,
                super::SEND_BROADCAST,
                &serde_json::json!({ "request_id": r.id }).to_string(),
                starts.max(now),
                Some(&format!("broadcast:{}", r.id)),
            )
            .await?;
        }
        // A campaign's approval is its going live: it holds its impressions from the request on.
        RequestType::Ad => {}
        RequestType::ResellerLink => {
            // A link to a partner deleted since holds nothing any more.
            sqlx::query(
                "DELETE FROM reseller_links WHERE reseller_id = $1 AND partner_id IN (SELECT id FROM accounts WHERE status = 'deleted')",
            )
            .bind(r.account_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO reseller_links (reseller_id, partner_id, request_id, linked_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(r.account_id)
            .bind(r.addressee_id)
            .bind(r.id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => AppError::conflict(
                    ErrorCode::AlreadyLinked,
                    "This reseller already resells for a partner",
                ),
                _ => e.into(),
            })?;
            // A reseller has one partner: its other requests for partner end here, and each
            // partner asked reads that the reseller withdrew it.
            let others = sqlx::query(
                "UPDATE requests SET status = 'withdrawn', decided_at = $1 \
                 WHERE account_id = $2 AND kind = 'reseller_link' AND status = 'pending' AND id <> $3 \
                 RETURNING id, addressee_id, title",
            )
            .bind(now)
            .bind(r.account_id)
            .bind(r.id)
            .fetch_all(&mut *tx)
            .await?;
            if !others.is_empty() {
                let reseller = crate::areas::accounts::get(&state.db, r.account_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                for row in &others {
                    let id: i64 = row.try_get("id")?;
                    let partner: i64 = row.try_get("addressee_id")?;
                    let title: String = row.try_get("title")?;
                    for (subject, actor) in [
                        (r.account_id, audit::Actor::system()),
                        (
                            AccountId(partner),
                            audit::Actor::known_as(reseller.known_as()),
                        ),
                    ] {
                        audit::record(
                            &mut *tx,
                            now,
                            &actor,
                            audit::Entry {
                                subject_account_id: Some(subject),
                                action: "request.withdraw",
                                target_type: Some("request"),
                                target_id: (subject == r.account_id).then(|| id.to_string()),
                                detail: Some(format!(
                                    "{}: {title} (withdrawn automatically: the reseller now resells for another partner)",
                                    kind_label("reseller_link")
                                )),
                            },
                        )
                        .await?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Sends an approved broadcast at its start: to every active customer who does not follow the
/// channel. Once: a second run finds it sent.
pub async fn send_broadcast(state: &AppState, request_id: i64) -> AppResult<bool> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE broadcasts SET status = 'sent', sent_at = $1, recipients = CASE WHEN channel_id IS NULL THEN 0 ELSE (\
           SELECT COUNT(*) FROM accounts a WHERE a.kind = 'customer' AND a.status = 'active' \
           AND NOT EXISTS (SELECT 1 FROM channel_followers f WHERE f.channel_id = broadcasts.channel_id AND f.customer_id = a.id)) END \
         WHERE request_id = $2 AND status = 'scheduled' AND starts_at <= $1",
    )
    .bind(now)
    .bind(request_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            now,
            &audit::Actor::system(),
            audit::Entry {
                subject_account_id: None,
                action: "broadcast.send",
                target_type: Some("request"),
                target_id: Some(request_id.to_string()),
                detail: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}
