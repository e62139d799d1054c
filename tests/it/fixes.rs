//! Issue 11 fixes: requests for partner to several partners, the directory consent, the inbox's
//! opening tab and what a reseller's request reads, audit actions in words, and the demo world.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::networks::{approved_partner, capped_package};
use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn json_ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

async fn page(s: &Session, path: &str) -> String {
    let r = s.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn names(s: &Session) -> Vec<String> {
    let dir = json_ok(s.get("/api/v1/partner-directory").await).await;
    dir["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

async fn register(app: &TestApp, company: &str, email: &str, package: i64, consent: bool) -> i64 {
    let r = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({
            "company_name": company, "contact_name": "Pat Partner", "email": email,
            "phone": "+49 30 555", "website": "https://partner.example", "package_id": package,
            "directory_consent": consent
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn only_partners_that_agreed_are_listed_in_the_directory() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let reseller = create(&op, 1, "reseller", "Rita Reseller").await;
    add_login(&op, reseller, "rita@reseller.test", "owner").await;
    let rs = app.login("rita@reseller.test", PW).await;

    // Without the box ticked (the default), an approved partner is not listed.
    let quiet = register(&app, "Quiet Media", "owner@quiet.test", pkg, false).await;
    let loud = register(&app, "Loud Media", "owner@loud.test", pkg, true).await;
    let pending = json_ok(op.get("/api/v1/partnership-requests").await).await;
    let consent: Vec<(i64, bool)> = pending["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["directory_consent"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(
        consent.contains(&(quiet, false)) && consent.contains(&(loud, true)),
        "{pending}"
    );
    for id in [quiet, loud] {
        json_ok(
            op.post(
                &format!("/api/v1/partnership-requests/{id}/approve"),
                json!({}),
            )
            .await,
        )
        .await;
    }
    assert_eq!(names(&rs).await, vec!["Loud Media"]);
    // The registration page offers the box, unticked.
    let plans = app
        .client()
        .get(app.url("/plans"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        plans.contains("List my company in the partner directory, with email, phone and website")
    );
    let tag = plans
        .split("id=\"reg-directory-consent\"")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    assert!(!tag.contains("checked"), "ticked by default: {tag}");

    // Quiet agrees later in Reseller settings (the page's checkbox); Loud withdraws by API.
    app.run_jobs().await;
    let password = |email: &str| {
        app.smtp
            .to(email)
            .last()
            .unwrap()
            .data
            .lines()
            .find_map(|l| l.trim().strip_prefix("password: "))
            .unwrap()
            .trim()
            .to_string()
    };
    let q = app
        .login("owner@quiet.test", &password("owner@quiet.test"))
        .await;
    let l = app
        .login("owner@loud.test", &password("owner@loud.test"))
        .await;
    let s = json_ok(q.get("/api/v1/reseller-settings").await).await;
    assert_eq!(
        (s["listed"].as_bool(), s["show_email"].as_bool()),
        (Some(false), Some(false))
    );
    assert!(page(&q, "/reseller-settings")
        .await
        .contains("id=\"directory-consent\""));
    let r = q
        .client
        .post(app.url("/reseller-settings"))
        .form(&[
            ("csrf_token", q.csrf.as_str()),
            ("serves_resellers", "1"),
            ("listed", "1"),
            ("email", "owner@quiet.test"),
            ("show_email", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = l
        .send(
            reqwest::Method::PUT,
            "/api/v1/reseller-settings",
            Some(json!({"listed": false})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(names(&rs).await, vec!["Quiet Media"]);
    let dir = json_ok(rs.get("/api/v1/partner-directory").await).await;
    assert_eq!(dir["items"][0]["email"], "owner@quiet.test");
}

#[tokio::test]
async fn a_reseller_may_ask_a_second_partner_but_not_the_same_one_twice() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let (a, a_id) =
        approved_partner(&app, &op, "Alpha Streams", "owner@alpha.test", pkg, false).await;
    let (_b, b_id) =
        approved_partner(&app, &op, "Beta Streams", "owner@beta.test", pkg, false).await;
    let reseller = create(&op, 1, "reseller", "Rita Reseller").await;
    add_login(&op, reseller, "rita@reseller.test", "owner").await;
    let rs = app.login("rita@reseller.test", PW).await;
    op.patch(
        &format!("/api/v1/accounts/{reseller}"),
        json!({"phone": "+49 30 1234"}),
    )
    .await;

    let ask = |p: i64| json!({"type": "reseller_link", "partner_id": p});
    let first = rs.post("/api/v1/requests", ask(a_id)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    // The same pair again is a duplicate; another partner is fine.
    let (st, code, _, _) = error_of(rs.post("/api/v1/requests", ask(a_id)).await).await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::CONFLICT, "duplicate_request")
    );
    let second = rs.post("/api/v1/requests", ask(b_id)).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let second_id = second.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    // The directory shows both waiting, with no Send request on them.
    let html = page(&rs, "/partner-directory").await;
    assert_eq!(html.matches("Request sent: waiting").count(), 2, "{html}");
    assert!(!html.contains("request-partner\""));
    // My partner lists both waiting requests, each with its Withdraw, not only the oldest.
    let mine = json_ok(rs.get("/api/v1/my-partner").await).await;
    let waiting: Vec<&str> = mine["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["partner"].as_str().unwrap())
        .collect();
    assert_eq!(waiting, vec!["Alpha Streams", "Beta Streams"]);
    assert_eq!(mine["pending_partner"], "Alpha Streams");
    let html = page(&rs, "/my-partner").await;
    assert_eq!(
        html.matches("class=\"pending-partner row\"").count(),
        2,
        "{html}"
    );
    assert!(html.contains("Alpha Streams") && html.contains("Beta Streams"));
    assert!(html.contains(&format!("id=\"withdraw-{second_id}\"")));

    // Alpha's inbox reads it as a reseller's request, with its contact details.
    let inbox = page(&a, "/inbox").await;
    assert!(inbox.contains("<th>Reseller</th>"), "{inbox}");
    assert!(!inbox.contains("<th>Partner</th>"));
    assert!(inbox.contains("rita@reseller.test") && inbox.contains("+49 30 1234"));
    assert!(inbox.contains("Asks to resell for</th><td class=\"request-addressee\">Alpha Streams"));
    let id: i64 = inbox
        .split("data-request-id=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = a
        .client
        .post(app.url(&format!("/inbox/{id}/approve")))
        .form(&[("csrf_token", a.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = page(&a, r.headers()["location"].to_str().unwrap()).await;
    assert!(
        after.contains("Approved: Rita Reseller may now resell for Alpha Streams."),
        "{after}"
    );
    assert!(!after.contains("for Rita Reseller."));
    // Linked: the other request ended, and the directory shows the link, no buttons.
    let other = json_ok(rs.get(&format!("/api/v1/requests/{second_id}")).await).await;
    assert_eq!(other["status"], "withdrawn");
    let html = page(&rs, "/partner-directory").await;
    assert!(
        html.contains("You resell for this partner.") && html.contains("id=\"linked-partner\"")
    );
    assert!(!html.contains("Send request for partner"), "{html}");
}

#[tokio::test]
async fn the_inbox_opens_on_a_tab_with_waiting_requests_and_partnerships_keep_the_counts() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Open", None, None).await;
    let (_p, pid) =
        approved_partner(&app, &op, "Alpha Streams", "owner@alpha.test", pkg, false).await;
    let html = page(&op, "/inbox").await;
    assert!(
        html.contains("id=\"tab-addon\" class=\"active\""),
        "nothing waits: first tab"
    );
    sqlx::query(
        "INSERT INTO requests (kind, account_id, addressee_id, title, content, impressions, price, currency, created_at) \
         VALUES ('ad_package', $1, 1, 'Reach (1000 impressions)', '{}', 1000, 100, 'EUR', 0)",
    )
    .bind(pid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let html = page(&op, "/inbox").await;
    assert!(
        html.contains("id=\"tab-ad_package\" class=\"active\""),
        "{html}"
    );
    assert!(html.contains("Reach (1000 impressions)"));
    // A registration waiting: the inbox opens on Partnerships, which shows every tab's count.
    register(&app, "Gamma Media", "owner@gamma.test", pkg, false).await;
    let r = op.get("/inbox").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/operator/requests");
    let html = page(&op, "/operator/requests").await;
    let count = |tab: &str| {
        html.split(&format!("id=\"tab-{tab}\""))
            .nth(1)
            .unwrap()
            .split("class=\"count\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (count("partnership"), count("ad_package"), count("addon")),
        ("1".into(), "1".into(), "0".into())
    );
    // Asking for a tab still shows it.
    assert!(page(&op, "/inbox?tab=broadcast")
        .await
        .contains("id=\"tab-broadcast\" class=\"active\""));
}

/// Every action the code records, from its source: `action: "…"` and the other literals given
/// to the audit log.
fn recorded_actions() -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    let prefixes = [
        "login",
        "logout",
        "password.",
        "profile.",
        "api_token.",
        "act_as.",
        "account.",
        "dealer.",
        "package.",
        "addon.",
        "ad_package.",
        "settings.",
        "partnership.",
        "partner.",
        "billing.",
        "request.",
        "broadcast.",
        "channel.",
        "reseller_settings.",
        "reseller.",
        "demo.",
        "two_factor.",
        "clip.",
    ];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") || p.ends_with("audit_phrases.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for lit in text.split('"').skip(1).step_by(2) {
                let looks = !lit.is_empty()
                    && lit
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
                    && (lit.contains('.') || lit == "login" || lit == "logout")
                    && prefixes.iter().any(|p| lit.starts_with(p))
                    && !lit.ends_with(".csv")
                    && !lit.ends_with('.');
                if looks {
                    out.insert(lit.to_string());
                }
            }
        }
    }
    // Made with format! from an item kind.
    for kind in ["package", "addon", "ad_package"] {
        for what in ["retire", "reactivate"] {
            out.insert(format!("{kind}.{what}"));
        }
    }
    out
}

#[tokio::test]
async fn every_audit_action_reads_in_words() {
    use partner_panel::kernel::audit_phrases::{phrase, PHRASES};
    let actions = recorded_actions();
    assert!(actions.len() > 50, "{actions:?}");
    let missing: Vec<_> = actions
        .iter()
        .filter(|a| !PHRASES.iter().any(|(k, _)| k == a))
        .collect();
    assert!(missing.is_empty(), "actions without a phrase: {missing:?}");
    assert_eq!(phrase("billing.payment"), "registered a payment");

    // Recent activity and the audit log read words, not codes.
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let a = create(&op, 1, "partner", "Lake Partner").await;
    let r = op
        .post(
            &format!("/api/v1/accounts/{a}/logins"),
            json!({"email": "lara@lake.test", "name": "Lara Lake", "password": PW, "role": "owner"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let lara = app.login("lara@lake.test", PW).await;
    let dash = page(&lara, "/").await;
    assert!(dash.contains("Lara Lake signed in"), "{dash}");
    let audit = page(&op, "/audit").await;
    assert!(audit.contains("added a login") && audit.contains("title=\"login.create\""));
    let api = json_ok(op.get("/api/v1/audit").await).await;
    assert!(api["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["phrase"] == "signed in"));
}

#[tokio::test]
async fn the_demo_world_lets_every_kind_of_account_sign_in_and_see_its_data() {
    let app = TestApp::spawn().await;
    let s = partner_panel::demo::load(&app.state).await.unwrap();
    assert!(s.accounts >= 10 && s.logins.len() == 9);
    // Loading again changes nothing.
    assert_eq!(
        partner_panel::demo::load(&app.state)
            .await
            .unwrap()
            .accounts,
        0
    );
    let pw = partner_panel::demo::DEMO_PASSWORD;
    let login = |e: &'static str| app.login(e, pw);

    let op = login("operator@demo.example").await;
    let inbox = json_ok(op.get("/api/v1/inbox").await).await;
    let kinds: std::collections::BTreeSet<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        vec!["ad", "ad_package", "addon", "broadcast"],
        "{inbox}"
    );
    assert!(page(&op, "/operator/requests")
        .await
        .contains("Lakeside Screens"));
    let partners = page(&op, "/operator/partners").await;
    assert!(partners.contains("Demo Business") && partners.contains("Billing"));

    let nw = login("owner@northwind.example").await;
    let billing = json_ok(nw.get("/api/v1/billing").await).await;
    assert_eq!(billing["subscription"]["package_name"], "Demo Business");
    assert_eq!(billing["invoices"][0]["status"], "open", "{billing}");
    assert!(page(&nw, "/resellers").await.contains("Summit Resellers"));
    assert!(page(&nw, "/channels").await.contains("Northwind Menus"));

    let bh = login("owner@blueharbor.example").await;
    let inbox = page(&bh, "/inbox").await;
    assert!(inbox.contains("Valley Resell") && inbox.contains("owner@valley.example"));
    assert_eq!(
        json_ok(bh.get("/api/v1/billing").await).await["subscription"]["status"],
        "trial"
    );

    let summit = login("owner@summit.example").await;
    let mine = json_ok(summit.get("/api/v1/my-partner").await).await;
    assert_eq!(mine["partner"]["name"], "Northwind Media");
    assert!(page(&summit, "/partner-directory")
        .await
        .contains("You resell for this partner."));
    let valley = login("owner@valley.example").await;
    assert!(page(&valley, "/partner-directory")
        .await
        .contains("Request sent: waiting"));

    let dealer = login("dealer@northwind.example").await;
    let dash = page(&dealer, "/").await;
    assert!(dash.contains("Northwind Dealer East"));

    // Support: Café Aurora's three tickets in Northwind's queue, one answered as Servicecenter
    // with an internal note the customer never sees; a published release note for everyone.
    let queue = json_ok(nw.get("/api/v1/tickets").await).await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{queue}");
    assert!(items.iter().all(|t| t["customer_name"] == "Café Aurora"));
    assert_eq!(items.iter().filter(|t| t["unanswered"] == true).count(), 2);
    let cafe = login("cafe@northwind.example").await;
    let answered = items.iter().find(|t| t["unanswered"] == false).unwrap();
    let thread = json_ok(
        cafe.get(&format!("/api/v1/tickets/{}", answered["id"]))
            .await,
    )
    .await;
    let messages = thread["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "the note stays internal: {thread}");
    assert_eq!(messages[1]["author"], "Servicecenter");
    let notes = json_ok(cafe.get("/api/v1/release-notes").await).await;
    assert_eq!(
        notes.as_array().unwrap().len(),
        1,
        "one published note: {notes}"
    );
    assert!(page(&cafe, "/whats-new")
        .await
        .contains("Support tickets in every panel"));

    // Customers with sites and probes: two of Café Aurora's three probes are online, the kiosk's
    // stopped; a code for another probe waits.
    let customers = json_ok(nw.get("/api/v1/customers").await).await;
    let cafe_row = customers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Café Aurora")
        .unwrap_or_else(|| panic!("{customers}"))
        .clone();
    let cafe_id = cafe_row["id"].as_i64().unwrap();
    let sites = json_ok(nw.get(&format!("/api/v1/accounts/{cafe_id}/sites")).await).await;
    let names: Vec<&str> = sites["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Aurora Downtown", "Aurora Station Kiosk"],
        "{sites}"
    );
    let mut statuses = Vec::new();
    for s in sites["items"].as_array().unwrap() {
        let d = json_ok(nw.get(&format!("/api/v1/sites/{}", s["id"])).await).await;
        for p in d["probes"].as_array().unwrap() {
            statuses.push(p["status"].as_str().unwrap().to_string());
        }
        if s["name"] == "Aurora Downtown" {
            assert_eq!(d["enrollments"].as_array().unwrap().len(), 2, "{d}");
        }
    }
    assert_eq!(statuses, ["online", "offline"]);

    // Northwind's brand on its customers' pages; the operator's pages untouched.
    let home = page(&cafe, "/").await;
    assert!(
        home.contains("screens for cafés, gyms and hotels") && home.contains("#0b5394"),
        "{home}"
    );
    assert!(!page(&op, "/").await.contains("screens for cafés"));

    // Players: Northwind's showroom clones Café Aurora's window screen; both registered and
    // online; the gym's player waits for its license, and the operator has been told.
    let own = json_ok(nw.get("/api/v1/players?show=own").await).await;
    let showroom = &own["items"][0];
    assert_eq!(showroom["name"], "Northwind showroom", "{own}");
    assert_eq!(showroom["clone_of_name"], "Aurora window screen");
    assert_eq!(showroom["online"], true);
    let clients = json_ok(nw.get("/api/v1/players?show=clients&sort=name").await).await;
    let states: Vec<(&str, &str, bool)> = clients["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["license_state"].as_str().unwrap(),
                p["online"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("Aurora window screen", "active", true),
            ("Gym entrance screen", "pending", false)
        ],
        "{clients}"
    );
    let window = json_ok(cafe.get("/api/v1/players").await).await;
    assert_eq!(window["items"][0]["playlist_name"], "Window", "{window}");
    let notices = json_ok(op.get("/api/v1/player-notifications").await).await;
    assert!(
        notices.to_string().contains("Gym entrance screen"),
        "{notices}"
    );

    for customer in [
        "cafe@northwind.example",
        "gym@northwind.example",
        "bakery@summit.example",
    ] {
        let c = login(customer).await;
        let e = page(&c, "/engagements").await;
        assert!(
            e.contains("From <strong class=\"engagement-sender\">Blue Harbor Signage</strong>")
                && e.contains("Morning coffee deal")
                && e.contains("class=\"engagement-date\">20"),
            "{customer}: {e}"
        );
    }
}
