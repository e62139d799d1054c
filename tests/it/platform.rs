use std::io::{BufRead, BufReader, Write};

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::support::*;
use partner_panel::areas::accounts::AccountId;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn_with(|c| {
        c.metrics_token = Some(partner_panel::config::Secret::new(
            "metrics-token-for-tests",
        ))
    })
    .await;
    let c = app.client();
    assert_eq!(
        c.get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let s = app.login_admin().await;
    s.get("/api/v1/me").await;
    s.get("/api/v1/nothing-here").await;
    s.post(
        "/api/v1/me/password",
        json!({"current_password": ADMIN_PASSWORD, "new_password": "another-password-3"}),
    )
    .await;
    let m = c
        .get(app.url("/metrics"))
        .bearer_auth("metrics-token-for-tests")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains(r#"panel_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#),
        "{m}"
    );
    assert!(
        m.contains(r#"route="unmatched",status="404""#) || m.contains(r#"status="404""#),
        "{m}"
    );
    assert!(
        m.contains(
            r#"panel_http_request_duration_seconds_bucket{route="/api/v1/auth/login",le="+Inf"} 1"#
        ),
        "{m}"
    );
    assert!(m.contains(r#"panel_jobs{status="pending"} 1"#), "{m}");
    assert!(m.contains(r#"panel_outbox{status="pending"} 1"#), "{m}");
    assert!(m.contains("panel_database_up 1"));
    app.state.db.close().await;
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_500() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let c = app.client();
    let login = app.url("/api/v1/auth/login");
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            c.post(&login)
                .body("{not json")
                .header(header::CONTENT_TYPE, "application/json"),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            c.post(&login).body("email=a"),
            StatusCode::BAD_REQUEST,
            "unsupported_media_type",
        ),
        (
            c.post(&login).json(&json!({"email": 5, "password": []})),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            c.post(&login).json(&json!({"email": "a@b.c"})),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            c.post(&login).json(&json!([1, 2])),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            c.post(&login).json(&json!({"email": "", "password": "x"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            c.post(&login)
                .json(&json!({"email": "a@b.c", "password": "x".repeat(100_000)})),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            c.post(&login)
                .json(&json!({"email": "a\u{0}@b.c'; DROP TABLE logins; --", "password": "x"})),
            StatusCode::BAD_REQUEST,
            "invalid_text",
        ),
        (
            c.post(&login)
                .json(&json!({"email": "a@b.c'; DROP TABLE logins; --", "password": "x\u{1}"})),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            c.post(&login)
                .json(&json!({"email": "\u{1}a@b.c", "password": "x"})),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            c.post(&login)
                .header(header::CONTENT_TYPE, "application/json")
                .body(vec![b'['; 2 * 1024 * 1024]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            c.get(&login),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            c.get(app.url("/api/v1/no/such/thing")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            c.get(app.url("/api/v1/me")),
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            s.client
                .patch(app.url("/api/v1/me"))
                .header("x-csrf-token", &s.csrf)
                .json(&json!({"name": 12})),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            s.client
                .patch(app.url("/api/v1/me"))
                .header("x-csrf-token", &s.csrf)
                .json(&json!({"name": "a\u{7}b"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            s.client
                .delete(app.url("/api/v1/me/tokens/99999999999999999999999"))
                .header("x-csrf-token", &s.csrf),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (i, (req, status, code)) in cases.into_iter().enumerate() {
        let r = req.send().await.unwrap();
        let (got_status, got_code, ..) = error_of(r).await;
        assert_eq!((got_status, got_code.as_str()), (status, code), "case {i}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM logins").await, 1);
}

#[tokio::test]
async fn pages_sign_in_show_figures_and_errors_with_a_request_id() {
    let app = TestApp::spawn().await;
    let c = app.client();
    // Signed out: pages send you to the login page, keeping where you were going.
    let r = c.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/login?next=/profile");
    let page = c
        .get(app.url("/login?next=/profile"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", ADMIN_EMAIL),
            ("password", "wrong-password-1"),
            ("next", "/profile"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = r.text().await.unwrap();
    assert!(body.contains("Email or password is incorrect"), "{body}");
    assert!(body.contains(ADMIN_EMAIL), "the email stays in the form");
    // A foreign `next` is not followed.
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/");
    let dash = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        dash.contains("Servicecenter") && dash.contains("id=\"account-kind\">operator"),
        "{dash}"
    );
    assert!(dash.contains("id=\"count-partner\""));

    // HTML 404 with a request id that matches the header.
    let r = c.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let rid = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let body = r.text().await.unwrap();
    assert!(body.contains(&rid) && body.contains("Not found"), "{body}");

    // Hostile input in a form is escaped and answered with a field error.
    let page = c
        .get(app.url("/profile"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .post(app.url("/profile"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "<script>alert(1)</script>"),
            ("email", "bad"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        !body.contains("<script>alert(1)</script>") && body.contains("&#60;script&#62;")
            || body.contains("&lt;script&gt;")
    );
    assert!(body.contains("Email must look like"), "{body}");
    // NUL in a form is refused with a page.
    let r = c
        .post(app.url("/profile"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "a\u{0}b"),
            ("email", ADMIN_EMAIL),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("NUL"));
    // A form that cannot be read gets a page, not a bare error.
    let r = c
        .post(app.url("/profile/tokens"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("csrf_token={csrf}&name=%ZZ"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error() || r.status().is_success());
    assert!(r.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_operation_and_the_docs_load() {
    // With the optional endpoints switched on, so every documented operation is there.
    let app = TestApp::spawn_with(|c| {
        c.test_clock = true;
        c.payment_webhook_secret = Some(partner_panel::config::Secret::new("s"));
    })
    .await;
    let c = app.client();
    let doc: Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(&doc, partner_panel::kernel::http::openapi::spec());
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 8);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    // Every reference resolves.
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    // Every documented operation exists on the server (no 404 / 405 for its method).
    let s = app.login_admin().await;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                op["operationId"].is_string() && op["responses"].is_object(),
                "{method} {path}"
            );
            let url = path.replace("{id}", "1");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = s
                .client
                .request(m, format!("{}{url}", app.base))
                .header("x-csrf-token", &s.csrf)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let st = r.status();
            let body = r.text().await.unwrap();
            assert!(
                st != StatusCode::METHOD_NOT_ALLOWED
                    && (st != StatusCode::NOT_FOUND || path.contains("{id}")),
                "{method} {path}: {st} {body}"
            );
            assert!(st.as_u16() < 500, "{method} {path}: {st}");
        }
    }
    // Every API route of the router is in the document.
    for (p, r) in partner_panel::kernel::http::all_routes() {
        if !p.starts_with("/api/v1/") {
            continue;
        }
        assert!(
            paths.get(&p).and_then(|o| o.get(r.method)).is_some(),
            "{} {p} is not documented",
            r.method
        );
    }
    // Every error code the server can give is in the document.
    for code in partner_panel::kernel::error::ALL_CODES {
        assert!(text.contains(&format!("\"{code}\"")), "{code}");
    }
    let docs = c
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for asset in [
        "/assets/swagger-ui-bundle.js",
        "/assets/swagger-ui.css",
        "/assets/docs.js",
    ] {
        assert!(docs.contains(asset));
        let r = c.get(app.url(asset)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        assert!(r.bytes().await.unwrap().len() > 50);
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_every_foreign_key_has_an_index() {
    let app = TestApp::spawn().await;
    assert!(partner_panel::kernel::db::migrate::run(&app.state.db, 0)
        .await
        .unwrap()
        .is_empty());
    if app.db.is_postgres() {
        let missing: Vec<String> = sqlx::query_scalar(
            "SELECT c.conrelid::regclass::text || '.' || a.attname FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' AND NOT EXISTS (SELECT 1 FROM pg_index i \
               WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        assert!(
            missing.is_empty(),
            "foreign keys without an index: {missing:?}"
        );
    } else {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        let mut missing = Vec::new();
        for t in tables {
            let fks: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT \"from\" FROM pragma_foreign_key_list('{t}')"
            ))
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
            for col in fks {
                let n: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM pragma_index_list('{t}') il WHERE (SELECT name FROM pragma_index_info(il.name) WHERE seqno = 0) = '{col}'"
                ))
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
                if n == 0 {
                    missing.push(format!("{t}.{col}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "foreign keys without an index: {missing:?}"
        );
    }
}

/// Runs the real binary as a new user would: first start prints a login that works; SIGTERM
/// stops it cleanly; `create-login` reads a password from stdin.
#[tokio::test]
async fn the_binary_starts_prints_a_working_login_and_stops_on_sigterm() {
    let db = TestDb::new().await;
    let bin = env!("CARGO_BIN_EXE_partner-panel");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = std::process::Command::new(bin)
        .env("DATABASE_URL", &db.url)
        .env("PANEL_BIND", format!("127.0.0.1:{port}"))
        .env_remove("PANEL_ADMIN_EMAIL")
        .env_remove("PANEL_ADMIN_PASSWORD")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut email, mut password) = (String::new(), String::new());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 {
        if let Some(v) = line.trim().strip_prefix("email:") {
            email = v.trim().to_string();
        }
        if let Some(v) = line.trim().strip_prefix("password:") {
            password = v.trim().to_string();
        }
        if line.contains("listening on") {
            break;
        }
        line.clear();
    }
    assert_eq!(email, partner_panel::DEFAULT_ADMIN_EMAIL);
    assert!(password.len() >= 16, "password printed: {password:?}");
    let c = reqwest::Client::new();
    let r = c
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status}");

    // Second start: nothing printed about a new login.
    let mut child = std::process::Command::new(bin)
        .arg("create-login")
        .args(["--email", "second@panel.test", "--name", "Second Owner"])
        .env("DATABASE_URL", &db.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"second-password-1\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("password:"));
    // A weak password is refused with a clear message.
    let mut child = std::process::Command::new(bin)
        .args(["create-login", "--email", "third@panel.test"])
        .env("DATABASE_URL", &db.url)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 10"));

    let cfg = partner_panel::config::Config::for_database(&db.url);
    let state = partner_panel::build(cfg, Default::default()).await.unwrap();
    let l = partner_panel::areas::accounts::logins::find_by_email(&state, "second@panel.test")
        .await
        .unwrap()
        .unwrap();
    assert!(state
        .hasher
        .verify("second-password-1", Some(&l.password_hash))
        .await
        .unwrap());
    state.db.close().await;
}

fn start_binary(db: &TestDb, port: u16) -> std::process::Child {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_partner-panel"))
        .env("DATABASE_URL", &db.url)
        .env("PANEL_BIND", format!("127.0.0.1:{port}"))
        .env("PANEL_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("PANEL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 && !line.contains("listening on") {
        line.clear();
    }
    child
}

/// Writes acknowledged before a `kill -9` are all there after a restart, and nothing is half
/// written (the rollups still equal a live count).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_during_writes_loses_no_acknowledged_write() {
    let db = TestDb::new().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = start_binary(&db, port);
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
    let mut writers = Vec::new();
    for w in 0..4 {
        let (c, base, csrf, acked) = (c.clone(), base.clone(), csrf.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let r = c
                    .post(format!("{base}/api/v1/accounts/1/children"))
                    .header("x-csrf-token", &csrf)
                    .json(&json!({"kind": "partner", "name": format!("Writer {w} #{i}")}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        if let Ok(v) = r.json::<Value>().await {
                            acked.lock().unwrap().push(v["id"].as_i64().unwrap());
                        }
                    }
                    _ => break,
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();
    for w in writers {
        let _ = w.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 10,
        "only {} writes before the kill",
        acked.len()
    );

    let mut child = start_binary(&db, port);
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    c.post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    for id in &acked {
        let r = c
            .get(format!("{base}/api/v1/accounts/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "acknowledged account {id} is gone"
        );
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();
    let cfg = partner_panel::config::Config::for_database(&db.url);
    let state = partner_panel::build(cfg, Default::default()).await.unwrap();
    let a = partner_panel::areas::accounts::counts_below(&state.db, AccountId(1))
        .await
        .unwrap();
    let b = partner_panel::areas::accounts::counts_below_live(&state.db, 1)
        .await
        .unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let closure_ok: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM account_closure c WHERE c.descendant_id = a.id AND c.ancestor_id = a.id)")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(closure_ok, 0, "an account without its closure rows");
    state.db.close().await;
}

/// Every answer, pages, API, errors and assets alike, carries the security headers.
#[tokio::test]
async fn every_answer_has_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/healthz",
        "/login",
        "/api/v1/me",
        "/no-such-page",
        "/assets/panel.css",
    ] {
        let r = app.client().get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-request-id"].len(), 16, "{path}");
    }
}

/// The command line: help names every command; bad arguments are refused (exit 2) before the
/// database is touched.
#[test]
fn the_command_line_explains_itself_and_refuses_bad_arguments() {
    let bin = env!("CARGO_BIN_EXE_partner-panel");
    let dir = std::env::temp_dir().join(format!(
        "partner-panel-cli-{}",
        partner_panel::kernel::secrets::random_hex(6)
    ));
    let db = format!("sqlite://{}/panel.db", dir.display());
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .env("DATABASE_URL", &db)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let help = run(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for cmd in ["serve", "migrate", "create-login", "demo"] {
        assert!(text.contains(cmd), "{cmd} in {text}");
    }
    let help = run(&["help", "create-login"]);
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--email",
        "--name",
        "--account",
        "--role",
        "owner, admin, member, viewer",
    ] {
        assert!(text.contains(flag), "{flag} in {text}");
    }
    for args in [
        &["bogus"][..],
        &["create-login"],
        &["create-login", "--email", "a@b.test", "--role", "king"],
        &["create-login", "--email", "a@b.test", "--account", "x"],
        &["demo", "--scale", "0"],
        &["demo", "--scale", "many"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&o.stderr).is_empty(), "{args:?}");
    }
    assert!(
        !dir.exists(),
        "no database was made for a refused command line"
    );
}

/// Static files come from the binary at their usual addresses, with their content type, a cache
/// lifetime and an ETag that answers 304.
#[tokio::test]
async fn assets_are_served_with_their_type_and_caching_headers() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for (path, ct) in [
        ("/assets/panel.css", "text/css; charset=utf-8"),
        ("/assets/panel.js", "text/javascript; charset=utf-8"),
        ("/assets/htmx.min.js", "text/javascript; charset=utf-8"),
        ("/assets/docs.js", "text/javascript; charset=utf-8"),
        (
            "/assets/swagger-ui-bundle.js",
            "text/javascript; charset=utf-8",
        ),
        ("/assets/swagger-ui.css", "text/css; charset=utf-8"),
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()[header::CONTENT_TYPE], ct, "{path}");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "public, max-age=3600");
        let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
        assert!(r.bytes().await.unwrap().len() > 50, "{path}");
        let again = c
            .get(app.url(path))
            .header(header::IF_NONE_MATCH, &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    for missing in [
        "/assets/nope.js",
        "/assets/LICENSE",
        "/assets/vendor/htmx/htmx.min.js",
    ] {
        let r = c.get(app.url(missing)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

/// The bundled SQLite is built without STAT4 (.cargo/config.toml): with it and the samples
/// ANALYZE keeps, a statement with a bound value in an indexed term is prepared again every time
/// it runs, and a request spent about half its instructions parsing SQL.
#[tokio::test]
async fn sqlite_is_built_without_stat4_so_statements_stay_prepared() {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    let stat4: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_STAT4')")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(stat4, 0, "SQLite was built with SQLITE_ENABLE_STAT4");
    let fts5: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(fts5, 1, "the rest of the bundled build is kept");
}
