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
