//! Benchmark of tickets at scale: a partner with BENCH_TICKETS tickets (default 100,000) and
//! ten messages each (1,000,000) below it, over 500 customers.
//!
//! 1. Its queue filtered by "unanswered, overdue" and sorted by age (oldest first, 25 rows):
//!    the page and the API call, each beside the bare SQL that reads the same 25 rows.
//! 2. The escalation scan (`ticket_escalation` job) with 0, 50 and 500 tickets due among all
//!    of them: its time follows the due tickets, not all tickets.
//!
//!   cargo bench --bench tickets                          # SQLite, kept in target/bench-data/
//!   BENCH_TICKETS=20000 cargo bench --bench tickets
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench_tickets cargo bench --bench tickets
//!
//! The data is written with multi-row INSERTs (the partner, its customers and logins through the
//! API). Of the tickets, 30% wait for an answer, a third of those overdue; the rest are answered.

use std::time::{Duration, Instant};

use partner_panel::{
    clock::Clock,
    config::{Config, Secret},
};
use serde_json::json;

const ADMIN: &str = "bench-operator@panel.test";
const ADMIN_PW: &str = "bench-password-1";
const OWNER: &str = "owner@bench-tickets.test";
const OWNER_PW: &str = "bench-password-2";
const CUSTOMERS: usize = 500;
const MESSAGES: usize = 10;
const DAY: i64 = 86_400_000;

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
    for _ in 0..3 {
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
    let v: serde_json::Value = r.json().await.unwrap();
    let csrf = v["csrf_token"].as_str().unwrap_or_default().to_string();
    (c, csrf)
}

async fn post(c: &(reqwest::Client, String), url: String, body: serde_json::Value) -> i64 {
    let r =
        c.0.post(url)
            .header("x-csrf-token", &c.1)
            .json(&body)
            .send()
            .await
            .unwrap();
    let st = r.status();
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(st.is_success(), "{v}");
    v["id"].as_i64().unwrap()
}

/// Runs multi-row INSERTs of `rows` (each a parenthesised VALUES tuple) `per` at a time.
async fn bulk(state: &partner_panel::state::AppState, head: &str, rows: Vec<String>, per: usize) {
    for chunk in rows.chunks(per) {
        let sql = format!("{head} VALUES {}", chunk.join(","));
        sqlx::query(&sql).execute(&state.db.pool).await.unwrap();
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let iters: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}/tickets-{n}.db", dir.display())
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

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(partner_panel::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let now = state.now_ms();

    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    if (have as usize) < n {
        let t = Instant::now();
        let op = session(&base, ADMIN, ADMIN_PW).await;
        let partner = post(
            &op,
            format!("{base}/api/v1/accounts/1/children"),
            json!({"kind": "partner", "name": "Bench Ticket Partner"}),
        )
        .await;
        post(
            &op,
            format!("{base}/api/v1/accounts/{partner}/logins"),
            json!({"email": OWNER, "name": "Bench Owner", "password": OWNER_PW, "role": "owner"}),
        )
        .await;
        let mut customers = Vec::with_capacity(CUSTOMERS);
        for i in 0..CUSTOMERS {
            let id = post(
                &op,
                format!("{base}/api/v1/accounts/{partner}/children"),
                json!({"kind": "customer", "name": format!("Bench Customer {i:03}")}),
            )
            .await;
            let path: String = sqlx::query_scalar("SELECT path FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_one(&state.db.pool)
                .await
                .unwrap();
            customers.push((id, path));
        }
        let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
        let prios = ["low", "normal", "high", "urgent"];
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let (c, path) = &customers[i % CUSTOMERS];
            let created = now - 90 * DAY + (i as i64) * 60_000;
            // 30% wait for an answer; of those a third are past due.
            let waiting = i % 10 < 3;
            // (overdue ones escalated long ago: no due time any more)
            let (status, unanswered, due, escalated) = if waiting && i % 30 < 3 {
                ("open", 1, "NULL".to_string(), (created + DAY).to_string())
            } else if waiting {
                (
                    "open",
                    1,
                    (now + 30 * DAY + i as i64).to_string(),
                    "NULL".into(),
                )
            } else if i % 2 == 0 {
                ("solved", 0, "NULL".to_string(), "NULL".into())
            } else {
                ("closed", 0, "NULL".to_string(), "NULL".into())
            };
            rows.push(format!(
                "({partner}, {c}, '{path}', {partner}, 'Bench ticket {i}', 'problem', '{}', '{status}', {unanswered}, 0, {}, {due}, {escalated}, {}, {created}, {created})",
                prios[i % 4],
                if waiting { created.to_string() } else { "NULL".into() },
                created + MESSAGES as i64 * 1000,
            ));
        }
        bulk(
            &state,
            "INSERT INTO tickets (tenant_id, customer_id, customer_path, served_by_id, subject, category, \
             priority, status, unanswered, counted_ms, clock_from, due_at, escalated_at, last_message_at, created_at, updated_at)",
            rows,
            500,
        )
        .await;
        let mut msgs = Vec::with_capacity(n * MESSAGES);
        for i in 0..n {
            let id = first + 1 + i as i64;
            let created = now - 90 * DAY + (i as i64) * 60_000;
            for m in 0..MESSAGES {
                let from_customer = i64::from(m % 2 == 0);
                let internal = i64::from(m == 5);
                msgs.push(format!(
                    "({id}, {from_customer}, {internal}, 'Bench', 'Message {m} of ticket {i}: the player does not start.', {})",
                    created + m as i64 * 1000
                ));
            }
        }
        bulk(
            &state,
            "INSERT INTO ticket_messages (ticket_id, from_customer, internal, author_name, body, created_at)",
            msgs,
            1000,
        )
        .await;
        sqlx::query("ANALYZE")
            .execute(&state.db.pool)
            .await
            .unwrap();
        println!(
            "wrote {n} tickets and {} messages in {:.1} s",
            n * MESSAGES,
            t.elapsed().as_secs_f64()
        );
    }
    let count = |sql: &'static str| {
        let pool = state.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (partner, path): (i64, String) = sqlx::query_as(
        "SELECT a.id, a.path FROM accounts a JOIN logins l ON l.account_id = a.id WHERE l.email = $1",
    )
    .bind(OWNER)
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    println!(
        "database: {} · {} tickets · {} messages · partner {partner}: {} waiting, {} overdue (escalated)",
        state.db.backend_name(),
        count("SELECT COUNT(*) FROM tickets").await,
        count("SELECT COUNT(*) FROM ticket_messages").await,
        count("SELECT COUNT(*) FROM tickets WHERE unanswered = 1").await,
        count("SELECT COUNT(*) FROM tickets WHERE unanswered = 1 AND escalated_at IS NOT NULL").await,
    );

    let owner = session(&base, OWNER, OWNER_PW).await.0;
    let get = |path: String| {
        let url = format!("{base}{path}");
        let c = owner.clone();
        async move {
            let r = c.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            let _ = r.bytes().await.unwrap();
        }
    };
    let upper = format!("{}0", path.trim_end_matches('/'));
    let floor = time_n(iters, || async {
        let rows = sqlx::query(
            "SELECT t.id, t.subject, t.category, t.priority, t.status, t.customer_id, c.name AS customer_name, \
             t.served_by_id, s.name AS served_by_name, t.unanswered, t.due_at, t.escalated_at, t.customer_unread, \
             t.last_message_at, t.created_at FROM tickets t JOIN accounts c ON c.id = t.customer_id \
             JOIN accounts s ON s.id = t.served_by_id WHERE t.customer_path >= $1 AND t.customer_path < $2 \
             AND t.unanswered = 1 AND (t.escalated_at IS NOT NULL OR (t.due_at IS NOT NULL AND t.due_at <= $3)) \
             ORDER BY t.created_at, t.id LIMIT 25",
        )
        .bind(&path)
        .bind(&upper)
        .bind(state.now_ms())
        .fetch_all(&state.db.pool)
        .await
        .unwrap();
        assert_eq!(rows.len(), 25);
    })
    .await;
    let q = "unanswered=true&overdue=true&sort=age";
    let page = time_n(iters, || get(format!("/tickets?{q}"))).await;
    let api = time_n(iters, || get(format!("/api/v1/tickets?{q}"))).await;
    let (f50, f95) = stats(floor);
    println!(
        "\n{:<52} {:>18} {:>7}",
        "queue: unanswered, overdue, by age (25 rows)", "p50/p95", "× SQL"
    );
    println!("{:<52} {f50:>8.2}/{f95:<8.2}ms", "bare SQL (the 25 rows)");
    for (name, d) in [("page /tickets", page), ("API /api/v1/tickets", api)] {
        let (a50, a95) = stats(d);
        println!(
            "{name:<52} {a50:>8.2}/{a95:<8.2}ms {:>6.1}×",
            a50 / f50.max(0.001)
        );
    }

    // The escalation scan: make `k` waiting tickets due now, run the scan (it escalates them),
    // three times each; then put them back.
    println!(
        "\n{:<52} {:>12} {:>14}",
        "escalation scan over all tickets", "p50", "per due ticket"
    );
    for k in [0usize, 50, 500] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM tickets WHERE unanswered = 1 AND status = 'open' AND due_at > $1 ORDER BY id LIMIT $2",
            )
            .bind(state.now_ms())
            .bind(k as i64)
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
            for chunk in ids.chunks(500) {
                let list = chunk
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                sqlx::query(&format!(
                    "UPDATE tickets SET due_at = $1 WHERE id IN ({list})"
                ))
                .bind(state.now_ms() - 1)
                .execute(&state.db.pool)
                .await
                .unwrap();
            }
            let t = Instant::now();
            let done = partner_panel::areas::tickets::escalation::scan(&state)
                .await
                .unwrap();
            times.push(t.elapsed());
            assert_eq!(done.len(), k);
            // Back as they were: waiting, due later, not escalated.
            for chunk in ids.chunks(500) {
                let list = chunk
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                sqlx::query(&format!(
                    "UPDATE tickets SET due_at = $1, escalated_at = NULL, clock_from = created_at WHERE id IN ({list})"
                ))
                .bind(state.now_ms() + 30 * DAY)
                .execute(&state.db.pool)
                .await
                .unwrap();
            }
        }
        let (p50, _) = stats(times);
        let per = if k == 0 {
            String::from("—")
        } else {
            format!("{:.3} ms", p50 / k as f64)
        };
        println!("{:<52} {p50:>9.2} ms {per:>14}", format!("{k} due"));
    }
    let _ = stop.send(());
    let _ = server.await;
}
