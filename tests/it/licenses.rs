//! Licenses: creation within the tree and the package (caps under concurrency), a partner
//! license with its partner and owner login, state changes, renewal, expiry by the job and
//! reminders, bulk changes, the list with its filters and CSV, and totals kept by counters that
//! always equal a live count.

use partner_panel::areas::licenses;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::networks::{approved_partner, capped_package};
use crate::support::*;
use crate::tree::create;
use partner_panel::areas::accounts::AccountId;

pub(crate) const DAY: i64 = 86_400;

pub(crate) fn day_in(app: &TestApp, days: i64) -> String {
    partner_panel::clock::rfc3339(app.state.now_ms() + days * DAY * 1000)
}

pub(crate) async fn set_limits(op: &Session, pkg: i64, limits: Value) {
    let r = op
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/packages/{pkg}/license-limits"),
            Some(limits),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

pub(crate) async fn new_license(s: &Session, body: Value) -> Value {
    let r = s.post("/api/v1/licenses", body.clone()).await;
    let st = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(st, StatusCode::CREATED, "{body} -> {v}");
    v
}

/// The counters of these accounts equal a live count of their subtrees' licenses.
pub(crate) async fn counters_hold(app: &TestApp, accounts: &[i64]) {
    for a in accounts {
        let kept = licenses::of_account(&app.state, AccountId(*a))
            .await
            .unwrap();
        let live = licenses::live(&app.state, *a).await.unwrap();
        for t in licenses::LicenseType::ALL {
            for s in licenses::LicenseState::ALL {
                assert_eq!(
                    kept.count(*t, *s),
                    live.count(*t, *s),
                    "account {a}: {t}/{s} counter {} but {} licenses",
                    kept.count(*t, *s),
                    live.count(*t, *s)
                );
            }
        }
    }
}

/// Each tile of the totals equals the total of the list filtered by exactly its type and state.
pub(crate) async fn tiles_match_lists(s: &Session) {
    let t: Value = s.get("/api/v1/licenses/totals").await.json().await.unwrap();
    for ty in t["types"].as_array().unwrap() {
        for st in ty["states"].as_array().unwrap() {
            let path = format!(
                "/api/v1/licenses?type={}&state={}",
                ty["license_type"].as_str().unwrap(),
                st["state"].as_str().unwrap()
            );
            let l: Value = s.get(&path).await.json().await.unwrap();
            assert_eq!(l["total"], st["count"], "{path}");
        }
    }
}

#[tokio::test]
async fn licenses_follow_the_tree_the_package_and_refuse_bad_input() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Licensed", None, None).await;
    set_limits(
        &op,
        pkg,
        json!([{"type": "login", "max_licenses": 2, "max_seats": 5}]),
    )
    .await;
    let (partner, pid) =
        approved_partner(&app, &op, "Lic Partner", "owner@lic.test", pkg, false).await;
    let dealer = create(&partner, pid, "dealer", "Lic Dealer").await;
    let customer = create(&partner, dealer, "customer", "Lic Customer").await;
    let other = create(&op, 1, "partner", "Other Tree").await;
    let end = day_in(&app, 30);

    let l1 = new_license(
        &partner,
        json!({"type": "login", "seats": 5, "ends_at": end}),
    )
    .await;
    assert_eq!(l1["holder_id"], pid);
    assert_eq!(l1["issuer_id"], pid);
    assert_eq!(l1["state"], "active");
    assert_eq!(l1["seats"], 5);
    let l2 = new_license(&partner, json!({"type": "login", "holder_id": customer})).await;
    assert_eq!(l2["holder_kind"], "customer");
    assert_eq!(l2["seats"], 1);
    // The cap (2 login licenses below the partner) is reached.
    let (st, code, _, msg) = error_of(
        partner
            .post(
                "/api/v1/licenses",
                json!({"type": "login", "holder_id": dealer}),
            )
            .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (StatusCode::CONFLICT, "limit_reached"));
    assert!(msg.contains("Lic Partner"), "{msg}");
    // Other types are not capped.
    new_license(
        &partner,
        json!({"type": "player", "holder_id": customer, "bound_to": "Screen 1"}),
    )
    .await;
    new_license(&partner, json!({"type": "development", "state": "pending"})).await;

    let bad = [
        (
            json!({"type": "gold"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("type"),
        ),
        (
            json!({"type": "agent", "state": "sleeping", "holder_id": dealer}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("state"),
        ),
        (
            json!({"type": "agent", "state": "expired", "holder_id": dealer}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("state"),
        ),
        (
            json!({"type": "agent", "holder_id": dealer, "starts_at": day_in(&app, 10), "ends_at": day_in(&app, 5)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("ends_at"),
        ),
        (
            json!({"type": "agent", "holder_id": dealer, "seats": -1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("seats"),
        ),
        (
            json!({"type": "development", "seats": 3}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("seats"),
        ),
        (
            json!({"type": "player", "holder_id": pid}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("holder_id"),
        ),
        (
            json!({"type": "development", "holder_id": customer}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("holder_id"),
        ),
        (
            json!({"type": "agent", "holder_id": other}),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
        (
            json!({"type": "agent", "holder_id": 1}),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
        (
            json!({"type": "agent", "ends_at": "tomorrow"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("ends_at"),
        ),
    ];
    let before = app.count("SELECT COUNT(*) FROM licenses").await;
    for (body, want, want_code, want_field) in bad {
        let (st, code, field, _) =
            error_of(partner.post("/api/v1/licenses", body.clone()).await).await;
        assert_eq!(st, want, "{body}");
        assert_eq!(code, want_code, "{body}");
        assert_eq!(field.as_deref(), want_field, "{body}");
    }
    // Seats above the package: the login cap is reached first, so lift it to see the seat rule.
    set_limits(
        &op,
        pkg,
        json!([{"type": "login", "max_licenses": 10, "max_seats": 5}]),
    )
    .await;
    let (st, _, field, msg) = error_of(
        partner
            .post("/api/v1/licenses", json!({"type": "login", "seats": 6}))
            .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("seats"))
    );
    assert!(msg.contains("5 seat"), "{msg}");
    assert_eq!(app.count("SELECT COUNT(*) FROM licenses").await, before);

    // Another tenant's license answers 404 to every route.
    let theirs = new_license(&op, json!({"type": "development", "holder_id": other})).await;
    let tid = theirs["id"].as_i64().unwrap();
    for (m, p) in [
        (reqwest::Method::GET, format!("/api/v1/licenses/{tid}")),
        (
            reqwest::Method::POST,
            format!("/api/v1/licenses/{tid}/deactivate"),
        ),
        (reqwest::Method::DELETE, format!("/api/v1/licenses/{tid}")),
    ] {
        let (st, code, _, _) = error_of(partner.send(m, &p, Some(json!({}))).await).await;
        assert_eq!(
            (st, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{p}"
        );
    }
    let mine: Value = partner
        .get("/api/v1/licenses?per_page=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 4);
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["id"] != tid));

    // Filters, search, sort and the CSV.
    let l: Value = partner
        .get("/api/v1/licenses?q=customer&sort=type&dir=desc")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["total"], 2);
    assert_eq!(l["items"][0]["license_type"], "player");
    let l: Value = partner
        .get(&format!("/api/v1/licenses?holder_id={customer}&type=login"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["total"], 1);
    let today = &day_in(&app, 0)[..10];
    let far = &day_in(&app, 31)[..10];
    let l: Value = partner
        .get(&format!("/api/v1/licenses?ends_from={today}&ends_to={far}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["total"], 1, "{l}");
    for (q, field) in [
        ("type=gold", "type"),
        ("state=asleep", "state"),
        ("sort=price", "sort"),
        ("ends_from=2027-13-01", "ends_from"),
        ("ends_from=2027-02-01&ends_to=2027-01-01", "ends_to"),
    ] {
        let (st, _, f, _) = error_of(partner.get(&format!("/api/v1/licenses?{q}")).await).await;
        assert_eq!(
            (st, f.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{q}"
        );
    }
    let (st, _, f, _) = error_of(
        partner
            .get(&format!("/api/v1/licenses?holder_id={other}"))
            .await,
    )
    .await;
    assert_eq!(
        (st, f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("holder_id"))
    );
    let r = partner.get("/api/v1/licenses.csv?type=login").await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("Lic Customer"));
    // Every change is in the audit log.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'license.create'")
            .await,
        5
    );
    tiles_match_lists(&partner).await;
    counters_hold(&app, &[1, pid, dealer, customer, other]).await;
}

#[tokio::test]
async fn concurrent_creations_never_pass_the_license_cap() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Three agents", None, None).await;
    set_limits(&op, pkg, json!([{"type": "agent", "max_licenses": 3}])).await;
    let (partner, pid) =
        approved_partner(&app, &op, "Race Lic", "owner@racelic.test", pkg, false).await;
    let dealer = create(&partner, pid, "dealer", "Race Dealer").await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = partner.client.clone();
        let url = app.url("/api/v1/licenses");
        let csrf = partner.csrf.clone();
        let holder = if i % 2 == 0 { pid } else { dealer };
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .header("x-csrf-token", csrf)
                .json(&json!({"type": "agent", "holder_id": holder}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut created = 0;
    for t in tasks {
        let st = t.await.unwrap();
        assert!(
            st == StatusCode::CREATED || st == StatusCode::CONFLICT,
            "{st}"
        );
        created += (st == StatusCode::CREATED) as i64;
    }
    assert_eq!(created, 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM licenses WHERE license_type = 'agent'")
            .await,
        3
    );
    counters_hold(&app, &[1, pid, dealer]).await;
}

#[tokio::test]
async fn totals_equal_a_live_count_after_every_kind_of_change() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Count Partner").await;
    let d = create(&op, p, "dealer", "Count Dealer").await;
    let c = create(&op, d, "customer", "Count Customer").await;
    let c2 = create(&op, p, "customer", "Second Customer").await;
    let all = [1, p, d, c, c2];
    let mut ids = Vec::new();
    for (ty, holder, days) in [
        ("agent", p, 2),
        ("login", d, 10),
        ("player", c, 40),
        ("player", c2, 3),
        ("login", c2, 0),
    ] {
        let mut body = json!({"type": ty, "holder_id": holder});
        if days > 0 {
            body["ends_at"] = json!(day_in(&app, days));
        }
        ids.push(new_license(&op, body).await["id"].as_i64().unwrap());
    }
    counters_hold(&app, &all).await;
    tiles_match_lists(&op).await;
    // State changes.
    let r = op
        .post(
            &format!("/api/v1/licenses/{}/deactivate", ids[1]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "inactive");
    let r = op
        .post(&format!("/api/v1/licenses/{}/activate", ids[1]), json!({}))
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "active");
    op.post(
        &format!("/api/v1/licenses/{}/deactivate", ids[2]),
        json!({}),
    )
    .await;
    counters_hold(&app, &all).await;
    // Reminders: 3 days before the end by setting; the owner of the partner gets one mail.
    add_owner(&op, p, "owner@count.test").await;
    let r = op
        .send(
            reqwest::Method::PUT,
            "/api/v1/licenses/settings",
            Some(json!({"reminder_days": 3})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done = licenses::scan(&app.state).await.unwrap();
    assert_eq!((done.expired, done.reminded), (0, 2));
    assert_eq!(licenses::scan(&app.state).await.unwrap().reminded, 0);
    app.run_jobs().await;
    let mails = app.smtp.to("owner@count.test");
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].subject().contains("ends in 2 day"),
        "{}",
        mails[0].subject()
    );
    // Expiry by the job when the clock passes the ends.
    app.advance(5 * DAY);
    let done = licenses::scan(&app.state).await.unwrap();
    // Sessions do not outlive five days: sign in again.
    let op = app.login_admin().await;
    assert_eq!(done.expired, 2);
    let l: Value = op
        .get(&format!("/api/v1/licenses/{}", ids[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["state"], "expired");
    counters_hold(&app, &all).await;
    tiles_match_lists(&op).await;
    let (st, _, field, _) = error_of(
        op.post(&format!("/api/v1/licenses/{}/activate", ids[0]), json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("state"))
    );
    // Renewal brings it back.
    let (st, _, field, _) = error_of(
        op.post(
            &format!("/api/v1/licenses/{}/renew", ids[0]),
            json!({"ends_at": day_in(&app, -1)}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ends_at"))
    );
    let r = op
        .post(
            &format!("/api/v1/licenses/{}/renew", ids[0]),
            json!({"ends_at": day_in(&app, 60)}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "active");
    counters_hold(&app, &all).await;
    // Deletion of one license, then of a subtree.
    let r = op.delete(&format!("/api/v1/licenses/{}", ids[4])).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    counters_hold(&app, &all).await;
    let preview: Value = op
        .get(&format!("/api/v1/accounts/{d}/deletion"))
        .await
        .json()
        .await
        .unwrap();
    let r = op
        .delete(&format!(
            "/api/v1/accounts/{d}?confirm_accounts={}",
            preview["accounts"]
        ))
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM licenses WHERE holder_id IN ({d}, {c})"
        ))
        .await,
        0
    );
    counters_hold(&app, &[1, p, c2]).await;
    tiles_match_lists(&op).await;
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'license.expire'")
            .await
            == 2
    );
}

async fn add_owner(op: &Session, account: i64, email: &str) {
    crate::tree::add_login(op, account, email, "owner").await;
}
