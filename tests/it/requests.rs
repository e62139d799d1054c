//! Requests and the approval inbox: add-ons, broadcasts, advertising packages, ad campaigns; the
//! effect of each decision, decisions taken once, who may decide, history and its CSV.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn created(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

fn rfc(app: &TestApp, from_now_secs: i64) -> String {
    partner_panel::clock::rfc3339(app.state.now_ms() + from_now_secs * 1000)
}

/// An operator, two partners with an owner each, and a customer under each.
struct World {
    op: Session,
    p1: i64,
    p2: i64,
    c1: i64,
    c2: i64,
    s1: Session,
    s2: Session,
}

async fn world(app: &TestApp, p2_name: &str) -> World {
    let op = app.login_admin().await;
    let p1 = create(&op, 1, "partner", "Harbor Media").await;
    let p2 = create(&op, 1, "partner", p2_name).await;
    let c1 = create(&op, p1, "customer", "Cafe One").await;
    let c2 = create(&op, p2, "customer", "Cafe Two").await;
    add_login(&op, p1, "owner@harbor.test", "owner").await;
    add_login(&op, p2, "owner@p2.test", "owner").await;
    let s1 = app.login("owner@harbor.test", PW).await;
    let s2 = app.login("owner@p2.test", PW).await;
    World {
        op,
        p1,
        p2,
        c1,
        c2,
        s1,
        s2,
    }
}

async fn impressions(s: &Session, account: i64) -> Value {
    ok(s.get(&format!("/api/v1/accounts/{account}/impressions"))
        .await)
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_type_is_asked_approved_or_rejected_with_its_effect() {
    let app = TestApp::spawn().await;
    let w = world(&app, "=SUM(1+1) Signs").await;
    let addon = created(
        w.op.post(
            "/api/v1/addons",
            json!({"name": "Analytics", "monthly_price": 900}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let adp = created(
        w.op.post(
            "/api/v1/ad-packages",
            json!({"name": "Starter reach", "impressions": 1000, "price": 4900}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Channels and followers: a partner's customers only.
    let ch = created(
        w.s1.post(
            &format!("/api/v1/accounts/{}/channels", w.p1),
            json!({"name": "Harbor News", "description": "Weekly"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let c = ok(w
        .s1
        .post(
            &format!("/api/v1/channels/{ch}/followers"),
            json!({"customer_id": w.c1}),
        )
        .await)
    .await;
    assert_eq!(c["followers"], 1);
    let (s, code, field, _) = error_of(
        w.s1.post(
            &format!("/api/v1/channels/{ch}/followers"),
            json!({"customer_id": w.c2}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("customer_id")
        )
    );
    // Another partner cannot see or touch the channel.
    assert_eq!(
        w.s2.get(&format!("/api/v1/accounts/{}/channels", w.p1))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.s2.patch(&format!("/api/v1/channels/{ch}"), json!({"name": "Mine"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Add-on: asked once, approved → switched on for the partner.
    let r_addon = created(
        w.s1.post(
            "/api/v1/requests",
            json!({"type": "addon", "addon_id": addon}),
        )
        .await,
    )
    .await;
    assert_eq!(r_addon["status"], "pending");
    assert_eq!(r_addon["price"], 900);
    assert_eq!(
        error_of(
            w.s1.post(
                "/api/v1/requests",
                json!({"type": "addon", "addon_id": addon})
            )
            .await
        )
        .await
        .1,
        "duplicate_request"
    );
    // An ad before any impressions: refused, nothing written.
    let before = app.count("SELECT COUNT(*) FROM requests").await;
    let ad = |title: &str, n: i64| {
        json!({"type": "ad", "title": title, "text": "Fresh coffee", "target_url": "https://harbor.example/offer",
               "image_url": "https://harbor.example/a.png", "impressions": n,
               "starts_at": rfc(&app, 600), "ends_at": rfc(&app, 7 * 86400)})
    };
    let (s, _, field, _) = error_of(w.s1.post("/api/v1/requests", ad("Too early", 10)).await).await;
    assert_eq!(
        (s, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("impressions"))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM requests").await, before);
    // Advertising package.
    let r_pkg = created(
        w.s1.post(
            "/api/v1/requests",
            json!({"type": "ad_package", "ad_package_id": adp}),
        )
        .await,
    )
    .await;
    assert_eq!(r_pkg["impressions"], 1000);
    // Broadcasts: each engagement type with its content; bad ones refused.
    for (body, field) in [
        (
            json!({"type": "broadcast", "channel_id": ch, "engagement": "survey", "message": "Which?", "options": ["only one"], "starts_at": rfc(&app, 3600)}),
            "options",
        ),
        (
            json!({"type": "broadcast", "channel_id": ch, "engagement": "poem", "message": "x", "starts_at": rfc(&app, 3600)}),
            "engagement",
        ),
        (
            json!({"type": "broadcast", "channel_id": ch, "engagement": "message", "message": "x", "starts_at": rfc(&app, -7200)}),
            "starts_at",
        ),
        (
            json!({"type": "broadcast", "channel_id": ch, "engagement": "coupon", "message": "x", "discount": "10%", "starts_at": rfc(&app, 3600)}),
            "coupon_code",
        ),
        (
            json!({"type": "broadcast", "channel_id": ch, "engagement": "message", "message": "x", "starts_at": "tomorrow"}),
            "starts_at",
        ),
    ] {
        let (s, _, f, _) = error_of(w.s1.post("/api/v1/requests", body.clone()).await).await;
        assert_eq!(
            (s, f.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}"
        );
    }
    // A partner cannot broadcast from another partner's channel.
    let (_, _, f, _) = error_of(
        w.s2.post(
            "/api/v1/requests",
            json!({"type": "broadcast", "channel_id": ch, "engagement": "message", "message": "x", "starts_at": rfc(&app, 3600)}),
        )
        .await,
    )
    .await;
    assert_eq!(f.as_deref(), Some("channel_id"));
    let r_survey = created(
        w.s1.post(
            "/api/v1/requests",
            json!({"type": "broadcast", "channel_id": ch, "engagement": "survey", "message": "Best roast?",
                   "options": ["Light", "Dark", " "], "starts_at": rfc(&app, 600)}),
        )
        .await,
    )
    .await;
    assert_eq!(r_survey["content"]["options"], json!(["Light", "Dark"]));
    let r_coupon = created(
        w.s1.post(
            "/api/v1/requests",
            json!({"type": "broadcast", "channel_id": ch, "engagement": "coupon", "message": "Autumn deal",
                   "coupon_code": "HARBOR10", "discount": "10%", "starts_at": rfc(&app, 3600)}),
        )
        .await,
    )
    .await;

    // The operator's inbox: counts per type, every field.
    let inbox = ok(w.op.get("/api/v1/inbox").await).await;
    assert_eq!(inbox["pending"]["addon"], 1);
    assert_eq!(inbox["pending"]["broadcast"], 2);
    assert_eq!(inbox["pending"]["ad_package"], 1);
    assert_eq!(inbox["pending"]["ad"], 0);
    let broadcasts = ok(w.op.get("/api/v1/inbox?type=broadcast").await).await;
    assert_eq!(broadcasts["items"].as_array().unwrap().len(), 2);
    assert_eq!(broadcasts["items"][1]["content"]["code"], "HARBOR10");
    assert_eq!(broadcasts["items"][1]["partner_name"], "Harbor Media");
    assert_eq!(broadcasts["items"][1]["channel_name"], "Harbor News");
    // Partners see no inbox of the operator's and cannot decide.
    let other = ok(w.s2.get("/api/v1/inbox").await).await;
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    let id = r_addon["id"].as_i64().unwrap();
    assert_eq!(
        w.s2.post(&format!("/api/v1/inbox/{id}/approve"), json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        error_of(
            w.s1.post(&format!("/api/v1/inbox/{id}/approve"), json!({}))
                .await
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.s2.get(&format!("/api/v1/requests/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    // Approvals take effect.
    let a = ok(w
        .op
        .post(&format!("/api/v1/inbox/{id}/approve"), json!({}))
        .await)
    .await;
    assert_eq!(
        (a["status"].as_str(), a["phase"].as_str()),
        (Some("approved"), Some("active"))
    );
    assert_eq!(
        error_of(
            w.op.post(
                &format!("/api/v1/inbox/{id}/reject"),
                json!({"reason": "late"})
            )
            .await
        )
        .await
        .1,
        "already_decided"
    );
    let partners = ok(w.op.get("/api/v1/partners").await).await;
    let mine = partners["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["account"]["id"] == w.p1)
        .unwrap()
        .clone();
    assert_eq!(mine["addons"], json!(["Analytics"]));
    assert_eq!(mine["channels"][0]["name"], "Harbor News");
    assert_eq!(mine["channels"][0]["followers"], 1);
    assert_eq!(
        error_of(
            w.s1.post(
                "/api/v1/requests",
                json!({"type": "addon", "addon_id": addon})
            )
            .await
        )
        .await
        .1,
        "duplicate_request"
    );

    let pkg_id = r_pkg["id"].as_i64().unwrap();
    ok(w.op
        .post(&format!("/api/v1/inbox/{pkg_id}/approve"), json!({}))
        .await)
    .await;
    let wallet = impressions(&w.s1, w.p1).await;
    assert_eq!(
        (wallet["credited"].as_i64(), wallet["available"].as_i64()),
        (Some(1000), Some(1000))
    );

    // Ads hold impressions while pending; more than available is refused; rejection frees them.
    let first = created(w.s1.post("/api/v1/requests", ad("Autumn roast", 600)).await).await;
    assert_eq!(impressions(&w.s1, w.p1).await["available"], 400);
    let (s, _, f, msg) = error_of(w.s1.post("/api/v1/requests", ad("Second", 500)).await).await;
    assert_eq!(
        (s, f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("impressions"))
    );
    assert!(msg.contains("400"), "{msg}");
    let fid = first["id"].as_i64().unwrap();
    let (s, _, f, _) = error_of(
        w.op.post(
            &format!("/api/v1/inbox/{fid}/reject"),
            json!({"reason": "  "}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let rej = ok(w
        .op
        .post(
            &format!("/api/v1/inbox/{fid}/reject"),
            json!({"reason": "The image shows a competitor's logo"}),
        )
        .await)
    .await;
    assert_eq!(rej["status"], "rejected");
    assert_eq!(impressions(&w.s1, w.p1).await["available"], 1000);
    let live = created(w.s1.post("/api/v1/requests", ad("Winter blend", 700)).await).await;
    let lid = live["id"].as_i64().unwrap();
    let approved = ok(w
        .op
        .post(&format!("/api/v1/inbox/{lid}/approve"), json!({}))
        .await)
    .await;
    assert_eq!(approved["phase"], "scheduled");
    app.advance(1200);
    let now_live = ok(w.s1.get(&format!("/api/v1/requests/{lid}")).await).await;
    assert_eq!(now_live["phase"], "live");
    let wallet = impressions(&w.s1, w.p1).await;
    assert_eq!(
        (wallet["live"].as_i64(), wallet["available"].as_i64()),
        (Some(700), Some(300))
    );

    // Broadcasts: one approved is scheduled and sent at its start to non-followers; one rejected.
    let sid = r_survey["id"].as_i64().unwrap();
    let cid = r_coupon["id"].as_i64().unwrap();
    let b = ok(w
        .op
        .post(&format!("/api/v1/inbox/{sid}/approve"), json!({}))
        .await)
    .await;
    assert_eq!(b["phase"], "scheduled");
    ok(w.op
        .post(
            &format!("/api/v1/inbox/{cid}/reject"),
            json!({"reason": "Coupons need a valid-until date"}),
        )
        .await)
    .await;
    app.run_jobs().await;
    let sent = ok(w.s1.get(&format!("/api/v1/requests/{sid}")).await).await;
    assert_eq!(sent["phase"], "sent");
    // Every active customer but the follower: Cafe Two (Cafe One follows the channel).
    assert_eq!(sent["recipients"], 1);
    // What end-users are shown: the non-follower gets the survey; both see the live campaign.
    add_login(&w.op, w.c2, "cafe2@p2.test", "owner").await;
    add_login(&w.op, w.c1, "cafe1@harbor.test", "owner").await;
    let e2 = ok(app
        .login("cafe2@p2.test", PW)
        .await
        .get("/api/v1/engagements")
        .await)
    .await;
    assert_eq!(e2["broadcasts"].as_array().unwrap().len(), 1, "{e2}");
    assert_eq!(e2["broadcasts"][0]["content"]["question"], "Best roast?");
    assert_eq!(e2["ads"][0]["title"], "Winter blend");
    let e1 = ok(app
        .login("cafe1@harbor.test", PW)
        .await
        .get("/api/v1/engagements")
        .await)
    .await;
    assert_eq!(e1["broadcasts"], json!([]));
    assert_eq!(e1["ads"][0]["title"], "Winter blend");
    assert_eq!(
        w.s1.get("/api/v1/engagements").await.status(),
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM broadcasts WHERE request_id = {cid}"
        ))
        .await,
        0
    );

    // The partner sees its requests with status and reasons.
    let mine = ok(w.s1.get("/api/v1/requests?status=rejected").await).await;
    let reasons: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        vec![
            "The image shows a competitor's logo",
            "Coupons need a valid-until date"
        ]
    );
    // Rejection reasons were emailed to the partner's owner.
    app.run_jobs().await;
    let mails = app.smtp.to("owner@harbor.test");
    assert!(
        mails
            .iter()
            .any(|m| m.subject().contains("rejected") && m.data.contains("competitor's logo")),
        "{mails:?}"
    );

    // A broadcast whose channel is deleted before the decision cannot be approved.
    let ch2 = created(
        w.s1.post(
            &format!("/api/v1/accounts/{}/channels", w.p1),
            json!({"name": "Short lived"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let gone = created(
        w.s1.post(
            "/api/v1/requests",
            json!({"type": "broadcast", "channel_id": ch2, "engagement": "message", "message": "Hi", "starts_at": rfc(&app, 600)}),
        )
        .await,
    )
    .await;
    assert_eq!(
        w.s1.delete(&format!("/api/v1/channels/{ch2}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        error_of(
            w.op.post(&format!("/api/v1/inbox/{}/approve", gone["id"]), json!({}))
                .await
        )
        .await
        .1,
        "channel_gone"
    );
    // The partner withdraws it instead: not a decision, so not in the history.
    let wd = ok(w
        .s1
        .post(
            &format!("/api/v1/requests/{}/withdraw", gone["id"]),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(wd["status"], "withdrawn");
    assert_eq!(
        error_of(
            w.s1.post(
                &format!("/api/v1/requests/{}/withdraw", gone["id"]),
                json!({})
            )
            .await
        )
        .await
        .1,
        "already_decided"
    );

    // A request of the second partner (whose name looks like a formula), rejected.
    let p2addon = created(
        w.s2.post(
            "/api/v1/requests",
            json!({"type": "addon", "addon_id": addon}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    ok(w.op
        .post(
            &format!("/api/v1/inbox/{p2addon}/reject"),
            json!({"reason": "=HYPERLINK(\"http://x\")"}),
        )
        .await)
    .await;

    // History: every decision, filtered by type, decision, partner name and days.
    let h = ok(w.op.get("/api/v1/inbox/history").await).await;
    assert_eq!(h["total"], 7, "{h}");
    let h = ok(w
        .op
        .get("/api/v1/inbox/history?type=ad&decision=rejected")
        .await)
    .await;
    assert_eq!(h["total"], 1);
    assert_eq!(h["items"][0]["title"], "Autumn roast");
    assert_eq!(h["items"][0]["partner"], "Harbor Media");
    assert_eq!(h["items"][0]["decided_by"], ADMIN_EMAIL);
    let h = ok(w.op.get("/api/v1/inbox/history?q=sum(1").await).await;
    assert_eq!(h["total"], 1);
    let (from, to) = (&rfc(&app, -86400)[..10], &rfc(&app, 86400)[..10]);
    let h = ok(w
        .op
        .get(&format!("/api/v1/inbox/history?from={from}&to={to}"))
        .await)
    .await;
    assert_eq!(h["total"], 7);
    let h = ok(w.op.get(&format!("/api/v1/inbox/history?from={to}")).await).await;
    assert_eq!(h["total"], 0);
    let h = ok(w.op.get("/api/v1/inbox/history?to=2000-01-01").await).await;
    assert_eq!(h["total"], 0);
    for bad in [
        "from=yesterday",
        "type=gift",
        "decision=maybe",
        "from=2026-05-02&to=2026-05-01",
    ] {
        let (s, _, _, _) = error_of(w.op.get(&format!("/api/v1/inbox/history?{bad}")).await).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // Partners have no history of the operator's decisions.
    assert_eq!(
        ok(w.s1.get("/api/v1/inbox/history").await).await["total"],
        0
    );

    // CSV: BOM, header, one row per decision, formulas neutralised.
    let r = w.op.get("/api/v1/inbox/history.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines[0],
        "decided_at,type,title,partner,decision,reason,decided_by,id"
    );
    assert_eq!(lines.len(), 8, "{text}");
    assert!(
        text.contains(",'=SUM(1+1) Signs,rejected,\"'=HYPERLINK(\"\"http://x\"\")\","),
        "{text}"
    );
    let _ = (w.p2, w.c2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_decision_is_taken_once_and_impressions_cannot_be_overdrawn() {
    let app = TestApp::spawn().await;
    let w = world(&app, "Second Partner").await;
    add_login(&w.op, 1, "admin2@panel.test", "admin").await;
    let op2 = app.login("admin2@panel.test", PW).await;
    let adp = created(
        w.op.post(
            "/api/v1/ad-packages",
            json!({"name": "Reach", "impressions": 1000, "price": 100}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let r = created(
        w.s1.post(
            "/api/v1/requests",
            json!({"type": "ad_package", "ad_package_id": adp}),
        )
        .await,
    )
    .await;
    let id = r["id"].as_i64().unwrap();
    // Two admins decide at once, several times over: exactly one decision wins.
    let mut calls = Vec::new();
    for i in 0..8 {
        let s = if i % 2 == 0 { &w.op } else { &op2 };
        let (path, body) = if i % 3 == 0 {
            (
                format!("/api/v1/inbox/{id}/reject"),
                json!({"reason": "no"}),
            )
        } else {
            (format!("/api/v1/inbox/{id}/approve"), json!({}))
        };
        calls.push(async move { s.post(&path, body).await });
    }
    let results = futures_util::future::join_all(calls).await;
    let mut oks = 0;
    for r in results {
        match r.status() {
            StatusCode::OK => oks += 1,
            StatusCode::CONFLICT => assert_eq!(error_of(r).await.1, "already_decided"),
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(oks, 1);
    let decided = ok(w.s1.get(&format!("/api/v1/requests/{id}")).await).await;
    let credited = impressions(&w.s1, w.p1).await["credited"].as_i64().unwrap();
    assert_eq!(
        credited,
        if decided["status"] == "approved" {
            1000
        } else {
            0
        }
    );
    if credited == 0 {
        let again = created(
            w.s1.post(
                "/api/v1/requests",
                json!({"type": "ad_package", "ad_package_id": adp}),
            )
            .await,
        )
        .await;
        ok(w.op
            .post(&format!("/api/v1/inbox/{}/approve", again["id"]), json!({}))
            .await)
        .await;
    }
    // Six campaigns of 300 asked at once from 1000 impressions: three fit.
    let s1b = app.login("owner@harbor.test", PW).await;
    let mut calls = Vec::new();
    for i in 0..6 {
        let s = if i % 2 == 0 { &w.s1 } else { &s1b };
        let body = json!({"type": "ad", "title": format!("Campaign {i}"), "text": "Hello", "target_url": "https://x.example",
            "impressions": 300, "starts_at": rfc(&app, 60), "ends_at": rfc(&app, 86400)});
        calls.push(async move { s.post("/api/v1/requests", body).await });
    }
    let results = futures_util::future::join_all(calls).await;
    let created_n = results
        .iter()
        .filter(|r| r.status() == StatusCode::CREATED)
        .count();
    let refused = results
        .iter()
        .filter(|r| r.status() == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((created_n, refused), (3, 3));
    let wallet = impressions(&w.s1, w.p1).await;
    assert_eq!(
        (wallet["pending"].as_i64(), wallet["available"].as_i64()),
        (Some(900), Some(100))
    );

    // Roles: an operator viewer reads the inbox but cannot decide; a partner viewer cannot ask.
    add_login(&w.op, 1, "viewer@panel.test", "viewer").await;
    let viewer = app.login("viewer@panel.test", PW).await;
    let inbox = ok(viewer.get("/api/v1/inbox?type=ad").await).await;
    let first = inbox["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        error_of(
            viewer
                .post(&format!("/api/v1/inbox/{first}/approve"), json!({}))
                .await
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    add_login(&w.op, w.p1, "viewer@harbor.test", "viewer").await;
    let pv = app.login("viewer@harbor.test", PW).await;
    // A viewer of the partner reads its channels but cannot add one (403).
    assert_eq!(
        pv.get(&format!("/api/v1/accounts/{}/channels", w.p1))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        pv.post(
            &format!("/api/v1/accounts/{}/channels", w.p1),
            json!({"name": "Viewer channel"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        error_of(
            pv.post(
                "/api/v1/requests",
                json!({"type": "ad_package", "ad_package_id": adp})
            )
            .await
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Customers and dealers do not make these requests.
    add_login(&w.op, w.c1, "cust@harbor.test", "owner").await;
    let cs = app.login("cust@harbor.test", PW).await;
    let (s, _, _, _) = error_of(
        cs.post(
            "/api/v1/requests",
            json!({"type": "ad_package", "ad_package_id": adp}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // An operator admin who asked while acting as the partner cannot approve it afterwards.
    let asked =
        w.op.client
            .post(app.url("/api/v1/requests"))
            .header("x-act-as", w.p1.to_string())
            .header("x-csrf-token", &w.op.csrf)
            .json(&json!({"type": "ad_package", "ad_package_id": adp}))
            .send()
            .await
            .unwrap();
    let asked = created(asked).await;
    let (s, _, _, msg) = error_of(
        w.op.post(&format!("/api/v1/inbox/{}/approve", asked["id"]), json!({}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{msg}");
    ok(op2
        .post(&format!("/api/v1/inbox/{}/approve", asked["id"]), json!({}))
        .await)
    .await;
    // The operator acting as the partner sees the partner's requests, not the operator's inbox.
    let acting =
        w.op.client
            .get(app.url("/api/v1/inbox?type=ad"))
            .header("x-act-as", w.p1.to_string())
            .send()
            .await
            .unwrap();
    let v: Value = acting.json().await.unwrap();
    assert_eq!(v["total"], 0, "{v}");
    let acting =
        w.op.client
            .post(app.url(&format!("/api/v1/inbox/{first}/approve")))
            .header("x-act-as", w.p1.to_string())
            .header("x-csrf-token", &w.op.csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    assert_eq!(acting.status(), StatusCode::FORBIDDEN);
    let _ = (w.p2, w.c2, w.s2);
}

/// The export streams: thousands of rows (past several chunks) arrive whole and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_export_streams_every_row() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Bulk \"Quoted\", Partner").await;
    let now = app.state.now_ms();
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..3000i64 {
        sqlx::query(
            "INSERT INTO requests (kind, account_id, addressee_id, title, status, reason, created_at, decided_at, decided_by_email) \
             VALUES ('ad', $1, 1, $2, $3, $4, $5, $5, 'operator@panel.test')",
        )
        .bind(p)
        .bind(format!("Campaign {i:04}"))
        .bind(if i % 2 == 0 { "approved" } else { "rejected" })
        .bind(if i % 2 == 0 { None } else { Some(format!("line one\nline {i}")) })
        .bind(now - i * 1000)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let r = op.get("/api/v1/inbox/history.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("content-length").is_none(), "not streamed");
    let text = r.text().await.unwrap();
    assert!(text.len() > 3 * 64 * 1024, "{}", text.len());
    // Read back as a spreadsheet program would: RFC 4180 records.
    let mut rdr =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "decided_at",
            "type",
            "title",
            "partner",
            "decision",
            "reason",
            "decided_by",
            "id"
        ]
    );
    let mut rows = 1;
    let mut last = String::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        assert_eq!(rec.len(), 8);
        assert_eq!(&rec[3], "Bulk \"Quoted\", Partner");
        last = rec[2].to_string();
        rows += 1;
    }
    assert_eq!(rows, 3001);
    assert_eq!(last, "Campaign 2999");
    let page = ok(op
        .get("/api/v1/inbox/history?type=ad&decision=rejected&per_page=100&page=15")
        .await)
    .await;
    assert_eq!(page["total"], 1500);
    assert_eq!(page["items"].as_array().unwrap().len(), 100);
}

/// A reseller registers, finds partners in the directory, asks one (rejected, asked again,
/// accepted), uses its channels for its own customers, and is removed: emails at each step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reseller_asks_a_partner_is_rejected_accepted_and_removed() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = created(
        op.post(
            "/api/v1/packages",
            json!({"name": "Basic", "monthly_price": 1000}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The reseller registers as one; the operator approves; it signs in with the emailed login.
    let reg = created(
        app.client()
            .post(app.url("/api/v1/registrations"))
            .json(&json!({"company_name": "North Resell", "contact_name": "Nora", "email": "nora@north.test",
                          "package_id": pkg, "kind": "reseller"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reg["kind"], "reseller");
    let approved = ok(op
        .post(
            &format!("/api/v1/partnership-requests/{}/approve", reg["id"]),
            json!({}),
        )
        .await)
    .await;
    let reseller = approved["partner_account_id"].as_i64().unwrap();
    let acc = ok(op.get(&format!("/api/v1/accounts/{reseller}")).await).await;
    assert_eq!(acc["kind"], "reseller");
    app.run_jobs().await;
    let mail = app.smtp.to("nora@north.test").pop().unwrap();
    let pw = mail
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .unwrap()
        .trim()
        .to_string();
    let rs = app.login("nora@north.test", &pw).await;
    let customer = create(&rs, reseller, "customer", "North Cafe").await;

    // Two partners: one serves resellers and shows its email only, one opted out.
    let p1 = create(&op, 1, "partner", "Harbor Media").await;
    let p2 = create(&op, 1, "partner", "Closed Shop").await;
    add_login(&op, p1, "owner@harbor.test", "owner").await;
    add_login(&op, p1, "member@harbor.test", "member").await;
    add_login(&op, p2, "owner@closed.test", "owner").await;
    let s1 = app.login("owner@harbor.test", PW).await;
    let m1 = app.login("member@harbor.test", PW).await;
    let s2 = app.login("owner@closed.test", PW).await;
    s1.send(
        reqwest::Method::PUT,
        "/api/v1/reseller-settings",
        Some(json!({"email": "resellers@harbor.test", "show_email": true, "show_phone": false})),
    )
    .await;
    s2.send(
        reqwest::Method::PUT,
        "/api/v1/reseller-settings",
        Some(json!({"serves_resellers": false})),
    )
    .await;
    let ch = created(
        s1.post(
            &format!("/api/v1/accounts/{p1}/channels"),
            json!({"name": "Harbor News"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let dir = ok(rs.get("/api/v1/partner-directory").await).await;
    let names: Vec<&str> = dir["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Harbor Media"]);

    // Asking the opted-out partner is refused; asking Harbor arrives in Harbor's inbox only.
    let link = |partner: i64| json!({"type": "reseller_link", "partner_id": partner});
    let (s, _, f, _) = error_of(rs.post("/api/v1/requests", link(p2)).await).await;
    assert_eq!(
        (s, f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("partner_id"))
    );
    let first = created(rs.post("/api/v1/requests", link(p1)).await).await;
    assert_eq!(
        error_of(rs.post("/api/v1/requests", link(p1)).await)
            .await
            .1,
        "duplicate_request"
    );
    assert_eq!(
        ok(op.get("/api/v1/inbox").await).await["pending"]["reseller_link"],
        0
    );
    let inbox = ok(s1.get("/api/v1/inbox?type=reseller_link").await).await;
    assert_eq!(inbox["pending"]["reseller_link"], 1);
    assert_eq!(inbox["items"][0]["partner_name"], "North Resell");
    let fid = first["id"].as_i64().unwrap();
    assert_eq!(
        s2.post(&format!("/api/v1/inbox/{fid}/approve"), json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        rs.post(&format!("/api/v1/inbox/{fid}/approve"), json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        m1.post(&format!("/api/v1/inbox/{fid}/approve"), json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Rejected with a reason, emailed to the reseller.
    ok(s1
        .post(
            &format!("/api/v1/inbox/{fid}/reject"),
            json!({"reason": "We only work with resellers in the south"}),
        )
        .await)
    .await;
    app.run_jobs().await;
    assert!(app
        .smtp
        .to("nora@north.test")
        .iter()
        .any(|m| m.data.contains("resellers in the south")));
    assert!(ok(rs.get("/api/v1/my-partner").await).await["partner"].is_null());

    // Asked again and accepted: linked, the partner's channels are the reseller's to use.
    let second = created(rs.post("/api/v1/requests", link(p1)).await).await;
    let sid = second["id"].as_i64().unwrap();
    let a = ok(s1
        .post(&format!("/api/v1/inbox/{sid}/approve"), json!({}))
        .await)
    .await;
    assert_eq!(a["phase"], "linked");
    let mine = ok(rs.get("/api/v1/my-partner").await).await;
    assert_eq!(mine["partner"]["name"], "Harbor Media");
    assert_eq!(mine["partner"]["email"], "resellers@harbor.test");
    assert!(mine["partner"].get("phone").is_none(), "{mine}");
    assert_eq!(mine["channels"][0]["name"], "Harbor News");
    let c = ok(rs
        .post(
            &format!("/api/v1/channels/{ch}/followers"),
            json!({"customer_id": customer}),
        )
        .await)
    .await;
    assert_eq!(c["followers"], 1);
    // The partner cannot add or remove the reseller's customers as followers.
    let (s, _, f, _) = error_of(
        s1.post(
            &format!("/api/v1/channels/{ch}/followers/remove"),
            json!({"customer_id": customer}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("customer_id"))
    );
    // The reseller cannot rename the partner's channel; the partner does not see its customers.
    assert_eq!(
        rs.patch(&format!("/api/v1/channels/{ch}"), json!({"name": "Ours"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s1.get(&format!("/api/v1/accounts/{customer}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let list = ok(s1.get("/api/v1/resellers").await).await;
    assert_eq!(list["items"][0]["name"], "North Resell");
    assert!(list["items"][0].get("customers").is_none());
    // One partner at a time.
    assert_eq!(
        error_of(rs.post("/api/v1/requests", link(p1)).await)
            .await
            .1,
        "already_linked"
    );

    // Removed: both emailed, the content is gone at once, the list is empty.
    assert_eq!(
        m1.post(&format!("/api/v1/resellers/{reseller}/remove"), json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s2.post(&format!("/api/v1/resellers/{reseller}/remove"), json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = s1
        .post(&format!("/api/v1/resellers/{reseller}/remove"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    app.run_jobs().await;
    assert!(app.smtp.to("nora@north.test").iter().any(|m| m
        .subject()
        .contains("Harbor Media ended your reseller link")));
    assert!(app.smtp.to("owner@harbor.test").iter().any(|m| m
        .subject()
        .contains("North Resell is no longer your reseller")));
    let mine = ok(rs.get("/api/v1/my-partner").await).await;
    assert!(mine["partner"].is_null() && mine["channels"].as_array().unwrap().is_empty());
    assert_eq!(
        rs.post(
            &format!("/api/v1/channels/{ch}/followers"),
            json!({"customer_id": customer})
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let ch_now = ok(s1.get(&format!("/api/v1/accounts/{p1}/channels")).await).await;
    assert_eq!(ch_now["items"][0]["followers"], 0);
    assert_eq!(
        ok(s1.get("/api/v1/resellers").await).await["items"],
        json!([])
    );
    let old = ok(rs.get(&format!("/api/v1/requests/{sid}")).await).await;
    assert_eq!(old["phase"], "ended");
    // Free to ask again, and to withdraw.
    let again = created(rs.post("/api/v1/requests", link(p1)).await).await;
    ok(rs
        .post(
            &format!("/api/v1/requests/{}/withdraw", again["id"]),
            json!({}),
        )
        .await)
    .await;
    // A request left waiting at a partner that then shuts down is withdrawn when the reseller
    // asks another (asking another while one waits is allowed: fixes::a_reseller_may_ask_…).
    let p3 = create(&op, 1, "partner", "Third Partner").await;
    created(rs.post("/api/v1/requests", link(p1)).await).await;
    let st = op
        .post(
            &format!("/api/v1/accounts/{p1}/status"),
            json!({"status": "inactive"}),
        )
        .await;
    assert_eq!(st.status(), StatusCode::OK);
    let third = created(rs.post("/api/v1/requests", link(p3)).await).await;
    // The automatic withdrawal is in the reseller's audit log, with the login that caused it.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'request.withdraw' AND subject_account_id = {reseller} \
             AND target_id IS NULL AND login_email = 'nora@north.test'"
        ))
        .await,
        1
    );

    assert_eq!(third["addressee_id"], p3);
    let mine = ok(rs
        .get("/api/v1/requests?type=reseller_link&status=withdrawn")
        .await)
    .await;
    assert_eq!(mine["total"], 2);
    // The third partner accepts; later the reseller leaves it itself: both are emailed.
    add_login(&op, p3, "owner@third.test", "owner").await;
    let s3 = app.login("owner@third.test", PW).await;
    ok(s3
        .post(&format!("/api/v1/inbox/{}/approve", third["id"]), json!({}))
        .await)
    .await;
    assert_eq!(
        ok(rs.get("/api/v1/my-partner").await).await["partner"]["name"],
        "Third Partner"
    );
    let r = rs.post("/api/v1/my-partner/leave", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        rs.post("/api/v1/my-partner/leave", json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s3.post("/api/v1/my-partner/leave", json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    app.run_jobs().await;
    assert!(app
        .smtp
        .to("owner@third.test")
        .iter()
        .any(|m| m.subject().contains("North Resell left your resellers")));
    assert!(app.smtp.to("nora@north.test").iter().any(|m| m
        .subject()
        .contains("You no longer resell for Third Partner")));
    assert!(ok(rs.get("/api/v1/my-partner").await).await["partner"].is_null());
    assert_eq!(
        ok(s3.get("/api/v1/resellers").await).await["items"],
        json!([])
    );
}

/// An approved add-on is billed with the package on the partner's next invoice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_addon_is_on_the_next_invoice() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = created(
        op.post(
            "/api/v1/packages",
            json!({"name": "Basic", "monthly_price": 1000, "trial_days": 14}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let addon = created(
        op.post(
            "/api/v1/addons",
            json!({"name": "Analytics", "monthly_price": 900}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let reg = created(
        app.client()
            .post(app.url("/api/v1/registrations"))
            .json(&json!({"company_name": "Billed Media", "contact_name": "Bo", "email": "bo@billed.test", "package_id": pkg}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let partner = ok(op
        .post(
            &format!("/api/v1/partnership-requests/{}/approve", reg["id"]),
            json!({}),
        )
        .await)
    .await["partner_account_id"]
        .as_i64()
        .unwrap();
    app.run_jobs().await;
    let mail = app.smtp.to("bo@billed.test").pop().unwrap();
    let pw = mail
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .unwrap()
        .trim()
        .to_string();
    let s = app.login("bo@billed.test", &pw).await;
    let r = created(
        s.post(
            "/api/v1/requests",
            json!({"type": "addon", "addon_id": addon}),
        )
        .await,
    )
    .await;
    ok(op
        .post(&format!("/api/v1/inbox/{}/approve", r["id"]), json!({}))
        .await)
    .await;
    // A week before the trial ends, the invoice for the first paid month: package and add-on.
    app.advance(7 * 86_400 + 60);
    partner_panel::areas::billing::scan(&app.state)
        .await
        .unwrap();
    assert_eq!(
        app.count(&format!(
            "SELECT total FROM invoices WHERE account_id = {partner}"
        ))
        .await,
        1900
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
             WHERE i.account_id = {partner} AND l.kind = 'addon' AND l.amount = 900 AND l.description = 'Add-on Analytics'"
        ))
        .await,
        1
    );
}

/// The small demo leaves something in the operator's Approvals, and it can be decided.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_the_inbox() {
    let app = TestApp::spawn().await;
    partner_panel::demo::load(&app.state).await.unwrap();
    // A second load changes nothing.
    partner_panel::demo::load(&app.state).await.unwrap();
    let op = app.login_admin().await;
    let inbox = ok(op.get("/api/v1/inbox").await).await;
    assert_eq!(
        (
            inbox["pending"]["ad_package"].as_i64(),
            inbox["pending"]["broadcast"].as_i64()
        ),
        (Some(1), Some(1)),
        "{inbox}"
    );
    for item in ok(op.get("/api/v1/inbox?type=ad_package").await).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            ok(op.get("/api/v1/inbox?type=broadcast").await).await["items"]
                .as_array()
                .unwrap(),
        )
    {
        ok(op
            .post(&format!("/api/v1/inbox/{}/approve", item["id"]), json!({}))
            .await)
        .await;
    }
    let p = app
        .login(
            "owner@northwind.example",
            partner_panel::demo::DEMO_PASSWORD,
        )
        .await;
    let acc = ok(p.get("/api/v1/me").await).await["account"]["id"]
        .as_i64()
        .unwrap();
    // The demo's partner bought a package before (10,000) and this one adds 10,000.
    assert_eq!(impressions(&p, acc).await["credited"], 20_000);
}
