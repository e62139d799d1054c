//! The SQL of sites and probes, nothing else.

use super::model::*;
use crate::areas::accounts::AccountId;
use crate::areas::sites::EnrollmentId;
use crate::areas::sites::ProbeId;
use crate::areas::sites::SiteId;
use crate::kernel::db::Row;
use crate::kernel::query::Sql;
use sqlx::Row as _;

pub(crate) const SITE_COLUMNS: &str = "s.id, s.customer_id, a.name AS customer_name, s.name, \
    s.address, s.time_zone, s.notes, s.created_at, s.updated_at";

/// The probe counts of a site: all, and those online since `$late_cut` (a bound parameter).
fn counts(late_cut: &str) -> String {
    format!(
        ", (SELECT COUNT(*) FROM probes p WHERE p.site_id = s.id) AS probe_count, \
         (SELECT COUNT(*) FROM probes p WHERE p.site_id = s.id AND p.enabled = 1 \
          AND p.last_seen_at >= {late_cut}) AS online_count"
    )
}

pub(crate) const SITE_FROM: &str = " FROM sites s JOIN accounts a ON a.id = s.customer_id";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn site_from_row(r: &Row) -> Result<Site, sqlx::Error> {
    Ok(Site {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        name: r.try_get("name")?,
        address: r.try_get("address")?,
        time_zone: r.try_get("time_zone")?,
        notes: r.try_get("notes")?,
        probes: r.try_get("probe_count")?,
        probes_online: r.try_get("online_count")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        updated_at: crate::clock::rfc3339(r.try_get("updated_at")?),
    })
}

/// One site with its counts (probes online since `late_cut`).
pub(crate) async fn site(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    id: SiteId,
    late_cut: i64,
) -> Result<Option<Site>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {SITE_COLUMNS}{}{SITE_FROM} WHERE s.id = $2",
        counts("$1")
    ))
    .bind(late_cut)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(site_from_row).transpose()
}

/// The filtered sites of a customer: the WHERE (after `SELECT …`), for a page or a count.
pub(crate) fn site_list_sql(
    select_counts: bool,
    late_cut: i64,
    customer: AccountId,
    q: Option<&str>,
) -> Sql {
    let mut sql = Sql::new("SELECT ");
    if select_counts {
        sql.push(SITE_COLUMNS);
        sql.push(", (SELECT COUNT(*) FROM probes p WHERE p.site_id = s.id) AS probe_count, \
             (SELECT COUNT(*) FROM probes p WHERE p.site_id = s.id AND p.enabled = 1 AND p.last_seen_at >= ")
            .int(late_cut)
            .push(") AS online_count");
        sql.push(SITE_FROM);
    } else {
        sql.push("COUNT(*) FROM sites s");
    }
    sql.push(" WHERE s.customer_id = ").int(customer);
    if let Some(q) = q {
        let pattern = crate::kernel::query::like_contains(&crate::kernel::db::search::fold(q));
        sql.push(" AND (s.name_folded LIKE ")
            .str(&pattern)
            .push(" ESCAPE '\\' OR s.address_folded LIKE ")
            .str(&pattern)
            .push(" ESCAPE '\\')");
    }
    sql
}

pub(crate) const PROBE_COLUMNS: &str = "p.id, p.site_id, s.name AS site_name, p.customer_id, \
    p.name, p.host, p.version, p.enabled, p.last_seen_at, p.enrolled_at, p.token_prefix";

pub(crate) const PROBE_FROM: &str = " FROM probes p JOIN sites s ON s.id = p.site_id";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; some fields follow from the clock.
pub(crate) fn probe_from_row(
    r: &Row,
    now: i64,
    settings: &ProbeSettings,
) -> Result<Probe, sqlx::Error> {
    let enabled = r.try_get::<i64, _>("enabled")? == 1;
    let last: Option<i64> = r.try_get("last_seen_at")?;
    Ok(Probe {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        site_name: r.try_get("site_name")?,
        customer_id: r.try_get("customer_id")?,
        name: r.try_get("name")?,
        host: r.try_get("host")?,
        version: r.try_get("version")?,
        enabled,
        status: ProbeStatus::of(enabled, last, now, settings),
        last_seen_at: last.map(crate::clock::rfc3339),
        enrolled_at: crate::clock::rfc3339(r.try_get("enrolled_at")?),
        token_prefix: r.try_get("token_prefix")?,
        last_seen_ms: last,
    })
}

/// The probe settings of a customer (the defaults when it has none).
pub(crate) async fn settings(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    customer: AccountId,
) -> Result<ProbeSettings, sqlx::Error> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT interval_seconds, late_after_seconds, offline_after_seconds FROM probe_settings \
         WHERE customer_id = $1",
    )
    .bind(customer)
    .fetch_optional(conn)
    .await?;
    Ok(row
        .map(|(i, l, o)| ProbeSettings {
            interval_seconds: i,
            late_after_seconds: l,
            offline_after_seconds: o,
        })
        .unwrap_or_default())
}

pub(crate) async fn save_settings(
    conn: &mut sqlx::AnyConnection,
    customer: AccountId,
    s: &ProbeSettings,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO probe_settings (customer_id, interval_seconds, late_after_seconds, \
         offline_after_seconds, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (customer_id) DO UPDATE SET interval_seconds = $2, late_after_seconds = $3, \
         offline_after_seconds = $4, updated_at = $5",
    )
    .bind(customer)
    .bind(s.interval_seconds)
    .bind(s.late_after_seconds)
    .bind(s.offline_after_seconds)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The probes of a site, by name.
pub(crate) async fn probes_of_site(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    site: SiteId,
    now: i64,
    settings: &ProbeSettings,
) -> Result<Vec<Probe>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {PROBE_COLUMNS}{PROBE_FROM} WHERE p.site_id = $1 ORDER BY p.name, p.id"
    ))
    .bind(site)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| probe_from_row(r, now, settings))
        .collect()
}

pub(crate) async fn probe(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    id: ProbeId,
    now: i64,
    settings: &ProbeSettings,
) -> Result<Option<Probe>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {PROBE_COLUMNS}{PROBE_FROM} WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref()
        .map(|r| probe_from_row(r, now, settings))
        .transpose()
}

/// The customer a probe belongs to.
pub(crate) async fn probe_customer(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    id: ProbeId,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT customer_id FROM probes WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub(crate) const ENROLLMENT_COLUMNS: &str = "e.id, e.site_id, e.code_prefix, e.created_at, \
    e.expires_at, e.used_at, e.probe_id, e.revoked_at";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; some fields follow from the clock.
pub(crate) fn enrollment_from_row(r: &Row, now: i64) -> Result<Enrollment, sqlx::Error> {
    let used: Option<i64> = r.try_get("used_at")?;
    let revoked: Option<i64> = r.try_get("revoked_at")?;
    let expires: i64 = r.try_get("expires_at")?;
    let state = if used.is_some() {
        EnrollmentState::Used
    } else if revoked.is_some() {
        EnrollmentState::Revoked
    } else if expires <= now {
        EnrollmentState::Expired
    } else {
        EnrollmentState::Active
    };
    Ok(Enrollment {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        code_prefix: r.try_get("code_prefix")?,
        state,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        expires_at: crate::clock::rfc3339(expires),
        used_at: used.map(crate::clock::rfc3339),
        probe_id: r.try_get("probe_id")?,
        revoked_at: revoked.map(crate::clock::rfc3339),
    })
}

/// The enrollment codes of a site, newest first (the 50 latest).
pub(crate) async fn enrollments_of_site(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    site: SiteId,
    now: i64,
) -> Result<Vec<Enrollment>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ENROLLMENT_COLUMNS} FROM probe_enrollments e WHERE e.site_id = $1 \
         ORDER BY e.created_at DESC, e.id DESC LIMIT 50"
    ))
    .bind(site)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| enrollment_from_row(r, now)).collect()
}

pub(crate) async fn enrollment(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    id: EnrollmentId,
    now: i64,
) -> Result<Option<Enrollment>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ENROLLMENT_COLUMNS} FROM probe_enrollments e WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref()
        .map(|r| enrollment_from_row(r, now))
        .transpose()
}

/// Removes the sites `ids` with their probes and enrollment codes.
pub(crate) async fn delete_sites(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    for sql in [
        format!("DELETE FROM probe_enrollments WHERE site_id IN ({list})"),
        format!("DELETE FROM probes WHERE site_id IN ({list})"),
        format!("DELETE FROM sites WHERE id IN ({list})"),
    ] {
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

const SUBTREE: &str = "(SELECT descendant_id FROM account_closure WHERE ancestor_id = $1)";

/// The sites and probes of a subtree (for the account deletion's preview).
pub(crate) async fn count_subtree(
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
) -> Result<(i64, i64), sqlx::Error> {
    let sites: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM sites WHERE customer_id IN {SUBTREE}"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let probes: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM probes WHERE customer_id IN {SUBTREE}"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((sites, probes))
}

/// Removes the sites, probes, enrollment codes and probe settings of a subtree.
pub(crate) async fn remove_subtree(
    conn: &mut sqlx::AnyConnection,
    id: AccountId,
) -> Result<(), sqlx::Error> {
    for table in ["probe_enrollments", "probes", "sites", "probe_settings"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE customer_id IN {SUBTREE}"
        ))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
