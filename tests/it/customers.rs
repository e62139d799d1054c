//! Customers (issue 13, seed 004): the Add Customer wizard through the API (one call) and its
//! pages with every exit, names counted as a person counts them (50 fit, 51 do not, beyond
//! ASCII and with emoji), every bad input with its field and code and nothing half written,
//! the list per owner (the operator's direct customers, a partner's from its row, a dealer's
//! own) with search, sort and pages, edits, and deleting several after a confirmation naming
//! every count, in one transaction; another tree's customers are 404.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};
use partner_panel::areas::accounts::AccountId;

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82";

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A partner with an owner, a viewer and a dealer (with its owner), and a partner of another tree.
pub struct World {
    pub partner: i64,
    pub dealer: i64,
    pub other: i64,
    pub other_customer: i64,
}

pub async fn world(app: &TestApp) -> World {
    let op = app.login_admin().await;
    let partner = create(&op, 1, "partner", "Northwind Media").await;
    let dealer = create(&op, partner, "dealer", "Northwind Dealer East").await;
    let other = create(&op, 1, "partner", "Blue Harbor Signage").await;
    let other_customer = create(&op, other, "customer", "Harbor Client").await;
    add_login(&op, partner, "owner@northwind.test", "owner").await;
    add_login(&op, partner, "viewer@northwind.test", "viewer").await;
    add_login(&op, dealer, "owner@dealer.test", "owner").await;
    add_login(&op, other, "owner@harbor.test", "owner").await;
    World {
        partner,
        dealer,
        other,
        other_customer,
    }
}

async fn json_of(r: reqwest::Response, want: StatusCode) -> Value {
    let st = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(st, want, "{v}");
    v
}

async fn refused(r: reqwest::Response, code: &str, field: &str) -> String {
    let (st, c, f, msg) = error_of(r).await;
    assert_eq!(
        (st, c.as_str(), f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, code, Some(field)),
        "{msg}"
    );
    msg
}

/// 50 characters as a person counts them: letters beyond ASCII, a combining accent and emoji
/// made of several code points each.
pub fn name_of(n: usize) -> String {
    let parts = ["É", "e\u{301}", "👍🏽", "👨‍👩‍👧", "ß", "🇩🇪", "a"];
    (0..n).map(|i| parts[i % parts.len()]).collect()
}

#[tokio::test]
async fn the_wizard_in_one_call_counts_names_as_people_do_and_refuses_bad_input_whole() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let p = app.login("owner@northwind.test", PW).await;
    let accounts_before = app.count("SELECT COUNT(*) FROM accounts").await;

    // 50 characters fit, whatever their bytes; 51 do not.
    let fifty = name_of(50);
    assert!(fifty.len() > 100, "many more bytes than characters");
    let c = json_of(
        p.post(
            "/api/v1/customers",
            json!({"name": fifty, "email": "Cafe@Aurora.Example"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(c["customer"]["name"], fifty.as_str());
    assert_eq!(c["customer"]["email"], "cafe@aurora.example");
    assert_eq!(c["customer"]["owner_id"], w.partner);
    assert_eq!(c["customer"]["owner_kind"], "partner");
    assert!(c["brand"].is_null());
    let msg = refused(
        p.post(
            "/api/v1/customers",
            json!({"name": name_of(51), "email": "x@y.example"}),
        )
        .await,
        "validation_failed",
        "name",
    )
    .await;
    assert!(msg.contains("50"), "{msg}");
    // Every emoji of 51 counts once.
    refused(
        p.post(
            "/api/v1/customers",
            json!({"name": "😀".repeat(51), "email": "x@y.example"}),
        )
        .await,
        "validation_failed",
        "name",
    )
    .await;
    for (name, email, field) in [
        ("", "x@y.example", "name"),
        ("   ", "x@y.example", "name"),
        ("Ok", "", "email"),
        ("Ok", "not-an-email", "email"),
        ("Ok", "a@b", "email"),
        ("Ok", "a b@c.example", "email"),
    ] {
        refused(
            p.post("/api/v1/customers", json!({"name": name, "email": email}))
                .await,
            "validation_failed",
            field,
        )
        .await;
    }
    // Both at once: every field named.
    let r = p
        .post("/api/v1/customers", json!({"name": "", "email": "nope"}))
        .await;
    let v = json_of(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email"]);

    // Step 2 in the same call: bad rebrand input is refused with its code and nothing is written.
    let svg_script = r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let big = [PNG.to_vec(), vec![0u8; 512 * 1024]].concat();
    for (brand, code, field) in [
        (
            json!({"display_name": "Aurora", "primary_color": "red"}),
            "color_invalid",
            "brand.primary_color",
        ),
        (
            json!({"display_name": "Aurora", "accent_color": "#12345"}),
            "color_invalid",
            "brand.accent_color",
        ),
        (
            json!({"display_name": "Aurora", "logo": {"data": b64(b"GIF89a not allowed")}}),
            "logo_type_refused",
            "brand.logo",
        ),
        (
            json!({"display_name": "Aurora", "logo": {"data": b64(b"just some text")}}),
            "logo_type_refused",
            "brand.logo",
        ),
        (
            json!({"display_name": "Aurora", "logo": {"data": b64(&big)}}),
            "logo_too_large",
            "brand.logo",
        ),
        (
            json!({"display_name": "Aurora", "logo": {"data": b64(svg_script.as_bytes())}}),
            "logo_unsafe",
            "brand.logo",
        ),
        (
            json!({"display_name": "Aurora", "logo": {"data": "%%% not base64"}}),
            "validation_failed",
            "brand.logo",
        ),
        (
            json!({"display_name": ""}),
            "validation_failed",
            "brand.display_name",
        ),
        (
            json!({"display_name": "Aurora", "support_email": "help@"}),
            "validation_failed",
            "brand.support_email",
        ),
        (
            json!({"display_name": "Aurora", "support_url": "javascript:alert(1)"}),
            "validation_failed",
            "brand.support_url",
        ),
    ] {
        refused(
            p.post(
                "/api/v1/customers",
                json!({"name": "Half Written", "email": "half@written.example", "brand": brand}),
            )
            .await,
            code,
            field,
        )
        .await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts").await,
        accounts_before + 1,
        "only the first customer was written"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM brands").await, 0);

    // The whole wizard in one call, with a logo.
    let svg_ok = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="#c2410c"/></svg>"##;
    let c2 = json_of(
        p.post(
            "/api/v1/customers",
            json!({"name": "Café Aurora", "email": "cafe@aurora.example", "brand": {
                "display_name": "Aurora Coffee", "primary_color": "#C2410C", "accent_color": "#abc",
                "support_email": "help@aurora.example", "support_phone": "+49 30 1234",
                "support_url": "https://aurora.example/help", "footer": "Aurora Coffee GmbH",
                "logo": {"name": "logo.svg", "data": b64(svg_ok.as_bytes())}}}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let b = &c2["brand"];
    assert_eq!(b["display_name"], "Aurora Coffee");
    assert_eq!(b["primary_color"], "#c2410c");
    assert_eq!(b["accent_color"], "#aabbcc");
    assert_eq!(b["logo_type"], "image/svg+xml");
    assert!(c2["customer"]["rebranded"].as_bool().unwrap());
    // The logo is served with its checked type, and nothing in it can run.
    let logo = app
        .client()
        .get(app.url(b["logo_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert_eq!(logo.headers()["x-content-type-options"], "nosniff");
    assert!(logo.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(logo.bytes().await.unwrap().as_ref(), svg_ok.as_bytes());
    // Audited.
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.create'")
            .await
            >= 2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'brand.update'")
            .await,
        1
    );

    // A viewer looks, and does not add.
    let viewer = app.login("viewer@northwind.test", PW).await;
    let (st, code, ..) = error_of(
        viewer
            .post(
                "/api/v1/customers",
                json!({"name": "X", "email": "x@y.example"}),
            )
            .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    // Another tree is out of reach, exactly as missing.
    for path in [
        format!("/api/v1/customers/{}", w.other_customer),
        format!("/api/v1/customers?under={}", w.other),
    ] {
        let (st, code, ..) = error_of(p.get(&path).await).await;
        assert_eq!(
            (st, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{path}"
        );
    }
    let (st, ..) = error_of(
        p.post(
            "/api/v1/customers",
            json!({"under": w.other, "name": "X", "email": "x@y.example"}),
        )
        .await,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn lists_per_owner_edit_and_delete_several_with_the_counts_confirmed() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let op = app.login_admin().await;
    let p = app.login("owner@northwind.test", PW).await;
    let mut ids = Vec::new();
    for (name, email) in [
        ("Café Aurora", "cafe@aurora.example"),
        ("Bakery Mountain", "bread@mountain.example"),
        ("Zebra Gym", "gym@zebra.example"),
    ] {
        let v = json_of(
            p.post("/api/v1/customers", json!({"name": name, "email": email}))
                .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(v["customer"]["id"].as_i64().unwrap());
    }
    // The list: search (name or email, any case, beyond ASCII), sort, pages.
    let l = json_of(p.get("/api/v1/customers").await, StatusCode::OK).await;
    assert_eq!(l["total"], 3);
    let names: Vec<&str> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bakery Mountain", "Café Aurora", "Zebra Gym"]);
    let l = json_of(p.get("/api/v1/customers?q=CAFÉ").await, StatusCode::OK).await;
    assert_eq!(l["total"], 1);
    let l = json_of(
        p.get("/api/v1/customers?q=zebra.example").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(l["items"][0]["name"], "Zebra Gym");
    let l = json_of(
        p.get("/api/v1/customers?sort=email&dir=desc&per_page=2&page=2")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (l["total"].as_i64(), l["items"][0]["name"].as_str()),
        (Some(3), Some("Bakery Mountain"))
    );
    refused(
        p.get("/api/v1/customers?sort=password").await,
        "validation_failed",
        "sort",
    )
    .await;

    // The operator: its direct customers, and the partner's from its row.
    let direct = json_of(
        op.post(
            "/api/v1/customers",
            json!({"name": "Direct Client", "email": "direct@client.example"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(direct["customer"]["owner_kind"], "operator");
    let l = json_of(op.get("/api/v1/customers").await, StatusCode::OK).await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["name"], "Direct Client");
    let l = json_of(
        op.get(&format!("/api/v1/customers?under={}", w.partner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(l["total"], 3);
    // A dealer lists and adds its own.
    let d = app.login("owner@dealer.test", PW).await;
    json_of(
        d.post(
            "/api/v1/customers",
            json!({"name": "Eastside Gym", "email": "gym@east.example"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let l = json_of(d.get("/api/v1/customers").await, StatusCode::OK).await;
    assert_eq!(
        (l["total"].as_i64(), l["items"][0]["owner_id"].as_i64()),
        (Some(1), Some(w.dealer))
    );
    // Under a customer there are none to list.
    refused(
        p.get(&format!("/api/v1/customers?under={}", ids[0])).await,
        "validation_failed",
        "under",
    )
    .await;

    // Edit: name and email, with the same rules.
    let v = json_of(
        p.patch(
            &format!("/api/v1/customers/{}", ids[0]),
            json!({"name": "Café Aurora Mitte"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["customer"]["name"], "Café Aurora Mitte");
    assert_eq!(v["customer"]["email"], "cafe@aurora.example");
    refused(
        p.patch(
            &format!("/api/v1/customers/{}", ids[0]),
            json!({"name": name_of(51)}),
        )
        .await,
        "validation_failed",
        "name",
    )
    .await;
    refused(
        p.patch(
            &format!("/api/v1/customers/{}", ids[0]),
            json!({"email": "broken"}),
        )
        .await,
        "validation_failed",
        "email",
    )
    .await;

    // Delete two: the confirmation names every count, and only that number deletes.
    add_login(&op, ids[0], "staff@aurora.example", "member").await;
    add_login(&op, ids[1], "baker@mountain.example", "owner").await;
    add_login(&op, ids[1], "helper@mountain.example", "viewer").await;
    let pre = json_of(
        p.post(
            "/api/v1/customers/deletion",
            json!({"ids": [ids[0], ids[1]]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pre["counts"]["customers"], 2);
    assert_eq!(pre["counts"]["logins"], 3);
    assert!(
        pre["question"]
            .as_str()
            .unwrap()
            .starts_with("Delete 2 customers"),
        "{pre}"
    );
    let msg = refused(
        p.post("/api/v1/customers/delete", json!({"ids": [ids[0], ids[1]]}))
            .await,
        "confirmation_required",
        "confirm",
    )
    .await;
    assert!(msg.contains("3 logins"), "{msg}");
    refused(
        p.post(
            "/api/v1/customers/delete",
            json!({"ids": [ids[0], ids[1]], "confirm": 1}),
        )
        .await,
        "confirmation_required",
        "confirm",
    )
    .await;
    // One id of another tree: 404, and nothing is deleted.
    let (st, ..) = error_of(
        p.post(
            "/api/v1/customers/delete",
            json!({"ids": [ids[0], w.other_customer], "confirm": 2}),
        )
        .await,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE status = 'deleted' AND id IN ({}, {})",
            ids[0], w.other_customer
        ))
        .await,
        0
    );
    // A viewer may not delete.
    let viewer = app.login("viewer@northwind.test", PW).await;
    let (st, ..) = error_of(
        viewer
            .post(
                "/api/v1/customers/delete",
                json!({"ids": [ids[0]], "confirm": 1}),
            )
            .await,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let done = json_of(
        p.post(
            "/api/v1/customers/delete",
            json!({"ids": [ids[0], ids[1]], "confirm": 2}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["counts"]["customers"], 2);
    assert_eq!(done["counts"]["logins"], 3);
    assert_eq!(done["customers"][0]["status"], "deleted");
    // Gone: from the list, their logins with them; the third stays; audited.
    let l = json_of(p.get("/api/v1/customers").await, StatusCode::OK).await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["name"], "Zebra Gym");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM logins WHERE account_id IN ({}, {})",
            ids[0], ids[1]
        ))
        .await,
        0
    );
    let (st, ..) = error_of(p.get(&format!("/api/v1/customers/{}", ids[0])).await).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.delete'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.delete'")
            .await,
        2
    );
    // The rollups still agree with the tree.
    let a = partner_panel::areas::accounts::counts_below(&app.state.db, AccountId(w.partner))
        .await
        .unwrap();
    let b = partner_panel::areas::accounts::counts_below_live(&app.state.db, w.partner)
        .await
        .unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    app.stop().await;
}

/// A form POST of a page with the session's CSRF token.
pub async fn form(s: &Session, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    s.client
        .post(format!("{}{path}", s.base))
        .header("x-csrf-token", &s.csrf)
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_wizard_pages_finish_quit_next_and_keep_what_was_typed() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let p = app.login("owner@northwind.test", PW).await;
    let page = p.get("/customers").await.text().await.unwrap();
    assert!(page.contains(r#"id="nav-customers""#));
    assert!(page.contains(r#"id="no-customers""#));
    let page = p.get("/customers/new").await.text().await.unwrap();
    assert!(
        page.contains("Northwind Media"),
        "the partner is shown, fixed"
    );
    assert!(page.contains(r#"id="wizard-quit""#) && page.contains(r#"id="wizard-next""#));

    // Quit wizard: back to the list, nothing added.
    let r = form(
        &p,
        "/customers/new",
        &[
            ("step", "quit"),
            ("name", "Never"),
            ("email", "never@x.example"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/customers");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'customer' AND name = 'Never'")
            .await,
        0
    );

    // Next with 51 characters: the error beside the field, what was typed kept.
    let long = name_of(51);
    let r = form(
        &p,
        "/customers/new",
        &[("step", "next"), ("name", &long), ("email", "ok@x.example")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"id="customer-name-error""#), "{page}");
    assert!(page.contains("at most 50 characters"));
    assert!(page.contains(&long), "what was typed is kept");
    assert!(page.contains(r#"value="ok@x.example""#));

    // Next with good fields: step 2, step 1 carried along.
    let r = form(
        &p,
        "/customers/new",
        &[
            ("step", "next"),
            ("name", "Café Aurora"),
            ("email", "cafe@aurora.example"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"id="brand-display-name""#));
    assert!(page.contains(r#"name="name" value="Café Aurora""#));
    // A bad colour on step 2: the error there, typed values kept, nothing written.
    let step2 = |color: &'static str| {
        vec![
            ("step", "finish2"),
            ("name", "Café Aurora"),
            ("email", "cafe@aurora.example"),
            ("display_name", "Aurora Coffee"),
            ("primary_color", color),
            ("support_email", "help@aurora.example"),
        ]
    };
    let r = form(&p, "/customers/new", &step2("blue-ish")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"id="brand-primary-error""#), "{page}");
    assert!(page.contains(r#"value="blue-ish""#) && page.contains(r#"value="Aurora Coffee""#));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE kind = 'customer'")
            .await,
        1
    );
    // Back goes to step 1 with the fields.
    let r = form(
        &p,
        "/customers/new",
        &[
            ("step", "back"),
            ("name", "Café Aurora"),
            ("email", "cafe@aurora.example"),
        ],
    )
    .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(r#"id="customer-name" value="Café Aurora""#));
    // Finish on step 2: the customer with its brand, back on the list.
    let r = form(&p, "/customers/new", &step2("#c2410c")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/customers");
    // Finish on step 1: a customer without a brand.
    let r = form(
        &p,
        "/customers/new",
        &[
            ("step", "finish"),
            ("name", "Bakery Mountain"),
            ("email", "bread@mountain.example"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = p.get("/customers").await.text().await.unwrap();
    assert!(page.contains("Café Aurora") && page.contains("Bakery Mountain"));
    assert!(page.contains("own brand"));
    assert_eq!(app.count("SELECT COUNT(*) FROM brands").await, 1);

    // The customer's page: edit with a bad email keeps what was typed.
    let cafe = app
        .count("SELECT id FROM accounts WHERE name = 'Café Aurora'")
        .await;
    let page = p
        .get(&format!("/customers/{cafe}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Aurora Coffee") && page.contains("/brands/"));
    let r = form(
        &p,
        &format!("/customers/{cafe}"),
        &[("name", "Café Aurora Nord"), ("email", "broken@")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(r#"id="edit-customer-email-error""#) && page.contains("Café Aurora Nord")
    );
    let r = form(
        &p,
        &format!("/customers/{cafe}"),
        &[
            ("name", "Café Aurora Nord"),
            ("email", "nord@aurora.example"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Delete customers: the confirmation names the counts, then they are gone.
    let bakery = app
        .count("SELECT id FROM accounts WHERE name = 'Bakery Mountain'")
        .await;
    let op = app.login_admin().await;
    add_login(&op, bakery, "baker@mountain.example", "owner").await;
    let (c, b) = (cafe.to_string(), bakery.to_string());
    let r = form(
        &p,
        "/customers/delete",
        &[("ids", &c), ("ids", &b), ("back", "/customers")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Delete 2 customers and 1 login?"), "{page}");
    assert!(page.contains("Café Aurora Nord") && page.contains("Bakery Mountain"));
    let r = form(
        &p,
        "/customers/delete",
        &[
            ("ids", &c),
            ("ids", &b),
            ("confirm", "2"),
            ("back", "/customers"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = p.get("/customers").await.text().await.unwrap();
    assert!(!page.contains("Bakery Mountain"), "deleted");

    // The partner's dealers are listed below its own customers, by name (found through the
    // rollup's count of them); a search narrows them; a partner with only customers below
    // shows no such section.
    let alpha = create(&op, w.partner, "dealer", "Alpha Dealer West").await;
    let page = p.get("/customers").await.text().await.unwrap();
    let (a_at, e_at) = (
        page.find(&format!(r#"id="customers-of-{alpha}""#)),
        page.find(&format!(r#"id="customers-of-{}""#, w.dealer)),
    );
    assert!(a_at.is_some() && e_at.is_some() && a_at < e_at, "{page}");
    let page = p.get("/customers?pq=east").await.text().await.unwrap();
    assert!(
        page.contains(&format!(r#"id="customers-of-{}""#, w.dealer))
            && !page.contains(&format!(r#"id="customers-of-{alpha}""#)),
        "{page}"
    );
    let h = app.login("owner@harbor.test", PW).await;
    let page = h.get("/customers").await.text().await.unwrap();
    assert!(page.contains("Harbor Client"), "{page}");
    assert!(!page.contains(r#"id="owners-below""#), "{page}");

    // The operator opens the partner's customers from its row.
    let page = op.get("/customers").await.text().await.unwrap();
    assert!(
        page.contains(&format!(r#"id="customers-of-{}""#, w.partner)),
        "{page}"
    );
    let page = op
        .get(&format!("/customers?under={}", w.partner))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Customers of Northwind Media"));
    // Another tree's customer page is 404.
    assert_eq!(
        p.get(&format!("/customers/{}", w.other_customer))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // A viewer sees no Add button and gets 403 on the wizard.
    let v = app.login("viewer@northwind.test", PW).await;
    assert!(!v
        .get("/customers")
        .await
        .text()
        .await
        .unwrap()
        .contains(r#"id="add-customer""#));
    assert_eq!(
        v.get("/customers/new").await.status(),
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}
