//! Two instances behind pgbouncer (Debian's package) on one PostgreSQL: sign-in, acting as, an
//! approval and a job, each on both instances. Session pooling is what works: in transaction
//! pooling pgbouncer 1.18 hands a client's statements to other server connections, and the
//! prepared statements the database driver names per connection ("sqlx_s_1 already exists")
//! stop the panel at start. README ("Running on PostgreSQL…") says so.
//!
//! Runs on PostgreSQL only (TEST_DATABASE_URL); without a `pgbouncer` binary it is skipped,
//! except with CI set, where it fails.

use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

struct Bouncer {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// pgbouncer in front of the PostgreSQL of `admin_url`, in session pooling.
fn start_bouncer(admin_url: &str) -> Option<Bouncer> {
    let bin = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(bin) = bin else {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
            panic!("CI is set but pgbouncer is missing: install Debian's pgbouncer package");
        }
        eprintln!("skipped: no pgbouncer");
        return None;
    };
    let url = reqwest::Url::parse(admin_url).unwrap();
    let (host, pg_port, user) = (
        url.host_str().unwrap_or("127.0.0.1").to_string(),
        url.port().unwrap_or(5432),
        if url.username().is_empty() {
            "postgres".to_string()
        } else {
            url.username().to_string()
        },
    );
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("pp-pgbouncer-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let ini = dir.join("pgbouncer.ini");
    std::fs::write(dir.join("users.txt"), format!("\"{user}\" \"\"\n")).unwrap();
    std::fs::write(
        &ini,
        format!(
            "[databases]\n* = host={host} port={pg_port}\n[pgbouncer]\nlisten_addr = 127.0.0.1\n\
             listen_port = {port}\nauth_type = trust\nauth_file = {}\npool_mode = session\n\
             max_client_conn = 200\ndefault_pool_size = 40\nunix_socket_dir =\n\
             ignore_startup_parameters = extra_float_digits\n",
            dir.join("users.txt").display()
        ),
    )
    .unwrap();
    // pgbouncer refuses to run as root; it switches to the postgres user when started so.
    use std::os::unix::fs::PermissionsExt;
    for f in [&dir, &ini, &dir.join("users.txt")] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let mut cmd = Command::new(bin);
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    if is_root {
        cmd.arg("-u").arg("postgres");
    }
    let mut child = cmd
        .arg(&ini)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pgbouncer");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Bouncer { child, port, dir });
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("pgbouncer did not listen on {port}");
}

#[tokio::test]
async fn two_instances_behind_pgbouncer_sign_in_act_approve_and_run_jobs() {
    let Some(admin) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return;
    };
    let Some(bouncer) = start_bouncer(&admin) else {
        return;
    };
    let port = bouncer.port;
    let a = TestApp::spawn_with(|c| {
        let mut u = reqwest::Url::parse(c.database_url.expose()).unwrap();
        u.set_host(Some("127.0.0.1")).unwrap();
        u.set_port(Some(port)).unwrap();
        c.database_url = partner_panel::config::Secret::new(u.as_str());
    })
    .await;
    assert!(a
        .state
        .config
        .database_url
        .expose()
        .contains(&format!(":{port}/")));
    let b = a.second_instance().await;

    // Sign-in on both; a session made on one works on the other (sessions are in the database).
    let op_a = a.login_admin().await;
    let p = create(&op_a, 1, "partner", "Bouncer Partner").await;
    add_login(&op_a, p, "bo@bouncer.test", "owner").await;
    let bo_b = b.login("bo@bouncer.test", PW).await;
    let r = bo_b.client.get(a.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the session of b works on a");

    // Acting as a customer, on b, seen on a.
    let c = create(&bo_b, p, "customer", "Bouncer Customer").await;
    let r = bo_b.post("/api/v1/act-as", json!({"account_id": c})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = bo_b
        .client
        .get(a.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["acting_as"], c, "{me}");

    // An approval: registered on b, approved on a; its mail is sent by a job run on b.
    let package = crate::networks::capped_package(&op_a, "Bouncer Package", None, None).await;
    let r = b
        .client()
        .post(b.url("/api/v1/registrations"))
        .json(&json!({
            "company_name": "Bounced Partner", "contact_name": "Bea Bounce",
            "email": "bea@bounced.test", "phone": "+49 30 555", "website": "https://b.example",
            "package_id": package, "no_resellers": false, "directory_consent": false
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = op_a
        .post(
            &format!("/api/v1/partnership-requests/{id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(b.run_jobs().await >= 1, "the job ran on b");
    assert_eq!(
        b.smtp.to("bea@bounced.test").len(),
        1,
        "the approval mail went out"
    );
    assert_eq!(a.run_jobs().await, 0, "and not again on a");
    drop(bouncer);
}
