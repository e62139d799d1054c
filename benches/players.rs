//! Benchmark of media players: BENCH_PLAYERS simulated devices (default 10,000) of 100
//! customers below one partner, each with a playlist of three slides, and the partner's own
//! player cloning the first customer's player. The simulator (`benches/sim`) plays them over
//! HTTP against the real server:
//!
//! 1. every device registers;
//! 2. a burst: all of them poll at once without a version (changed answers, 200 with the
//!    playlist), BENCH_CONCURRENCY (default 64) in flight;
//! 3. all of them poll again with their version (unchanged, 304), within the poll interval;
//! 4. the clock moves past the 60 s interval and all poll again (304, and their last-seen time
//!    is due): database writes per poll are counted from the rows whose last-seen time changed;
//! 5. change-to-clone: while the others keep polling at their rate (10,000 every 60 s ≈ 167/s),
//!    the first customer's playlist changes BENCH_CHANGES times (default 50) and the time until
//!    the partner's cloning device, holding a long poll, has the new version is measured.
//!
//!   cargo bench --profile dev --bench players                  # SQLite, target/bench-data/
//!   BENCH_PLAYERS=2000 cargo bench --profile dev --bench players
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench_players cargo bench --profile dev --bench players
//!
//! The database is made afresh on every run. Players are written with multi-row INSERTs (no
//! license needed: `needs_license = 0`), the partner, customers, clips and playlists through the
//! same SQL the panel uses.

#[path = "sim/mod.rs"]
mod sim;

use std::sync::Arc;
use std::time::{Duration, Instant};

use partner_panel::{
    clock::Clock,
    config::{Config, Secret},
};
use serde_json::json;
use sim::Device;

const ADMIN: &str = "bench-operator@panel.test";
const ADMIN_PW: &str = "bench-password-1";
const CUSTOMERS: usize = 100;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Every device does `what` once, `concurrency` at a time; the statuses seen, each answer's
/// time and the wall time.
async fn round(
    devices: &mut Vec<Device>,
    base: &str,
    concurrency: usize,
    with_version: bool,
) -> (Vec<u16>, Vec<Duration>, Duration) {
    let started = Instant::now();
    let chunks: Vec<Vec<Device>> = {
        let all = std::mem::take(devices);
        let per = all.len().div_ceil(concurrency);
        all.chunks(per.max(1)).map(|c| c.to_vec()).collect()
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for mut chunk in chunks {
        let c = client.clone();
        let base = base.to_string();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            let mut times = Vec::new();
            for d in chunk.iter_mut() {
                if !with_version {
                    d.version = None;
                }
                let (st, took) = d.poll(&c, &base, None).await;
                statuses.push(st.as_u16());
                times.push(took);
            }
            (chunk, statuses, times)
        }));
    }
    let mut statuses = Vec::new();
    let mut times = Vec::new();
    for t in tasks {
        let (chunk, s, d) = t.await.unwrap();
        devices.extend(chunk);
        statuses.extend(s);
        times.extend(d);
    }
    (statuses, times, started.elapsed())
}

async fn sum_last_seen(pool: &sqlx::AnyPool) -> Vec<(i64, Option<i64>)> {
    sqlx::query_as("SELECT id, last_seen_at FROM players ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env("BENCH_PLAYERS", 10_000);
    let concurrency = env("BENCH_CONCURRENCY", 64);
    let changes = env("BENCH_CHANGES", 50);
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("players-{n}.db"));
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
    let exec = |sql: String| {
        let pool = pool.clone();
        async move {
            sqlx::raw_sql(&sql)
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{e}: {}", &sql[..sql.len().min(200)]));
        }
    };

    // ---- the data ----
    let t = Instant::now();
    let op = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let v: serde_json::Value = op
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN, "password": ADMIN_PW}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let post = |path: &str, body: serde_json::Value| {
        op.post(format!("{base}{path}"))
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
    };
    let id_of = |v: serde_json::Value| v["id"].as_i64().unwrap();
    let model = id_of(
        post(
            "/api/v1/player-models",
            json!({"name": "Bench Box", "id_prefix": "BENCH-"}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap(),
    );
    let partner = id_of(
        post(
            "/api/v1/accounts/1/children",
            json!({"kind": "partner", "name": "Bench Media Partner"}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap(),
    );
    let mut customers = Vec::new();
    for i in 0..CUSTOMERS {
        customers.push(id_of(
            post(
                &format!("/api/v1/accounts/{partner}/children"),
                json!({"kind": "customer", "name": format!("Bench Customer {i}")}),
            )
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
        ));
    }
    // Three slides and a playlist per customer.
    for (k, c) in customers.iter().enumerate() {
        exec(format!(
            "INSERT INTO clips (owner_id, owner_path, kind, title, body, duration_s, created_at, updated_at) \
             SELECT a.id, a.path, 'slide', t.title, 'Bench', 10, 0, 0 FROM accounts a, \
             (SELECT 'Slide A {k}' AS title UNION ALL SELECT 'Slide B {k}' UNION ALL SELECT 'Slide C {k}') t WHERE a.id = {c}"
        ))
        .await;
        exec(format!(
            "INSERT INTO playlists (owner_id, owner_path, name, version, created_at, updated_at) \
             SELECT id, path, 'Bench list {k}', 1, 0, 0 FROM accounts WHERE id = {c}"
        ))
        .await;
        exec(format!(
            "INSERT INTO playlist_items (playlist_id, position, clip_id, duration_s) \
             SELECT p.id, c.id - (SELECT MIN(id) FROM clips WHERE owner_id = {c}) + 1, c.id, 10 \
             FROM playlists p JOIN clips c ON c.owner_id = p.owner_id WHERE p.owner_id = {c}"
        ))
        .await;
    }
    for start in (0..n).step_by(500) {
        let rows: Vec<String> = (start..(start + 500).min(n))
            .map(|i| {
                let c = customers[i % CUSTOMERS];
                format!(
                    "({c}, (SELECT path FROM accounts WHERE id = {c}), {model}, 'BENCH-{i:06}', '{}', 'Bench screen {i}', \
                     (SELECT id FROM playlists WHERE owner_id = {c}), 0, 0, 0)",
                    sim::mac_of(10_000 + i as u64)
                )
            })
            .collect();
        exec(format!(
            "INSERT INTO players (owner_id, owner_path, model_id, player_code, mac, name, playlist_id, needs_license, created_at, updated_at) VALUES {}",
            rows.join(", ")
        ))
        .await;
    }
    // The partner's own player, cloning the first customer's first player.
    let source: i64 =
        sqlx::query_scalar("SELECT id FROM players WHERE player_code = 'BENCH-000000'")
            .fetch_one(&pool)
            .await
            .unwrap();
    exec(format!(
        "INSERT INTO players (owner_id, owner_path, model_id, player_code, mac, name, clone_of, needs_license, created_at, updated_at) \
         SELECT id, path, {model}, 'BENCH-CLONE', '{}', 'Partner clone', {source}, 0, 0, 0 FROM accounts WHERE id = {partner}",
        sim::mac_of(1)
    ))
    .await;
    let source_playlist: i64 = sqlx::query_scalar(&format!(
        "SELECT playlist_id FROM players WHERE id = {source}"
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    println!(
        "players bench on {} (debug build figures): {n} players of {CUSTOMERS} customers, data in {:.1} s",
        state.db.backend_name(),
        t.elapsed().as_secs_f64()
    );

    // ---- 1. register ----
    let t = Instant::now();
    let mut devices: Vec<Device> = (0..n)
        .map(|i| Device::new(&format!("BENCH-{i:06}"), &sim::mac_of(10_000 + i as u64)))
        .collect();
    {
        let per = n.div_ceil(concurrency);
        let mut tasks = Vec::new();
        let client = reqwest::Client::new();
        for chunk in devices.chunks(per).map(|c| c.to_vec()) {
            let c = client.clone();
            let base = base.clone();
            tasks.push(tokio::spawn(async move {
                let mut chunk = chunk;
                for d in chunk.iter_mut() {
                    let (st, _) = d.register(&c, &base).await;
                    assert_eq!(st.as_u16(), 200, "register {}", d.player_id);
                }
                chunk
            }));
        }
        devices.clear();
        for t in tasks {
            devices.extend(t.await.unwrap());
        }
    }
    let reg = t.elapsed();
    println!(
        "  register: {n} in {:.1} s ({:.0}/s)",
        reg.as_secs_f64(),
        n as f64 / reg.as_secs_f64()
    );

    // As if every device had registered at the same moment (registering 10,000 takes longer
    // than a poll interval): the rounds below then run within the interval, until step 4.
    exec(format!(
        "UPDATE players SET last_seen_at = {}",
        state.now_ms()
    ))
    .await;

    // ---- 2. burst, changed answers ----
    let before = sum_last_seen(&pool).await;
    let (st, mut times, wall) = round(&mut devices, &base, concurrency, false).await;
    assert!(st.iter().all(|s| *s == 200), "changed answers");
    let after = sum_last_seen(&pool).await;
    let writes = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a.1 != b.1)
        .count();
    println!(
        "  burst of changed answers (200, playlist of 3): p50 {:.2} ms, p99 {:.2} ms, {:.0} polls/s, {:.2} writes/poll",
        pct(&mut times, 0.5),
        pct(&mut times, 0.99),
        n as f64 / wall.as_secs_f64(),
        writes as f64 / n as f64
    );

    // ---- 3. unchanged, within the interval ----
    let before = sum_last_seen(&pool).await;
    let (st, mut times, wall) = round(&mut devices, &base, concurrency, true).await;
    assert!(st.iter().all(|s| *s == 304), "unchanged answers");
    let after = sum_last_seen(&pool).await;
    let writes = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a.1 != b.1)
        .count();
    println!(
        "  unchanged (304) within the interval: p50 {:.2} ms, p99 {:.2} ms, {:.0} polls/s, {:.3} writes/poll",
        pct(&mut times, 0.5),
        pct(&mut times, 0.99),
        n as f64 / wall.as_secs_f64(),
        writes as f64 / n as f64
    );

    // ---- 4. unchanged, the interval passed: the last-seen time is due ----
    state.clock.advance_ms(61_000);
    let before = sum_last_seen(&pool).await;
    let (st, mut times, wall) = round(&mut devices, &base, concurrency, true).await;
    assert!(st.iter().all(|s| *s == 304), "unchanged answers");
    let after = sum_last_seen(&pool).await;
    let writes = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a.1 != b.1)
        .count();
    let sustained = n as f64 / wall.as_secs_f64();
    println!(
        "  unchanged (304), last seen due: p50 {:.2} ms, p99 {:.2} ms, {:.0} polls/s, {:.3} writes/poll",
        pct(&mut times, 0.5),
        pct(&mut times, 0.99),
        sustained,
        writes as f64 / n as f64
    );
    println!(
        "  {n} players every 60 s need {:.0} polls/s: {:.1}× headroom",
        n as f64 / 60.0,
        sustained / (n as f64 / 60.0)
    );

    // ---- 5. change-to-clone under the background polling ----
    let stop_bg = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rate = (n as f64 / 60.0).max(1.0);
    let bg = {
        let stop_bg = stop_bg.clone();
        let base = base.clone();
        let devices = devices.clone();
        tokio::spawn(async move {
            let c = reqwest::Client::new();
            let gap = Duration::from_secs_f64(1.0 / rate);
            let mut i = 0usize;
            let mut polls = 0u64;
            let mut next = tokio::time::Instant::now();
            while !stop_bg.load(std::sync::atomic::Ordering::Relaxed) {
                let mut d = devices[i % devices.len()].clone();
                let c = c.clone();
                let base = base.clone();
                tokio::spawn(async move {
                    let _ = d.poll(&c, &base, None).await;
                });
                i += 1;
                polls += 1;
                next += gap;
                tokio::time::sleep_until(next).await;
            }
            polls
        })
    };
    let c = reqwest::Client::new();
    let mut clone = Device::new("BENCH-CLONE", &sim::mac_of(1));
    clone.register(&c, &base).await;
    clone.poll(&c, &base, None).await;
    let clips: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT clip_id FROM playlist_items WHERE playlist_id = {source_playlist} ORDER BY position"
    ))
    .fetch_all(&pool)
    .await
    .unwrap();
    let owner = customers[0];
    let mut lat = Vec::new();
    for k in 0..changes {
        let mut waiting = clone.clone();
        let c2 = c.clone();
        let b2 = base.clone();
        let task = tokio::spawn(async move {
            let (st, _) = waiting.poll(&c2, &b2, Some(30)).await;
            (st, Instant::now(), waiting)
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let changed = Instant::now();
        // The customer's change, as the API makes it (one transaction, version bump).
        let items: Vec<serde_json::Value> = clips
            .iter()
            .map(|c| json!({"clip_id": c, "duration_s": 5 + (k % 20) as i64}))
            .collect();
        let r = op
            .put(format!("{base}/api/v1/playlists/{source_playlist}"))
            .header("x-csrf-token", &csrf)
            .header("x-act-as", owner.to_string())
            .json(&json!({"items": items}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "change: {}", r.status());
        let (st, got, w) = task.await.unwrap();
        assert_eq!(st.as_u16(), 200);
        lat.push(got.saturating_duration_since(changed));
        clone = w;
    }
    stop_bg.store(true, std::sync::atomic::Ordering::Relaxed);
    let bg_polls = bg.await.unwrap();
    println!(
        "  change to clone (long poll, {changes} changes, {bg_polls} background polls at {rate:.0}/s): p50 {:.1} ms, p99 {:.1} ms",
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.99)
    );
    let _ = stop.send(());
    let _ = server.await;
}
