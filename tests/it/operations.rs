//! Running the panel: the purge leaves no personal data, shutdown has a limit, logs, metrics,
//! backups.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

const DAY: i64 = 86_400;

/// Every text of every column of every table of the schema, with where it was found.
async fn every_value(app: &TestApp) -> Vec<(String, String, String)> {
    let pool = &app.state.db.pool;
    let columns: Vec<(String, String)> = if app.db.is_postgres() {
        sqlx::query_as(
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    } else {
        sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' ORDER BY m.name, p.cid",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    };
    assert!(
        columns.len() > 100,
        "the schema was read: {}",
        columns.len()
    );
    let mut out = Vec::new();
    for (table, column) in columns {
        // SQLite's blobs (hashes) are read as hex; PostgreSQL casts every type to text.
        let value = if app.db.is_postgres() {
            format!("CAST(\"{column}\" AS TEXT)")
        } else {
            format!("CASE WHEN typeof(\"{column}\") = 'blob' THEN hex(\"{column}\") ELSE CAST(\"{column}\" AS TEXT) END")
        };
        let values: Vec<Option<String>> =
            sqlx::query_scalar(&format!("SELECT {value} FROM \"{table}\""))
                .fetch_all(pool)
                .await
                .unwrap();
        for v in values.into_iter().flatten() {
            out.push((table.clone(), column.clone(), v));
        }
    }
    out
}

/// A partner denied after its trial and purged 30 days later leaves no name, sign-in name,
/// email, phone, website or password in any table; the audit keeps the facts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_leaves_no_personal_data_in_any_table() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let basic = op
        .post(
            "/api/v1/packages",
            json!({"name": "Basic", "monthly_price": 1999, "currency": "EUR"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let v: Value = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({"company_name": "Quillfeather Studios", "contact_name": "Zelda Quillfeather",
                       "email": "zelda@quillfeather.example", "phone": "+49 30 5550199",
                       "website": "https://quillfeather-studios.example", "description": "Signage for Quillfeather bakeries",
                       "package_id": basic, "directory_consent": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let v: Value = op
        .post(
            &format!("/api/v1/partnership-requests/{}/approve", v["id"]),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let pid = v["partner_account_id"].as_i64().unwrap();
    app.run_jobs().await;
    let mail = app.smtp.to("zelda@quillfeather.example").pop().unwrap();
    let pw = mail
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .unwrap()
        .trim()
        .to_string();
    let partner = app.login("zelda@quillfeather.example", &pw).await;
    // The partner works a little: a dealer with a login, a wrong password, a profile change.
    let dealer = crate::tree::create(&partner, pid, "dealer", "Vexillum Dealer").await;
    crate::tree::add_login(&partner, dealer, "otto@vexillum.example", "owner").await;
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "otto@vexillum.example", "password": "wrong-password-9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let dealer_s = app.login("otto@vexillum.example", crate::tree::PW).await;
    assert_eq!(
        dealer_s
            .patch("/api/v1/me", json!({"name": "Otto Vexillum"}))
            .await
            .status(),
        StatusCode::OK
    );
    // The operator acts as the partner once.
    let r = op.post("/api/v1/act-as", json!({"account_id": pid})).await;
    assert_eq!(r.status(), StatusCode::OK);
    op.post("/api/v1/act-as/exit", json!({})).await;

    // The trial ends unpaid; 30 days later the partner goes.
    app.advance(15 * DAY);
    assert_eq!(crate::billing::scan(&app).await["suspended"], 1);
    app.advance(31 * DAY);
    assert_eq!(crate::billing::scan(&app).await["purged"], 1);
    app.run_jobs().await;

    let needles = [
        "quillfeather",
        "zelda",
        "vexillum",
        "otto@",
        "5550199",
        pw.as_str(),
    ];
    let left: Vec<_> = every_value(&app)
        .await
        .into_iter()
        .filter(|(.., v)| {
            let v = v.to_lowercase();
            needles.iter().any(|n| v.contains(&n.to_lowercase()))
        })
        .collect();
    assert!(
        left.is_empty(),
        "personal data left after the purge: {left:#?}"
    );
    // The audit keeps the facts (the approval, the dealer, the logins, the purge), without names.
    for action in ["billing.purge", "account.create", "login.create"] {
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await
                >= 1,
            "{action} kept"
        );
    }
    // The request is still counted as approved, with no contact left.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM partnership_requests WHERE status = 'approved'")
            .await,
        1
    );
    // The operator's own data stays.
    let op = app.login_admin().await;
    assert_eq!(op.get("/api/v1/me").await.status(), StatusCode::OK);
    assert!(app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE login_email = '{ADMIN_EMAIL}'"
        ))
        .await
        .ge(&1));
}

// ---- the binary as a process ----

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Starts `partner-panel serve` with the given settings, its stdout and stderr sent to files
/// (as a service manager would); returns once it listens.
pub(crate) fn start_panel(
    db: &TestDb,
    port: u16,
    env: &[(&str, &str)],
    out: &std::path::Path,
) -> std::process::Child {
    let file = std::fs::File::create(out).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_partner-panel"));
    cmd.env("DATABASE_URL", &db.url)
        .env("PANEL_BIND", format!("127.0.0.1:{port}"))
        .env("PANEL_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("PANEL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env_remove("RUST_LOG")
        .env_remove("PANEL_LOG_FORMAT")
        .stdout(file.try_clone().unwrap())
        .stderr(file);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed().as_secs() < 60,
            "the panel did not start: {}",
            std::fs::read_to_string(out).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child
}

pub(crate) fn out_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("partner-panel-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!(
        "{name}-{}.log",
        partner_panel::kernel::secrets::random_hex(4)
    ))
}

/// Signs in as the operator against a running binary; returns its cookie header.
async fn operator_cookie(base: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn sigterm(child: &std::process::Child) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Waits for the process to end, at most `limit`; kills it and fails after that.
fn wait_exit(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running {limit:?} after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A client that stops reading a big CSV export does not keep the panel alive after SIGTERM:
/// after the grace period what is left is closed and the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_stalled_export_exits_0_after_the_grace_period() {
    use std::io::{Read, Write};
    let db = TestDb::new().await;
    // A tree with enough licenses that their CSV fills every socket buffer.
    let demo = std::process::Command::new(env!("CARGO_BIN_EXE_partner-panel"))
        .args(["demo", "--scale", "60000"])
        .env("DATABASE_URL", &db.url)
        .env("PANEL_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("PANEL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert!(demo.status.success(), "{demo:?}");
    let port = free_port();
    let log = out_file("shutdown");
    let mut child = start_panel(&db, port, &[("PANEL_SHUTDOWN_GRACE", "2")], &log);
    let cookie = operator_cookie(&format!("http://127.0.0.1:{port}")).await;

    // The export starts; the client reads its first bytes and then stops reading.
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        slow,
        "GET /api/v1/licenses.csv HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n"
    )
    .unwrap();
    let mut first = [0u8; 512];
    let n = slow.read(&mut first).unwrap();
    assert!(
        String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&first[..n])
    );
    // Let the server fill the buffers and block on the stalled client.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    let signalled = std::time::Instant::now();
    sigterm(&child);
    let status = wait_exit(&mut child, std::time::Duration::from_secs(2 + 6));
    let took = signalled.elapsed();
    let out = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "exit {status:?}: {out}");
    assert!(
        took >= std::time::Duration::from_millis(1900),
        "the export was given its grace period, not cut at once ({took:?})"
    );
    assert!(out.contains("grace period over"), "{out}");
    drop(slow);
    let _ = std::fs::remove_file(&log);
}

/// Without stalled clients, SIGTERM ends the panel at once (well within the grace period).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_when_idle_exits_0_at_once() {
    let db = TestDb::new().await;
    let port = free_port();
    let log = out_file("shutdown-idle");
    let mut child = start_panel(&db, port, &[("PANEL_SHUTDOWN_GRACE", "30")], &log);
    let r = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let signalled = std::time::Instant::now();
    sigterm(&child);
    let status = wait_exit(&mut child, std::time::Duration::from_secs(10));
    assert!(status.success());
    assert!(signalled.elapsed() < std::time::Duration::from_secs(10));
    let _ = std::fs::remove_file(&log);
}

/// Runs the binary with its output in a file, sends `n` requests (and one 404), stops it, and
/// returns what it wrote.
async fn log_of_run(env: &[(&str, &str)], n: usize) -> String {
    let db = TestDb::new().await;
    let port = free_port();
    let log = out_file("logs");
    let mut child = start_panel(&db, port, env, &log);
    let c = reqwest::Client::new();
    for _ in 0..n {
        let r = c
            .get(format!("http://127.0.0.1:{port}/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = c
        .get(format!("http://127.0.0.1:{port}/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    sigterm(&child);
    assert!(wait_exit(&mut child, std::time::Duration::from_secs(10)).success());
    let out = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    out
}

fn request_lines(out: &str) -> usize {
    out.lines()
        .filter(|l| l.contains(" request ") || l.ends_with(" request"))
        .count()
}

/// Output to a file carries no ANSI colour codes; the access log can be turned off or sampled;
/// slow requests are logged whatever the setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_in_a_file_have_no_colour_and_the_access_log_follows_its_setting() {
    // By default every request has its line, without escape codes.
    let all = log_of_run(&[], 10).await;
    assert!(!all.contains('\u{1b}'), "ANSI codes in a file: {all:?}");
    assert!(all.contains("INFO"), "{all}");
    assert_eq!(
        all.matches("path=/login").count(),
        10,
        "one line per request: {all}"
    );
    assert!(
        all.contains("path=/api/v1/no-such-thing status=404"),
        "{all}"
    );
    // Off: no request lines at all (start and stop are still logged).
    let off = log_of_run(&[("PANEL_ACCESS_LOG", "off")], 10).await;
    assert!(!off.contains('\u{1b}'));
    assert_eq!(request_lines(&off), 0, "{off}");
    assert!(off.contains("database ready"), "{off}");
    // One in five.
    let sampled = log_of_run(&[("PANEL_ACCESS_LOG", "sample:5")], 20).await;
    let lines = sampled.matches("sampled=5").count();
    assert!((4..=5).contains(&lines), "{lines} sampled lines: {sampled}");
    // Slow requests are always there, at WARN, even with the access log off.
    let slow = log_of_run(
        &[("PANEL_ACCESS_LOG", "off"), ("PANEL_SLOW_REQUEST_MS", "0")],
        3,
    )
    .await;
    assert_eq!(slow.matches("slow request").count(), 4, "{slow}");
    assert!(slow.contains("WARN"), "{slow}");
    // A setting it cannot read stops the start with a clear message.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_partner-panel"))
        .arg("migrate")
        .env("DATABASE_URL", "sqlite::memory:")
        .env("PANEL_ACCESS_LOG", "loud")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("PANEL_ACCESS_LOG"),
        "{o:?}"
    );
}

/// /metrics is not public: with a token configured it answers only with that bearer token;
/// without one it answers 404 on the panel's address.
#[tokio::test]
async fn metrics_answer_only_with_the_configured_token() {
    const TOKEN: &str = "metrics-token-7f3a";
    let app =
        TestApp::spawn_with(|c| c.metrics_token = Some(partner_panel::config::Secret::new(TOKEN)))
            .await;
    let c = app.client();
    let get = |bearer: Option<&str>| {
        let r = c.get(app.url("/metrics"));
        match bearer {
            Some(b) => r.bearer_auth(b),
            None => r,
        }
        .send()
    };
    let r = get(None).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (_, code, ..) = error_of(r).await;
    assert_eq!(code, "unauthenticated");
    assert_eq!(
        get(Some("metrics-token-7f3b")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // A signed-in operator's session is no metrics token either.
    let op = app.login_admin().await;
    assert_eq!(op.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let r = get(Some(TOKEN)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("panel_http_requests_total"));

    // No token configured: no such page.
    let open = TestApp::spawn().await;
    let r = open
        .client()
        .get(open.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!r.text().await.unwrap().contains("panel_"));
}

/// PANEL_METRICS_BIND serves /metrics (and nothing else) on its own address; the panel's
/// address keeps answering 404 for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_a_separate_address() {
    let db = TestDb::new().await;
    let (port, mport) = (free_port(), free_port());
    let log = out_file("metrics");
    let bind = format!("127.0.0.1:{mport}");
    let mut child = start_panel(&db, port, &[("PANEL_METRICS_BIND", &bind)], &log);
    let c = reqwest::Client::new();
    let main = c
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(main.status(), StatusCode::NOT_FOUND);
    let m = c
        .get(format!("http://{bind}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(m.status(), StatusCode::OK);
    assert!(m.text().await.unwrap().contains("panel_database_up 1"));
    let other = c.get(format!("http://{bind}/login")).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    sigterm(&child);
    assert!(wait_exit(&mut child, std::time::Duration::from_secs(10)).success());
    let _ = std::fs::remove_file(&log);
}

fn backup_cmd(db_url: &str, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_partner-panel"))
        .arg("backup")
        .arg(file)
        .env("DATABASE_URL", db_url)
        .env("PANEL_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("PANEL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap()
}

/// `partner-panel backup FILE` taken while partners are being created holds every write
/// acknowledged before it started, and the copy runs as a panel; an existing or unwritable
/// path is refused with a clear message and a non-zero exit. On PostgreSQL it points to pg_dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_writes_holds_every_acknowledged_write() {
    let db = TestDb::new().await;
    let dir = std::env::temp_dir().join("partner-panel-tests");
    let file = dir.join(format!(
        "backup-{}.db",
        partner_panel::kernel::secrets::random_hex(4)
    ));
    if db.is_postgres() {
        let o = backup_cmd(&db.url, &file);
        assert!(!o.status.success());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("pg_dump"),
            "{o:?}"
        );
        assert!(!file.exists());
        return;
    }
    let port = free_port();
    let log = out_file("backup");
    let mut child = start_panel(&db, port, &[("PANEL_ACCESS_LOG", "off")], &log);
    let base = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let v: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let (c, base, csrf, acked, stop) = (
            c.clone(),
            base.clone(),
            csrf.clone(),
            acked.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = c
                    .post(format!("{base}/api/v1/accounts/1/children"))
                    .header("x-csrf-token", &csrf)
                    .json(&json!({"kind": "partner", "name": format!("Writer {w} #{i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::CREATED);
                let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                acked.lock().unwrap().push(id);
                i += 1;
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let before: Vec<i64> = acked.lock().unwrap().clone();
    let url = db.url.clone();
    let target = file.clone();
    let o = tokio::task::spawn_blocking(move || backup_cmd(&url, &target))
        .await
        .unwrap();
    let during = acked.lock().unwrap().len() - before.len();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    assert!(o.status.success(), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("written to"),
        "{o:?}"
    );
    assert!(before.len() > 10, "only {} writes before", before.len());
    let after = acked.lock().unwrap().len();
    assert!(
        after > before.len() + during,
        "the panel went on writing during and after the backup ({during} during)"
    );

    // The copy, opened as a database: every write acknowledged before the backup is there,
    // and its counts agree with its rows (nothing half written).
    let restored = format!("sqlite://{}", file.display());
    let cfg = partner_panel::config::Config::for_database(&restored);
    let state = partner_panel::build(cfg, Default::default()).await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts")
        .fetch_all(&state.db.pool)
        .await
        .unwrap();
    let missing: Vec<_> = before.iter().filter(|id| !ids.contains(id)).collect();
    assert!(missing.is_empty(), "missing in the backup: {missing:?}");
    let total: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM account_rollup WHERE account_id = 1",
    )
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    assert_eq!(total, ids.len() as i64 - 1, "rollups equal the rows");
    state.db.close().await;

    // An existing file is never overwritten; a place that cannot be written is refused.
    let size = std::fs::metadata(&file).unwrap().len();
    let o = backup_cmd(&db.url, &file);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), size);
    let nowhere = dir.join("no-such-folder").join("b.db");
    let o = backup_cmd(&db.url, &nowhere);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot write"), "{err}");
    assert!(!nowhere.exists());

    sigterm(&child);
    assert!(wait_exit(&mut child, std::time::Duration::from_secs(10)).success());
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&log);
}
