//! What a change in one tree ends or changes in another: the ties between a reseller's tree and
//! a partner's (reseller links, follows of the partner's channels by the reseller's customers,
//! requests for partner) when an account closes, and the directory listing that a waiting
//! request for partner depends on. Each side outside the change reads, in its own audit log,
//! only what it may see (see `audit::record_across`): the other side by the name it knows, none
//! of the other side's logins, addresses or accounts below it.

use super::*;
use crate::areas::accounts;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::accounts::SUBTREE;
use crate::kernel::audit;
use crate::kernel::enums::Kind;
use sqlx::Row as _;

fn link_label() -> &'static str {
    crate::areas::approvals::kind_label("reseller_link")
}

/// A request for partner waiting for a partner of a subtree, from a reseller outside it.
#[derive(Clone, Debug)]
pub(crate) struct Waiting {
    id: i64,
    reseller: i64,
    partner: Party,
    title: String,
    listed: bool,
}

/// The requests for partner waiting for the partners of `root`'s subtree (itself included) from
/// resellers outside it, each with whether its partner is in the directory now.
pub(crate) async fn waiting_for(
    conn: &mut sqlx::AnyConnection,
    root: AccountId,
) -> Result<Vec<Waiting>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT q.id, q.account_id, q.title, p.id AS partner_id, p.kind AS partner_kind, \
         p.name AS partner_name, \
         (SELECT COUNT(*) FROM accounts a LEFT JOIN reseller_settings s ON s.account_id = a.id \
          WHERE a.id = q.addressee_id AND {LISTED}) AS listed \
         FROM requests q JOIN accounts p ON p.id = q.addressee_id \
         WHERE q.kind = 'reseller_link' AND q.status = 'pending' \
         AND q.addressee_id IN {SUBTREE} AND q.account_id NOT IN {SUBTREE} ORDER BY q.id"
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Waiting {
                id: r.try_get("id")?,
                reseller: r.try_get("account_id")?,
                partner: party(r, "partner")?,
                title: r.try_get("title")?,
                listed: r.try_get::<i64, _>("listed")? > 0,
            })
        })
        .collect()
}

/// Records, for each reseller whose waiting request's partner left the directory (or came back
/// to it) between `before` and `after` (`waiting_for` read before and after a change in the
/// partner's tree, in its transaction), that it did: all the reseller may see of the change,
/// whether the partner stopped serving resellers or was set inactive. The request stays waiting
/// (the partner may still answer it); it is withdrawn by itself when the reseller asks another
/// partner. `by` is the account in view of whoever made the change.
pub(crate) async fn note_directory_changes(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    by: &Account,
    before: &[Waiting],
    after: &[Waiting],
) -> Result<(), sqlx::Error> {
    let mut told = Vec::new();
    for w in after {
        if before.iter().all(|b| b.id != w.id || b.listed == w.listed) {
            continue;
        }
        let (action, what) = if w.listed {
            (
                "request.partner_listed",
                "is in the partner directory again; the request waits for its answer",
            )
        } else {
            (
                "request.partner_unlisted",
                "left the partner directory; the request waits, and is withdrawn by itself when you ask another partner",
            )
        };
        told.push(Told {
            actor: w.partner.clone(),
            reader: w.reseller,
            action,
            target: ("request", w.id),
            detail: format!("{}: {}: {} {what}", link_label(), w.title, w.partner.name),
        });
    }
    tell(conn, now, Some(by), told).await
}

/// What a side outside a change reads of it in its own audit log, the actor named by `actor`
/// (the account of the changing side that the reader knows; see `accounts::actor_seen_across`).
struct Told {
    actor: Party,
    reader: i64,
    action: &'static str,
    target: (&'static str, i64),
    detail: String,
}

async fn tell(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    by: Option<&Account>,
    told: Vec<Told>,
) -> Result<(), sqlx::Error> {
    for t in told {
        audit::record(
            &mut *conn,
            now,
            &accounts::actor_seen_across(by, t.actor.kind, &t.actor.name),
            audit::Entry {
                subject_account_id: Some(AccountId(t.reader)),
                action: t.action,
                target_type: Some(t.target.0),
                target_id: Some(t.target.1.to_string()),
                detail: Some(t.detail),
            },
        )
        .await?;
    }
    Ok(())
}

/// One side of a tie between two trees, as the rows name it.
#[derive(Clone, Debug)]
struct Party {
    id: i64,
    kind: Kind,
    name: String,
}

fn party(r: &crate::kernel::db::Row, prefix: &str) -> Result<Party, sqlx::Error> {
    Ok(Party {
        id: r.try_get(format!("{prefix}_id").as_str())?,
        kind: r.try_get(format!("{prefix}_kind").as_str())?,
        name: r.try_get(format!("{prefix}_name").as_str())?,
    })
}

/// Which of a reseller and a partner is inside the subtree of `$1`, for the rows below.
const RESELLER_INSIDE: &str = "(SELECT COUNT(*) FROM account_closure c \
    WHERE c.ancestor_id = $1 AND c.descendant_id = r.id) AS reseller_inside";

/// Exactly one of the two columns is inside the subtree of `$1`.
fn across(a: &str, b: &str) -> String {
    format!(
        "(({a} IN {SUBTREE} AND {b} NOT IN {SUBTREE}) OR ({a} NOT IN {SUBTREE} AND {b} IN {SUBTREE}))"
    )
}

/// Ends, in the transaction that closes (deletes) `root` and every account below it, each tie
/// between that subtree and other trees, and records on every side outside it what it may see:
///
/// - a request for partner waiting between the two is withdrawn; the side outside reads that
///   the other account was closed;
/// - a reseller link ends as "Remove my reseller" ends it (the follows of the partner's channels
///   by the reseller's customers go with it); the side outside reads that its partner, or its
///   reseller, was closed;
/// - follows by customers of the subtree end; a partner whose channel was followed by customers
///   of a reseller it is linked to reads how many of that reseller's customers no longer follow
///   it, never which.
///
/// `by` is the account in view of whoever closes it; `None` for the panel itself (the purge).
pub(crate) async fn close_ties(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    root: AccountId,
    by: Option<&Account>,
) -> Result<(), sqlx::Error> {
    let mut told = Vec::new();
    // Requests for partner waiting across.
    let rows = sqlx::query(&format!(
        "SELECT q.id, q.title, r.id AS reseller_id, r.kind AS reseller_kind, r.name AS reseller_name, \
         p.id AS partner_id, p.kind AS partner_kind, p.name AS partner_name, {RESELLER_INSIDE} \
         FROM requests q JOIN accounts r ON r.id = q.account_id JOIN accounts p ON p.id = q.addressee_id \
         WHERE q.kind = 'reseller_link' AND q.status = 'pending' AND {} \
         AND r.status <> 'deleted' AND p.status <> 'deleted' ORDER BY q.id",
        across("q.account_id", "q.addressee_id")
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let title: String = row.try_get("title")?;
        let (closed, outside, _) = sides(row)?;
        sqlx::query(
            "UPDATE requests SET status = 'withdrawn', decided_at = $1 WHERE id = $2 AND status = 'pending'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        told.push(Told {
            reader: outside.id,
            action: "request.withdraw",
            target: ("request", id),
            detail: format!(
                "{}: {title} (withdrawn automatically: {} was closed)",
                link_label(),
                closed.name
            ),
            actor: closed,
        });
    }

    // Follows through a link that stays (the reseller is outside), by customers that go.
    let rows = sqlx::query(&format!(
        "SELECT ch.id AS channel_id, ch.name AS channel_name, ch.account_id AS partner_id, \
         r.id AS reseller_id, r.kind AS reseller_kind, r.name AS reseller_name, COUNT(*) AS n \
         FROM channel_followers f JOIN channels ch ON ch.id = f.channel_id \
         JOIN account_closure c ON c.descendant_id = f.customer_id \
         JOIN reseller_links l ON l.reseller_id = c.ancestor_id AND l.partner_id = ch.account_id \
         JOIN accounts r ON r.id = l.reseller_id JOIN accounts p ON p.id = ch.account_id \
         WHERE f.customer_id IN {SUBTREE} AND ch.account_id NOT IN {SUBTREE} AND r.id NOT IN {SUBTREE} \
         AND r.status <> 'deleted' AND p.status <> 'deleted' \
         GROUP BY ch.id, ch.name, ch.account_id, r.id, r.kind, r.name ORDER BY ch.id, r.id"
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let reseller = party(row, "reseller")?;
        let name: String = row.try_get("channel_name")?;
        let n: i64 = row.try_get("n")?;
        told.push(Told {
            reader: row.try_get("partner_id")?,
            action: "channel.unfollow",
            target: ("channel", row.try_get("channel_id")?),
            detail: if n == 1 {
                format!(
                    "a customer of {} no longer follows {name}: its account was closed",
                    reseller.name
                )
            } else {
                format!(
                    "{n} customers of {} no longer follow {name}: their accounts were closed",
                    reseller.name
                )
            },
            actor: reseller,
        });
    }

    // Reseller links across.
    let rows = sqlx::query(&format!(
        "SELECT r.id AS reseller_id, r.kind AS reseller_kind, r.name AS reseller_name, \
         p.id AS partner_id, p.kind AS partner_kind, p.name AS partner_name, {RESELLER_INSIDE} \
         FROM reseller_links l JOIN accounts r ON r.id = l.reseller_id JOIN accounts p ON p.id = l.partner_id \
         WHERE {} AND r.status <> 'deleted' AND p.status <> 'deleted' ORDER BY r.id",
        across("l.reseller_id", "l.partner_id")
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let (closed, outside, reseller_closed) = sides(row)?;
        let (reseller, partner) = if reseller_closed {
            (closed.id, outside.id)
        } else {
            (outside.id, closed.id)
        };
        sqlx::query(
            "DELETE FROM channel_followers WHERE channel_id IN (SELECT id FROM channels WHERE account_id = $1) \
             AND customer_id IN (SELECT descendant_id FROM account_closure WHERE ancestor_id = $2)",
        )
        .bind(partner)
        .bind(reseller)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM reseller_links WHERE reseller_id = $1")
            .bind(reseller)
            .execute(&mut *conn)
            .await?;
        told.push(Told {
            reader: outside.id,
            action: "account.delete",
            target: ("account", closed.id),
            detail: if reseller_closed {
                format!("{} was closed: it no longer resells for you", closed.name)
            } else {
                format!(
                    "{} was closed: you no longer resell for it, and its channels are no longer available to your customers",
                    closed.name
                )
            },
            actor: closed,
        });
    }

    // What goes follows nothing, and is followed by nobody.
    sqlx::query(&format!(
        "DELETE FROM channel_followers WHERE customer_id IN {SUBTREE} \
         OR channel_id IN (SELECT id FROM channels WHERE account_id IN {SUBTREE})"
    ))
    .bind(root)
    .execute(&mut *conn)
    .await?;
    tell(conn, now, by, told).await
}

/// The party of a row that is closed (inside the subtree), the one outside it, and whether the
/// closed one is the reseller.
fn sides(r: &crate::kernel::db::Row) -> Result<(Party, Party, bool), sqlx::Error> {
    let (reseller, partner) = (party(r, "reseller")?, party(r, "partner")?);
    Ok(if r.try_get::<i64, _>("reseller_inside")? > 0 {
        (reseller, partner, true)
    } else {
        (partner, reseller, false)
    })
}
