//! Benchmark of the account tree at scale: each endpoint over HTTP beside the bare SQL query
//! that produces the same result on the same database (the floor).
//!
//!   cargo bench --bench tree                          # 1,000,000 accounts on SQLite
//!   BENCH_ACCOUNTS=200000 cargo bench --bench tree    # another size
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench cargo bench --bench tree
//!
//! The tree is built once with `demo::scale` and kept (SQLite: target/bench-data/) for later runs.

use std::time::{Duration, Instant};

use partner_panel::{
    areas::accounts::{self, ListFilter},
    clock::Clock,
    config::{Config, Secret},
};
use serde_json::json;

const ADMIN: &str = "bench-operator@panel.test";
const ADMIN_PW: &str = "bench-password-1";

/// (operation, endpoint p50/p95 ms, floor p50/p95 ms)
type Row = (String, (f64, f64), (f64, f64));

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

#[tokio::main]
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
        format!("sqlite://{}/tree-{n}.db", dir.display())
    });
    if url.starts_with("postgres") {
        // A database of its own, made on first use.
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
        let s = partner_panel::demo::scale(&state, n)
            .await
            .expect("build the tree");
        println!(
            "built {} accounts, {} closure rows, {} logins in {:.1} s",
            s.accounts,
            s.closure_rows,
            s.logins,
            t.elapsed().as_secs_f64()
        );
    }
    let big: i64 = sqlx::query_scalar(
        "SELECT r.account_id FROM account_rollup r JOIN accounts a ON a.id = r.account_id \
         WHERE a.kind = 'partner' AND a.depth = 1 GROUP BY r.account_id ORDER BY SUM(r.total) DESC LIMIT 1",
    )
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    let big_account = accounts::get(&state.db, big).await.unwrap().unwrap();
    let sizes = accounts::tree_sizes(&state.db, &big_account).await.unwrap();
    let below = sizes.below;
    let deep: i64 = sqlx::query_scalar(
        "SELECT descendant_id FROM account_closure WHERE ancestor_id = $1 ORDER BY depth DESC, descendant_id DESC LIMIT 1",
    )
    .bind(big)
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    println!("database: {} · {total} accounts · largest partner {big} with {below} accounts below · deep account {deep}", state.db.backend_name());

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
        .json(&json!({"email": format!("owner{big}@scale.example"), "password": partner_panel::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "sign in as the partner's owner: {}",
        r.status()
    );

    let mut rows: Vec<Row> = Vec::new();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let r = client.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            let _ = r.bytes().await.unwrap();
        }
    };

    // 1. The subtree listing page of the large partner (first page, by name).
    let f = ListFilter {
        per_page: Some(50),
        ..Default::default()
    };
    let plan = accounts::plan_list(&big_account, false, &f, sizes.clone()).unwrap();
    let floor = time_n(iters, || async {
        accounts::run_list(&state.db, &plan).await.unwrap();
    })
    .await;
    let api = time_n(iters, || {
        get(format!("/api/v1/accounts/{big}/subtree?per_page=50"))
    })
    .await;
    rows.push((
        "subtree listing, API (50 by name)".into(),
        stats(api),
        stats(floor.clone()),
    ));
    let page = time_n(iters, || get("/accounts?per_page=50".to_string())).await;
    rows.push((
        "subtree listing, HTML page".into(),
        stats(page),
        stats(floor),
    ));

    // 2. The descendant check: is the deep account below the partner?
    let floor = time_n(iters, || async {
        let _: Option<i64> = sqlx::query_scalar(
            "SELECT c.depth FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
             WHERE c.ancestor_id = $1 AND c.descendant_id = $2 AND a.status <> 'deleted'",
        )
        .bind(big)
        .bind(deep)
        .fetch_optional(&state.db.pool)
        .await
        .unwrap();
    })
    .await;
    let api = time_n(iters, || get(format!("/api/v1/accounts/{deep}"))).await;
    rows.push((
        "descendant check (GET a deep account)".into(),
        stats(api),
        stats(floor),
    ));

    // 3. Subtree search by part of a name.
    let f = ListFilter {
        q: Some("harbor caf".into()),
        per_page: Some(50),
        ..Default::default()
    };
    let plan = accounts::plan_list(&big_account, false, &f, sizes.clone()).unwrap();
    let search_iters = (iters / 10).max(10);
    let floor = time_n(search_iters, || async {
        accounts::run_list(&state.db, &plan).await.unwrap();
    })
    .await;
    let api = time_n(search_iters, || {
        get(format!(
            "/api/v1/accounts/{big}/subtree?q=harbor%20caf&per_page=50"
        ))
    })
    .await;
    rows.push((
        "subtree search q=\"harbor caf\"".into(),
        stats(api),
        stats(floor),
    ));

    // 4. The dashboard of the operator (rollups) and the same figures counted live.
    let op = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    op.post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN, "password": ADMIN_PW}))
        .send()
        .await
        .unwrap();
    let floor = time_n(search_iters, || async {
        accounts::counts_below(&state.db, 1).await.unwrap();
    })
    .await;
    let api = time_n(search_iters, || {
        let op = op.clone();
        let url = format!("{base}/api/v1/dashboard");
        async move {
            let _ = op.get(&url).send().await.unwrap().bytes().await.unwrap();
        }
    })
    .await;
    rows.push((
        "operator dashboard (rollups)".into(),
        stats(api),
        stats(floor),
    ));
    let live = time_n(3, || async {
        accounts::counts_below_live(&state.db, 1).await.unwrap();
    })
    .await;
    let (lm, _) = stats(live);

    println!(
        "\n{:<42} {:>12} {:>12} {:>12} {:>12} {:>7}",
        "operation", "endpoint p50", "endpoint p95", "floor p50", "floor p95", "ratio"
    );
    for (name, (ep50, ep95), (fp50, fp95)) in &rows {
        println!(
            "{name:<42} {ep50:>10.3}ms {ep95:>10.3}ms {fp50:>10.3}ms {fp95:>10.3}ms {:>6.2}x",
            ep50 / fp50
        );
    }
    println!(
        "(for comparison: the operator's counts computed live instead of from rollups: {lm:.1} ms)"
    );
    println!(
        "iterations: {iters} (search and dashboard: {search_iters}), after 5 warm-up calls each"
    );
    let _ = stop.send(());
    let _ = server.await;
}
