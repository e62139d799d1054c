//! Benchmark of the decision history's CSV export: the streamed download over HTTP beside the bare
//! query of the same rows on the same database, and how much the process grows while it runs.
//!
//!   cargo bench --bench history_export                       # 100,000 decisions on SQLite
//!   BENCH_ROWS=20000 cargo bench --bench history_export
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench_history cargo bench --bench history_export

use partner_panel::kernel::enums::Kind;
use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use partner_panel::areas::accounts::AccountId;
use partner_panel::{
    areas::approvals as requests,
    clock::Clock,
    config::{Config, Secret},
};
use serde_json::json;

const ADMIN: &str = "bench-operator@panel.test";
const ADMIN_PW: &str = "bench-password-1";

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn p50(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: i64 = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runs = 7;
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}/history-{n}.db", dir.display())
    });
    if url.starts_with("postgres") {
        use sqlx::Connection;
        let (base, name) = url.rsplit_once('/').unwrap();
        let mut c = sqlx::PgConnection::connect(&format!("{base}/postgres"))
            .await
            .expect("connect to PostgreSQL");
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_optional(&mut c)
                .await
                .unwrap();
        if exists.is_none() {
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
    let mut config = Config::for_database(&url);
    config.admin_email = Some(ADMIN.into());
    config.admin_password = Some(Secret::new(ADMIN_PW));
    config.run_worker = false;
    let state = partner_panel::build(config, Clock::default())
        .await
        .expect("build");
    partner_panel::bootstrap(&state).await.expect("bootstrap");
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    if have < n {
        let t = Instant::now();
        let now = state.now_ms();
        let mut partners = Vec::new();
        for i in 0..200 {
            let mut tx = state.db.begin().await.unwrap();
            let id = partner_panel::areas::accounts::insert(
                &mut tx,
                now,
                Some(1),
                Kind::Partner,
                &format!("Partner {i:03}, \"Signs\" & Screens"),
                None,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            partners.push(id);
        }
        let kinds = ["addon", "broadcast", "ad_package", "ad"];
        let mut i = have;
        while i < n {
            let mut tx = state.db.begin().await.unwrap();
            for _ in 0..5000 {
                if i >= n {
                    break;
                }
                sqlx::query(
                    "INSERT INTO requests (kind, account_id, addressee_id, title, status, reason, created_at, decided_at, decided_by_email) \
                     VALUES ($1, $2, 1, $3, $4, $5, $6, $6, 'operator@panel.test')",
                )
                .bind(kinds[(i % 4) as usize])
                .bind(partners[(i % 200) as usize])
                .bind(format!("Request {i}: autumn campaign, \"north\""))
                .bind(if i % 3 == 0 { "rejected" } else { "approved" })
                .bind(if i % 3 == 0 { Some(format!("=reason {i}, see line\nnext")) } else { None })
                .bind(now - i * 1000)
                .execute(&mut *tx)
                .await
                .unwrap();
                i += 1;
            }
            tx.commit().await.unwrap();
        }
        println!(
            "inserted {} decisions in {:.1} s",
            n - have,
            t.elapsed().as_secs_f64()
        );
    }
    println!("database: {} · {n} decisions", state.db.backend_name());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(partner_panel::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN, "password": ADMIN_PW}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    // The process's resident size is sampled while the floor runs, then while the exports run.
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sample = |peak: Arc<AtomicU64>, done: Arc<AtomicBool>| {
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let floor_rss = rss_kib();
    peak.store(floor_rss, Ordering::Relaxed);
    let sampler = sample(peak.clone(), done.clone());
    // The floor: the same SQL, every row read, on the same database.
    let mut sql = requests::history_sql(true, AccountId(1), &Default::default()).unwrap();
    sql.push(requests::HISTORY_ORDER);
    let mut floor = Vec::new();
    let mut rows_seen = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let mut conn = state.db.pool.acquire().await.unwrap();
        let mut s = sql.query().fetch(&mut *conn);
        let mut k = 0;
        while let Some(r) = s.next().await {
            r.unwrap();
            k += 1;
        }
        floor.push(t.elapsed());
        rows_seen = k;
    }

    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let floor_grew = peak.load(Ordering::Relaxed).saturating_sub(floor_rss);
    // The export over HTTP, read to the end.
    let base_rss = rss_kib();
    let peak = Arc::new(AtomicU64::new(base_rss));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = sample(peak.clone(), done.clone());
    let mut export = Vec::new();
    let mut first_byte = Vec::new();
    let mut bytes = 0usize;
    let mut lines = 0usize;
    for _ in 0..runs {
        let t = Instant::now();
        let r = client
            .get(format!("{base}/api/v1/inbox/history.csv"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let mut body = r.bytes_stream();
        let mut got = 0usize;
        let mut first = None;
        let mut nl = 0usize;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.unwrap();
            first.get_or_insert_with(|| t.elapsed());
            got += chunk.len();
            nl += chunk.iter().filter(|b| **b == b'\n').count();
        }
        export.push(t.elapsed());
        first_byte.push(first.unwrap_or_default());
        bytes = got;
        lines = nl;
    }
    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let grew = peak.load(Ordering::Relaxed).saturating_sub(base_rss);
    let (e, f, fb) = (p50(export), p50(floor), p50(first_byte));
    println!(
        "rows: {rows_seen} · CSV: {:.1} MB, {lines} line ends (reasons hold line breaks)",
        bytes as f64 / 1e6
    );
    println!("bare query, all rows read (p50 of {runs}):     {f:9.1} ms");
    println!(
        "CSV export over HTTP, complete (p50 of {runs}): {e:9.1} ms  ({:.2}× the bare query)",
        e / f
    );
    println!("CSV export, first byte (p50 of {runs}):         {fb:9.1} ms");
    println!(
        "process resident size: {:.1} MB before; at most {:.1} MB more while the bare query ran, {:.1} MB more while the exports ran (the CSV is {:.1} MB)",
        floor_rss as f64 / 1024.0,
        floor_grew as f64 / 1024.0,
        grew as f64 / 1024.0,
        bytes as f64 / 1e6
    );

    let _ = stop.send(());
    let _ = server.await;
}
