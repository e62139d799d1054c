//! Benchmark of licenses at scale: the totals endpoint (operator, largest partner, a small
//! partner) and the filtered list page (one type and state, sorted, 50 rows), each beside the
//! bare SQL that reads the same rows (the floor).
//!
//!   cargo bench --bench licenses                           # 1,000,000 accounts and licenses, SQLite
//!   BENCH_ACCOUNTS=50000 cargo bench --bench licenses      # another size
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench_lic cargo bench --bench licenses
//!
//! The tree and its licenses (one per account, of a type its kind may hold, every state) come
//! from `demo::scale`, written in bulk with their counters, and are kept (SQLite:
//! target/bench-data/) for later runs.

use std::time::{Duration, Instant};

use partner_panel::{
    clock::Clock,
    config::{Config, Secret},
};
use serde_json::json;

const ADMIN: &str = "bench-operator@panel.test";
const ADMIN_PW: &str = "bench-password-1";

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
    )
}

async fn time_n<F, Fut>(n: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..5 {
        f().await;
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        out.push(t.elapsed());
    }
    out
}

async fn session(base: &str, email: &str, password: &str) -> reqwest::Client {
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
    c
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let iters: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}/licenses-{n}.db", dir.display())
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
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    if (have as usize) < n / 2 {
        let t = Instant::now();
        partner_panel::demo::scale(&state, n)
            .await
            .expect("build the tree");
        println!("built the tree in {:.1} s", t.elapsed().as_secs_f64());
    }
    let lics: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM licenses")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    if lics == 0 {
        // A tree kept from before `demo::scale` made licenses: add them now.
        let t = Instant::now();
        let n = partner_panel::demo::scale_licenses(&state, 2)
            .await
            .expect("licenses");
        println!(
            "wrote {n} licenses and their counters in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let partner_by_size = |order: &'static str| {
        let pool = state.db.pool.clone();
        async move {
            let id: i64 = sqlx::query_scalar(&format!(
                "SELECT r.account_id FROM account_rollup r JOIN accounts a ON a.id = r.account_id \
                 WHERE a.kind = 'partner' AND a.depth = 1 GROUP BY r.account_id \
                 ORDER BY SUM(r.total) {order}, r.account_id LIMIT 1"
            ))
            .fetch_one(&pool)
            .await
            .unwrap();
            id
        }
    };
    let big = partner_by_size("DESC").await;
    let small = partner_by_size("ASC").await;
    let count = |sql: String| {
        let pool = state.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let total_lic = count("SELECT COUNT(*) FROM licenses".into()).await;
    let total_acc = count("SELECT COUNT(*) FROM accounts".into()).await;
    let under = |id: i64| {
        format!("SELECT COUNT(*) FROM licenses l JOIN account_closure c ON c.descendant_id = l.holder_id WHERE c.ancestor_id = {id}")
    };
    let big_n = count(under(big)).await;
    let small_n = count(under(small)).await;
    println!(
        "database: {} · {total_acc} accounts · {total_lic} licenses · largest partner {big} ({big_n} licenses) · small partner {small} ({small_n})",
        state.db.backend_name()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(partner_panel::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let pw = partner_panel::demo::DEMO_PASSWORD;
    let clients = [
        ("operator", 1i64, session(&base, ADMIN, ADMIN_PW).await),
        (
            "largest partner",
            big,
            session(&base, &format!("owner{big}@scale.example"), pw).await,
        ),
        (
            "small partner",
            small,
            session(&base, &format!("owner{small}@scale.example"), pw).await,
        ),
    ];
    let get = |client: reqwest::Client, path: String| {
        let url = format!("{base}{path}");
        async move {
            let r = client.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            let _ = r.bytes().await.unwrap();
        }
    };
    let mut rows = Vec::new();
    for (who, id, c) in &clients {
        let floor = time_n(iters, || async {
            let _: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT license_type, state, n FROM license_totals WHERE account_id = $1",
            )
            .bind(*id)
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
        })
        .await;
        let api = time_n(iters, || get(c.clone(), "/api/v1/licenses/totals".into())).await;
        rows.push((format!("totals, API ({who})"), stats(api), stats(floor)));
    }
    for (who, id, c) in &clients {
        let path = if *id == 1 {
            String::new()
        } else {
            let p: String = sqlx::query_scalar("SELECT path FROM accounts WHERE id = $1")
                .bind(*id)
                .fetch_one(&state.db.pool)
                .await
                .unwrap();
            p
        };
        let floor = time_n(iters, || async {
            let mut q = String::from(
                "SELECT l.id, l.license_type, l.state, l.holder_id, h.name, h.kind, l.issuer_id, i.name, \
                 l.seats, l.starts_at, l.ends_at FROM licenses l JOIN accounts h ON h.id = l.holder_id \
                 JOIN accounts i ON i.id = l.issuer_id WHERE l.license_type = 'agent' AND l.state = 'active'",
            );
            // The plan the list takes (see `licenses::model::walks_by_end`), written out: the
            // largest partner walks `licenses_by_end` testing its paths, the small one reads its
            // paths and sorts.
            let small = who.starts_with("small");
            if !path.is_empty() {
                let upper = format!("{}0", path.trim_end_matches('/'));
                let col = if small { "l.holder_path" } else { "+l.holder_path" };
                q.push_str(&format!(" AND {col} >= '{path}' AND {col} < '{upper}'"));
            }
            q.push_str(&format!(
                " ORDER BY {}CASE WHEN l.ends_at IS NULL THEN 1 ELSE 0 END, l.ends_at, l.id LIMIT 50",
                if small { "+" } else { "" }
            ));
            let rows = sqlx::query(&q).fetch_all(&state.db.pool).await.unwrap();
            assert!(!rows.is_empty() || *id != 1);
        })
        .await;
        let page = time_n(iters, || {
            get(
                c.clone(),
                "/licenses?type=agent&state=active&sort=ends_at&per_page=50".into(),
            )
        })
        .await;
        let api = time_n(iters, || {
            get(
                c.clone(),
                "/api/v1/licenses?type=agent&state=active&sort=ends_at&per_page=50".into(),
            )
        })
        .await;
        rows.push((
            format!("filtered list page, 50 rows ({who})"),
            stats(page),
            stats(floor.clone()),
        ));
        rows.push((
            format!("filtered list, API, 50 rows ({who})"),
            stats(api),
            stats(floor),
        ));
    }
    println!(
        "\n{:<44} {:>18} {:>18} {:>7}",
        "operation", "endpoint p50/p95", "bare SQL p50/p95", "p50 ×"
    );
    for (name, (a50, a95), (f50, f95)) in rows {
        let ratio = a50 / f50.max(0.001);
        // Over 2× the bare SQL and 1 ms above it: worth a look.
        let flag = if ratio > 2.0 && a50 - f50 > 1.0 {
            "  <-- over 2×"
        } else {
            ""
        };
        println!("{name:<44} {a50:>8.2}/{a95:<8.2}ms {f50:>8.2}/{f95:<8.2}ms {ratio:>6.1}×{flag}");
    }
    let _ = stop.send(());
    let _ = server.await;
}
