//! Reseller and dealer networks (PRODUCT.md §5, seed 001): a partner's dealers ("My dealers")
//! and the package limits on what is created below a partner.
//!
//! Dealers are accounts of the tree: status, deletion and access go through `accounts` and
//! `access`; this module adds the dealer's owner login (created with it, in one transaction),
//! its contact, and the counts of its subscribers (customers below it, from the rollups).

use super::*;
use crate::areas::accounts;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::approvals::RequestId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

/// Withdraws a reseller's pending request for partner whose partner has left the directory
/// (deleted, inactive, or no longer serving resellers), so the reseller may ask another.
pub async fn withdraw_stale_link_requests(
    state: &AppState,
    who: &Identity,
    reseller: AccountId,
) -> AppResult<()> {
    let now = state.now_ms();
    let reseller_seen_as = accounts::get(&state.db, reseller)
        .await?
        .ok_or(AppError::NotFound)?
        .known_as();
    let mut tx = state.db.begin().await?;
    let rows = sqlx::query(&format!(
        "UPDATE requests SET status = 'withdrawn', decided_at = $1 \
         WHERE account_id = $2 AND kind = 'reseller_link' AND status = 'pending' AND NOT EXISTS (\
         SELECT 1 FROM accounts a LEFT JOIN reseller_settings s ON s.account_id = a.id \
         WHERE a.id = requests.addressee_id AND {LISTED}) RETURNING id, addressee_id, title"
    ))
    .bind(now)
    .bind(reseller)
    .fetch_all(&mut *tx)
    .await?;
    if !rows.is_empty() {
        let n = rows.len();
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(reseller),
                action: "request.withdraw",
                target_type: Some("request"),
                target_id: None,
                detail: Some(format!(
                    "{n} request(s) for partner to a partner no longer in the directory"
                )),
            },
        )
        .await?;
        // Each partner whose inbox held one reads that it went, named by the reseller only.
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let partner: i64 = row.try_get("addressee_id")?;
            let title: String = row.try_get("title")?;
            audit::record(
                &mut tx,
                now,
                &audit::Actor::known_as(reseller_seen_as.clone()),
                audit::Entry {
                    subject_account_id: Some(AccountId(partner)),
                    action: "request.withdraw",
                    target_type: Some("request"),
                    target_id: Some(id.to_string()),
                    detail: Some(format!(
                        "{}: {title} (withdrawn automatically: you were no longer in the partner directory)",
                        crate::areas::approvals::kind_label("reseller_link")
                    )),
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The partner a reseller is linked to: (id, name).
pub async fn partner_of(state: &AppState, reseller: AccountId) -> AppResult<Option<(i64, String)>> {
    let row = sqlx::query(
        "SELECT a.id, a.name FROM reseller_links l JOIN accounts a ON a.id = l.partner_id \
         WHERE l.reseller_id = $1 AND a.status <> 'deleted'",
    )
    .bind(reseller)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(match row {
        Some(r) => Some((r.try_get("id")?, r.try_get("name")?)),
        None => None,
    })
}

/// A reseller as its partner sees it in My resellers: the reseller itself, not its customers.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LinkedReseller {
    #[schema(value_type = i64)]
    pub id: AccountId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[schema(format = DateTime)]
    pub linked_at: String,
}

/// The columns My resellers sorts by (the first is the default).
pub const RESELLER_SORTS: [(&str, &str); 3] = [
    ("name", "name"),
    ("email", "COALESCE(email, '')"),
    ("since", "linked_at"),
];

/// My resellers: the resellers linked to the partner in view, by name.
pub async fn my_resellers(state: &AppState, who: &Identity) -> AppResult<Vec<LinkedReseller>> {
    let params = crate::kernel::http::table::ListParams {
        per_page: Some(100),
        ..Default::default()
    };
    let mut all = Vec::new();
    for page in 1.. {
        let p = my_resellers_page(
            state,
            who,
            &crate::kernel::http::table::ListParams {
                page: Some(page),
                ..params.clone()
            },
        )
        .await?;
        let last = p.page >= p.pages();
        all.extend(p.items);
        if last {
            break;
        }
    }
    Ok(all)
}

/// A page of My resellers, sorted by a whitelisted column.
pub async fn my_resellers_page(
    state: &AppState,
    who: &Identity,
    params: &crate::kernel::http::table::ListParams,
) -> AppResult<crate::kernel::query::Page<LinkedReseller>> {
    let p = access::account(state, who, who.view_account_id, Need::Read).await?;
    if p.kind != Kind::Partner {
        return Err(AppError::forbidden("resellers are linked to partners"));
    }
    let order = params.sort(&RESELLER_SORTS, false)?;
    let (page, per_page) = params.paging();
    let mut sql = crate::kernel::query::Sql::new(
        "SELECT * FROM (SELECT a.id, a.name, a.email, a.phone, l.linked_at FROM reseller_links l \
         JOIN accounts a ON a.id = l.reseller_id WHERE l.partner_id = ",
    );
    sql.int(p.id).push(" AND a.status <> 'deleted') r");
    let (total, rows) =
        crate::kernel::query::fetch_page(&state.db.pool, sql, &order, "id", page, per_page).await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(LinkedReseller {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                phone: r.try_get("phone")?,
                linked_at: crate::clock::rfc3339(r.try_get("linked_at")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(crate::kernel::query::Page {
        items,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// "Remove my reseller": the partner in view (owners and admins) ends the link. The reseller
/// loses the partner's content at once (its customers stop following the partner's channels);
/// both sides are emailed.
pub async fn remove_reseller(
    state: &AppState,
    who: &Identity,
    reseller: AccountId,
) -> AppResult<()> {
    let p = access::account(state, who, who.view_account_id, Need::Read).await?;
    if crate::areas::networks::partner_of(state, reseller)
        .await?
        .map(|(id, _)| id)
        != Some(p.id.get())
    {
        return Err(AppError::NotFound);
    }
    access::require(who, Need::Admin)?;
    let r = accounts::get(&state.db, reseller)
        .await?
        .ok_or(AppError::NotFound)?;
    end_link(state, who, &p, &r, true).await
}

/// The reseller in view (owners and admins) stops reselling for its partner; the same effects.
pub async fn leave_partner(state: &AppState, who: &Identity) -> AppResult<()> {
    let r = access::account(state, who, who.view_account_id, Need::Read).await?;
    if r.kind != Kind::Reseller {
        return Err(AppError::forbidden("only resellers have a partner"));
    }
    let (pid, _) = partner_of(state, r.id).await?.ok_or(AppError::NotFound)?;
    access::require(who, Need::Admin)?;
    let p = accounts::get(&state.db, AccountId(pid))
        .await?
        .ok_or(AppError::NotFound)?;
    end_link(state, who, &p, &r, false).await
}

pub(crate) async fn end_link(
    state: &AppState,
    who: &Identity,
    p: &Account,
    r: &Account,
    by_partner: bool,
) -> AppResult<()> {
    let now = state.now_ms();
    let partner_contacts = crate::areas::billing::owner_contacts(state, p.id).await?;
    let reseller_contacts = crate::areas::billing::owner_contacts(state, r.id).await?;
    let mut tx = state.db.begin().await?;
    let n = sqlx::query("DELETE FROM reseller_links WHERE reseller_id = $1 AND partner_id = $2")
        .bind(r.id)
        .bind(p.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query(
        "DELETE FROM channel_followers WHERE channel_id IN (SELECT id FROM channels WHERE account_id = $1) \
         AND customer_id IN (SELECT descendant_id FROM account_closure WHERE ancestor_id = $2)",
    )
    .bind(p.id)
    .bind(r.id)
    .execute(&mut *tx)
    .await?;
    let (to_partner, to_reseller) = if by_partner {
        (
            (
                format!("{} is no longer your reseller", r.name),
                format!(
                    "{} removed the reseller {}. It no longer has access to your channels.",
                    p.name, r.name
                ),
            ),
            (
                format!("{} ended your reseller link", p.name),
                format!(
                    "{} removed {} from its resellers. You no longer have access to its channels; you may ask another partner from the partner directory.",
                    p.name, r.name
                ),
            ),
        )
    } else {
        (
            (
                format!("{} left your resellers", r.name),
                format!(
                    "{} stopped reselling for {}. It no longer has access to your channels.",
                    r.name, p.name
                ),
            ),
            (
                format!("You no longer resell for {}", p.name),
                format!(
                    "{} left {}. Its channels are no longer available to your customers; you may ask another partner from the partner directory.",
                    r.name, p.name
                ),
            ),
        )
    };
    for (contacts, (subject, text)) in [
        (partner_contacts, to_partner),
        (reseller_contacts, to_reseller),
    ] {
        for (to, name) in contacts {
            crate::kernel::notify::enqueue(
                state,
                &mut tx,
                &crate::kernel::notify::Message::Notice {
                    to,
                    name,
                    subject: subject.clone(),
                    text: text.clone(),
                },
            )
            .await?;
        }
    }
    // Once per side: the side that ended the link with its login, the other naming it only.
    let action = if by_partner {
        "reseller.remove"
    } else {
        "reseller.leave"
    };
    let entry = |subject: &Account, other: &Account| audit::Entry {
        subject_account_id: Some(subject.id),
        action,
        target_type: Some("account"),
        target_id: Some(other.id.to_string()),
        detail: Some(other.name.clone()),
    };
    let (own, other) = if by_partner { (p, r) } else { (r, p) };
    audit::record_across(
        &mut tx,
        now,
        &who.actor(),
        entry(own, other),
        audit::OtherSide {
            entry: entry(other, own),
            actor_known_as: own.known_as(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Where a reseller stands with the partners of the directory: the partner it resells for, and
/// the partners its waiting requests for partner are addressed to.
pub async fn link_state(
    state: &AppState,
    reseller: AccountId,
) -> AppResult<(Option<(i64, String)>, Vec<i64>)> {
    let linked = partner_of(state, reseller).await?;
    let waiting: Vec<i64> = sqlx::query_scalar(
        "SELECT addressee_id FROM requests WHERE account_id = $1 AND kind = 'reseller_link' AND status = 'pending'",
    )
    .bind(reseller)
    .fetch_all(&state.db.pool)
    .await?;
    Ok((linked, waiting))
}

/// A request for partner of the reseller still waiting for its answer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PendingPartnerRequest {
    #[schema(value_type = i64)]
    pub request_id: RequestId,
    #[schema(value_type = i64)]
    pub partner_id: AccountId,
    pub partner: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// What a reseller sees of its partner: the partner's directory entry and its channels (the
/// content the reseller uses for its own customers), and every request waiting for an answer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MyPartner {
    /// The linked partner, with only the details it chose to show; null without a partner.
    pub partner: Option<DirectoryEntry>,
    pub channels: Vec<crate::areas::channels::Channel>,
    /// Every request for partner still waiting, oldest first.
    pub pending: Vec<PendingPartnerRequest>,
    /// The oldest waiting request (also the first of `pending`).
    pub pending_request_id: Option<i64>,
    /// The partner of the oldest waiting request.
    pub pending_partner: Option<String>,
}

pub async fn my_partner(state: &AppState, who: &Identity) -> AppResult<MyPartner> {
    let r = access::account(state, who, who.view_account_id, Need::Read).await?;
    if r.kind != Kind::Reseller {
        return Err(AppError::forbidden("only resellers have a partner"));
    }
    let rows = sqlx::query(
        "SELECT q.id, q.created_at, a.id AS partner_id, a.name FROM requests q JOIN accounts a ON a.id = q.addressee_id \
         WHERE q.account_id = $1 AND q.kind = 'reseller_link' AND q.status = 'pending' ORDER BY q.created_at, q.id",
    )
    .bind(r.id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut pending = Vec::new();
    for p in &rows {
        pending.push(PendingPartnerRequest {
            request_id: p.try_get("id")?,
            partner_id: p.try_get("partner_id")?,
            partner: p.try_get("name")?,
            created_at: crate::clock::rfc3339(p.try_get("created_at")?),
        });
    }
    let pending_request_id = pending.first().map(|p| p.request_id);
    let pending_partner = pending.first().map(|p| p.partner.clone());
    let Some((pid, name)) = partner_of(state, r.id).await? else {
        return Ok(MyPartner {
            partner: None,
            channels: Vec::new(),
            pending,
            pending_request_id: pending_request_id.map(i64::from),
            pending_partner,
        });
    };
    let settings = load_settings(state, AccountId(pid)).await?;
    Ok(MyPartner {
        partner: Some(DirectoryEntry::from_settings(pid, name, settings)),
        channels: crate::areas::channels::of_accounts(state, &[AccountId(pid)]).await?,
        pending,
        pending_request_id: pending_request_id.map(i64::from),
        pending_partner,
    })
}
