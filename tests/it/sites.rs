//! Sites and probes (issue 13, seed 004): a customer's sites through the API and the pages,
//! their bad input, the deletion of sites naming the probes that go, and an account deletion
//! that takes the sites and probes of its subtree.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

/// A partner with a customer (and an owner login on each), and another tenant's customer.
pub struct World {
    pub partner: i64,
    pub customer: i64,
    pub other_partner: i64,
    pub other_customer: i64,
}

pub async fn world(op: &Session) -> World {
    let partner = create(op, 1, "partner", "Northwind Media").await;
    let customer = create(op, partner, "customer", "Café Aurora").await;
    let other_partner = create(op, 1, "partner", "Blue Harbor").await;
    let other_customer = create(op, other_partner, "customer", "Harbor Gym").await;
    add_login(op, partner, "owner@northwind.test", "owner").await;
    add_login(op, partner, "viewer@northwind.test", "viewer").await;
    add_login(op, customer, "owner@aurora.test", "owner").await;
    add_login(op, other_partner, "owner@harbor.test", "owner").await;
    World {
        partner,
        customer,
        other_partner,
        other_customer,
    }
}

pub async fn json_of(r: reqwest::Response, want: StatusCode) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(status, want, "{v}");
    v
}

/// Adds a site through the API; returns its id.
pub async fn add_site(s: &Session, customer: i64, name: &str) -> i64 {
    let v = json_of(
        s.post(
            &format!("/api/v1/accounts/{customer}/sites"),
            json!({"name": name, "address": format!("{name} Street 1"), "time_zone": "Europe/Amsterdam"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    v["id"].as_i64().unwrap()
}

/// An enrollment code of a site.
pub async fn code_of(s: &Session, site: i64) -> String {
    let v = json_of(
        s.post(&format!("/api/v1/sites/{site}/enrollments"), json!({}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    v["code"].as_str().unwrap().to_string()
}

/// A probe registered at `site` through the protocol: (probe id, token).
pub async fn enroll(app: &TestApp, s: &Session, site: i64, name: &str) -> (i64, String) {
    let code = code_of(s, site).await;
    let v = json_of(
        app.client()
            .post(app.url("/probe/v1/enroll"))
            .json(&json!({"code": code, "name": name, "host": format!("{name}.lan"), "version": "1.0.0"}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    (
        v["probe_id"].as_i64().unwrap(),
        v["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_customer_has_sites_with_search_sort_pages_and_bad_input_refused() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let c = app.login("owner@aurora.test", PW).await;

    // Added by the partner and by the customer itself.
    let a = add_site(&p, w.customer, "Main Street").await;
    let b = add_site(&c, w.customer, "Harbour Kiosk").await;
    let v = json_of(
        p.post(
            &format!("/api/v1/accounts/{}/sites", w.customer),
            json!({"name": "Ölmühle", "address": "Straße 9", "notes": "Two lines\nof notes"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(v["time_zone"], "UTC", "the default zone");
    assert_eq!(v["probes"], 0);

    let list = json_of(
        p.get(&format!("/api/v1/accounts/{}/sites", w.customer))
            .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Harbour Kiosk", "Main Street", "Ölmühle"]);
    assert_eq!(list["total"], 3);
    // Search by name or address, any case, beyond ASCII.
    let found = json_of(
        p.get(&format!("/api/v1/accounts/{}/sites?q=STRASSE", w.customer))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["total"], 0, "ß is not ss");
    let found = json_of(
        p.get(&format!(
            "/api/v1/accounts/{}/sites?q=%C3%96LM%C3%9CH",
            w.customer
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"][0]["name"], "Ölmühle");
    let found = json_of(
        p.get(&format!(
            "/api/v1/accounts/{}/sites?q=kiosk street",
            w.customer
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"][0]["id"], b, "the address matches too");
    // Sorted the other way, and paged.
    let page2 = json_of(
        p.get(&format!(
            "/api/v1/accounts/{}/sites?sort=name&dir=desc&per_page=2&page=2",
            w.customer
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page2["items"][0]["name"], "Harbour Kiosk");
    assert_eq!(page2["total"], 3);
    let (st, code, field, _) = error_of(
        p.get(&format!(
            "/api/v1/accounts/{}/sites?sort=secret",
            w.customer
        ))
        .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("sort")
        )
    );

    // Bad input: every field at once, nothing written.
    let r = p
        .post(
            &format!("/api/v1/accounts/{}/sites", w.customer),
            json!({"name": "é".repeat(101), "time_zone": "Mars/Olympus", "notes": "bell\u{7}"}),
        )
        .await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "time_zone", "notes"]);
    // 100 characters beyond ASCII are fine; the same name again (any case) is taken.
    let hundred = "é".repeat(100);
    add_site(&p, w.customer, &hundred).await;
    let (st, code, ..) = error_of(
        p.post(
            &format!("/api/v1/accounts/{}/sites", w.customer),
            json!({"name": "main STREET"}),
        )
        .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (StatusCode::CONFLICT, "name_taken"));
    // Sites belong to customers: a partner is refused with a clear code.
    let (st, code, ..) = error_of(
        p.post(
            &format!("/api/v1/accounts/{}/sites", w.partner),
            json!({"name": "Nope"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::CONFLICT, "not_a_customer")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sites WHERE name = 'Nope'")
            .await,
        0
    );

    // Edit: fields left out keep their value; a viewer may only look.
    let v = json_of(
        p.patch(
            &format!("/api/v1/sites/{a}"),
            json!({"time_zone": "america/new_york"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["name"].as_str(), v["time_zone"].as_str()),
        (Some("Main Street"), Some("America/New_York"))
    );
    let viewer = app.login("viewer@northwind.test", PW).await;
    let (st, code, ..) = error_of(
        viewer
            .patch(&format!("/api/v1/sites/{a}"), json!({"name": "X"}))
            .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    assert_eq!(
        viewer.get(&format!("/api/v1/sites/{a}")).await.status(),
        StatusCode::OK
    );

    // Another tenant: 404 for the site, its customer's list and every change.
    let h = app.login("owner@harbor.test", PW).await;
    for r in [
        h.get(&format!("/api/v1/sites/{a}")).await,
        h.patch(&format!("/api/v1/sites/{a}"), json!({"name": "Mine"}))
            .await,
        h.delete(&format!("/api/v1/sites/{a}?confirm_probes=0"))
            .await,
        h.get(&format!("/api/v1/accounts/{}/sites", w.customer))
            .await,
        h.post(&format!("/api/v1/sites/{a}/enrollments"), json!({}))
            .await,
    ] {
        let (st, code, ..) = error_of(r).await;
        assert_eq!((st, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    }
    // Nor may it delete the site as part of its own customer's sites.
    let mine = add_site(&h, w.other_customer, "Harbor Hall").await;
    let (st, ..) = error_of(
        h.post(
            &format!("/api/v1/accounts/{}/sites/delete", w.other_customer),
            json!({"ids": [mine, a], "confirm_probes": 0}),
        )
        .await,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM sites WHERE id IN ({a}, {mine})"
        ))
        .await,
        2,
        "nothing half done"
    );
    // Every change is in the customer's audit log.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE subject_account_id = {} AND action LIKE 'site.%'",
            w.customer
        ))
        .await,
        5
    );
}

#[tokio::test]
async fn deleting_sites_names_the_probes_that_go_and_removes_them_in_one_go() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let a = add_site(&p, w.customer, "Main Street").await;
    let b = add_site(&p, w.customer, "Harbour Kiosk").await;
    let keep = add_site(&p, w.customer, "Depot").await;
    let (pa, _) = enroll(&app, &p, a, "probe-main").await;
    enroll(&app, &p, b, "probe-kiosk-1").await;
    enroll(&app, &p, b, "probe-kiosk-2").await;
    code_of(&p, a).await;

    let prev = json_of(
        p.post(
            &format!("/api/v1/accounts/{}/sites/deletion", w.customer),
            json!({"ids": [a, b]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let probes: Vec<&str> = prev["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(probes, ["probe-kiosk-1", "probe-kiosk-2", "probe-main"]);
    assert_eq!(prev["sites"].as_array().unwrap().len(), 2);
    // A count that is not the probes that go refuses it all.
    let (st, code, field, msg) = error_of(
        p.post(
            &format!("/api/v1/accounts/{}/sites/delete", w.customer),
            json!({"ids": [a, b], "confirm_probes": 1}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("confirm_probes")
        ),
        "{msg}"
    );
    assert!(msg.contains("3 probe(s)"), "{msg}");
    assert_eq!(app.count("SELECT COUNT(*) FROM probes").await, 3);
    // A member may not delete.
    add_login(&op, w.partner, "member@northwind.test", "member").await;
    let m = app.login("member@northwind.test", PW).await;
    assert_eq!(
        m.post(
            &format!("/api/v1/accounts/{}/sites/delete", w.customer),
            json!({"ids": [a, b], "confirm_probes": 3}),
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let v = json_of(
        p.post(
            &format!("/api/v1/accounts/{}/sites/delete", w.customer),
            json!({"ids": [a, b], "confirm_probes": 3}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v, json!({"sites": 2, "probes": 3}));
    assert_eq!(app.count("SELECT COUNT(*) FROM probes").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM probe_enrollments").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sites").await,
        1,
        "the site not chosen stays"
    );
    assert_eq!(
        p.get(&format!("/api/v1/probes/{pa}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // One site alone, through DELETE, with its count.
    let v = json_of(
        p.delete(&format!("/api/v1/sites/{keep}?confirm_probes=0"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v, json!({"sites": 1, "probes": 0}));
    let audit = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE subject_account_id = {} AND action = 'site.delete' \
             AND detail LIKE '%probe-kiosk-1, probe-kiosk-2%'",
            w.customer
        ))
        .await;
    assert_eq!(audit, 1, "the audit names the probes that went");
}

#[tokio::test]
async fn deleting_a_customer_names_its_sites_and_probes_and_leaves_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let a = add_site(&p, w.customer, "Main Street").await;
    add_site(&p, w.customer, "Harbour Kiosk").await;
    let (_, token) = enroll(&app, &p, a, "probe-main").await;
    code_of(&p, a).await;
    let other = add_site(&op, w.other_customer, "Harbor Hall").await;

    let prev = json_of(
        p.get(&format!("/api/v1/accounts/{}/deletion", w.customer))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            prev["accounts"].clone(),
            prev["sites"].clone(),
            prev["probes"].clone()
        ),
        (json!(1), json!(2), json!(1))
    );
    // The page names them too.
    let page = p
        .get(&format!("/accounts/{}/delete", w.customer))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2 sites</strong> and <strong id=\"delete-probes\">1 probe</strong>"),
        "{page}"
    );
    // Deleting the partner above counts them as well.
    let prev = json_of(
        op.get(&format!("/api/v1/accounts/{}/deletion", w.partner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (prev["sites"].clone(), prev["probes"].clone()),
        (json!(2), json!(1))
    );

    json_of(
        p.delete(&format!(
            "/api/v1/accounts/{}?confirm_accounts=1",
            w.customer
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    for table in ["sites", "probes", "probe_enrollments"] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE customer_id = {}",
                w.customer
            ))
            .await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM sites WHERE id = {other}"))
            .await,
        1,
        "another tenant's site stays"
    );
    // Its probe's token no longer works.
    let r = app
        .client()
        .post(app.url("/probe/v1/check-in"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_sites_pages_list_add_with_errors_kept_and_confirm_deletion_naming_probes() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let a = add_site(&p, w.customer, "Main Street").await;
    let (_, _) = enroll(&app, &p, a, "probe-main").await;

    let r = p.get(&format!("/accounts/{}/sites", w.customer)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Sites of Café Aurora"), "{html}");
    assert!(html.contains(&format!("data-site-id=\"{a}\"")));
    assert!(html.contains("id=\"delete-sites\""));
    assert!(html.contains("site-list-sort-probes"));
    // The account page of the customer leads here.
    let acc = p
        .get(&format!("/accounts/{}", w.customer))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        acc.contains(&format!("/accounts/{}/sites", w.customer)),
        "{acc}"
    );
    // A partner's sites page says what sites are for.
    assert_eq!(
        p.get(&format!("/accounts/{}/sites", w.partner))
            .await
            .status(),
        StatusCode::CONFLICT
    );

    // A wrong add keeps what was typed, with the error beside its field.
    let long = "ß".repeat(101);
    let r = p
        .client
        .post(app.url(&format!("/accounts/{}/sites", w.customer)))
        .form(&[
            ("csrf_token", p.csrf.as_str()),
            ("name", long.as_str()),
            ("address", "Kaistraße 5"),
            ("time_zone", "Nowhere/Land"),
            ("notes", "keep me"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"site-name-error\""), "{html}");
    assert!(html.contains("id=\"site-time-zone-error\""));
    assert!(html.contains(&format!("value=\"{long}\"")));
    assert!(html.contains("value=\"Kaistraße 5\""));
    assert!(html.contains("keep me"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sites").await, 1);
    // A good one goes to its page.
    let r = p
        .client
        .post(app.url(&format!("/accounts/{}/sites", w.customer)))
        .form(&[
            ("csrf_token", p.csrf.as_str()),
            ("name", "Depot"),
            ("address", ""),
            ("time_zone", "Europe/Berlin"),
            ("notes", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let depot: i64 = app.count("SELECT id FROM sites WHERE name = 'Depot'").await;
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/sites/{depot}")
    );

    // Delete sites: first a page naming the sites and the probes that go.
    let r = p
        .client
        .post(app.url(&format!("/accounts/{}/sites/delete", w.customer)))
        .form(&[
            ("csrf_token", p.csrf.as_str()),
            ("ids", &a.to_string()),
            ("ids", &depot.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Delete 2 sites and 1 probe?"), "{html}");
    assert!(html.contains("probe-main"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sites").await, 2);
    let r = p
        .client
        .post(app.url(&format!("/accounts/{}/sites/delete", w.customer)))
        .form(&[
            ("csrf_token", p.csrf.as_str()),
            ("ids", &a.to_string()),
            ("ids", &depot.to_string()),
            ("confirm_probes", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM sites").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM probes").await, 0);
    // Another tenant's sites page and site page: 404.
    let h = app.login("owner@harbor.test", PW).await;
    let hall = add_site(&op, w.customer, "Hall").await;
    assert_eq!(
        h.get(&format!("/sites/{hall}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get(&format!("/accounts/{}/sites", w.customer))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
