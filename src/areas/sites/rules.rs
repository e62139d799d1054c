//! Sites of a customer: the list, adding, editing, deleting (with the probes that go), the probe
//! settings of the customer, and the site with its probes and enrollment codes.

use super::model::*;
use super::store;
use crate::areas::accounts::Account;
use crate::areas::accounts::AccountId;
use crate::areas::sites::SiteId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::enums::Kind;
use crate::kernel::error::{AppError, AppResult, ErrorCode};
use crate::kernel::query::Page;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;

/// The customer account `id`, reached by the identity with `need`; an account of another kind
/// is refused (409 `not_a_customer`).
pub async fn customer(
    state: &AppState,
    who: &Identity,
    id: AccountId,
    need: Need,
) -> AppResult<Account> {
    let a = access::account(state, who, id, need).await?;
    if a.kind != Kind::Customer {
        return Err(AppError::conflict(
            ErrorCode::NotACustomer,
            format!(
                "{} is a {}: sites and probes belong to customer accounts",
                a.name, a.kind
            ),
        ));
    }
    Ok(a)
}

/// The moment before which a probe's last check-in makes it late, for a customer's settings.
pub(crate) fn late_cut(now: i64, s: &ProbeSettings) -> i64 {
    now - s.late_after_seconds * 1000
}

/// A site the identity reaches with `need` (404 otherwise, the same as a missing one).
pub async fn site(state: &AppState, who: &Identity, id: SiteId, need: Need) -> AppResult<Site> {
    let customer: Option<i64> = sqlx::query_scalar("SELECT customer_id FROM sites WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    let customer = customer.ok_or(AppError::NotFound)?;
    access::account(state, who, AccountId(customer), need).await?;
    let s = store::settings(&state.db.pool, AccountId(customer)).await?;
    store::site(&state.db.pool, id, late_cut(state.now_ms(), &s))
        .await?
        .ok_or(AppError::NotFound)
}

/// The sites of a customer: search (name or address), sort, pages.
pub async fn list(
    state: &AppState,
    who: &Identity,
    customer_id: AccountId,
    f: &SiteFilter,
) -> AppResult<Page<Site>> {
    Ok(list_of(state, who, customer_id, f).await?.2)
}

/// The sites of a customer, with the customer and its probe settings read for them (the page
/// shows all three: each is read once).
pub async fn list_of(
    state: &AppState,
    who: &Identity,
    customer_id: AccountId,
    f: &SiteFilter,
) -> AppResult<(Account, ProbeSettings, Page<Site>)> {
    let c = customer(state, who, customer_id, Need::Read).await?;
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::validation(
            "q",
            "Search text must be at most 100 characters",
        ));
    }
    let sort = f.list_params().sort(&SITE_SORTS, false)?;
    let (page, per_page) = f.list_params().paging();
    let s = store::settings(&state.db.pool, c.id).await?;
    let cut = late_cut(state.now_ms(), &s);
    let count = store::site_list_sql(false, cut, c.id, q);
    let mut sql = store::site_list_sql(true, cut, c.id, q);
    sql.push(&sort.order_by("s.id"))
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    // The total and the page read at once, each on its own connection.
    let (total, rows) = tokio::try_join!(
        count.scalar::<i64>().fetch_one(&state.db.pool),
        sql.query().fetch_all(&state.db.pool)
    )?;
    let page = Page {
        items: rows
            .iter()
            .map(store::site_from_row)
            .collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    };
    Ok((c, s, page))
}

/// A known IANA time zone name (or UTC).
pub fn time_zone(v: &str) -> AppResult<String> {
    let t = v.trim();
    if t.is_empty() {
        return Ok("UTC".into());
    }
    if t.len() > 64 || jiff::tz::TimeZone::get(t).is_err() {
        return Err(AppError::validation(
            "time_zone",
            "Choose a time zone by its name, such as Europe/Amsterdam or UTC",
        ));
    }
    // The name as the database spells it (any case is accepted).
    let canonical = crate::kernel::http::when::zone_names()
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(t))
        .unwrap_or_else(|| t.to_string());
    Ok(canonical)
}

/// Checked fields of a site: every field's error at once.
struct Fields {
    name: Option<String>,
    address: Option<String>,
    time_zone: Option<String>,
    notes: Option<String>,
}

fn check(input: &SiteInput, creating: bool) -> AppResult<Fields> {
    let mut c = validate::Collect::new();
    let name = match (&input.name, creating) {
        (Some(n), _) => c.take(validate::name("name", n, MAX_NAME).map(Some)),
        (None, true) => c.take(validate::name("name", "", MAX_NAME).map(Some)),
        (None, false) => Ok(None),
    };
    let address = input
        .address
        .as_deref()
        .map(|a| c.take(validate::text("address", a, MAX_ADDRESS, false)));
    let time_zone = input.time_zone.as_deref().map(|t| c.take(time_zone(t)));
    let notes = input
        .notes
        .as_deref()
        .map(|n| c.take(validate::text("notes", n, MAX_NOTES, false)));
    c.finish()?;
    Ok(Fields {
        name: name.ok().flatten(),
        address: address.and_then(Result::ok),
        time_zone: time_zone.and_then(Result::ok),
        notes: notes.and_then(Result::ok),
    })
}

fn name_taken(e: sqlx::Error) -> AppError {
    if crate::kernel::db::is_unique_violation(&e) {
        AppError::conflict(
            ErrorCode::NameTaken,
            "This customer has a site of that name already",
        )
    } else {
        e.into()
    }
}

/// Adds a site to a customer (members and up).
pub async fn create(
    state: &AppState,
    who: &Identity,
    customer_id: AccountId,
    input: &SiteInput,
) -> AppResult<Site> {
    let c = customer(state, who, customer_id, Need::Write).await?;
    let f = check(input, true)?;
    let name = f.name.unwrap_or_default();
    let address = f.address.unwrap_or_default();
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sites (tenant_id, customer_id, name, name_folded, address, address_folded, \
         time_zone, notes, created_at, updated_at) \
         SELECT a.tenant_id, a.id, $2, $3, $4, $5, $6, $7, $8, $8 FROM accounts a WHERE a.id = $1 \
         RETURNING id",
    )
    .bind(c.id)
    .bind(&name)
    .bind(crate::kernel::db::search::fold(&name))
    .bind(&address)
    .bind(crate::kernel::db::search::fold(&address))
    .bind(f.time_zone.as_deref().unwrap_or("UTC"))
    .bind(f.notes.as_deref().unwrap_or(""))
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(name_taken)?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(c.id),
            action: "site.create",
            target_type: Some("site"),
            target_id: Some(id.to_string()),
            detail: Some(format!("“{name}”")),
        },
    )
    .await?;
    tx.commit().await?;
    site(state, who, SiteId(id), Need::Read).await
}

/// Changes the fields given of a site (members and up).
pub async fn update(
    state: &AppState,
    who: &Identity,
    id: SiteId,
    input: &SiteInput,
) -> AppResult<Site> {
    let old = site(state, who, id, Need::Write).await?;
    let f = check(input, false)?;
    let name = f.name.unwrap_or(old.name.clone());
    let address = f.address.unwrap_or(old.address.clone());
    let time_zone = f.time_zone.unwrap_or(old.time_zone.clone());
    let notes = f.notes.unwrap_or(old.notes.clone());
    let mut changed = Vec::new();
    if name != old.name {
        changed.push(format!("name “{}” → “{name}”", old.name));
    }
    if address != old.address {
        changed.push("address".to_string());
    }
    if time_zone != old.time_zone {
        changed.push(format!("time zone {} → {time_zone}", old.time_zone));
    }
    if notes != old.notes {
        changed.push("notes".to_string());
    }
    if changed.is_empty() {
        return Ok(old);
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE sites SET name = $1, name_folded = $2, address = $3, address_folded = $4, \
         time_zone = $5, notes = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&name)
    .bind(crate::kernel::db::search::fold(&name))
    .bind(&address)
    .bind(crate::kernel::db::search::fold(&address))
    .bind(&time_zone)
    .bind(&notes)
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
            subject_account_id: Some(old.customer_id),
            action: "site.update",
            target_type: Some("site"),
            target_id: Some(id.to_string()),
            detail: Some(format!("“{}”: {}", old.name, changed.join(", "))),
        },
    )
    .await?;
    tx.commit().await?;
    site(state, who, id, Need::Read).await
}

/// What deleting the sites `ids` of a customer removes (admins and owners): the sites and
/// every probe at them. An id that is not a site of this customer answers 404.
pub async fn deletion_preview(
    state: &AppState,
    who: &Identity,
    customer_id: AccountId,
    ids: &[i64],
) -> AppResult<SitesDeletionPreview> {
    let c = customer(state, who, customer_id, Need::Admin).await?;
    let mut conn = state.db.pool.acquire().await?;
    preview_on(&mut conn, c.id, ids).await
}

async fn preview_on(
    conn: &mut sqlx::AnyConnection,
    customer_id: AccountId,
    ids: &[i64],
) -> AppResult<SitesDeletionPreview> {
    let ids = crate::kernel::http::table::check_ids(ids.to_vec())?;
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let sites: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT id, name FROM sites WHERE customer_id = $1 AND id IN ({list}) ORDER BY name_folded, id"
    ))
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    if sites.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    let probes: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT id, name, site_id FROM probes WHERE site_id IN ({list}) ORDER BY name, id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(SitesDeletionPreview {
        customer_id,
        sites: sites
            .into_iter()
            .map(|(id, name)| Named {
                id,
                name,
                site_id: None,
            })
            .collect(),
        probes: probes
            .into_iter()
            .map(|(id, name, site)| Named {
                id,
                name,
                site_id: Some(SiteId(site)),
            })
            .collect(),
    })
}

/// Deletes the sites `ids` of a customer with their probes and enrollment codes, in one
/// transaction (admins and owners). `confirm_probes` must be the number of probes the preview
/// named, counted again here: nobody deletes more probes than they were shown.
pub async fn delete(
    state: &AppState,
    who: &Identity,
    customer_id: AccountId,
    ids: &[i64],
    confirm_probes: Option<i64>,
) -> AppResult<SitesDeleted> {
    let c = customer(state, who, customer_id, Need::Admin).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    if state.db.backend == crate::kernel::db::Backend::Postgres {
        // Probes moving or enrolling into these sites wait (they lock their site).
        let list = ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if !list.is_empty() {
            sqlx::query(&format!(
                "SELECT id FROM sites WHERE customer_id = $1 AND id IN ({list}) FOR UPDATE"
            ))
            .bind(c.id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let p = preview_on(&mut tx, c.id, ids).await?;
    if confirm_probes != Some(p.probes.len() as i64) {
        return Err(AppError::validation(
            "confirm_probes",
            format!(
                "Deleting {} site(s) removes {} probe(s); confirm with that number of probes",
                p.sites.len(),
                p.probes.len()
            ),
        ));
    }
    let site_ids: Vec<i64> = p.sites.iter().map(|s| s.id).collect();
    store::delete_sites(&mut tx, &site_ids).await?;
    for s in &p.sites {
        let gone: Vec<&str> = p
            .probes
            .iter()
            .filter(|pr| pr.site_id == Some(SiteId(s.id)))
            .map(|pr| pr.name.as_str())
            .collect();
        audit::record(
            &mut tx,
            now,
            &who.actor(),
            audit::Entry {
                subject_account_id: Some(c.id),
                action: "site.delete",
                target_type: Some("site"),
                target_id: Some(s.id.to_string()),
                detail: Some(if gone.is_empty() {
                    format!("“{}” without probes", s.name)
                } else {
                    format!("“{}” with its probe(s) {}", s.name, gone.join(", "))
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(SitesDeleted {
        sites: p.sites.len() as i64,
        probes: p.probes.len() as i64,
    })
}

/// The probe settings of a customer.
pub async fn settings(
    state: &AppState,
    who: &Identity,
    customer_id: AccountId,
) -> AppResult<ProbeSettings> {
    let c = customer(state, who, customer_id, Need::Read).await?;
    Ok(store::settings(&state.db.pool, c.id).await?)
}

/// Checks thresholds: every field's error at once.
pub fn check_settings(s: &ProbeSettings) -> AppResult<()> {
    let mut c = validate::Collect::new();
    if !(10..=3600).contains(&s.interval_seconds) {
        c.add(
            "interval_seconds",
            "The check-in interval is 10 to 3600 seconds",
        );
    }
    if s.late_after_seconds < 2 * s.interval_seconds.max(10) {
        c.add(
            "late_after_seconds",
            "Late after at least twice the check-in interval",
        );
    }
    if s.offline_after_seconds <= s.late_after_seconds || s.offline_after_seconds > 2_592_000 {
        c.add(
            "offline_after_seconds",
            "Offline after more than the late threshold, at most 30 days (2592000 seconds)",
        );
    }
    c.finish()
}

/// Sets the check-in interval and thresholds of a customer's probes (admins and owners).
pub async fn set_settings(
    state: &AppState,
    who: &Identity,
    customer_id: AccountId,
    s: &ProbeSettings,
) -> AppResult<ProbeSettings> {
    let c = customer(state, who, customer_id, Need::Admin).await?;
    check_settings(s)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    store::save_settings(&mut tx, c.id, s, now).await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(c.id),
            action: "settings.probes",
            target_type: Some("account"),
            target_id: Some(c.id.to_string()),
            detail: Some(format!(
                "check in every {} s, late after {} s, offline after {} s",
                s.interval_seconds, s.late_after_seconds, s.offline_after_seconds
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(s.clone())
}

/// A site with its probes, enrollment codes and the thresholds in force.
pub async fn detail(state: &AppState, who: &Identity, id: SiteId) -> AppResult<SiteDetail> {
    let site = site(state, who, id, Need::Read).await?;
    let now = state.now_ms();
    let settings = store::settings(&state.db.pool, site.customer_id).await?;
    Ok(SiteDetail {
        probes: store::probes_of_site(&state.db.pool, id, now, &settings).await?,
        enrollments: store::enrollments_of_site(&state.db.pool, id, now).await?,
        settings,
        site,
    })
}

/// The other sites of the customer of site `id` (where its probes may move), by name.
pub async fn sibling_sites(
    state: &AppState,
    customer_id: AccountId,
    except: SiteId,
) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM sites WHERE customer_id = $1 AND id <> $2 ORDER BY name_folded, id LIMIT 500",
    )
    .bind(customer_id)
    .bind(except)
    .fetch_all(&state.db.pool)
    .await?)
}

/// Inside an account deletion: the sites and probes of the subtree.
pub async fn count_subtree(
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
) -> Result<(i64, i64), sqlx::Error> {
    store::count_subtree(conn, id).await
}

/// Inside an account deletion's transaction: the subtree's sites, probes, enrollment codes and
/// probe settings go.
pub async fn detach_subtree(
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
) -> Result<(), sqlx::Error> {
    store::remove_subtree(conn, id).await
}
