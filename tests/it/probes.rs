//! Probes (issue 13, seed 004): enrollment codes (single use, expiring, revocable), the probe
//! protocol's check-ins (at most one write per interval), online → late → offline with the test
//! clock, disable and move, and tokens that do not work (counted and throttled).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::sites::{add_site, code_of, enroll, json_of, world};
use crate::support::*;
use crate::tree::PW;

async fn check_in(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.client()
        .post(app.url("/probe/v1/check-in"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn status_of(s: &Session, probe: i64) -> String {
    json_of(
        s.get(&format!("/api/v1/probes/{probe}")).await,
        StatusCode::OK,
    )
    .await["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_probe_checks_in_once_per_interval_and_goes_late_then_offline_when_it_stops() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let site = add_site(&p, w.customer, "Main Street").await;
    let (probe, token) = enroll(&app, &p, site, "probe-main").await;
    assert_eq!(status_of(&p, probe).await, "online", "enrolling is seen");

    // Within the interval (60 s by default) nothing is written, whatever it sends.
    let seen0 = app
        .count(&format!(
            "SELECT last_seen_at FROM probes WHERE id = {probe}"
        ))
        .await;
    for i in 0..10 {
        let v = json_of(
            check_in(&app, &token, json!({"version": format!("2.{i}")})).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["recorded"], false);
        assert!(v["next_check_in_seconds"].as_i64().unwrap() <= 60);
    }
    assert_eq!(
        app.count(&format!(
            "SELECT last_seen_at FROM probes WHERE id = {probe}"
        ))
        .await,
        seen0
    );
    let v = json_of(
        p.get(&format!("/api/v1/probes/{probe}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["version"], "1.0.0", "not written within the interval");
    // An interval later, one check-in is written (with what it sends), the next is not.
    app.advance(60);
    let v = json_of(
        check_in(&app, &token, json!({"version": "2.0.0", "host": "new.lan"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["recorded"].clone(), v["next_check_in_seconds"].clone()),
        (json!(true), json!(60))
    );
    let v = json_of(check_in(&app, &token, json!({})).await, StatusCode::OK).await;
    assert_eq!(v["recorded"], false);
    let v = json_of(
        p.get(&format!("/api/v1/probes/{probe}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["version"].as_str(), v["host"].as_str()),
        (Some("2.0.0"), Some("new.lan"))
    );

    // It stops: online until 180 s, late until 600 s, then offline.
    app.advance(170);
    assert_eq!(status_of(&p, probe).await, "online");
    app.advance(20);
    assert_eq!(status_of(&p, probe).await, "late");
    let page = p.get(&format!("/sites/{site}")).await.text().await.unwrap();
    assert!(page.contains("status-late"), "{page}");
    app.advance(420);
    assert_eq!(status_of(&p, probe).await, "offline");
    let list = json_of(
        p.get(&format!("/api/v1/accounts/{}/sites", w.customer))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            list["items"][0]["probes"].clone(),
            list["items"][0]["probes_online"].clone()
        ),
        (json!(1), json!(0))
    );
    // It comes back: online again at once.
    let v = json_of(check_in(&app, &token, json!({})).await, StatusCode::OK).await;
    assert_eq!(v["recorded"], true);
    assert_eq!(status_of(&p, probe).await, "online");

    // Thresholds are the customer's: a shorter interval is told to the probe.
    let (st, code, field, _) = error_of(
        p.send(
            reqwest::Method::PUT,
            &format!("/api/v1/accounts/{}/probe-settings", w.customer),
            Some(json!({"interval_seconds": 30, "late_after_seconds": 40, "offline_after_seconds": 30})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("late_after_seconds")
        )
    );
    json_of(
        p.send(
            reqwest::Method::PUT,
            &format!("/api/v1/accounts/{}/probe-settings", w.customer),
            Some(json!({"interval_seconds": 30, "late_after_seconds": 60, "offline_after_seconds": 120})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app.advance(30);
    let v = json_of(check_in(&app, &token, json!({})).await, StatusCode::OK).await;
    assert_eq!(
        (v["recorded"].clone(), v["interval_seconds"].clone()),
        (json!(true), json!(30))
    );
    app.advance(90);
    assert_eq!(status_of(&p, probe).await, "late");
}

#[tokio::test]
async fn due_check_ins_arriving_together_are_each_written_once() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let site = add_site(&p, w.customer, "Warehouse").await;
    let mut probes = Vec::new();
    for i in 0..8 {
        probes.push(enroll(&app, &p, site, &format!("probe-{i}")).await);
    }
    // A disabled one among them: refused, never written.
    let (disabled, disabled_token) = enroll(&app, &p, site, "probe-off").await;
    json_of(
        p.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/probes/{disabled}"),
            Some(json!({"enabled": false})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let seen = |id: i64| format!("SELECT last_seen_at FROM probes WHERE id = {id}");
    let before = app.count(&seen(probes[0].0)).await;
    let disabled_before = app.count(&seen(disabled)).await;
    app.advance(60);
    // Every probe three times at once (each with another version), and the disabled one.
    let mut calls = Vec::new();
    for (k, (_, token)) in probes.iter().enumerate() {
        for n in 0..3 {
            calls.push(check_in(
                &app,
                token,
                json!({"version": format!("3.{k}.{n}"), "host": format!("h{k}-{n}.lan")}),
            ));
        }
    }
    let answers = futures_util::future::join_all(calls).await;
    let mut recorded = vec![0; probes.len()];
    for (i, r) in answers.into_iter().enumerate() {
        let v = json_of(r, StatusCode::OK).await;
        if v["recorded"] == json!(true) {
            recorded[i / 3] += 1;
        }
    }
    assert_eq!(recorded, vec![1; probes.len()], "one write per probe");
    assert_eq!(
        check_in(&app, &disabled_token, json!({})).await.status(),
        StatusCode::UNAUTHORIZED
    );
    for (k, (id, _)) in probes.iter().enumerate() {
        assert!(
            app.count(&seen(*id)).await >= before + 60_000,
            "probe {k} seen"
        );
        let v = json_of(p.get(&format!("/api/v1/probes/{id}")).await, StatusCode::OK).await;
        // What the recorded check-in sent, not a mix of two.
        let version = v["version"].as_str().unwrap().to_string();
        let n = version.rsplit('.').next().unwrap();
        assert!(version.starts_with(&format!("3.{k}.")), "{version}");
        assert_eq!(v["host"], json!(format!("h{k}-{n}.lan")));
        assert_eq!(v["status"], "online");
    }
    assert_eq!(
        app.count(&seen(disabled)).await,
        disabled_before,
        "the disabled probe is not written"
    );
    // Within the interval again: nothing more is written.
    for (_, token) in &probes {
        let v = json_of(check_in(&app, token, json!({})).await, StatusCode::OK).await;
        assert_eq!(v["recorded"], false);
    }
}

#[tokio::test]
async fn enrollment_codes_work_once_expire_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let site = add_site(&p, w.customer, "Main Street").await;
    let enroll_with = |code: String| {
        app.client()
            .post(app.url("/probe/v1/enroll"))
            .json(&json!({"code": code, "name": "probe-x"}))
            .send()
    };
    // Only the hash of a code is kept.
    let code = code_of(&p, site).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM probe_enrollments WHERE code_hash = '{code}' OR code_prefix = '{code}'"
        ))
        .await,
        0
    );
    let v = json_of(
        enroll_with(code.clone()).await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM probes WHERE token_hash = '{token}'"
        ))
        .await,
        0,
        "only the token's hash is kept"
    );
    let (st, c, f, _) = error_of(enroll_with(code).await.unwrap()).await;
    assert_eq!(
        (st, c.as_str(), f.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "enrollment_used",
            Some("code")
        )
    );
    // Expired after its hours.
    let v = json_of(
        p.post(
            &format!("/api/v1/sites/{site}/enrollments"),
            json!({"expires_in_hours": 2}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.advance(2 * 3600);
    // Two hours idle end the session: sign in again.
    let p = app.login("owner@northwind.test", PW).await;
    let (_, c, ..) = error_of(
        enroll_with(v["code"].as_str().unwrap().into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(c, "enrollment_expired");
    // Revoked from the site's page.
    let v = json_of(
        p.post(&format!("/api/v1/sites/{site}/enrollments"), json!({}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let eid = v["enrollment"]["id"].as_i64().unwrap();
    let r = p
        .client
        .post(app.url(&format!("/probe-enrollments/{eid}/revoke")))
        .form(&[("csrf_token", p.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, c, ..) = error_of(
        enroll_with(v["code"].as_str().unwrap().into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(c, "enrollment_revoked");
    // Out of range hours, and another tenant's code: 404 to revoke.
    let (_, c, f, _) = error_of(
        p.post(
            &format!("/api/v1/sites/{site}/enrollments"),
            json!({"expires_in_hours": 721}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (c.as_str(), f.as_deref()),
        ("validation_failed", Some("expires_in_hours"))
    );
    let h = app.login("owner@harbor.test", PW).await;
    assert_eq!(
        h.post(
            &format!("/api/v1/probe-enrollments/{eid}/revoke"),
            json!({})
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // The page shows a new code once.
    let r = p
        .client
        .post(app.url(&format!("/sites/{site}/enrollments")))
        .form(&[("csrf_token", p.csrf.as_str()), ("expires_in_hours", "24")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"enrollment-code\" class=\"secret\">ppe_"),
        "{html}"
    );
    let again = p.get(&format!("/sites/{site}")).await.text().await.unwrap();
    assert!(!again.contains("id=\"enrollment-code\""));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE subject_account_id = {} AND action LIKE 'probe%'",
            w.customer
        ))
        .await,
        6,
        "4 codes made, 1 revoked, 1 probe registered"
    );
}

#[tokio::test]
async fn tokens_that_do_not_work_are_refused_counted_and_throttled() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let site = add_site(&p, w.customer, "Main Street").await;
    let other_site = add_site(&op, w.other_customer, "Harbor Hall").await;
    let (probe, token) = enroll(&app, &p, site, "probe-main").await;
    let (other_probe, other_token) = enroll(&app, &op, other_site, "probe-harbor").await;

    // A probe token is no API token, and checks in only its own probe.
    let r = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.advance(60);
    let v = json_of(
        check_in(&app, &other_token, json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["probe_id"], other_probe);
    let h = app.login("owner@harbor.test", PW).await;
    for r in [
        h.get(&format!("/api/v1/probes/{probe}")).await,
        h.patch(
            &format!("/api/v1/probes/{probe}"),
            json!({"enabled": false}),
        )
        .await,
        h.post(
            &format!("/api/v1/probes/{probe}/move"),
            json!({"site_id": other_site}),
        )
        .await,
        h.delete(&format!("/api/v1/probes/{probe}")).await,
    ] {
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    // Moving to another customer's site is refused; to a site of its own customer it goes.
    let (st, c, f, _) = error_of(
        p.post(
            &format!("/api/v1/probes/{probe}/move"),
            json!({"site_id": other_site}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, c.as_str(), f.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "site_of_another_customer",
            Some("site_id")
        )
    );
    let depot = add_site(&p, w.customer, "Depot").await;
    let v = json_of(
        p.post(
            &format!("/api/v1/probes/{probe}/move"),
            json!({"site_id": depot}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["site_name"], "Depot");

    // Disabled: its token stops at once; enabled again it works.
    let viewer = app.login("viewer@northwind.test", PW).await;
    assert_eq!(
        viewer
            .patch(
                &format!("/api/v1/probes/{probe}"),
                json!({"enabled": false})
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    json_of(
        p.patch(
            &format!("/api/v1/probes/{probe}"),
            json!({"enabled": false}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (st, c, ..) = error_of(check_in(&app, &token, json!({})).await).await;
    assert_eq!(
        (st, c.as_str()),
        (StatusCode::UNAUTHORIZED, "probe_token_invalid")
    );
    assert_eq!(status_of(&p, probe).await, "disabled");
    json_of(
        p.patch(&format!("/api/v1/probes/{probe}"), json!({"enabled": true}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        check_in(&app, &token, json!({})).await.status(),
        StatusCode::OK
    );

    // Wrong tokens are counted for the address; at the limit it is refused without a write,
    // while a probe with a good token keeps working.
    let limit = app.state.config.max_failed_logins * 4;
    // The disabled probe's check-in above was the first.
    for _ in 2..limit {
        let (st, c, ..) = error_of(check_in(&app, "ppp_wrong", json!({})).await).await;
        assert_eq!(
            (st, c.as_str()),
            (StatusCode::UNAUTHORIZED, "probe_token_invalid")
        );
    }
    let (st, ..) = error_of(check_in(&app, "ppp_wrong", json!({})).await).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "the limit-th is counted and refused"
    );
    let (st, c, ..) = error_of(check_in(&app, "ppp_wrong", json!({})).await).await;
    assert_eq!(
        (st, c.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    let (st, c, ..) = error_of(
        app.client()
            .post(app.url("/probe/v1/enroll"))
            .json(&json!({"code": "ppe_guess", "name": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (st, c.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    assert_eq!(
        check_in(&app, &token, json!({})).await.status(),
        StatusCode::OK
    );
    // Deleted: its token stops.
    json_of(
        p.delete(&format!("/api/v1/probes/{probe}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        check_in(&app, &token, json!({})).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "an unknown token from a locked address"
    );
}
