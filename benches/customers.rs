//! Benchmark of customers, sites and probes at scale: a partner with BENCH_CUSTOMERS customers
//! (default 10,000), BENCH_SITES sites (default 50,000; BENCH_BIG_SITES of them, default 5,000,
//! at one big customer, the rest spread over the others) and BENCH_PROBES probes (default
//! 100,000, spread over the sites).
//!
//! 1. The customer list as the partner's owner (`/customers` and `/api/v1/customers`, first page
//!    of 25): by name (the default), by date added (newest first), by email, and a search; each
//!    beside the bare SQL that reads the same 25 rows and the total the page shows (the rollup
//!    row without a search, a count of the matches with one).
//! 2. The sites list of a typical customer and of the big one (`/accounts/{id}/sites` and
//!    `/api/v1/accounts/{id}/sites`), by name, by date added and a search, beside its bare SQL
//!    (the rows with their probe counts, and the count of the sites).
//! 3. Probe check-ins over HTTP (`/probe/v1/check-in`, the simulator in `benches/sim`): every
//!    probe checks in once, BENCH_CONCURRENCY (default 64) in flight, within the interval (no
//!    write expected) and once the interval has passed (the server's clock moved; one write
//!    each). Database writes per check-in are counted from the rows that changed.
//!
//!   cargo bench --bench customers                       # SQLite, target/bench-data/
//!   BENCH_CUSTOMERS=2000 BENCH_SITES=10000 BENCH_PROBES=20000 cargo bench --bench customers
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench_customers cargo bench --bench customers
//!
//! The database is made afresh on every run. The partner, its owner login, the big customer
//! (with its rebrand, the wizard's one call), a few sites and probes (an enrollment code each,
//! enrolled over the probe protocol) go through the API; the rest is written with multi-row
//! INSERTs of the same shapes the panel writes (accounts with their path, closure and rollup
//! rows; sites; probes with the hash of a known token). BENCH_ITERATIONS (default 100) rounds
//! per list figure (the bare SQL, the page and the API call in turn, after 20 rounds to warm
//! up); a figure over 2× its bare SQL and more than 1 ms above it is flagged.

#[path = "sim/mod.rs"]
mod sim;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use partner_panel::{
    clock::Clock,
    config::{Config, Secret},
    kernel::db::search,
    kernel::secrets,
    state::AppState,
};
use serde_json::{json, Value};
use sqlx::Row as _;

const ADMIN: &str = "bench-operator@panel.test";
const ADMIN_PW: &str = "bench-password-1";
const OWNER: &str = "owner@bench-customers.test";
const OWNER_PW: &str = "bench-password-2";
/// Customers (after the big one) enrolled through the API and the probe protocol.
const VIA_API: usize = 3;
/// The rows of a list page.
const PER_PAGE: usize = 25;

const PREFIXES: [&str; 20] = [
    "Alpine", "Harbor", "Summit", "Cedar", "Maple", "Northern", "Silver", "Golden", "River", "Oak",
    "Pine", "Lake", "Stone", "Bright", "Blue", "Green", "Red", "Urban", "Coastal", "Metro",
];
const TRADES: [&str; 10] = [
    "Dental", "Bakery", "Fitness", "Pharmacy", "Motors", "Books", "Café", "Hotel", "Optics",
    "Florist",
];
const CITIES: [&str; 25] = [
    "Lisbon", "Oslo", "Porto", "Lyon", "Graz", "Turin", "Ghent", "Basel", "Malmö", "Kraków",
    "İzmir", "Zürich", "Córdoba", "Bergen", "Tallinn", "Vilnius", "Aarhus", "Bilbao", "Split",
    "Brno", "Gdańsk", "Cluj", "Tartu", "Linz", "Namur",
];
const STREETS: [&str; 8] = [
    "Main Street",
    "Station Road",
    "Harbour Lane",
    "Market Square",
    "Church Street",
    "Mill Road",
    "Park Avenue",
    "High Street",
];
const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Lisbon",
    "Europe/Oslo",
    "Europe/Zurich",
    "Europe/Warsaw",
];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mix(i: usize) -> usize {
    (i as u64).wrapping_mul(2_654_435_761) as usize % 1_000_003
}

fn customer_name(i: usize) -> String {
    let h = mix(i);
    format!(
        "{} {} {} {i:05}",
        PREFIXES[h % 20],
        TRADES[(h / 20) % 10],
        CITIES[(h / 200) % 25]
    )
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The token of bulk probe `i`: shaped as the panel makes them (`ppp_` and 48 hex digits).
fn probe_token(i: usize) -> String {
    format!(
        "ppp_{}",
        &secrets::token_hash(&format!("bench-probe-{i}"))[..48]
    )
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Times the bare SQL, the page and the API call `n` times each, in turn (so a machine shared
/// with other work slows all three alike), after 20 rounds to warm up (pooled connections,
/// prepared statements, the page cache).
async fn time_three<A, FA, B, FB, C, FC>(
    n: usize,
    mut floor: A,
    mut page: B,
    mut api: C,
) -> [Vec<Duration>; 3]
where
    A: FnMut() -> FA,
    FA: std::future::Future<Output = ()>,
    B: FnMut() -> FB,
    FB: std::future::Future<Output = ()>,
    C: FnMut() -> FC,
    FC: std::future::Future<Output = ()>,
{
    for _ in 0..20 {
        floor().await;
        page().await;
        api().await;
    }
    let mut out = [
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    ];
    for _ in 0..n {
        let t = Instant::now();
        floor().await;
        out[0].push(t.elapsed());
        let t = Instant::now();
        page().await;
        out[1].push(t.elapsed());
        let t = Instant::now();
        api().await;
        out[2].push(t.elapsed());
    }
    out
}

async fn session(base: &str, email: &str, password: &str) -> (reqwest::Client, String) {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "sign in as {email}: {}",
        r.status()
    );
    let v: Value = r.json().await.unwrap();
    let csrf = v["csrf_token"].as_str().unwrap_or_default().to_string();
    (c, csrf)
}

async fn post(c: &(reqwest::Client, String), url: String, body: Value) -> Value {
    let r =
        c.0.post(&url)
            .header("x-csrf-token", &c.1)
            .json(&body)
            .send()
            .await
            .unwrap();
    let st = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(st.is_success(), "{url}: {st} {v}");
    v
}

/// Runs multi-row INSERTs of `rows` (each a parenthesised VALUES tuple) `per` at a time.
async fn bulk(state: &AppState, head: &str, rows: &[String], per: usize) {
    for chunk in rows.chunks(per) {
        let sql = format!("{head} VALUES {}", chunk.join(","));
        let mut tx = state.db.begin().await.unwrap();
        sqlx::raw_sql(&sql)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{e}: {}", &sql[..sql.len().min(300)]));
        tx.commit().await.unwrap();
    }
}

async fn exec(state: &AppState, sql: &str) {
    let mut tx = state.db.begin().await.unwrap();
    sqlx::raw_sql(sql)
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", &sql[..sql.len().min(300)]));
    tx.commit().await.unwrap();
}

/// The ids of a list answer (`items[].id`).
fn ids_of(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// The bare SQL of a customer list page: the same 25 rows with the same columns.
fn customers_sql(order: &str, search: bool) -> String {
    format!(
        "SELECT a.id, a.name, a.email, a.status, a.parent_id AS owner_id, p.name AS owner_name, \
         p.kind AS owner_kind, a.created_at, \
         (SELECT COUNT(*) FROM logins l WHERE l.account_id = a.id) AS logins, \
         (SELECT COUNT(*) FROM brands b WHERE b.account_id = a.id) AS rebranded \
         FROM accounts a JOIN accounts p ON p.id = a.parent_id \
         WHERE a.parent_id = $1 AND a.kind = 'customer' AND a.status <> 'deleted'{} \
         ORDER BY {order} LIMIT {PER_PAGE}",
        if search {
            " AND (a.name_folded LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(a.email, '')) LIKE $2 ESCAPE '\\')"
        } else {
            ""
        }
    )
}

/// The bare SQL of a customer list's total: the rollup row without a search (what the data
/// model keeps for it), a count of the matches with one.
fn customers_total_sql(search: bool) -> String {
    if search {
        "SELECT COUNT(*) FROM accounts a WHERE a.parent_id = $1 AND a.kind = 'customer' \
         AND a.status <> 'deleted' AND (a.name_folded LIKE $2 ESCAPE '\\' \
         OR LOWER(COALESCE(a.email, '')) LIKE $2 ESCAPE '\\')"
            .into()
    } else {
        "SELECT CAST(COALESCE(SUM(direct), 0) AS BIGINT) FROM account_rollup \
         WHERE account_id = $1 AND kind = 'customer'"
            .into()
    }
}

/// The bare SQL of a sites list's total.
fn sites_total_sql(search: bool) -> String {
    format!(
        "SELECT COUNT(*) FROM sites s WHERE s.customer_id = $1{}",
        if search {
            " AND (s.name_folded LIKE $2 ESCAPE '\\' OR s.address_folded LIKE $2 ESCAPE '\\')"
        } else {
            ""
        }
    )
}

/// The bare SQL of a sites list page: the same rows with their probe counts.
fn sites_sql(order: &str, search: bool) -> String {
    format!(
        "SELECT s.id, s.customer_id, a.name AS customer_name, s.name, s.address, s.time_zone, \
         s.notes, s.created_at, s.updated_at, \
         (SELECT COUNT(*) FROM probes p WHERE p.site_id = s.id) AS probe_count, \
         (SELECT COUNT(*) FROM probes p WHERE p.site_id = s.id AND p.enabled = 1 \
          AND p.last_seen_at >= $2) AS online_count \
         FROM sites s JOIN accounts a ON a.id = s.customer_id WHERE s.customer_id = $1{} \
         ORDER BY {order} LIMIT {PER_PAGE}",
        if search {
            " AND (s.name_folded LIKE $3 ESCAPE '\\' OR s.address_folded LIKE $3 ESCAPE '\\')"
        } else {
            ""
        }
    )
}

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    (pct(&mut v, 0.5), pct(&mut v, 0.95))
}

fn print_head(title: &str) {
    println!(
        "\n{title:<50} {:>19} {:>19} {:>7}",
        "p50/p95", "bare SQL p50/p95", "× SQL"
    );
}

fn print_row(name: &str, d: Vec<Duration>, floor: (f64, f64)) {
    let (a50, a95) = stats(d);
    let (f50, f95) = floor;
    let ratio = a50 / f50.max(0.001);
    let flag = if ratio > 2.0 && a50 - f50 > 1.0 {
        "  <-- over 2×"
    } else {
        ""
    };
    println!("  {name:<48} {a50:>8.2}/{a95:<7.2}ms {f50:>8.2}/{f95:<7.2}ms {ratio:>6.1}×{flag}");
}

/// Every probe checks in once, `concurrency` at a time (each task takes the next probe). The
/// status and `recorded` of each, each answer's time, and the wall time.
async fn check_in_round(
    probes: &Arc<Vec<sim::Probe>>,
    base: &str,
    concurrency: usize,
    body: &Value,
) -> (Vec<(u16, Option<bool>)>, Vec<Duration>, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (c, probes, next, base, body) = (
            client.clone(),
            probes.clone(),
            next.clone(),
            base.to_string(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = probes.get(i) else { break };
                let (st, recorded, took) = p.check_in(&c, &base, &body).await;
                out.push((st.as_u16(), recorded));
                times.push(took);
            }
            (out, times)
        }));
    }
    let mut answers = Vec::with_capacity(probes.len());
    let mut times = Vec::with_capacity(probes.len());
    for t in tasks {
        let (a, d) = t.await.unwrap();
        answers.extend(a);
        times.extend(d);
    }
    (answers, times, started.elapsed())
}

/// What a check-in may write of every probe, by id.
async fn probe_rows(state: &AppState) -> Vec<(i64, Option<i64>, String, String)> {
    sqlx::query_as("SELECT id, last_seen_at, version, host FROM probes ORDER BY id")
        .fetch_all(&state.db.pool)
        .await
        .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n_customers = env("BENCH_CUSTOMERS", 10_000).max(VIA_API + 10);
    let n_sites = env("BENCH_SITES", 50_000).max(2 * n_customers);
    let big_sites = env("BENCH_BIG_SITES", 5_000).min(n_sites / 2);
    let n_probes = env("BENCH_PROBES", 100_000).max(n_sites);
    let iters = env("BENCH_ITERATIONS", 100).max(1);
    let concurrency = env("BENCH_CONCURRENCY", 64).max(1);
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("customers-{n_customers}.db"));
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", file.display()));
        }
        format!("sqlite://{}", file.display())
    });
    if url.starts_with("postgres") {
        use sqlx::Connection;
        let (base, name) = url.rsplit_once('/').unwrap();
        let mut c = sqlx::PgConnection::connect(&format!("{base}/postgres"))
            .await
            .expect("connect to PostgreSQL");
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .unwrap();
    }
    let mut config = Config::for_database(&url);
    config.admin_email = Some(ADMIN.into());
    config.admin_password = Some(Secret::new(ADMIN_PW));
    config.run_worker = false;
    config.access_log = partner_panel::config::AccessLog::Off;
    let state = partner_panel::build(config, Clock::default())
        .await
        .expect("build");
    partner_panel::bootstrap(&state).await.expect("bootstrap");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(partner_panel::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let pool = state.db.pool.clone();

    // ---- the data: the partner, its owner and the first customers through the API ----
    let t = Instant::now();
    let op = session(&base, ADMIN, ADMIN_PW).await;
    let partner = post(
        &op,
        format!("{base}/api/v1/accounts/1/children"),
        json!({"kind": "partner", "name": "Bench Customers Partner"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post(
        &op,
        format!("{base}/api/v1/accounts/{partner}/logins"),
        json!({"email": OWNER, "name": "Bench Owner", "password": OWNER_PW, "role": "owner"}),
    )
    .await;
    let owner = session(&base, OWNER, OWNER_PW).await;
    let mut customers: Vec<i64> = Vec::with_capacity(n_customers);
    for i in 0..=VIA_API {
        let mut body =
            json!({"name": customer_name(i), "email": format!("c{i:05}@customers.example")});
        if i == 0 {
            body["brand"] = json!({"display_name": "Big Customer Screens", "primary_color": "#0a5",
                "support_email": "help@big-customer.example"});
        }
        let v = post(&owner, format!("{base}/api/v1/customers"), body).await;
        customers.push(v["customer"]["id"].as_i64().unwrap());
    }
    let big = customers[0];
    // A site of each and a probe there, enrolled with a code over the probe protocol.
    let client = reqwest::Client::new();
    let mut enrolled = Vec::new();
    for (k, c) in customers.iter().enumerate() {
        let site = post(
            &owner,
            format!("{base}/api/v1/accounts/{c}/sites"),
            json!({"name": format!("Site {} {k}", CITIES[k % 25]), "address": format!("{k} Main Street"),
                   "time_zone": "Europe/Lisbon"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let code = post(
            &owner,
            format!("{base}/api/v1/sites/{site}/enrollments"),
            json!({}),
        )
        .await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let mut p = sim::Probe::new(&format!("probe-api-{k}"));
        let (st, v) = p
            .enroll(&client, &base, &code, &format!("host-{k}.lan"), "2.4.0")
            .await;
        assert_eq!(st.as_u16(), 201, "enroll: {v}");
        enrolled.push(p);
    }

    // ---- the rest in bulk: customers (accounts, their path, closure and rollup rows) ----
    let now = state.now_ms();
    let (partner_path, partner_depth): (String, i64) =
        sqlx::query_as("SELECT path, depth FROM accounts WHERE id = $1")
            .bind(partner)
            .fetch_one(&pool)
            .await
            .unwrap();
    let before_max: i64 = sqlx::query_scalar("SELECT MAX(id) FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    let rows: Vec<String> = (VIA_API + 1..n_customers)
        .map(|i| {
            let name = customer_name(i);
            let created = now - (n_customers - i) as i64 * 60_000;
            format!(
                "({partner}, 'customer', {}, {}, 'c{i:05}@customers.example', {}, {partner}, {created}, {created})",
                lit(&name),
                lit(&search::fold(&name)),
                partner_depth + 1,
            )
        })
        .collect();
    bulk(
        &state,
        "INSERT INTO accounts (parent_id, kind, name, name_folded, email, depth, tenant_id, created_at, updated_at)",
        &rows,
        500,
    )
    .await;
    exec(
        &state,
        &format!(
            "UPDATE accounts SET path = {} || CAST(id AS TEXT) || '/' WHERE parent_id = {partner} AND id > {before_max}",
            lit(&partner_path)
        ),
    )
    .await;
    exec(
        &state,
        &format!(
            "INSERT INTO account_closure (ancestor_id, descendant_id, depth) \
             SELECT c.ancestor_id, a.id, c.depth + 1 FROM accounts a JOIN account_closure c ON c.descendant_id = a.parent_id \
             WHERE a.parent_id = {partner} AND a.id > {before_max} \
             UNION ALL SELECT a.id, a.id, 0 FROM accounts a WHERE a.parent_id = {partner} AND a.id > {before_max}"
        ),
    )
    .await;
    exec(
        &state,
        &format!(
            "INSERT INTO account_rollup (account_id, kind, direct, total) \
             SELECT c.ancestor_id, 'customer', SUM(CASE WHEN c.depth = 1 THEN 1 ELSE 0 END), COUNT(*) \
             FROM account_closure c WHERE c.descendant_id > {before_max} AND c.depth > 0 GROUP BY c.ancestor_id \
             ON CONFLICT (account_id, kind) DO UPDATE SET direct = account_rollup.direct + excluded.direct, \
             total = account_rollup.total + excluded.total"
        ),
    )
    .await;
    let bulk_ids: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM accounts WHERE parent_id = {partner} AND id > {before_max} ORDER BY id"
    ))
    .fetch_all(&pool)
    .await
    .unwrap();
    customers.extend(&bulk_ids);
    // A viewer login for one customer in five (the list counts them).
    let hash = state.hasher.hash("bench-password-3").await.unwrap();
    let rows: Vec<String> = customers
        .iter()
        .skip(VIA_API + 1)
        .step_by(5)
        .map(|c| {
            format!(
                "({c}, 'viewer{c}@customers.example', 'Viewer {c}', {}, 'viewer', {now}, {now}, {now})",
                lit(&hash)
            )
        })
        .collect();
    bulk(
        &state,
        "INSERT INTO logins (account_id, email, name, password_hash, role, created_at, updated_at, password_changed_at)",
        &rows,
        500,
    )
    .await;

    // ---- sites: the big customer's, then the others' in turn ----
    let have_sites = VIA_API + 1;
    let mut site_rows = Vec::with_capacity(n_sites);
    for j in 0..n_sites.saturating_sub(have_sites) {
        let c = if j < big_sites - 1 {
            big
        } else {
            customers[1 + (j - (big_sites - 1)) % (customers.len() - 1)]
        };
        let city = CITIES[mix(j + 7) % 25];
        let name = format!("Site {city} {j:05}");
        let address = format!("{} {}, {city}", 1 + j % 200, STREETS[j % 8]);
        let created = now - (n_sites - j) as i64 * 1000;
        site_rows.push(format!(
            "({partner}, {c}, {}, {}, {}, {}, '{}', '', {created}, {created})",
            lit(&name),
            lit(&search::fold(&name)),
            lit(&address),
            lit(&search::fold(&address)),
            ZONES[j % 5],
        ));
    }
    bulk(
        &state,
        "INSERT INTO sites (tenant_id, customer_id, name, name_folded, address, address_folded, time_zone, notes, created_at, updated_at)",
        &site_rows,
        500,
    )
    .await;
    drop(site_rows);

    // ---- probes: over the sites in turn, each with the hash of a known token ----
    let sites: Vec<(i64, i64)> = sqlx::query_as("SELECT id, customer_id FROM sites ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    let n_bulk_probes = n_probes.saturating_sub(enrolled.len());
    let mut probe_rows_sql = Vec::with_capacity(n_bulk_probes);
    let mut probes: Vec<sim::Probe> = enrolled;
    for i in 0..n_bulk_probes {
        let (site, customer) = sites[i % sites.len()];
        let token = probe_token(i);
        probe_rows_sql.push(format!(
            "({partner}, {customer}, {site}, 'probe-{i:06}', 'host-{i:06}.lan', '2.4.0', '{}', '{}', 1, {now}, {now}, {now})",
            secrets::token_hash(&token),
            &token[..8],
        ));
        probes.push(sim::Probe::with_token(&format!("probe-{i:06}"), &token));
    }
    bulk(
        &state,
        "INSERT INTO probes (tenant_id, customer_id, site_id, name, host, version, token_hash, token_prefix, enabled, last_seen_at, enrolled_at, updated_at)",
        &probe_rows_sql,
        500,
    )
    .await;
    drop(probe_rows_sql);
    if state.db.backend == partner_panel::kernel::db::Backend::Sqlite {
        sqlx::raw_sql("INSERT INTO account_names (account_names) VALUES ('optimize')")
            .execute(&pool)
            .await
            .unwrap();
    }
    // Statistics for the planner; on PostgreSQL also the vacuum autovacuum would start on
    // the new rows in the middle of the measurements.
    let analyze = if state.db.backend == partner_panel::kernel::db::Backend::Postgres {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    sqlx::raw_sql(analyze).execute(&pool).await.unwrap();
    let count = |sql: String| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let typical = customers[customers.len() / 2];
    let typical_sites = count(format!(
        "SELECT COUNT(*) FROM sites WHERE customer_id = {typical}"
    ))
    .await;
    let big_sites_n = count(format!(
        "SELECT COUNT(*) FROM sites WHERE customer_id = {big}"
    ))
    .await;
    println!(
        "customers bench on {} ({} profile): partner {partner} with {} customers, {} sites, {} probes, written in {:.1} s",
        state.db.backend_name(),
        if cfg!(debug_assertions) { "debug" } else { "release" },
        count(format!(
            "SELECT COUNT(*) FROM accounts WHERE parent_id = {partner} AND kind = 'customer'"
        ))
        .await,
        count("SELECT COUNT(*) FROM sites".into()).await,
        count("SELECT COUNT(*) FROM probes".into()).await,
        t.elapsed().as_secs_f64()
    );
    println!(
        "  big customer {big}: {big_sites_n} sites, {} probes · typical customer {typical}: {typical_sites} sites, {} probes",
        count(format!("SELECT COUNT(*) FROM probes WHERE customer_id = {big}")).await,
        count(format!("SELECT COUNT(*) FROM probes WHERE customer_id = {typical}")).await,
    );

    let owner_c = owner.0.clone();
    let get = |path: String| {
        let url = format!("{base}{path}");
        let c = owner_c.clone();
        async move {
            let r = c.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            let _ = r.bytes().await.unwrap();
        }
    };
    let get_json = |path: String| {
        let url = format!("{base}{path}");
        let c = owner_c.clone();
        async move {
            let r = c.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };

    // ---- 1. the customer list ----
    print_head(&format!(
        "customers of the partner ({} rows a page)",
        PER_PAGE
    ));
    let cases: [(&str, &str, &str, Option<&str>); 4] = [
        ("by name (default)", "", "a.name, a.id", None),
        (
            "by date added, newest first",
            "sort=created&dir=desc",
            "a.created_at DESC, a.id DESC",
            None,
        ),
        (
            "by email",
            "sort=email",
            "COALESCE(a.email, ''), a.id",
            None,
        ),
        (
            "search \"lisbon\", by name",
            "q=lisbon",
            "a.name, a.id",
            Some("lisbon"),
        ),
    ];
    for (name, query, order, q) in cases {
        let sql = customers_sql(order, q.is_some());
        let total_sql = customers_total_sql(q.is_some());
        let pattern = q.map(|q| search::like_pattern(&search::fold(q)));
        let read = || {
            let (pool, sql, total_sql, pattern) = (
                pool.clone(),
                sql.clone(),
                total_sql.clone(),
                pattern.clone(),
            );
            async move {
                let mut qy = sqlx::query(&sql).bind(partner);
                let mut qt = sqlx::query_scalar::<_, i64>(&total_sql).bind(partner);
                if let Some(p) = pattern {
                    qy = qy.bind(p.clone());
                    qt = qt.bind(p);
                }
                let rows = qy.fetch_all(&pool).await.unwrap();
                let total = qt.fetch_one(&pool).await.unwrap();
                let ids = rows
                    .iter()
                    .map(|r| r.try_get::<i64, _>("id").unwrap())
                    .collect::<Vec<i64>>();
                (ids, total)
            }
        };
        // The same rows and total as the API answers.
        let v = get_json(format!("/api/v1/customers?{query}")).await;
        let api_ids = ids_of(&v);
        assert_eq!(
            read().await,
            (api_ids.clone(), v["total"].as_i64().unwrap()),
            "customers {name}: the bare SQL reads other rows"
        );
        assert!(!api_ids.is_empty(), "customers {name}: no rows");
        let [floor, page, api] = time_three(
            iters,
            || async {
                read().await;
            },
            || get(format!("/customers?{query}")),
            || get(format!("/api/v1/customers?{query}")),
        )
        .await;
        let floor = stats(floor);
        print_row(&format!("{name}: page"), page, floor);
        print_row(&format!("{name}: API"), api, floor);
    }

    // ---- 2. the sites list of a typical customer and of the big one ----
    let late_cut = || state.now_ms() - 180_000;
    for (who, c, n) in [
        ("typical customer", typical, typical_sites),
        ("big customer", big, big_sites_n),
    ] {
        print_head(&format!("sites of the {who} ({n} sites)"));
        let mut cases: Vec<(&str, &str, &str, Option<&str>)> =
            vec![("by name (default)", "", "s.name_folded, s.id", None)];
        if c == big {
            cases.push((
                "by date added, newest first",
                "sort=created&dir=desc",
                "s.created_at DESC, s.id DESC",
                None,
            ));
            cases.push((
                "search \"oslo\", by name",
                "q=oslo",
                "s.name_folded, s.id",
                Some("oslo"),
            ));
        }
        for (name, query, order, q) in cases {
            let sql = sites_sql(order, q.is_some());
            let total_sql = sites_total_sql(q.is_some());
            let pattern = q.map(|q| partner_panel::kernel::query::like_contains(&search::fold(q)));
            let read = || {
                let (pool, sql, total_sql, pattern) = (
                    pool.clone(),
                    sql.clone(),
                    total_sql.clone(),
                    pattern.clone(),
                );
                let cut = late_cut();
                async move {
                    let mut qy = sqlx::query(&sql).bind(c).bind(cut);
                    let mut qt = sqlx::query_scalar::<_, i64>(&total_sql).bind(c);
                    if let Some(p) = pattern {
                        qy = qy.bind(p.clone());
                        qt = qt.bind(p);
                    }
                    let rows = qy.fetch_all(&pool).await.unwrap();
                    let total = qt.fetch_one(&pool).await.unwrap();
                    let ids = rows
                        .iter()
                        .map(|r| r.try_get::<i64, _>("id").unwrap())
                        .collect::<Vec<i64>>();
                    (ids, total)
                }
            };
            let v = get_json(format!("/api/v1/accounts/{c}/sites?{query}")).await;
            let api_ids = ids_of(&v);
            assert_eq!(
                read().await,
                (api_ids, v["total"].as_i64().unwrap()),
                "sites {name}: the bare SQL reads other rows"
            );
            let [floor, page, api] = time_three(
                iters,
                || async {
                    read().await;
                },
                || get(format!("/accounts/{c}/sites?{query}")),
                || get(format!("/api/v1/accounts/{c}/sites?{query}")),
            )
            .await;
            let floor = stats(floor);
            print_row(&format!("{name}: page"), page, floor);
            print_row(&format!("{name}: API"), api, floor);
        }
    }

    // ---- 3. probe check-ins ----
    let probes = Arc::new(probes);
    let n = probes.len();
    let body = json!({"version": "2.5.0"});
    let writes_begun =
        || partner_panel::areas::sites::check_ins::WRITE_TRANSACTIONS.load(Ordering::Relaxed);
    println!(
        "\nprobe check-ins over HTTP: {n} probes, {concurrency} in flight, interval 60 s (the default), body {body}"
    );
    println!(
        "  {:<46} {:>10} {:>10} {:>12} {:>18}",
        "round", "p50", "p99", "check-ins/s", "writes/check-in"
    );
    // As if every probe had checked in at the same moment: the first round is within the
    // interval; the second runs once the server's clock has moved past it.
    exec(
        &state,
        &format!("UPDATE probes SET last_seen_at = {}", state.now_ms()),
    )
    .await;
    for (round, advance) in [
        ("within the interval (nothing to write)", 0),
        ("interval passed (last seen due)", 61_000),
    ] {
        state.clock.advance_ms(advance);
        let before = probe_rows(&state).await;
        let begun = writes_begun();
        let (answers, mut times, wall) = check_in_round(&probes, &base, concurrency, &body).await;
        let begun = writes_begun() - begun;
        let after = probe_rows(&state).await;
        let bad: Vec<_> = answers.iter().filter(|(st, _)| *st != 200).collect();
        assert!(
            bad.is_empty(),
            "{} check-ins failed: {:?}",
            bad.len(),
            &bad[..bad.len().min(5)]
        );
        let recorded = answers.iter().filter(|(_, r)| *r == Some(true)).count();
        let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        println!(
            "  {round:<46} {:>7.2} ms {:>7.2} ms {:>12.0} {:>9.3} ({changed} rows changed, {recorded} recorded, {begun} write transactions)",
            pct(&mut times, 0.5),
            pct(&mut times, 0.99),
            n as f64 / wall.as_secs_f64(),
            changed as f64 / n as f64,
        );
        if wall.as_secs_f64() > 60.0 {
            println!(
                "    (the round took {:.0} s, longer than the interval)",
                wall.as_secs_f64()
            );
        }
    }
    println!(
        "  {n} probes every 60 s need {:.0} check-ins/s",
        n as f64 / 60.0
    );
    let _ = stop.send(());
    let _ = server.await;
}
