//! The account tree, the access rules for every route, acting as another account, the audit log.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use partner_panel::areas::accounts::AccountId;

pub const PW: &str = "tree-password-1";

/// Creates an account through the API as `s`; returns its id.
pub async fn create(s: &Session, parent: i64, kind: &str, name: &str) -> i64 {
    let r = s
        .post(
            &format!("/api/v1/accounts/{parent}/children"),
            json!({"kind": kind, "name": name}),
        )
        .await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

pub async fn add_login(s: &Session, account: i64, email: &str, role: &str) -> i64 {
    let r = s
        .post(
            &format!("/api/v1/accounts/{account}/logins"),
            json!({"email": email, "name": email, "password": PW, "role": role}),
        )
        .await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_tree_keeps_its_parent_rules_counts_and_search() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Acme Partner").await;
    let r = create(&op, 1, "reseller", "Rex Reseller").await;
    let d = create(&op, p, "dealer", "Dora Dealer").await;
    let sub = create(&op, p, "partner", "Sub Partner").await;
    for i in 0..30 {
        create(&op, d, "customer", &format!("Customer {i:02}")).await;
    }
    create(&op, r, "customer", "Reseller Customer").await;
    create(&op, r, "partner", "Reseller's Partner").await;
    // Parent rules, with a message that says what is allowed.
    for (parent, kind) in [
        (p, "reseller"),
        (1, "dealer"),
        (1, "customer"),
        (d, "dealer"),
        (sub, "reseller"),
        (1, "operator"),
    ] {
        let (status, code, field, msg) = error_of(
            op.post(
                &format!("/api/v1/accounts/{parent}/children"),
                json!({"kind": kind, "name": "X"}),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some("kind")
            ),
            "{kind} under {parent}: {msg}"
        );
    }
    let customer: i64 = app
        .count("SELECT MIN(id) FROM accounts WHERE kind = 'customer'")
        .await;
    let (_, _, _, msg) = error_of(
        op.post(
            &format!("/api/v1/accounts/{customer}/children"),
            json!({"kind": "customer", "name": "X"}),
        )
        .await,
    )
    .await;
    assert!(msg.contains("cannot have accounts below it"), "{msg}");

    // Children, subtree search, sorting and pages.
    let page: Value = op
        .get(&format!("/api/v1/accounts/{p}/children"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 2);
    let page: Value = op
        .get(&format!(
            "/api/v1/accounts/{p}/subtree?kind=customer&per_page=10&page=2&sort=name&dir=desc"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 30);
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"Customer 19"));
    assert_eq!(names.len(), 10);
    let page: Value = op
        .get("/api/v1/accounts/1/subtree?q=customer%200")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 10, "{page}");
    let page: Value = op
        .get("/api/v1/accounts/1/subtree?q=%25")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 0, "LIKE wildcards are taken literally");
    let (status, code, field, _) =
        error_of(op.get("/api/v1/accounts/1/subtree?sort=password").await).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("sort")
        )
    );
    assert_eq!(
        error_of(op.get("/api/v1/accounts/1/subtree?page=x").await)
            .await
            .1,
        "invalid_query"
    );

    // Rollups equal a live count at every account.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    for id in &ids {
        let a = partner_panel::areas::accounts::counts_below(&app.state.db, AccountId(*id))
            .await
            .unwrap();
        let b = partner_panel::areas::accounts::counts_below_live(&app.state.db, *id)
            .await
            .unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "account {id}");
    }
    let dash: Value = op.get("/api/v1/dashboard").await.json().await.unwrap();
    let partners = dash["below"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "partner")
        .unwrap()
        .clone();
    assert_eq!(
        (
            partners["children"].as_i64(),
            partners["in_subtree"].as_i64()
        ),
        (Some(1), Some(3))
    );
}

#[tokio::test]
async fn deactivating_and_deleting_a_subtree() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Shut Partner").await;
    let d = create(&op, p, "dealer", "Shut Dealer").await;
    let c = create(&op, d, "customer", "Shut Customer").await;
    add_login(&op, p, "owner@shut.test", "owner").await;
    add_login(&op, d, "dealer@shut.test", "owner").await;
    add_login(&op, c, "customer@shut.test", "viewer").await;
    let dealer = app.login("dealer@shut.test", PW).await;
    let customer = app.login("customer@shut.test", PW).await;

    let r = op
        .post(
            &format!("/api/v1/accounts/{p}/status"),
            json!({"status": "inactive"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Open sessions below end at once; nobody below can sign in.
    assert_eq!(
        dealer.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        customer.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    for email in ["owner@shut.test", "dealer@shut.test", "customer@shut.test"] {
        let r = app
            .client()
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": PW}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{email}");
    }
    // The owner of the partner cannot reactivate itself: only from above.
    let r = op
        .post(
            &format!("/api/v1/accounts/{p}/status"),
            json!({"status": "active"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.login("customer@shut.test", PW).await;
    let owner = app.login("owner@shut.test", PW).await;
    assert_eq!(
        owner
            .post(
                &format!("/api/v1/accounts/{p}/status"),
                json!({"status": "inactive"})
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Deletion names what goes and needs that number back.
    let prev: Value = op
        .get(&format!("/api/v1/accounts/{d}/deletion"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (prev["accounts"].as_i64(), prev["logins"].as_i64()),
        (Some(2), Some(2))
    );
    let (status, _, field, msg) = error_of(op.delete(&format!("/api/v1/accounts/{d}")).await).await;
    assert_eq!(
        (status, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("confirm_accounts"))
    );
    assert!(msg.contains("2 account(s) and 2 login(s)"), "{msg}");
    assert_eq!(
        op.delete(&format!("/api/v1/accounts/{d}?confirm_accounts=1"))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE email = 'dealer@shut.test'")
            .await,
        1,
        "nothing half-deleted"
    );
    assert_eq!(
        op.delete(&format!("/api/v1/accounts/{d}?confirm_accounts=2"))
            .await
            .status(),
        StatusCode::OK
    );
    for id in [d, c] {
        assert_eq!(
            op.get(&format!("/api/v1/accounts/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "dealer@shut.test", "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let counts = partner_panel::areas::accounts::counts_below(&app.state.db, AccountId(p))
        .await
        .unwrap();
    assert!(counts.iter().all(|k| k.in_subtree == 0), "{counts:?}");
    let live = partner_panel::areas::accounts::counts_below_live(&app.state.db, 1)
        .await
        .unwrap();
    assert_eq!(
        format!("{live:?}"),
        format!(
            "{:?}",
            partner_panel::areas::accounts::counts_below(&app.state.db, AccountId(1))
                .await
                .unwrap()
        )
    );
    let audit: Value = op
        .get("/api/v1/audit?action=account.delete")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 1);
    assert!(audit["items"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("2 account(s)"));
    // The partner's own owner cannot delete its own account.
    assert_eq!(
        owner
            .delete(&format!("/api/v1/accounts/{p}?confirm_accounts=1"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn acting_as_a_client_and_back_is_audited_on_both_sides() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Helped Partner").await;
    let s = create(&op, 1, "partner", "Sibling Partner").await;
    add_login(&op, p, "owner@helped.test", "owner").await;
    add_login(&op, p, "member@helped.test", "member").await;
    let partner = app.login("owner@helped.test", PW).await;

    let me: Value = op
        .post("/api/v1/act-as", json!({"account_id": p}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["account"]["id"], p);
    assert_eq!(me["acting_as"], p);
    assert_eq!(me["home_account"]["id"], 1);
    // Owner rights there: create a customer under the partner.
    let c = create(&op, p, "customer", "Created While Helping").await;
    // Only that subtree is in view now.
    assert_eq!(
        op.get(&format!("/api/v1/accounts/{s}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        op.get("/api/v1/accounts/1").await.status(),
        StatusCode::NOT_FOUND
    );
    // No acting from inside acting; no passwords or tokens of the account acted upon.
    assert_eq!(
        error_of(op.post("/api/v1/act-as", json!({"account_id": c})).await)
            .await
            .1,
        "already_acting"
    );
    assert_eq!(
        op.post(
            "/api/v1/me/password",
            json!({"current_password": ADMIN_PASSWORD, "new_password": "whatever-123456"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        op.get("/api/v1/me/tokens").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        op.post("/api/v1/me/tokens", json!({"name": "sneaky"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let back: Value = op
        .post("/api/v1/act-as/exit", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(back["account"]["id"], 1);
    assert!(back["acting_as"].is_null());

    // The partner sees all of it in its own audit log, with the real login and the account acted as.
    let audit: Value = partner.get("/api/v1/audit").await.json().await.unwrap();
    let items = audit["items"].as_array().unwrap();
    let find = |action: &str| {
        items
            .iter()
            .find(|i| i["action"] == action)
            .cloned()
            .unwrap_or_else(|| panic!("{action} missing: {audit}"))
    };
    for action in ["act_as.start", "act_as.exit", "account.create"] {
        let rec = find(action);
        assert_eq!(rec["login_email"], ADMIN_EMAIL, "{action}");
        assert_eq!(rec["acting_as_account_id"], p, "{action}");
    }
    // A partner cannot act above or beside itself; a member cannot act at all.
    assert_eq!(
        partner
            .post("/api/v1/act-as", json!({"account_id": s}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        partner
            .post("/api/v1/act-as", json!({"account_id": 1}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        partner
            .post("/api/v1/act-as", json!({"account_id": p}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let member = app.login("member@helped.test", PW).await;
    assert_eq!(
        member
            .post("/api/v1/act-as", json!({"account_id": c}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // It ends by itself after an hour unless renewed.
    op.post("/api/v1/act-as", json!({"account_id": p})).await;
    app.advance(50 * 60);
    assert_eq!(
        op.post("/api/v1/act-as/renew", json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    app.advance(50 * 60);
    let me: Value = op.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["acting_as"], p, "renewed");
    app.advance(11 * 60);
    let me: Value = op.get("/api/v1/me").await.json().await.unwrap();
    assert!(me["acting_as"].is_null(), "expired: {me}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'act_as.expire'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_api_acts_as_an_account_below_with_a_header() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Header Partner").await;
    let s = create(&op, 1, "partner", "Other Partner").await;
    let v: Value = op
        .post("/api/v1/me/tokens", json!({"name": "automation"}))
        .await
        .json()
        .await
        .unwrap();
    let token = v["secret"].as_str().unwrap().to_string();
    let c = reqwest::Client::new();
    let r = c
        .post(app.url(&format!("/api/v1/accounts/{p}/children")))
        .bearer_auth(&token)
        .header("x-act-as", p.to_string())
        .json(&json!({"kind": "customer", "name": "Via Header"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let me: Value = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .header("x-act-as", p.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["account"]["id"], p);
    let r = c
        .get(app.url(&format!("/api/v1/accounts/{s}")))
        .bearer_auth(&token)
        .header("x-act-as", p.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .header("x-act-as", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "invalid_act_as");
    let r = c
        .get(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .header("x-act-as", p.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'account.create' AND acting_as_account_id = {p}")).await, 1);
    // A partner's token cannot reach above itself with the header.
    let owner_id = add_login(&op, p, "o@hp.test", "owner").await;
    assert!(owner_id > 0);
    let partner = app.login("o@hp.test", PW).await;
    let r = partner
        .client
        .get(app.url("/api/v1/me"))
        .header("x-act-as", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_log_filters_exports_csv_and_stays_in_its_tree() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let a = create(&op, 1, "partner", "=HYPERLINK(\"http://x\")").await;
    let b = create(&op, 1, "partner", "Bravo, \"Quoted\" Partner").await;
    add_login(&op, a, "a@audit.test", "owner").await;
    add_login(&op, b, "b@audit.test", "owner").await;
    let pa = app.login("a@audit.test", PW).await;
    let pb = app.login("b@audit.test", PW).await;
    create(&pa, a, "customer", "Alpha Customer").await;
    create(&pb, b, "customer", "Bravo Customer").await;

    let mine: Value = pa.get("/api/v1/audit").await.json().await.unwrap();
    let text = mine.to_string();
    assert!(
        text.contains("Alpha Customer") && !text.contains("Bravo"),
        "{text}"
    );
    let f: Value = op
        .get("/api/v1/audit?action=login")
        .await
        .json()
        .await
        .unwrap();
    assert!(f["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["action"].as_str().unwrap().starts_with("login")));
    let f: Value = op
        .get("/api/v1/audit?q=bravo%20customer")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(f["total"], 1);
    let f: Value = op
        .get("/api/v1/audit?from=2000-01-01&to=2000-01-02")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(f["total"], 0);
    let (_, code, field, _) = error_of(op.get("/api/v1/audit?from=yesterday").await).await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("validation_failed", Some("from"))
    );

    let r = op.get("/api/v1/audit.csv?action=account.create").await;
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}time,login,"), "{csv}");
    assert!(
        csv.contains("\"partner '=HYPERLINK(\"\"http://x\"\") under Servicecenter\"")
            || csv.contains("'=HYPERLINK")
            || csv.contains("partner =HYPERLINK"),
        "{csv}"
    );
    let mut rdr =
        csv::ReaderBuilder::new().from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows
        .iter()
        .all(|r| r.len() == 11 && &r[6] == "account.create"));
    // B sees nothing of A, in search or export.
    let csv_b = pb.get("/api/v1/audit.csv").await.text().await.unwrap();
    assert!(!csv_b.contains("Alpha") && csv_b.contains("Bravo Customer"));
}

#[tokio::test]
async fn the_scale_demo_builds_a_consistent_tree_with_working_logins() {
    let app = TestApp::spawn().await;
    let s = partner_panel::demo::scale(&app.state, 12_000)
        .await
        .unwrap();
    assert!(
        (11_900..=12_100).contains(&s.accounts),
        "{} accounts",
        s.accounts
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts").await as usize,
        s.accounts + 1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM account_closure").await as usize,
        s.closure_rows + 1
    );
    for kind in ["partner", "reseller", "dealer", "customer"] {
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM accounts WHERE kind = '{kind}'"
            ))
            .await
                > 0,
            "{kind}"
        );
    }
    // Every account has a parent its kind allows.
    let bad = app
        .count(
            "SELECT COUNT(*) FROM accounts c JOIN accounts p ON p.id = c.parent_id WHERE NOT \
             ((p.kind = 'operator' AND c.kind IN ('partner', 'reseller')) OR (p.kind = 'partner' AND c.kind IN ('partner', 'dealer', 'customer')) \
             OR (p.kind = 'reseller' AND c.kind IN ('partner', 'customer')) OR (p.kind = 'dealer' AND c.kind = 'customer'))",
        )
        .await;
    assert_eq!(bad, 0);
    for id in [1, s.largest_partner] {
        let a = partner_panel::areas::accounts::counts_below(&app.state.db, AccountId(id))
            .await
            .unwrap();
        let b = partner_panel::areas::accounts::counts_below_live(&app.state.db, id)
            .await
            .unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "rollups of {id}");
    }
    let big_total: i64 = app
        .count(&format!(
            "SELECT COUNT(*) FROM account_closure WHERE ancestor_id = {} AND depth > 0",
            s.largest_partner
        ))
        .await;
    assert!(
        big_total > 2000,
        "the largest partner holds {big_total}: big enough to walk the name index"
    );
    // Its owner signs in with the demo password and pages through its subtree by name.
    let owner = app
        .login(
            &format!("owner{}@scale.example", s.largest_partner),
            partner_panel::demo::DEMO_PASSWORD,
        )
        .await;
    let p1: Value = owner
        .get(&format!(
            "/api/v1/accounts/{}/subtree?per_page=50",
            s.largest_partner
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p1["total"].as_i64(), Some(big_total));
    let names: Vec<String> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 50);
    // A new account after the bulk load gets a fresh id (sequences moved past the demo's ids).
    create(&owner, s.largest_partner, "customer", "After The Demo").await;
}

#[tokio::test]
async fn paths_match_the_closure_so_subtree_ranges_are_exact() {
    let app = TestApp::spawn().await;
    partner_panel::demo::scale(&app.state, 1500).await.unwrap();
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Late Partner").await;
    let d = create(&op, p, "dealer", "Late Dealer").await;
    create(&op, d, "customer", "Late Customer").await;
    // For every account, the accounts whose path starts with its path are exactly its closure.
    let mismatched = app
        .count(
            "SELECT COUNT(*) FROM accounts x WHERE (SELECT COUNT(*) FROM accounts y WHERE y.path > x.path \
             AND y.path < x.path || '~') <> (SELECT COUNT(*) FROM account_closure c WHERE c.ancestor_id = x.id AND c.depth > 0)",
        )
        .await;
    assert_eq!(mismatched, 0);
    let page: Value = op
        .get(&format!("/api/v1/accounts/{p}/subtree?q=late"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 2, "{page}");
}

#[tokio::test]
async fn acting_ends_when_the_login_is_demoted_and_header_acting_cannot_exit() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "P").await;
    let c = create(&op, p, "customer", "C").await;
    let admin_id = add_login(&op, p, "admin@p.test", "admin").await;
    let admin = app.login("admin@p.test", PW).await;
    assert_eq!(
        admin
            .post("/api/v1/act-as", json!({"account_id": c}))
            .await
            .status(),
        StatusCode::OK
    );
    // Renewing is audited.
    assert_eq!(
        admin.post("/api/v1/act-as/renew", json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'act_as.renew'")
            .await,
        1
    );
    // Demoted to viewer: owner rights there end at once.
    assert_eq!(
        op.patch(
            &format!("/api/v1/logins/{admin_id}"),
            json!({"role": "viewer"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    let me: Value = admin.get("/api/v1/me").await.json().await.unwrap();
    assert!(me["acting_as"].is_null(), "{me}");
    assert_eq!(me["account"]["id"], p);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'act_as.revoke'")
            .await,
        1
    );
    assert_eq!(
        admin
            .patch(&format!("/api/v1/accounts/{c}"), json!({"name": "Renamed"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // A session acting only through the header has nothing to exit.
    let r = op
        .client
        .post(app.url("/api/v1/act-as/exit"))
        .header("x-csrf-token", &op.csrf)
        .header("x-act-as", p.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "not_acting");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'act_as.exit'")
            .await,
        0
    );
}

#[tokio::test]
async fn dashboard_rights_hostile_queries_and_paths() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "P").await;
    let r = op
        .post(&format!("/api/v1/accounts/{p}/logins"), json!({"email": "nodash@p.test", "name": "No Dash", "password": PW, "role": "member", "dashboard_rights": false}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let nd = app.login("nodash@p.test", PW).await;
    assert_eq!(
        error_of(nd.get("/api/v1/dashboard").await).await.1,
        "forbidden"
    );
    let r = nd.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/accounts");
    // NUL and other hostile query text: a clear 400, never a 500.
    for path in [
        format!("/api/v1/accounts/{p}/subtree?q=%00"),
        format!("/api/v1/accounts/{p}/found?q=ab%00c"),
        "/api/v1/audit?q=a%00b".to_string(),
        "/api/v1/audit.csv?action=%00".to_string(),
        format!("/api/v1/accounts/{p}/children?per_page=999999999999999999999"),
    ] {
        let (status, code, ..) = error_of(op.get(&path).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {code}");
    }
    for path in ["/accounts?q=%00", "/audit?q=%00", "/switcher?q=%00"] {
        let r = op.get(path).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(r.text().await.unwrap().contains("NUL"));
    }
    // Paths that are not ids are simply not found, as JSON for the API.
    for path in [
        "/api/v1/accounts/%FF",
        "/api/v1/accounts/-1",
        "/api/v1/accounts/1e3",
        "/api/v1/accounts/%00",
    ] {
        let (status, code, ..) = error_of(op.get(path).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{path}"
        );
    }
    let r = op.get("/accounts/%FF").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Huge page numbers are clamped, not an overflow.
    let r = op
        .get(&format!(
            "/api/v1/accounts/{p}/subtree?page=9223372036854775807&per_page=100"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // A login page with a hostile `next` still signs in, to a safe place.
    let page = app
        .client()
        .get(app.url("/login?next=%2F%09%2Fevil.example&next=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

/// The detail of the latest record of `action` in the session's audit log.
async fn latest_detail(s: &Session, action: &str) -> String {
    let v: Value = s
        .get(&format!("/api/v1/audit?action={action}"))
        .await
        .json()
        .await
        .unwrap();
    v["items"][0]["detail"].as_str().unwrap().to_string()
}

/// An update's audit record names what changed, in the same words at every such rule (name with
/// both values, contact details by name), or "no change".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_record_what_changed_or_no_change() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Old Name").await;
    let account = format!("/api/v1/accounts/{p}");
    assert_eq!(
        op.patch(
            &account,
            json!({"name": "New Name", "email": "hello@new.test"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        latest_detail(&op, "account.update").await,
        "name from Old Name to New Name; email"
    );
    op.patch(
        &account,
        json!({"name": "New Name", "phone": "+1 555 0199"}),
    )
    .await;
    assert_eq!(latest_detail(&op, "account.update").await, "phone");
    op.patch(&account, json!({"name": "New Name"})).await;
    assert_eq!(latest_detail(&op, "account.update").await, "no change");

    add_login(&op, p, "owner@new.test", "owner").await;
    let ps = app.login("owner@new.test", PW).await;
    let r = ps
        .post(
            "/api/v1/dealers",
            json!({"name": "North Dealer", "contact_name": "Dana Dealer", "email": "contact@dealer.test",
                   "phone": "+1 555 0100", "username": "dealer-north", "password": "dealer-password-1"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let d = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = ps
        .patch(
            &format!("/api/v1/dealers/{d}"),
            json!({"name": "South Dealer", "contact_name": "Dan Dealer", "phone": "+1 555 0101"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        latest_detail(&ps, "dealer.update").await,
        "name from North Dealer to South Dealer; contact name; phone"
    );
    ps.patch(&format!("/api/v1/dealers/{d}"), json!({})).await;
    assert_eq!(latest_detail(&ps, "dealer.update").await, "no change");

    let r = op
        .patch(
            "/api/v1/me",
            json!({"name": "Ingrid Operator", "email": "ingrid@panel.test",
                   "current_password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        latest_detail(&op, "profile.update").await,
        format!("name; email from {ADMIN_EMAIL} to ingrid@panel.test")
    );
    op.patch("/api/v1/me", json!({})).await;
    assert_eq!(latest_detail(&op, "profile.update").await, "no change");
}
