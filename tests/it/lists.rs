//! The shared table on more lists (audit log, My partners with an edit page per partner) and
//! the add action where people look for it (Add customer, a dealer's Add subscriber).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn ok(r: reqwest::Response) -> Value {
    let s = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(s.is_success(), "{s} {v}");
    v
}

fn strings(v: &Value, path: &[&str]) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut x = i;
            for p in path {
                x = &x[*p];
            }
            x.as_str().unwrap_or("").to_string()
        })
        .collect()
}

async fn page(s: &Session, path: &str) -> String {
    let r = s.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn form(app: &TestApp, s: &Session, path: &str, fields: &[(&str, &str)]) -> StatusCode {
    let mut f = vec![("csrf_token", s.csrf.as_str())];
    f.extend_from_slice(fields);
    s.client
        .post(app.url(path))
        .form(&f)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn add_customer_and_a_dealers_add_subscriber_from_the_accounts_list() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let root = ok(op.get("/api/v1/me").await).await["account"]["id"]
        .as_i64()
        .unwrap();
    let p = create(&op, root, "partner", "Maple Partner").await;
    add_login(&op, p, "owner@maple.test", "owner").await;
    let d = create(&op, p, "dealer", "Maple Dealer").await;
    add_login(&op, d, "owner@dealer.test", "owner").await;

    // A partner: "Add customer" at the top of an empty list, the kind defaulting to customer
    // (listed first).
    let pa = app.login("owner@maple.test", PW).await;
    let html = page(&pa, "/accounts?kind=customer").await;
    let open = format!(
        r#"<a class="button primary" href="/accounts/{p}/new" id="add-account-open">Add customer</a>"#
    );
    assert!(html.contains(&open), "{html}");
    let html = page(&pa, &format!("/accounts/{p}/new")).await;
    let kinds = html.split("id=\"new-kind\" >").nth(1).unwrap();
    assert!(
        kinds.starts_with(r#"<option value="customer" selected>"#),
        "{kinds}"
    );
    // Every field's error at once, beside its field, what was typed kept.
    let r = pa
        .client
        .post(app.url(&format!("/accounts/{p}/children")))
        .form(&[
            ("csrf_token", pa.csrf.as_str()),
            ("from", "new"),
            ("kind", "customer"),
            ("name", "  "),
            ("email", "not-an-email"),
            ("phone", "call me"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for id in ["new-name", "new-email", "new-phone"] {
        assert!(
            html.contains(&format!(r#"<span class="field-error" id="{id}-error">"#)),
            "{id}: {html}"
        );
        assert!(html.contains(&format!(
            r#"aria-invalid="true" aria-describedby="{id}-error""#
        )));
    }
    assert!(html.contains(r#"value="not-an-email""#) && html.contains(r#"value="call me""#));
    assert!(html.contains("Please correct 3 fields"));
    let st = form(
        &app,
        &pa,
        &format!("/accounts/{p}/children"),
        &[
            ("from", "new"),
            ("kind", "customer"),
            ("name", "Birch Customer"),
        ],
    )
    .await;
    assert!(st.is_redirection());
    let html = page(&pa, "/accounts?kind=customer").await;
    assert!(html.contains("Birch Customer"));

    // A dealer: its customers are its subscribers; the list and the add action say so.
    let de = app.login("owner@dealer.test", PW).await;
    let html = page(&de, "/accounts").await;
    assert!(html.contains("Subscribers of Maple Dealer"));
    assert!(html.contains("No subscribers here yet."));
    assert!(html.contains(">Add subscriber</a>"));
    let html = page(&de, &format!("/accounts/{d}/new")).await;
    assert!(html.contains("<h1>Add subscriber"));
    assert!(html.contains(r#"<input type="hidden" name="kind" value="customer">"#));
    let st = form(
        &app,
        &de,
        &format!("/accounts/{d}/children"),
        &[
            ("from", "new"),
            ("kind", "customer"),
            ("name", "First Subscriber"),
        ],
    )
    .await;
    assert!(st.is_redirection());
    let html = page(&de, "/accounts").await;
    assert!(html.contains("First Subscriber") && html.contains("data-account-id="));
    assert!(
        !html.contains("Birch Customer"),
        "another branch stays out of view"
    );
    // A viewer of the partner is offered no add action.
    add_login(&op, p, "viewer@maple.test", "viewer").await;
    let v = app.login("viewer@maple.test", PW).await;
    assert!(!page(&v, "/accounts").await.contains("add-account-open"));
}

#[tokio::test]
async fn audit_log_and_my_partners_sort_page_and_edit_off_the_rows() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let root = ok(op.get("/api/v1/me").await).await["account"]["id"]
        .as_i64()
        .unwrap();
    // Partners with a package (registered and approved at once), as My partners lists them.
    let pkg = ok(op
        .post(
            "/api/v1/packages",
            json!({"name": "Basic", "monthly_price": 1999}),
        )
        .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let r = op
        .send(
            reqwest::Method::PUT,
            "/api/v1/settings",
            Some(json!({"auto_approve_partners": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let _ = root;
    for (n, mail) in [
        ("Cedar Media", "c@cedar.example"),
        ("Aspen Media", "a@aspen.example"),
        ("Birch Media", "b@birch.example"),
    ] {
        let r = app
            .client()
            .post(app.url("/api/v1/registrations"))
            .json(&json!({"company_name": n, "contact_name": "Pat", "email": mail, "package_id": pkg}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    let v = ok(op.get("/api/v1/partners?q=aspen").await).await;
    let aspen = v["items"][0]["account"]["id"].as_i64().unwrap();
    let ids = [0, aspen];

    // Audit log: sorted by action both ways, by a key of its whitelist only.
    let asc = ok(op
        .get("/api/v1/audit?sort=action&dir=asc&per_page=100")
        .await)
    .await;
    let desc = ok(op
        .get("/api/v1/audit?sort=action&dir=desc&per_page=100")
        .await)
    .await;
    let a = strings(&asc, &["action"]);
    let mut d = strings(&desc, &["action"]);
    assert!(a.len() >= 4);
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(a, sorted);
    d.reverse();
    assert_eq!(a, d);
    let (status, code, field, _) = error_of(op.get("/api/v1/audit?sort=ip").await).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("sort")
        )
    );
    let html = page(&op, "/audit?q=media&per_page=10").await;
    assert!(
        html.contains(r#"href="/audit?q=media&#38;sort=action&#38;dir=asc&#38;per_page=10""#),
        "{html}"
    );
    assert!(
        html.contains(r#"aria-sort="descending""#),
        "newest first by default"
    );
    let html = page(&op, "/audit?q=nothing-like-this").await;
    assert!(html.contains("No record matches these filters."));

    // My partners: sorted by name both ways, paged, in the API and the page.
    let v = ok(op.get("/api/v1/partners?sort=name&dir=desc").await).await;
    assert_eq!(
        strings(&v, &["account", "name"]),
        ["Cedar Media", "Birch Media", "Aspen Media"]
    );
    let v = ok(op.get("/api/v1/partners?sort=name&per_page=2&page=2").await).await;
    assert_eq!(strings(&v, &["account", "name"]), ["Cedar Media"]);
    let (status, _, field, _) = error_of(op.get("/api/v1/partners?per_page=500").await).await;
    assert_eq!(
        (status, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("per_page"))
    );
    let html = page(&op, "/operator/partners?sort=name&dir=desc").await;
    let cedar = html.find("Cedar Media").unwrap();
    let aspen = html.find("Aspen Media").unwrap();
    assert!(cedar < aspen);
    // No input on the rows: an edit page per partner holds the external invoice id.
    assert!(!html.contains("name=\"external_invoice_id\""));
    let edit = format!("/operator/partners/{}", ids[1]);
    assert!(html.contains(&format!("href=\"{edit}\"")));
    let e = page(&op, &edit).await;
    assert!(e.contains("id=\"external-invoice-id\""));
    let st = form(&app, &op, &edit, &[("external_invoice_id", "CRM-7")]).await;
    assert!(st.is_redirection());
    assert!(page(&op, &edit).await.contains(r#"value="CRM-7""#));
    let v = ok(op.get("/api/v1/partners?q=aspen").await).await;
    assert_eq!(v["items"][0]["external_invoice_id"], json!("CRM-7"));
    // Decision history (the three registrations, approved at once): sorted by partner both
    // ways, in the API and the page.
    let v = ok(op.get("/api/v1/inbox/history?sort=partner&dir=asc").await).await;
    assert_eq!(
        strings(&v, &["partner"]),
        ["Aspen Media", "Birch Media", "Cedar Media"]
    );
    let v = ok(op
        .get("/api/v1/inbox/history?sort=partner&dir=desc&per_page=2")
        .await)
    .await;
    assert_eq!(strings(&v, &["partner"]), ["Cedar Media", "Birch Media"]);
    let (status, _, field, _) = error_of(op.get("/api/v1/inbox/history?sort=reason").await).await;
    assert_eq!(
        (status, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sort"))
    );
    let html = page(&op, "/inbox/history?sort=partner&dir=desc&per_page=10").await;
    let (c, a) = (
        html.find("Cedar Media").unwrap(),
        html.find("Aspen Media").unwrap(),
    );
    assert!(c < a);
    assert!(
        html.contains(r#"href="/inbox/history?sort=partner&#38;dir=asc&#38;per_page=10""#),
        "{html}"
    );
    assert!(page(&op, "/inbox/history?q=zzz")
        .await
        .contains("No decision matches these filters."));
    // A partner's own login cannot open the operator's page of it.
    add_login(&op, ids[1], "owner@aspen.test", "owner").await;
    let pa = app.login("owner@aspen.test", PW).await;
    assert!(pa.get(&edit).await.status().is_client_error());
}
