//! Partner onboarding: packages, registration, partnership requests and their decisions.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

async fn package(op: &Session, name: &str, price: i64) -> i64 {
    let r = op.post("/api/v1/packages", json!({"name": name, "monthly_price": price, "currency": "eur", "feature_ads": true, "max_customers": 50})).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

fn registration(email: &str, package_id: i64) -> Value {
    json!({
        "company_name": "Acme Signage", "contact_name": "Ada Acme", "email": email, "phone": "+49 30 1234",
        "website": "https://acme.example", "description": "Screens for 40 cafés", "package_id": package_id,
        "no_resellers": true
    })
}

#[tokio::test]
async fn packages_are_the_operators_and_the_public_sees_the_active_ones() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let basic = package(&op, "Basic", 1999).await;
    let pro = package(&op, "Pro", 4999).await;
    for (body, field) in [
        (json!({"name": "", "monthly_price": 1}), "name"),
        (json!({"name": "X"}), "monthly_price"),
        (json!({"name": "X", "monthly_price": -1}), "monthly_price"),
        (
            json!({"name": "X", "monthly_price": 1, "currency": "euro"}),
            "currency",
        ),
        (
            json!({"name": "X", "monthly_price": 1, "trial_days": 400}),
            "trial_days",
        ),
    ] {
        let (status, _, f, _) = error_of(op.post("/api/v1/packages", body.clone()).await).await;
        assert_eq!(
            (status, f.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}"
        );
    }
    assert_eq!(
        error_of(
            op.post(
                "/api/v1/packages",
                json!({"name": "Basic", "monthly_price": 5})
            )
            .await
        )
        .await
        .1,
        "name_taken"
    );
    let public: Value = app
        .client()
        .get(app.url("/api/v1/packages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = &public["items"][0];
    assert_eq!(
        (
            p["name"].as_str(),
            p["monthly_price"].as_i64(),
            p["currency"].as_str(),
            p["trial_days"].as_i64()
        ),
        (Some("Basic"), Some(1999), Some("EUR"), Some(14))
    );
    assert_eq!(
        op.post(
            &format!("/api/v1/packages/{pro}/status"),
            json!({"status": "retired"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    let public: Value = app
        .client()
        .get(app.url("/api/v1/packages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["items"].as_array().unwrap().len(), 1);
    let all: Value = op
        .get("/api/v1/packages?all=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let r = op
        .patch(
            &format!("/api/v1/packages/{basic}"),
            json!({"monthly_price": 2499}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["monthly_price"], 2499);
    assert_eq!(
        op.post(
            "/api/v1/addons",
            json!({"name": "Advertising", "monthly_price": 900})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    // A partner cannot touch the catalogue.
    let pid = crate::tree::create(&op, 1, "partner", "P").await;
    crate::tree::add_login(&op, pid, "p@p.test", "owner").await;
    let partner = app.login("p@p.test", crate::tree::PW).await;
    assert_eq!(
        partner
            .post(
                "/api/v1/packages",
                json!({"name": "Mine", "monthly_price": 1})
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        partner.get("/api/v1/partnership-requests").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'package.%'")
            .await,
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_is_approved_once_and_the_partner_signs_in_with_the_emailed_login() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let basic = package(&op, "Basic", 1999).await;
    let anon = app.client();
    let reg = |body: Value| {
        anon.post(app.url("/api/v1/registrations"))
            .json(&body)
            .send()
    };
    // Field rules.
    let mut bad = registration("ada@acme.example", basic);
    bad["website"] = json!("acme.example");
    assert_eq!(
        error_of(reg(bad).await.unwrap()).await.2.as_deref(),
        Some("website")
    );
    assert_eq!(
        error_of(reg(registration("ada@acme.example", 999)).await.unwrap())
            .await
            .2
            .as_deref(),
        Some("package_id")
    );
    let r = reg(registration("ada@acme.example", basic)).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let req: Value = r.json().await.unwrap();
    assert_eq!(
        (
            req["status"].as_str(),
            req["package_name"].as_str(),
            req["price_label"].as_str()
        ),
        (Some("pending"), Some("Basic"), Some("19.99 EUR"))
    );
    assert_eq!(req["no_resellers"], true);
    // The same email again while pending: refused clearly.
    assert_eq!(
        error_of(reg(registration("ADA@acme.example", basic)).await.unwrap())
            .await
            .1,
        "duplicate_request"
    );

    let pending: Value = op
        .get("/api/v1/partnership-requests")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["items"].as_array().unwrap().len(), 1);
    let id = req["id"].as_i64().unwrap();
    // Two operators approve at once: one wins, the other gets a clear conflict.
    let op2 = app.login_admin().await;
    let path = format!("/api/v1/partnership-requests/{id}/approve");
    let (a, b) = tokio::join!(op.post(&path, json!({})), op2.post(&path, json!({})));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'partner'")
            .await,
        1
    );
    let sub_end: i64 = app
        .count("SELECT period_end - period_start FROM subscriptions")
        .await;
    assert_eq!(sub_end, 14 * 86_400_000);
    app.run_jobs().await;
    let mail = app.smtp.to("ada@acme.example");
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject().contains("approved"));
    let password = mail[0]
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("password in the email")
        .trim()
        .to_string();
    let partner = app.login("ada@acme.example", &password).await;
    let me: Value = partner.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(
        (
            me["account"]["kind"].as_str(),
            me["account"]["name"].as_str()
        ),
        (Some("partner"), Some("Acme Signage"))
    );

    // My partners shows it with its package and trial.
    let list: Value = op.get("/api/v1/partners").await.json().await.unwrap();
    let row = &list["items"][0];
    assert_eq!(
        (
            row["package_name"].as_str(),
            row["subscription_status"].as_str()
        ),
        (Some("Basic"), Some("trial"))
    );
    let pid = row["account"]["id"].as_i64().unwrap();
    assert_eq!(
        op.patch(
            &format!("/api/v1/partners/{pid}"),
            json!({"external_invoice_id": "CRM-42"})
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    let list: Value = op
        .get("/api/v1/partners?q=acme")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["external_invoice_id"], "CRM-42");
}

#[tokio::test]
async fn rejection_needs_a_reason_that_is_emailed_and_history_is_searchable() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let basic = package(&op, "Basic", 1999).await;
    let c = app.client();
    let mut ids = Vec::new();
    for (i, name) in ["Bravo Media", "=cmd Partner", "Charlie Screens"]
        .iter()
        .enumerate()
    {
        let mut body = registration(&format!("r{i}@reg.example"), basic);
        body["company_name"] = json!(name);
        let v: Value = c
            .post(app.url("/api/v1/registrations"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(v["id"].as_i64().unwrap());
    }
    let (status, _, field, _) = error_of(
        op.post(
            &format!("/api/v1/partnership-requests/{}/reject", ids[0]),
            json!({"reason": "  "}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let r = op
        .post(
            &format!("/api/v1/partnership-requests/{}/reject", ids[0]),
            json!({"reason": "We do not serve your region yet."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        op.post(
            &format!("/api/v1/partnership-requests/{}/approve", ids[0]),
            json!({})
        )
        .await
        .status(),
        StatusCode::CONFLICT
    );
    op.post(
        &format!("/api/v1/partnership-requests/{}/reject", ids[1]),
        json!({"reason": "Incomplete"}),
    )
    .await;
    op.post(
        &format!("/api/v1/partnership-requests/{}/approve", ids[2]),
        json!({}),
    )
    .await;
    app.run_jobs().await;
    let mail = app.smtp.to("r0@reg.example");
    assert_eq!(mail.len(), 1);
    assert!(mail[0].data.contains("We do not serve your region yet."));

    let h: Value = op
        .get("/api/v1/partnership-requests/history?q=bravo")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(h["total"], 1);
    assert_eq!(h["items"][0]["decided_by"], ADMIN_EMAIL);
    let h: Value = op
        .get("/api/v1/partnership-requests/history?decision=rejected")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(h["total"], 2);
    let csv = op
        .get("/api/v1/partnership-requests/history.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("'=cmd Partner"), "formula neutralised: {csv}");
    assert!(csv.contains("Charlie Screens") && csv.contains("approved"));
    assert_eq!(
        error_of(
            op.get("/api/v1/partnership-requests/history?decision=maybe")
                .await
        )
        .await
        .1,
        "validation_failed"
    );
}

#[tokio::test]
async fn automatic_approval_and_the_registration_rate_limit() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let basic = package(&op, "Basic", 1999).await;
    assert_eq!(
        op.send(
            reqwest::Method::PUT,
            "/api/v1/settings",
            Some(json!({"auto_approve_partners": true}))
        )
        .await
        .status(),
        StatusCode::OK
    );
    let c = app.client();
    let v: Value = c
        .post(app.url("/api/v1/registrations"))
        .json(&registration("auto@reg.example", basic))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["decided_by"], "automatic approval");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'partner'")
            .await,
        1
    );
    // Four more from the same address are fine; the sixth within the hour is refused.
    for i in 0..4 {
        let r = c
            .post(app.url("/api/v1/registrations"))
            .json(&registration(&format!("n{i}@reg.example"), basic))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = c
        .post(app.url("/api/v1/registrations"))
        .json(&registration("late@reg.example", basic))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "too_many_attempts");
    app.advance(3601);
    let r = c
        .post(app.url("/api/v1/registrations"))
        .json(&registration("late@reg.example", basic))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_login_goes_by_sms_through_the_gateway_when_asked() {
    let gateway = TestHttpSink::start().await;
    let url = gateway.url.clone();
    let app = TestApp::spawn_with(move |c| c.sms_gateway_url = Some(url)).await;
    let op = app.login_admin().await;
    let basic = package(&op, "Basic", 1999).await;
    let mut body = registration("sms@reg.example", basic);
    body["delivery"] = json!("sms");
    body["phone"] = json!("");
    let r = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(r).await.2.as_deref(),
        Some("phone"),
        "SMS needs a phone number"
    );
    body["phone"] = json!("+49 170 555 0101");
    let v: Value = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    op.post(
        &format!("/api/v1/partnership-requests/{}/approve", v["id"]),
        json!({}),
    )
    .await;
    app.run_jobs().await;
    let sent = gateway.bodies();
    assert_eq!(sent.len(), 1);
    let sms: Value = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(sms["to"], "+49 170 555 0101");
    let text = sms["text"].as_str().unwrap();
    assert!(text.contains("sms@reg.example"));
    let pw = text.rsplit("password ").next().unwrap().trim();
    app.login("sms@reg.example", pw).await;
    assert!(
        app.smtp.to("sms@reg.example").is_empty(),
        "not by email as well"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND status = 'sent'")
            .await,
        1
    );
}

/// Packages, add-ons and advertising packages retire and come back the same way: status in the
/// list, one audit record with the item's name, 422 for another status, 404 for a missing one.
#[tokio::test]
async fn catalogue_items_retire_and_come_back_audited() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let mut items = Vec::new();
    for (path, body) in [
        (
            "packages",
            json!({"name": "Retiring package", "monthly_price": 100, "currency": "eur"}),
        ),
        (
            "addons",
            json!({"name": "Retiring add-on", "monthly_price": 100}),
        ),
        (
            "ad-packages",
            json!({"name": "Retiring reach", "impressions": 10, "price": 100}),
        ),
    ] {
        let r = op.post(&format!("/api/v1/{path}"), body.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{path}");
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        items.push((path, id, body["name"].as_str().unwrap().to_string()));
    }
    for (path, id, name) in &items {
        for status in ["retired", "active"] {
            let r = op
                .post(
                    &format!("/api/v1/{path}/{id}/status"),
                    json!({ "status": status }),
                )
                .await;
            assert!(r.status().is_success(), "{path} {status}: {}", r.status());
        }
        let list: Value = op
            .get(&format!("/api/v1/{path}?all=true"))
            .await
            .json()
            .await
            .unwrap();
        let items = list
            .as_array()
            .or(list["items"].as_array())
            .unwrap()
            .clone();
        let item = items.iter().find(|i| i["id"] == *id).unwrap();
        assert_eq!(item["status"], "active", "{path}");
        let (st, code, field, _) = error_of(
            op.post(
                &format!("/api/v1/{path}/{id}/status"),
                json!({"status": "gone"}),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, code.as_str(), field.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some("status")
            ),
            "{path}"
        );
        let (st, _, _, _) = error_of(
            op.post(
                &format!("/api/v1/{path}/987654/status"),
                json!({"status": "retired"}),
            )
            .await,
        )
        .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}");
        let kind = match *path {
            "packages" => "package",
            "addons" => "addon",
            _ => "ad_package",
        };
        for action in ["retire", "reactivate"] {
            let n = app
                .count(&format!(
                    "SELECT COUNT(*) FROM audit_log WHERE action = '{kind}.{action}' \
                     AND target_id = '{id}' AND detail = '{name}'"
                ))
                .await;
            assert_eq!(n, 1, "{kind}.{action}");
        }
    }
}
