//! Test support: each test starts the real panel on 127.0.0.1, port 0, with its own fresh
//! database (a SQLite file, or a new PostgreSQL database when TEST_DATABASE_URL is set, dropped
//! afterwards), and a real SMTP server on 127.0.0.1 that keeps what it receives.

#![allow(dead_code)]

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

use partner_panel::{
    clock::Clock,
    config::{Config, SmtpConfig},
    state::AppState,
};
use reqwest::{header, Response, StatusCode};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

pub const ADMIN_EMAIL: &str = "operator@panel.test";
pub const ADMIN_PASSWORD: &str = "operator-password-1";

// ---- a fresh database per test ----

pub struct TestDb {
    pub url: String,
    drop_pg: Option<(String, String)>,
    file: Option<std::path::PathBuf>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let name = format!("pp_test_{}", partner_panel::kernel::secrets::random_hex(6));
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin) => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect TEST_DATABASE_URL");
                sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .await
                    .expect("create database");
                let _ = c.close().await;
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin.clone());
                TestDb {
                    url: format!("{base}/{name}"),
                    drop_pg: Some((admin, name)),
                    file: None,
                }
            }
            None => {
                let dir = std::env::temp_dir().join("partner-panel-tests");
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("{name}.db"));
                TestDb {
                    url: format!("sqlite://{}", file.display()),
                    drop_pg: None,
                    file: Some(file),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.drop_pg.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                    }
                });
            })
            .join();
        }
        if let Some(f) = self.file.take() {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
    }
}

// ---- a real SMTP server on 127.0.0.1 ----

#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// It came over TLS (implicit, or after STARTTLS).
    pub tls: bool,
}

impl Mail {
    pub fn subject(&self) -> String {
        self.data
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or("")
            .to_string()
    }
}

/// How the test SMTP server speaks TLS, with the certificate in tests/fixtures (signed by
/// `smtp-test-ca.pem`, for 127.0.0.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTlsMode {
    Plain,
    /// STARTTLS offered after EHLO, and required before MAIL.
    StartTls,
    /// TLS from the first byte.
    Implicit,
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

fn test_tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(format!("{dir}/smtp-test-cert.pem"))
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/smtp-test-key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// The CA the test SMTP server's certificate is signed by, PEM.
pub fn test_smtp_ca() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/smtp-test-ca.pem"
    ))
    .unwrap()
}

#[derive(Clone)]
pub struct TestSmtp {
    pub port: u16,
    received: Arc<Mutex<Vec<Mail>>>,
    down: Arc<AtomicBool>,
    mode: SmtpTlsMode,
    /// TLS handshakes that failed (e.g. the client did not trust the certificate).
    pub failed_handshakes: Arc<std::sync::atomic::AtomicUsize>,
}

impl TestSmtp {
    pub async fn start() -> TestSmtp {
        TestSmtp::start_with(SmtpTlsMode::Plain).await
    }

    pub async fn start_with(mode: SmtpTlsMode) -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let smtp = TestSmtp {
            port,
            received: Default::default(),
            down: Default::default(),
            mode,
            failed_handshakes: Default::default(),
        };
        let s = smtp.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.serve(sock).await;
                });
            }
        });
        smtp
    }

    /// While down, the server answers every connection with 421 (service not available).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn messages(&self) -> Vec<Mail> {
        self.received.lock().unwrap().clone()
    }

    pub fn to(&self, addr: &str) -> Vec<Mail> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == addr))
            .collect()
    }

    async fn handshake(&self, io: Box<dyn Io>) -> std::io::Result<Box<dyn Io>> {
        match test_tls_acceptor().accept(io).await {
            Ok(t) => Ok(Box::new(t)),
            Err(e) => {
                self.failed_handshakes.fetch_add(1, Ordering::SeqCst);
                Err(e)
            }
        }
    }

    async fn serve(&self, sock: tokio::net::TcpStream) -> std::io::Result<()> {
        let mut io: Box<dyn Io> = Box::new(sock);
        let mut tls = false;
        if self.mode == SmtpTlsMode::Implicit {
            io = self.handshake(io).await?;
            tls = true;
        }
        let mut greet = true;
        while let Some(raw) = self.session(io, tls, greet).await? {
            io = self.handshake(raw).await?;
            tls = true;
            greet = false;
        }
        Ok(())
    }

    /// One SMTP dialogue; gives the connection back when the client asks for STARTTLS.
    async fn session(
        &self,
        io: Box<dyn Io>,
        tls: bool,
        greet: bool,
    ) -> std::io::Result<Option<Box<dyn Io>>> {
        let mut r = BufReader::new(io);
        if self.down.load(Ordering::SeqCst) {
            r.get_mut()
                .write_all(b"421 test server is down\r\n")
                .await?;
            return Ok(None);
        }
        if greet {
            r.get_mut().write_all(b"220 test.smtp ESMTP\r\n").await?;
        }
        let offer_starttls = self.mode == SmtpTlsMode::StartTls && !tls;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).await? == 0 {
                return Ok(None);
            }
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_ascii_uppercase();
            let w = r.get_mut();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                if offer_starttls {
                    w.write_all(b"250-test.smtp\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
                        .await?;
                } else {
                    w.write_all(b"250-test.smtp\r\n250 8BITMIME\r\n").await?;
                }
            } else if upper == "STARTTLS" && offer_starttls {
                w.write_all(b"220 ready to start TLS\r\n").await?;
                w.flush().await?;
                return Ok(Some(r.into_inner()));
            } else if upper.starts_with("MAIL FROM:") && offer_starttls {
                w.write_all(b"530 must issue a STARTTLS command first\r\n")
                    .await?;
            } else if upper.starts_with("MAIL FROM:") {
                from = cmd[10..].trim().trim_matches(['<', '>']).to_string();
                to.clear();
                w.write_all(b"250 ok\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                to.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
                w.write_all(b"250 ok\r\n").await?;
            } else if upper == "DATA" {
                w.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await? == 0 {
                        return Ok(None);
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                self.received.lock().unwrap().push(Mail {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                    tls,
                });
                r.get_mut().write_all(b"250 queued\r\n").await?;
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(None);
            } else if upper == "RSET" || upper == "NOOP" {
                w.write_all(b"250 ok\r\n").await?;
            } else {
                w.write_all(b"502 not implemented\r\n").await?;
            }
        }
    }
}

// ---- the app ----

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub smtp: TestSmtp,
    pub db: Arc<TestDb>,
    /// Every /api/v1 answer this app gave, held to the OpenAPI document.
    pub answers: crate::answers::Recorder,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub fn test_config(db: &TestDb, smtp: &TestSmtp) -> Config {
    let mut c = Config::for_database(&db.url);
    c.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: smtp.port,
        username: None,
        password: None,
        tls: partner_panel::config::SmtpTls::None,
        ca_pem: None,
    });
    c.admin_email = Some(ADMIN_EMAIL.into());
    c.admin_password = Some(partner_panel::config::Secret::new(ADMIN_PASSWORD));
    // Tests run jobs themselves, when they choose to.
    c.run_worker = false;
    c
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_with_smtp(SmtpTlsMode::Plain, adjust).await
    }

    /// An app whose SMTP server speaks TLS in `mode`.
    pub async fn spawn_with_smtp(mode: SmtpTlsMode, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = Arc::new(TestDb::new().await);
        let smtp = TestSmtp::start_with(mode).await;
        let mut config = test_config(&db, &smtp);
        adjust(&mut config);
        let state = partner_panel::build(config, Clock::default())
            .await
            .expect("build app");
        partner_panel::bootstrap(&state).await.expect("bootstrap");
        Self::serve(state, smtp, db).await
    }

    /// A second instance on the same database (as a second machine would run).
    pub async fn second_instance(&self) -> TestApp {
        let state = partner_panel::build((*self.state.config).clone(), self.state.clock.clone())
            .await
            .expect("build second instance");
        Self::serve(state, self.smtp.clone(), self.db.clone()).await
    }

    /// A second instance with a clock of its own (as another machine has).
    pub async fn second_instance_own_clock(&self) -> TestApp {
        let state = partner_panel::build((*self.state.config).clone(), Clock::default())
            .await
            .expect("build second instance");
        Self::serve(state, self.smtp.clone(), self.db.clone()).await
    }

    async fn serve(state: AppState, smtp: TestSmtp, db: Arc<TestDb>) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let answers = crate::answers::Recorder::default();
        let recorder = answers.clone();
        let server = tokio::spawn(partner_panel::serve_with(
            state.clone(),
            listener,
            async move {
                let _ = rx.await;
            },
            move |app| recorder.wrap(app),
        ));
        TestApp {
            addr,
            base: format!("http://{addr}"),
            state,
            smtp,
            db,
            answers,
            stop: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn advance(&self, secs: i64) {
        self.state.clock.advance_ms(secs * 1000);
    }

    pub async fn run_jobs(&self) -> usize {
        partner_panel::kernel::jobs::run_due(&self.state)
            .await
            .expect("run jobs")
    }

    /// Signs in through the API; returns a session holding the cookie and the CSRF token.
    pub async fn login(&self, email: &str, password: &str) -> Session {
        let client = self.client();
        let r = client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login of {email} failed");
        let v: Value = r.json().await.unwrap();
        Session {
            client,
            base: self.base.clone(),
            csrf: v["csrf_token"].as_str().unwrap().to_string(),
            body: v,
        }
    }

    pub async fn login_admin(&self) -> Session {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.answers.finish();
    }
}

/// A signed-in API client: cookie jar plus the CSRF token for state-changing calls.
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
    pub body: Value,
}

impl Session {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut rb = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.unwrap()
    }
    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Response {
        self.send(reqwest::Method::DELETE, path, None).await
    }
}

/// Reads a JSON error and checks its shape; returns (code, field).
pub async fn error_of(r: Response) -> (StatusCode, String, Option<String>, String) {
    let status = r.status();
    let ct = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        ct.starts_with("application/json"),
        "error is not JSON ({status}, {ct})"
    );
    let v: Value = r.json().await.unwrap();
    let e = &v["error"];
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error without message: {v}"
    );
    assert!(
        e["request_id"].as_str().is_some_and(|m| !m.is_empty()),
        "error without request id: {v}"
    );
    (
        status,
        e["code"].as_str().unwrap().to_string(),
        e["field"].as_str().map(str::to_string),
        e["message"].as_str().unwrap().to_string(),
    )
}

// ---- a local HTTP endpoint that records what is POSTed to it (an SMS gateway) ----

#[derive(Clone)]
pub struct TestHttpSink {
    pub url: String,
    received: Arc<Mutex<Vec<String>>>,
}

impl TestHttpSink {
    pub async fn start() -> TestHttpSink {
        TestHttpSink::start_with(false).await
    }

    /// With `tls`, an https:// sink with the fixture certificate (signed by `smtp-test-ca.pem`).
    pub async fn start_with(tls: bool) -> TestHttpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let scheme = if tls { "https" } else { "http" };
        let url = format!("{scheme}://{}/send", listener.local_addr().unwrap());
        let sink = TestHttpSink {
            url,
            received: Default::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    use tokio::io::AsyncReadExt;
                    let mut sock: Box<dyn Io> = if tls {
                        match test_tls_acceptor().accept(sock).await {
                            Ok(t) => Box::new(t),
                            Err(_) => return,
                        }
                    } else {
                        Box::new(sock)
                    };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&buf).to_string();
                        if let Some(i) = text.find("\r\n\r\n") {
                            let len = text[..i]
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            if buf.len() >= i + 4 + len {
                                s.received.lock().unwrap().push(text[i + 4..].to_string());
                                break;
                            }
                        }
                    }
                    let _ = sock
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        sink
    }

    pub fn bodies(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}
