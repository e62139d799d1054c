//! Reseller and dealer networks: My dealers, package limits, shutdown and deletion of a dealer.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

pub const DPW: &str = "dealer-password-1";

/// A package with the given caps (None: unlimited); returns its id.
pub async fn capped_package(
    op: &Session,
    name: &str,
    max_dealers: Option<i64>,
    max_customers: Option<i64>,
) -> i64 {
    let r = op
        .post(
            "/api/v1/packages",
            json!({"name": name, "monthly_price": 1000, "currency": "eur",
                   "max_dealers": max_dealers, "max_customers": max_customers}),
        )
        .await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

/// Registers a partner on `package`, approves it and signs in with the emailed password.
/// Returns the session and the partner's account id.
pub async fn approved_partner(
    app: &TestApp,
    op: &Session,
    company: &str,
    email: &str,
    package: i64,
    no_resellers: bool,
) -> (Session, i64) {
    let r = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({
            "company_name": company, "contact_name": "Pat Partner", "email": email,
            "phone": "+49 30 555", "website": "https://partner.example", "package_id": package,
            "no_resellers": no_resellers, "directory_consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = op
        .post(
            &format!("/api/v1/partnership-requests/{id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let partner_id = r.json::<Value>().await.unwrap()["partner_account_id"]
        .as_i64()
        .unwrap();
    app.run_jobs().await;
    let mail = app.smtp.to(email);
    let password = mail
        .last()
        .expect("approval mail")
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("password in the email")
        .trim()
        .to_string();
    (app.login(email, &password).await, partner_id)
}

fn dealer_body(name: &str, username: &str) -> Value {
    json!({"name": name, "contact_name": "Dana Dealer", "email": "contact@dealer.test",
           "phone": "+1 555 0100", "username": username, "password": DPW})
}

async fn add_dealer(s: &Session, name: &str, username: &str) -> Value {
    let r = s.post("/api/v1/dealers", dealer_body(name, username)).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn add_subscriber(s: &Session, parent: i64, name: &str) -> reqwest::Response {
    s.post(
        &format!("/api/v1/accounts/{parent}/children"),
        json!({"kind": "customer", "name": name}),
    )
    .await
}

async fn api_login_status(app: &TestApp, email: &str, pw: &str) -> StatusCode {
    app.client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": pw}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn partner_adds_dealers_who_add_subscribers_within_the_package_limits() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Small", Some(2), Some(3)).await;
    let (partner, pid) =
        approved_partner(&app, &op, "North Partner", "owner@north.test", pkg, false).await;

    let d1 = add_dealer(&partner, "Dealer One", "one@dealer.test").await;
    assert_eq!(
        (
            d1["username"].as_str(),
            d1["status"].as_str(),
            d1["subscribers"].as_i64(),
            d1["contact_name"].as_str()
        ),
        (
            Some("one@dealer.test"),
            Some("active"),
            Some(0),
            Some("Dana Dealer")
        )
    );
    let d1_id = d1["id"].as_i64().unwrap();
    // The username defaults to the contact email.
    let mut body = dealer_body("Dealer Two", "");
    body["email"] = json!("two@dealer.test");
    let r = partner.post("/api/v1/dealers", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let d2: Value = r.json().await.unwrap();
    assert_eq!(d2["username"], "two@dealer.test");
    // Third dealer: the package allows two.
    let (st, code, _, msg) = error_of(
        partner
            .post(
                "/api/v1/dealers",
                dealer_body("Dealer Three", "three@dealer.test"),
            )
            .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (StatusCode::CONFLICT, "limit_reached"));
    assert!(msg.contains("allows 2 dealers"), "{msg}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE email = 'three@dealer.test'")
            .await,
        0
    );
    // Nor through the tree.
    let r = partner
        .post(
            &format!("/api/v1/accounts/{pid}/children"),
            json!({"kind": "dealer", "name": "Sneaky Dealer"}),
        )
        .await;
    assert_eq!(error_of(r).await.1, "limit_reached");

    // The dealer signs in and adds its own subscribers; the partner's cap (3) counts all.
    let dealer = app.login("one@dealer.test", DPW).await;
    let me: Value = dealer.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["account"]["id"].as_i64(), Some(d1_id));
    for n in ["Sub A", "Sub B"] {
        assert_eq!(
            add_subscriber(&dealer, d1_id, n).await.status(),
            StatusCode::CREATED
        );
    }
    assert_eq!(
        add_subscriber(&partner, pid, "Partner's own")
            .await
            .status(),
        StatusCode::CREATED
    );
    let (st, code, _, msg) = error_of(add_subscriber(&dealer, d1_id, "Sub C").await).await;
    assert_eq!((st, code.as_str()), (StatusCode::CONFLICT, "limit_reached"));
    assert!(msg.contains("allows 3 customers"), "{msg}");
    // The operator acting as the dealer is held to the same cap.
    let r = op
        .client
        .post(app.url(&format!("/api/v1/accounts/{d1_id}/children")))
        .header("x-csrf-token", &op.csrf)
        .header("x-act-as", d1_id.to_string())
        .json(&json!({"kind": "customer", "name": "Sub D"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "limit_reached");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'customer'")
            .await,
        3
    );

    // My dealers: status and subscribers from the rollups, which match a live count.
    let list: Value = partner.get("/api/v1/dealers").await.json().await.unwrap();
    assert_eq!(list["total"], 2);
    let rows: Vec<(String, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["subscribers"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![("Dealer One".to_string(), 2), ("Dealer Two".to_string(), 0)]
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE parent_id = {d1_id} AND kind = 'customer'"
        ))
        .await,
        2
    );
    // Editing name and contact.
    let r = partner
        .patch(
            &format!("/api/v1/dealers/{d1_id}"),
            json!({"name": "Dealer Uno", "contact_name": "Dan"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let d: Value = r.json().await.unwrap();
    assert_eq!(
        (d["name"].as_str(), d["contact_name"].as_str()),
        (Some("Dealer Uno"), Some("Dan"))
    );
    // My dealers is for partners: a dealer or the operator itself gets 403.
    for s in [&dealer, &op] {
        assert_eq!(
            error_of(s.get("/api/v1/dealers").await).await.0,
            StatusCode::FORBIDDEN
        );
    }
    // A dealer's {id} routes take dealers only; a customer below is not one.
    let cust = app
        .count("SELECT MIN(id) FROM accounts WHERE kind = 'customer'")
        .await;
    assert_eq!(
        partner
            .get(&format!("/api/v1/dealers/{cust}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn concurrent_additions_never_pass_the_cap() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Tiny", None, Some(3)).await;
    let (partner, pid) =
        approved_partner(&app, &op, "Race Partner", "owner@race.test", pkg, false).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = partner.client.clone();
        let url = app.url(&format!("/api/v1/accounts/{pid}/children"));
        let csrf = partner.csrf.clone();
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .header("x-csrf-token", csrf)
                .json(&json!({"kind": "customer", "name": format!("C{i}")}))
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
        app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'customer'")
            .await,
        3
    );
}

#[tokio::test]
async fn an_inactive_dealer_and_its_subscribers_are_shut_out_until_reactivated() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let (partner, _) =
        approved_partner(&app, &op, "Shut Partner", "owner@shut.test", pkg, false).await;
    let d = add_dealer(&partner, "Shut Dealer", "shut@dealer.test").await;
    let did = d["id"].as_i64().unwrap();
    let dealer = app.login("shut@dealer.test", DPW).await;
    let r = add_subscriber(&dealer, did, "Shut Subscriber").await;
    let sub = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = dealer
        .post(
            &format!("/api/v1/accounts/{sub}/logins"),
            json!({"email": "sub@shut.test", "name": "Sub", "password": DPW, "role": "owner"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let subscriber = app.login("sub@shut.test", DPW).await;

    // A dealer cannot shut itself down.
    assert_eq!(
        dealer
            .post(
                &format!("/api/v1/dealers/{did}/status"),
                json!({"status": "inactive"})
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = partner
        .post(
            &format!("/api/v1/dealers/{did}/status"),
            json!({"status": "inactive"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "inactive");
    // Sessions ended; sign-in refused; data kept.
    for s in [&dealer, &subscriber] {
        assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions s JOIN logins l ON l.id = s.login_id WHERE l.email IN ('shut@dealer.test', 'sub@shut.test')"
        )
        .await,
        0
    );
    for email in ["shut@dealer.test", "sub@shut.test"] {
        assert_eq!(
            api_login_status(&app, email, DPW).await,
            StatusCode::FORBIDDEN,
            "{email}"
        );
    }
    let list: Value = partner.get("/api/v1/dealers").await.json().await.unwrap();
    assert_eq!(
        (
            list["items"][0]["status"].as_str(),
            list["items"][0]["subscribers"].as_i64()
        ),
        (Some("inactive"), Some(1))
    );
    // Active again: both sign in; the old sessions stay ended.
    let r = partner
        .post(
            &format!("/api/v1/dealers/{did}/status"),
            json!({"status": "active"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        dealer.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.login("shut@dealer.test", DPW).await;
    app.login("sub@shut.test", DPW).await;
}

#[tokio::test]
async fn deleting_a_dealer_names_and_removes_its_subscribers() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, Some(10)).await;
    let (partner, pid) =
        approved_partner(&app, &op, "Del Partner", "owner@del.test", pkg, false).await;
    let d = add_dealer(&partner, "Gone Dealer", "gone@dealer.test").await;
    let did = d["id"].as_i64().unwrap();
    let dealer = app.login("gone@dealer.test", DPW).await;
    for n in ["G1", "G2", "G3"] {
        let r = add_subscriber(&dealer, did, n).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let g1 = app
        .count("SELECT MIN(id) FROM accounts WHERE name = 'G1'")
        .await;
    dealer
        .post(
            &format!("/api/v1/accounts/{g1}/logins"),
            json!({"email": "g1@del.test", "name": "G1", "password": DPW, "role": "owner"}),
        )
        .await;
    let prev: Value = partner
        .get(&format!("/api/v1/dealers/{did}/deletion"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            prev["accounts"].as_i64(),
            prev["subscribers"].as_i64(),
            prev["logins"].as_i64()
        ),
        (Some(4), Some(3), Some(2))
    );
    // Without the confirmed count nothing goes.
    let (st, _, field, msg) =
        error_of(partner.delete(&format!("/api/v1/dealers/{did}")).await).await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("confirm_accounts"))
    );
    assert!(msg.contains("4 account(s) and 2 login(s)"), "{msg}");
    let r = partner
        .delete(&format!("/api/v1/dealers/{did}?confirm_accounts=4"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["subscribers"], 3);
    assert_eq!(
        dealer.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    for email in ["gone@dealer.test", "g1@del.test"] {
        assert_eq!(
            api_login_status(&app, email, DPW).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let list: Value = partner.get("/api/v1/dealers").await.json().await.unwrap();
    assert_eq!(list["total"], 0);
    // The cap counts what is left: the rollups followed the deletion.
    let counts: Value = partner
        .get(&format!("/api/v1/accounts/{pid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["status"], "active");
    assert_eq!(
        app.count(&format!(
            "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM account_rollup WHERE account_id = {pid}"
        ))
        .await,
        0
    );
}

#[tokio::test]
async fn hostile_dealer_input_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let (partner, _) =
        approved_partner(&app, &op, "Safe Partner", "owner@safe.test", pkg, false).await;
    add_dealer(&partner, "Existing", "taken@dealer.test").await;
    let accounts_before = app.count("SELECT COUNT(*) FROM accounts").await;
    let logins_before = app.count("SELECT COUNT(*) FROM logins").await;
    let long = "x".repeat(101);
    let cases: Vec<(Value, StatusCode, &str, Option<&str>)> = vec![
        (
            json!({"name": "", "contact_name": "C", "email": "a@b.test", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("name"),
        ),
        (
            json!({"name": "   ", "contact_name": "C", "email": "a@b.test", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("name"),
        ),
        (
            json!({"name": long, "contact_name": "C", "email": "a@b.test", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("name"),
        ),
        (
            json!({"name": "N", "contact_name": "", "email": "a@b.test", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("contact_name"),
        ),
        (
            json!({"name": "N", "contact_name": "C", "email": "not-an-email", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("email"),
        ),
        (
            json!({"name": "N", "contact_name": "C", "email": "a@b.test", "username": "bad@", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("username"),
        ),
        (
            json!({"name": "N", "contact_name": "C", "email": "a@b.test", "password": "short"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("password"),
        ),
        (
            json!({"name": "N", "contact_name": "C", "email": "a@b.test", "phone": "call me", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("phone"),
        ),
        (
            json!({"name": "N\u{0}", "contact_name": "C", "email": "a@b.test", "password": DPW}),
            StatusCode::BAD_REQUEST,
            "invalid_text",
            None,
        ),
        (
            json!({"name": "N\u{7}", "contact_name": "C", "email": "a@b.test", "password": DPW}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("name"),
        ),
        (
            json!({"name": 5}),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            None,
        ),
        // The username is taken: neither the dealer nor its login is written.
        (
            json!({"name": "N", "contact_name": "C", "email": "a@b.test", "username": "TAKEN@dealer.test", "password": DPW}),
            StatusCode::CONFLICT,
            "email_taken",
            None,
        ),
    ];
    for (body, want, want_code, want_field) in cases {
        let (st, code, field, _) =
            error_of(partner.post("/api/v1/dealers", body.clone()).await).await;
        assert_eq!(
            (st, code.as_str(), field.as_deref()),
            (want, want_code, want_field),
            "{body}"
        );
    }
    let d = app
        .count("SELECT MIN(id) FROM accounts WHERE kind = 'dealer'")
        .await;
    let (st, _, field, _) = error_of(
        partner
            .patch(&format!("/api/v1/dealers/{d}"), json!({"email": "nope"}))
            .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts").await,
        accounts_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins").await,
        logins_before
    );
    // A viewer of the partner may look but not add.
    partner
        .post(
            &format!("/api/v1/accounts/{}/logins", partner.body["account"]["id"]),
            json!({"email": "viewer@safe.test", "name": "V", "password": DPW, "role": "viewer"}),
        )
        .await;
    let viewer = app.login("viewer@safe.test", DPW).await;
    assert_eq!(viewer.get("/api/v1/dealers").await.status(), StatusCode::OK);
    assert_eq!(
        error_of(
            viewer
                .post("/api/v1/dealers", dealer_body("V Dealer", "v@dealer.test"))
                .await
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn the_directory_shows_resellers_exactly_the_details_each_partner_chose() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let (a, a_id) =
        approved_partner(&app, &op, "Alpha Streams", "owner@alpha.test", pkg, false).await;
    let (b, _) = approved_partner(&app, &op, "Beta Private", "owner@beta.test", pkg, true).await;
    // A partner made in the tree has no settings yet: listed, with what its account holds.
    let c_id = crate::tree::create(&op, 1, "partner", "Gamma Tree").await;
    let reseller_id = crate::tree::create(&op, 1, "reseller", "Rita Reseller").await;
    crate::tree::add_login(&op, reseller_id, "rita@reseller.test", "owner").await;
    let reseller = app.login("rita@reseller.test", crate::tree::PW).await;

    // The registration's choice and contact details came over at approval.
    let s: Value = a
        .get("/api/v1/reseller-settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            s["serves_resellers"].as_bool(),
            s["email"].as_str(),
            s["show_phone"].as_bool(),
            s["website"].as_str()
        ),
        (
            Some(true),
            Some("owner@alpha.test"),
            Some(true),
            Some("https://partner.example")
        )
    );
    let s: Value = b
        .get("/api/v1/reseller-settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["serves_resellers"], false);

    // Alpha hides its phone, shows an address and says how it works.
    let r = a
        .send(
            reqwest::Method::PUT,
            "/api/v1/reseller-settings",
            Some(json!({"show_phone": false, "address": "Main Street 1, Springfield", "show_address": true,
                        "note": "We sell IP streams to resellers in the north."})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let dir: Value = reseller
        .get("/api/v1/partner-directory")
        .await
        .json()
        .await
        .unwrap();
    let items = dir["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Alpha Streams", "Gamma Tree"], "{dir}");
    let alpha = &items[0];
    assert_eq!(alpha["id"].as_i64(), Some(a_id));
    assert_eq!(
        keys(alpha),
        vec!["address", "email", "id", "name", "note", "website"]
    );
    assert_eq!(alpha["address"], "Main Street 1, Springfield");
    assert_eq!(items[1]["id"].as_i64(), Some(c_id));
    assert_eq!(keys(&items[1]), vec!["id", "name"]);
    // The page shows the same: the hidden phone and the opted-out partner are not in it.
    let html = reseller
        .get("/partner-directory")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Main Street 1, Springfield") && html.contains("owner@alpha.test"));
    assert!(!html.contains("+49 30 555"), "hidden phone shown");
    assert!(!html.contains("Beta Private"), "opted-out partner shown");
    assert!(
        !html.contains("partner-phone"),
        "an empty phone field is present"
    );

    // Opting in later lists Beta; opting out removes Alpha.
    let r = b
        .send(
            reqwest::Method::PUT,
            "/api/v1/reseller-settings",
            Some(json!({"serves_resellers": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = a
        .send(
            reqwest::Method::PUT,
            "/api/v1/reseller-settings",
            Some(json!({"serves_resellers": false})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let dir: Value = reseller
        .get("/api/v1/partner-directory?q=a")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = dir["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Beta Private", "Gamma Tree"]);
    // An inactive partner is not listed.
    op.post(
        &format!("/api/v1/accounts/{c_id}/status"),
        json!({"status": "inactive"}),
    )
    .await;
    let dir: Value = reseller
        .get("/api/v1/partner-directory")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dir["total"], 1);

    // The directory is for resellers and the operator; partners, dealers and customers get 403.
    assert_eq!(
        op.get("/api/v1/partner-directory").await.status(),
        StatusCode::OK
    );
    let d = add_dealer(&a, "Dir Dealer", "dir@dealer.test").await;
    let dealer = app.login("dir@dealer.test", DPW).await;
    let cust = crate::tree::create(&a, a_id, "customer", "Dir Customer").await;
    crate::tree::add_login(&a, cust, "cust@dir.test", "owner").await;
    let customer = app.login("cust@dir.test", crate::tree::PW).await;
    for s in [&a, &dealer, &customer] {
        let (st, code, _, _) = error_of(s.get("/api/v1/partner-directory").await).await;
        assert_eq!((st, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
        assert_eq!(
            s.get("/partner-directory").await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // Reseller settings are a partner's: a dealer or reseller gets 403.
    for s in [&dealer, &reseller] {
        assert_eq!(
            s.get("/api/v1/reseller-settings").await.status(),
            StatusCode::FORBIDDEN
        );
    }
    let _ = d;
}

#[tokio::test]
async fn hostile_reseller_settings_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let (a, a_id) = approved_partner(
        &app,
        &op,
        "Careful Partner",
        "owner@careful.test",
        pkg,
        false,
    )
    .await;
    let before: Value = a
        .get("/api/v1/reseller-settings")
        .await
        .json()
        .await
        .unwrap();
    let cases: Vec<(Value, StatusCode, &str, Option<&str>)> = vec![
        (
            json!({"show_address": true, "address": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("address"),
        ),
        (
            json!({"email": "", "show_email": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("email"),
        ),
        (
            json!({"email": "nope"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("email"),
        ),
        (
            json!({"website": "javascript:alert(1)"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("website"),
        ),
        (
            json!({"phone": "<b>"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("phone"),
        ),
        (
            json!({"note": "x".repeat(2001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("note"),
        ),
        (
            json!({"address": "a\u{1b}b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("address"),
        ),
        (
            json!({"note": "a\u{0}b"}),
            StatusCode::BAD_REQUEST,
            "invalid_text",
            None,
        ),
        (
            json!({"serves_resellers": "yes"}),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            None,
        ),
    ];
    for (body, want, want_code, want_field) in cases {
        let r = a
            .send(
                reqwest::Method::PUT,
                "/api/v1/reseller-settings",
                Some(body.clone()),
            )
            .await;
        let (st, code, field, _) = error_of(r).await;
        assert_eq!(
            (st, code.as_str(), field.as_deref()),
            (want, want_code, want_field),
            "{body}"
        );
    }
    let after: Value = a
        .get("/api/v1/reseller-settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before, after);
    // A viewer reads the settings but may not change them.
    crate::tree::add_login(&a, a_id, "viewer@careful.test", "viewer").await;
    let viewer = app.login("viewer@careful.test", crate::tree::PW).await;
    assert_eq!(
        viewer.get("/api/v1/reseller-settings").await.status(),
        StatusCode::OK
    );
    let r = viewer
        .send(
            reqwest::Method::PUT,
            "/api/v1/reseller-settings",
            Some(json!({"serves_resellers": false})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The page keeps what was typed and says what is wrong.
    let r = a
        .client
        .post(app.url("/reseller-settings"))
        .form(&[
            ("csrf_token", a.csrf.as_str()),
            ("serves_resellers", "1"),
            ("website", "ftp://x"),
            ("show_website", "1"),
            ("note", "typed note"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Website must start with https://") && html.contains("typed note"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_partner_adds_and_shuts_down_a_dealer_and_a_reseller_reads_the_directory() {
    use fantoccini::Locator;
    let Some(b) = crate::browser::Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pid = crate::tree::create(&op, 1, "partner", "Browser Partner").await;
    crate::tree::add_login(&op, pid, "owner@browser-partner.test", "owner").await;
    let rid = crate::tree::create(&op, 1, "reseller", "Browser Reseller").await;
    crate::tree::add_login(&op, rid, "owner@browser-reseller.test", "owner").await;
    let sign_in = |email: &'static str| {
        let b = &b;
        let app = &app;
        async move {
            b.client.goto(&app.url("/login")).await.unwrap();
            b.fill("#email", email).await;
            b.fill("#password", crate::tree::PW).await;
            b.click("#sign-in").await;
        }
    };
    let run = async {
        sign_in("owner@browser-partner.test").await;
        b.click("#nav-dealers").await;
        assert!(b.text("#no-dealers").await.contains("No dealers"));
        // A bad email first: the message is on the form, what was typed stays.
        b.fill("#dealer-name", "Corner Shop").await;
        b.fill("#dealer-contact", "Carla Corner").await;
        b.fill("#dealer-email", "carla-at-corner").await;
        b.fill("#dealer-password", DPW).await;
        b.click("#create-dealer").await;
        assert!(b
            .text(".field-error")
            .await
            .contains("Email must look like"));
        b.screenshot("networks-01-dealer-error").await;
        b.fill("#dealer-email", "carla@corner.test").await;
        b.fill("#dealer-username", "login@corner.test").await;
        b.fill("#dealer-password", DPW).await;
        b.click("#create-dealer").await;
        assert!(b
            .text("#flash")
            .await
            .contains("signs in as login@corner.test"));
        assert_eq!(b.text(".dealer-status").await, "active");
        b.screenshot("networks-02-my-dealers").await;

        // The dealer signs in with the username and password given.
        let dealer = app.login("login@corner.test", DPW).await;

        // Shut it down from its page: a confirmation, then inactive.
        b.click(".dealer-edit").await;
        b.client
            .find(Locator::Css(
                "#dealer-status-select option[value='inactive']",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.click("#dealer-status-save").await;
        let text = b.client.get_alert_text().await.unwrap();
        assert!(
            text.contains("signs the dealer and its subscribers out"),
            "{text}"
        );
        b.client.accept_alert().await.unwrap();
        assert!(b.text("#flash").await.contains("is inactive"));
        assert_eq!(b.text("#dealer-status").await, "inactive");
        b.screenshot("networks-03-dealer-inactive").await;
        assert_eq!(
            dealer.get("/api/v1/me").await.status(),
            reqwest::StatusCode::UNAUTHORIZED
        );
        // The deletion page names what goes.
        b.click("#dealer-delete-link").await;
        assert!(b
            .text("#dealer-delete-summary")
            .await
            .contains("0 subscribers"));
        b.screenshot("networks-04-dealer-delete").await;

        // Reseller settings: show a note.
        b.click("#nav-reseller-settings").await;
        b.fill("#rs-note", "Resellers welcome: ask for our price list.")
            .await;
        b.click("#save-reseller-settings").await;
        assert!(b.text("#flash").await.contains("partner directory"));
        b.screenshot("networks-05-reseller-settings").await;

        // A reseller reads the directory.
        b.click("#logout").await;
        sign_in("owner@browser-reseller.test").await;
        b.click("#nav-directory").await;
        assert_eq!(b.text(".partner-name").await, "Browser Partner");
        assert!(b.text(".partner-note").await.contains("price list"));
        assert!(b.client.find(Locator::Css(".partner-phone")).await.is_err());
        b.screenshot("networks-06-partner-directory").await;
    };
    run.await;
    b.close().await;
}

/// A dealer may sign in with a plain username (not an email); nothing is mailed to it.
#[tokio::test]
async fn a_dealer_signs_in_with_a_username() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let (partner, _) =
        approved_partner(&app, &op, "West Partner", "owner@west.test", pkg, false).await;
    let d = add_dealer(&partner, "Dealer West", "Dealer-West").await;
    assert_eq!(d["username"], "dealer-west");
    assert_eq!(
        api_login_status(&app, "dealer-west", DPW).await,
        StatusCode::OK
    );
    for bad in ["ab", "a b", "-dealer", "dealer/1", "dealer@"] {
        let r = partner.post("/api/v1/dealers", dealer_body("N", bad)).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.text().await.unwrap()
        );
    }
    // Changing its password sends no mail (there is no mailbox), and works.
    let s = app.login("dealer-west", DPW).await;
    let r = s
        .post(
            "/api/v1/me/password",
            json!({"current_password": DPW, "new_password": "dealer-password-2"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'dealer-west'")
            .await,
        0
    );
    assert_eq!(
        api_login_status(&app, "dealer-west", "dealer-password-2").await,
        StatusCode::OK
    );
}
