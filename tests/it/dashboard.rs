//! The dashboard fits who is looking (operator, partner, reseller, dealer, customer) in the API
//! and on the page; every license tile equals the total of the list it opens; quick actions open
//! the license form preset and "Login as partner" finds partners to act as; a holder may not
//! switch its own license off.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::licenses::{counters_hold, day_in, new_license};
use crate::networks::{approved_partner, capped_package};
use crate::support::*;
use crate::tree::{add_login, create, PW};

/// The kinds listed under `below`.
fn below_kinds(d: &Value) -> Vec<String> {
    d["below"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap().to_string())
        .collect()
}

fn license_types(d: &Value) -> Vec<String> {
    d["licenses"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["license_type"].as_str().unwrap().to_string())
        .collect()
}

fn quick(d: &Value) -> Vec<String> {
    d["quick_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            q["license_type"]
                .as_str()
                .unwrap_or(q["action"].as_str().unwrap())
                .to_string()
        })
        .collect()
}

async fn dash(s: &Session) -> Value {
    let r = s.get("/api/v1/dashboard").await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn page(s: &Session) -> String {
    let r = s.get("/").await;
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

/// Every license tile of the dashboard (API and page) equals the total of the list it opens.
async fn dashboard_tiles_match_lists(s: &Session) {
    let d = dash(s).await;
    let html = page(s).await;
    for ty in d["licenses"]["types"].as_array().unwrap() {
        let t = ty["license_type"].as_str().unwrap();
        for st in ty["states"].as_array().unwrap() {
            let state = st["state"].as_str().unwrap();
            let l: Value = s
                .get(&format!("/api/v1/licenses?type={t}&state={state}"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(l["total"], st["count"], "{t}/{state}");
            // The tile on the page: its link (askama escapes `&`) and its number.
            let id = format!(r#"id="dash-tile-{t}-{state}""#);
            let at = html.find(&id).unwrap_or_else(|| panic!("no tile {id}"));
            let before = &html[html[..at].rfind("<a ").unwrap()..at];
            let href = before
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert_eq!(
                href.replace("&amp;", "&").replace("&#38;", "&"),
                format!("/licenses?type={t}&state={state}"),
                "{id}"
            );
            let num = html[at..]
                .split(r#"<span class="num">"#)
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap();
            assert_eq!(num, st["count"].to_string(), "page tile {t}/{state}");
        }
    }
}

/// A world: a partner on a package (with a trial) and its dealer with a subscriber, a customer
/// directly below the partner, a reseller, a registration waiting, licenses of every type.
pub(crate) struct World {
    pub op: Session,
    pub partner: Session,
    pub pid: i64,
    pub dealer: Session,
    pub did: i64,
    pub customer: Session,
    pub cid: i64,
    pub reseller: Session,
}

pub(crate) async fn world(app: &TestApp) -> World {
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Dash Package", None, None).await;
    let (partner, pid) =
        approved_partner(app, &op, "Dash Partner", "owner@dash.test", pkg, false).await;
    let did = create(&partner, pid, "dealer", "Dash Dealer").await;
    let cid = create(&partner, did, "customer", "Dash Subscriber").await;
    let direct = create(&partner, pid, "customer", "Dash Direct").await;
    let rid = create(&op, 1, "reseller", "Dash Reseller").await;
    add_login(&op, did, "dealer@dash.test", "owner").await;
    add_login(&op, cid, "customer@dash.test", "owner").await;
    add_login(&op, rid, "reseller@dash.test", "owner").await;
    // A registration waits for the operator.
    let r = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({
            "company_name": "Waiting Co", "contact_name": "Wes Wait", "email": "wait@dash.test",
            "phone": "+49 30 556", "website": "https://wait.example", "package_id": pkg,
            "no_resellers": false, "directory_consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    for (ty, holder, state) in [
        ("development", pid, "active"),
        ("agent", pid, "pending"),
        ("login", did, "active"),
        ("player", cid, "active"),
        ("player", cid, "pending"),
        ("login", direct, "active"),
        ("agent", rid, "active"),
    ] {
        new_license(
            &op,
            json!({"type": ty, "holder_id": holder, "state": state, "ends_at": day_in(app, 60)}),
        )
        .await;
    }
    World {
        partner,
        pid,
        dealer: app.login("dealer@dash.test", PW).await,
        did,
        customer: app.login("customer@dash.test", PW).await,
        cid,
        reseller: app.login("reseller@dash.test", PW).await,
        op,
    }
}

#[tokio::test]
async fn the_dashboard_fits_each_kind_of_viewer() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;

    // The operator: approvals waiting by type, billing figures, every kind below, all types.
    let d = dash(&w.op).await;
    assert_eq!(d["account"]["kind"], "operator");
    assert_eq!(
        below_kinds(&d),
        ["partner", "reseller", "dealer", "customer"]
    );
    let pending = d["pending"].as_array().unwrap();
    assert_eq!(pending[0]["kind"], "partnership");
    assert_eq!(pending[0]["count"], 1);
    assert!(pending.iter().all(|p| p["kind"] != "reseller_link"));
    assert_eq!(license_types(&d).len(), 5);
    assert_eq!(d["licenses"]["total"], 7);
    let now = app.state.now_ms();
    let week = now + 7 * 86_400_000;
    let b = &d["billing"];
    for (key, sql) in [
        ("trials_ending_this_week", format!("SELECT COUNT(*) FROM subscriptions WHERE status = 'trial' AND period_end >= {now} AND period_end < {week}")),
        ("open_invoices", "SELECT COUNT(*) FROM invoices WHERE status = 'open'".to_string()),
        ("overdue_invoices", format!("SELECT COUNT(*) FROM invoices WHERE status = 'open' AND due_at < {now}")),
        ("denied_partners", "SELECT COUNT(*) FROM subscriptions WHERE status = 'suspended'".to_string()),
    ] {
        assert_eq!(b[key].as_i64().unwrap(), app.count(&sql).await, "{key}");
    }
    assert!(d.get("package").is_none());
    assert_eq!(
        quick(&d),
        ["development", "partner", "act_as"],
        "the operator holds development licenses and creates partners"
    );
    let html = page(&w.op).await;
    for id in [
        "operator-billing",
        "trials-ending",
        "overdue-invoices",
        "denied-partners",
        "pending-partnership",
        "count-reseller",
        "dash-totals-player",
        "login-as-partner",
    ] {
        assert!(
            html.contains(&format!(r#"id="{id}""#)),
            "operator page: {id}"
        );
    }
    assert!(html.contains("Waiting for your decision"));

    // A trial ending within the week is named, and its invoice counted as open.
    let end = app
        .count(&format!(
            "SELECT period_end FROM subscriptions WHERE account_id = {}",
            w.pid
        ))
        .await;
    if end - now > 3 * 86_400_000 {
        app.advance((end - now) / 1000 - 3 * 86_400);
    }
    app.run_jobs().await;
    let op = app.login_admin().await;
    let d = dash(&op).await;
    assert_eq!(d["billing"]["trials_ending_this_week"], 1);
    assert_eq!(d["billing"]["trials_ending"][0]["name"], "Dash Partner");
    assert_eq!(
        d["billing"]["open_invoices"].as_i64().unwrap(),
        app.count("SELECT COUNT(*) FROM invoices WHERE status = 'open'")
            .await
    );
    assert!(page(&op).await.contains("Dash Partner ("));

    // The partner: its package and invoices, requests for partner to decide, its kinds below.
    let partner = app
        .login(
            "owner@dash.test",
            app.smtp.to("owner@dash.test")[0]
                .data
                .lines()
                .find_map(|l| l.trim().strip_prefix("password: "))
                .unwrap()
                .trim(),
        )
        .await;
    let d = dash(&partner).await;
    assert_eq!(d["account"]["kind"], "partner");
    assert_eq!(below_kinds(&d), ["partner", "dealer", "customer"]);
    let customers = d["below"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "customer")
        .unwrap()
        .clone();
    assert_eq!(
        (
            customers["children"].as_i64(),
            customers["in_subtree"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(d["pending"].as_array().unwrap().len(), 1);
    assert_eq!(d["pending"][0]["kind"], "reseller_link");
    assert_eq!(d["package"]["subscription"]["package_name"], "Dash Package");
    assert_eq!(d["package"]["subscription"]["status"], "trial");
    assert!(d.get("billing").is_none());
    assert_eq!(license_types(&d).len(), 5);
    assert_eq!(d["licenses"]["total"], 6, "everything but the reseller's");
    assert_eq!(
        quick(&d),
        ["development", "partner", "agent", "login", "act_as"]
    );
    let recent = d["recent"].as_array().unwrap();
    assert!(
        recent
            .iter()
            .any(|r| r["action"] == "login"
                && r["sentence"].as_str().unwrap().ends_with(" signed in")),
        "{recent:?}"
    );
    let html = page(&partner).await;
    assert!(html.contains(r#"id="package-status""#));
    assert!(html.contains("Dash Package"));
    assert!(html.contains(" signed in</td>"), "activity in words");
    assert!(!html.contains(r#"title="login">login<"#));
    assert!(!html.contains(r#"id="operator-billing""#));
    assert!(!html.contains("resellers below"));

    // The clock moved: the others sign in again.
    let reseller = app.login("reseller@dash.test", PW).await;
    let dealer = app.login("dealer@dash.test", PW).await;
    let customer = app.login("customer@dash.test", PW).await;

    // A reseller: its package section only when it holds one; partners and customers below.
    let d = dash(&reseller).await;
    assert_eq!(below_kinds(&d), ["partner", "dealer", "customer"]);
    assert!(d.get("pending").is_none());
    assert_eq!(d["licenses"]["total"], 1);

    // A dealer: its subscribers and their licenses; no partners, no requests, no billing.
    let d = dash(&dealer).await;
    assert_eq!(d["account"]["id"], w.did);
    assert_eq!(below_kinds(&d), ["customer"]);
    assert_eq!(d["below"][0]["in_subtree"], 1);
    assert_eq!(license_types(&d), ["agent", "login", "player"]);
    assert_eq!(d["licenses"]["total"], 3);
    assert!(d.get("pending").is_none() && d.get("package").is_none() && d.get("billing").is_none());
    assert_eq!(quick(&d), ["agent", "login", "player"]);
    let html = page(&dealer).await;
    assert!(html.contains("customers below"));
    for absent in [
        "partners below",
        "dealers below",
        "dash-totals-development",
        "dash-totals-partner",
        "login-as-partner",
        "Waiting for your decision",
    ] {
        assert!(!html.contains(absent), "dealer page: {absent}");
    }

    // A customer: its licenses, nothing below.
    let d = dash(&customer).await;
    assert_eq!(d["account"]["id"], w.cid);
    assert!(below_kinds(&d).is_empty());
    assert_eq!(license_types(&d), ["agent", "login", "player"]);
    assert_eq!(d["licenses"]["total"], 2);
    let html = page(&customer).await;
    for absent in [
        "s below",
        "dash-totals-development",
        "dash-totals-partner",
        "login-as-partner",
    ] {
        assert!(!html.contains(absent), "customer page: {absent}");
    }
    assert!(html.contains(r#"id="dash-tile-player-pending""#));
    // The licenses overview shows the customer only what it can hold too.
    let html = customer
        .get("/licenses/overview")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"id="totals-player""#));
    assert!(!html.contains(r#"id="totals-development""#));
    assert!(!html.contains(r#"id="totals-partner""#));

    // Acting as the dealer, the operator sees the dealer's dashboard, with no recent activity of
    // the dealer's logins and no "Login as".
    let r = op
        .client
        .get(app.url("/api/v1/dashboard"))
        .header("x-act-as", w.did.to_string())
        .send()
        .await
        .unwrap();
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["account"]["id"], w.did);
    assert!(d["recent"].as_array().unwrap().is_empty());
    assert!(!quick(&d).contains(&"act_as".to_string()));
}

#[tokio::test]
async fn every_dashboard_tile_equals_the_list_it_opens() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // More states: one inactive (from above), one expired by the job.
    let l = new_license(
        &w.partner,
        json!({"type": "login", "holder_id": w.did, "ends_at": day_in(&app, 2)}),
    )
    .await;
    let r = w
        .partner
        .post(
            &format!("/api/v1/licenses/{}/deactivate", l["id"]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    new_license(
        &w.dealer,
        json!({"type": "player", "holder_id": w.cid, "ends_at": day_in(&app, 1)}),
    )
    .await;
    for s in [&w.op, &w.partner, &w.reseller, &w.dealer, &w.customer] {
        dashboard_tiles_match_lists(s).await;
    }
    app.advance(3 * 86_400);
    partner_panel::areas::licenses::scan(&app.state)
        .await
        .unwrap();
    counters_hold(&app, &[1, w.pid, w.did, w.cid]).await;
    let op = app.login_admin().await;
    let dealer = app.login("dealer@dash.test", PW).await;
    let customer = app.login("customer@dash.test", PW).await;
    for s in [&op, &dealer, &customer] {
        dashboard_tiles_match_lists(s).await;
    }
    let d = dash(&customer).await;
    let player = d["licenses"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["license_type"] == "player")
        .unwrap()
        .clone();
    assert_eq!(
        player["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["state"] == "expired")
            .unwrap()["count"],
        1
    );
}

#[tokio::test]
async fn quick_actions_open_the_license_form_preset_and_login_as_finds_partners() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let d = dash(&w.partner).await;
    let html = page(&w.partner).await;
    for q in d["quick_actions"].as_array().unwrap() {
        let href = q["href"].as_str().unwrap();
        assert!(
            html.contains(&format!(r#"href="{href}""#)),
            "on the page: {href}"
        );
        if let Some(t) = q["license_type"].as_str() {
            let form = w.partner.get(href).await.text().await.unwrap();
            assert!(
                form.contains(&format!(r#"<option value="{t}" selected>"#)),
                "{href} opens the form with {t} chosen"
            );
            assert!(form.contains(r#"id="add-license""#));
        }
    }
    // "+ Partner profile" posts the same form: the partner is created below, with its license.
    let r = w
        .partner
        .client
        .post(app.url("/licenses"))
        .form(&[
            ("csrf_token", w.partner.csrf.as_str()),
            ("type", "partner"),
            ("holder_id", &w.pid.to_string()),
            ("partner_name", "Quick Sub Partner"),
            ("owner_name", "Quinn Quick"),
            ("owner_email", "quinn@dash.test"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(w
        .partner
        .get(&to)
        .await
        .text()
        .await
        .unwrap()
        .contains("Quick Sub Partner"));
    let d = dash(&w.partner).await;
    let partners = d["below"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "partner")
        .unwrap()
        .clone();
    assert_eq!(partners["children"], 1);
    // A viewer login sees no license actions; a member no "Login as".
    add_login(&w.op, w.pid, "viewer@dash.test", "viewer").await;
    add_login(&w.op, w.pid, "member@dash.test", "member").await;
    let viewer = app.login("viewer@dash.test", PW).await;
    assert!(quick(&dash(&viewer).await).is_empty());
    assert!(!page(&viewer).await.contains(r#"id="quick-actions""#));
    let member = app.login("member@dash.test", PW).await;
    assert_eq!(
        quick(&dash(&member).await),
        ["development", "partner", "agent", "login"]
    );
    // "Login as partner": the search box lists partners only, each with Act as.
    let frag =
        w.op.get("/switcher?kind=partner&q=dash")
            .await
            .text()
            .await
            .unwrap();
    assert!(frag.contains("Dash Partner"), "{frag}");
    assert!(!frag.contains("Dash Dealer"), "{frag}");
    assert!(!frag.contains("Dash Reseller"), "{frag}");
    assert!(frag.contains(&format!(r#"name="account_id" value="{}""#, w.pid)));
    let r =
        w.op.client
            .post(app.url("/act-as"))
            .form(&[
                ("csrf_token", w.op.csrf.as_str()),
                ("account_id", &w.pid.to_string()),
            ])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&w.op).await;
    assert!(html.contains(r#"<h2 id="account-name">Dash Partner</h2>"#));
    assert!(!html.contains(r#"id="login-as-partner""#));
}

#[tokio::test]
async fn only_an_account_above_may_switch_a_license_off() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let own = new_license(&w.partner, json!({"type": "agent"})).await;
    let own_id = own["id"].as_i64().unwrap();
    let dealers = new_license(&w.partner, json!({"type": "agent", "holder_id": w.did})).await;
    let dealers_id = dealers["id"].as_i64().unwrap();
    // The holder itself: refused, with a stable code, nothing changed.
    let path = format!("/api/v1/licenses/{own_id}/deactivate");
    let (st, code, _, msg) = error_of(w.partner.post(&path, json!({})).await).await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::CONFLICT, "only_from_above")
    );
    assert!(msg.contains("only an account above"), "{msg}");
    // Acting as the holder is the holder too.
    let r =
        w.op.client
            .post(app.url(&path))
            .header("x-csrf-token", &w.op.csrf)
            .header("x-act-as", w.pid.to_string())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    assert_eq!(error_of(r).await.1, "only_from_above");
    // In bulk, one own license refuses them all.
    let (st, code, _, _) = error_of(
        w.partner
            .post(
                "/api/v1/licenses/bulk",
                json!({"action": "deactivate", "ids": [own_id, dealers_id], "confirm": 2}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::CONFLICT, "only_from_above")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM licenses WHERE state = 'inactive'")
            .await,
        0
    );
    // The page: no Deactivate button on its own license, and a post says why.
    let html = w
        .partner
        .get(&format!("/licenses/{own_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(r#"id="deactivate""#));
    assert!(html.contains(r#"id="own-license-note""#));
    let r = w
        .partner
        .client
        .post(app.url(&format!("/licenses/{own_id}/change")))
        .form(&[
            ("csrf_token", w.partner.csrf.as_str()),
            ("action", "deactivate"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    let html = w.partner.get(&back).await.text().await.unwrap();
    assert!(html.contains("only an account above"), "the flash says why");
    let l: Value = w
        .partner
        .get(&format!("/api/v1/licenses/{own_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["state"], "active");
    // From above: the partner switches its dealer's off, the operator the partner's.
    let r = w
        .partner
        .post(
            &format!("/api/v1/licenses/{dealers_id}/deactivate"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = w
        .partner
        .get(&format!("/licenses/{dealers_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(r#"id="own-license-note""#));
    let r = w.op.post(&path, json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "inactive");
    // Switched off from above, it stays off for the holder: no switching it back on.
    let (st, code, _, msg) = error_of(
        w.partner
            .post(&format!("/api/v1/licenses/{own_id}/activate"), json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::CONFLICT, "only_from_above")
    );
    assert!(msg.contains("switch it on again"), "{msg}");
    let html = w
        .partner
        .get(&format!("/licenses/{own_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(r#"id="activate""#));
    let r =
        w.op.post(&format!("/api/v1/licenses/{own_id}/activate"), json!({}))
            .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The dealer may not switch its own back off after it was reactivated either.
    let r = w
        .partner
        .post(
            &format!("/api/v1/licenses/{dealers_id}/activate"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (st, code, _, _) = error_of(
        w.dealer
            .post(
                &format!("/api/v1/licenses/{dealers_id}/deactivate"),
                json!({}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::CONFLICT, "only_from_above")
    );
    counters_hold(&app, &[1, w.pid, w.did]).await;
}

#[tokio::test]
async fn demo_scale_makes_licenses_of_every_type_and_state_with_totals_that_hold() {
    let app = TestApp::spawn().await;
    let s = partner_panel::demo::scale(&app.state, 20_000)
        .await
        .unwrap();
    assert_eq!(s.licenses, s.accounts as i64);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM (SELECT DISTINCT license_type, state FROM licenses) x")
            .await,
        20,
        "every type in every state"
    );
    // Each held by a kind that may hold it; partner licenses bound to their partner.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM licenses l JOIN accounts a ON a.id = l.holder_id WHERE \
             (l.license_type IN ('development', 'partner') AND a.kind IN ('dealer', 'customer')) \
             OR (l.license_type = 'partner' AND (a.kind <> 'partner' OR l.bound_account_id <> a.id)) \
             OR (l.license_type = 'player' AND a.kind NOT IN ('dealer', 'customer')) \
             OR (l.state = 'expired' AND l.ends_at >= l.created_at) \
             OR ((l.seats IS NULL) = (l.license_type IN ('agent', 'login')))"
        )
        .await,
        0
    );
    let some: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE kind <> 'customer' ORDER BY id LIMIT 40")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    let mut check = vec![1, s.largest_partner];
    check.extend(some);
    counters_hold(&app, &check).await;
    let op = app.login_admin().await;
    dashboard_tiles_match_lists(&op).await;
}

#[tokio::test]
async fn the_dashboard_counts_the_tickets_waiting_on_each_side() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let support = |d: &Value| {
        (
            d["support"]["count"].as_i64().unwrap(),
            d["support"]["href"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(support(&dash(&w.partner).await).0, 0);
    let r = w
        .customer
        .post(
            "/api/v1/tickets",
            json!({"subject": "Player offline", "message": "It shows nothing.", "priority": "high"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["ticket"]["id"]
        .as_i64()
        .unwrap();
    // Every account above that serves it sees it waiting, and the tile opens exactly that
    // list; the operator's tile counts only escalated tickets (none yet).
    for (s, want) in [(&w.op, 0), (&w.partner, 1), (&w.dealer, 1)] {
        let (n, href) = support(&dash(s).await);
        assert_eq!(n, want);
        let list: Value = s.get(&format!("/api/v1{href}")).await.json().await.unwrap();
        assert_eq!(list["total"], want, "{href}: {list}");
    }
    assert_eq!(support(&dash(&w.customer).await).0, 0);
    // Answered: nothing waits above; the customer has an answer it has not read.
    let r = w
        .partner
        .post(
            &format!("/api/v1/tickets/{id}/messages"),
            json!({"text": "We restarted it."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(support(&dash(&w.partner).await).0, 0);
    let (n, href) = support(&dash(&w.customer).await);
    assert_eq!((n, href.as_str()), (1, "/tickets"));
    let html = w.customer.get("/").await.text().await.unwrap();
    assert!(html.contains(r#"id="dash-support""#) && html.contains("an answer you have not read"));
}
