//! The API keeps its word: what the OpenAPI document says of inputs (statuses, query values,
//! nullability, required fields, text) is what the server does, through the API.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

async fn document(app: &TestApp) -> Value {
    app.client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Asserts a 422 `validation_failed` naming `field`.
async fn refused(r: reqwest::Response, field: &str, what: &str) {
    let (status, code, f, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str(), f.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some(field)
        ),
        "{what}: {message}"
    );
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

fn param<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

#[tokio::test]
async fn put_settings_without_a_field_is_a_documented_422() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let doc = document(&app).await;
    let put = &doc["paths"]["/api/v1/settings"]["put"];
    assert!(put["responses"]["422"].is_object(), "{put}");
    refused(
        s.send(Method::PUT, "/api/v1/settings", Some(json!({})))
            .await,
        "auto_approve_partners",
        "PUT /settings {}",
    )
    .await;
    refused(
        s.send(
            Method::PUT,
            "/api/v1/settings",
            Some(json!({"reminder_days": [0]})),
        )
        .await,
        "reminder_days",
        "a reminder day of 0",
    )
    .await;
    let r = s
        .send(
            Method::PUT,
            "/api/v1/settings",
            Some(json!({"reminder_days": [7, 1]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn query_values_outside_the_document_are_refused_with_the_parameter() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let long = "a".repeat(101);
    let cases = [
        ("/api/v1/accounts/1/children?per_page=0", "per_page"),
        ("/api/v1/accounts/1/children?per_page=101", "per_page"),
        ("/api/v1/accounts/1/children?page=0", "page"),
        ("/api/v1/accounts/1/subtree?page=-5", "page"),
        ("/api/v1/accounts/1/children?status=", "status"),
        ("/api/v1/accounts/1/subtree?kind=", "kind"),
        (&format!("/api/v1/accounts/1/children?q={long}"), "q"),
        (&format!("/api/v1/partners?q={long}"), "q"),
        ("/api/v1/audit?to=", "to"),
        ("/api/v1/audit?from=2026-02-30", "from"),
        ("/api/v1/audit?per_page=0", "per_page"),
        (&format!("/api/v1/audit?q={long}"), "q"),
        ("/api/v1/inbox?type=", "type"),
        ("/api/v1/inbox?page=0", "page"),
        ("/api/v1/inbox/history?type=", "type"),
        ("/api/v1/inbox/history?page=-5", "page"),
        ("/api/v1/inbox/history?to=", "to"),
        (&format!("/api/v1/inbox/history?q={long}"), "q"),
        ("/api/v1/inbox/history.csv?decision=", "decision"),
        (
            "/api/v1/partnership-requests/history?per_page=0",
            "per_page",
        ),
        (
            &format!("/api/v1/partnership-requests/history?q={long}"),
            "q",
        ),
        (&format!("/api/v1/partner-directory?q={long}"), "q"),
        ("/api/v1/partner-directory?per_page=0", "per_page"),
        ("/api/v1/requests?status=", "status"),
        ("/api/v1/requests?type=", "type"),
        ("/api/v1/requests?per_page=0", "per_page"),
    ];
    for (path, field) in cases {
        refused(s.get(path).await, field, path).await;
    }
    // An empty search text is no filter (the empty text is a text of at most 100 characters).
    for path in [
        "/api/v1/accounts/1/children?q=",
        "/api/v1/partners?q=",
        "/api/v1/audit?q=",
        "/api/v1/inbox/history?q=",
        "/api/v1/partner-directory?q=",
    ] {
        assert_eq!(s.get(path).await.status(), StatusCode::OK, "{path}");
    }
    // What is documented is accepted, at its bounds.
    let page: Value = s
        .get("/api/v1/accounts/1/children?per_page=100&page=1&status=active&q=x")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (page["per_page"].clone(), page["page"].clone()),
        (json!(100), json!(1))
    );
    let page: Value = s
        .get("/api/v1/accounts/1/children?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["per_page"], 1);

    // The pages that use the same filters keep working with what their forms and links send
    // (an empty select is "any"), and never answer 500.
    for path in [
        "/accounts?per_page=0&status=&kind=&q=",
        "/accounts?page=-5",
        "/audit?to=&from=&per_page=0",
        "/inbox?type=",
        "/inbox/history?type=&decision=&page=0",
        "/requests?status=&type=",
        "/partner-directory?page=0",
        "/operator/history?decision=&per_page=0",
        "/operator/partners?q=",
    ] {
        let r = s.get(path).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    // A search text that is too long shows the message on the page.
    let r = s.get(&format!("/accounts?q={long}")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("at most 100 characters"));
}

#[tokio::test]
async fn every_documented_query_constraint_is_enforced() {
    // Walks the document: for each query parameter of each operation, one value just outside
    // what its schema allows must be refused with 422 naming it.
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let doc = document(&app).await;
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if method != "get" {
                continue;
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] != "query" {
                    continue;
                }
                let name = p["name"].as_str().unwrap();
                let sch = &p["schema"];
                let mut bad: Vec<String> = Vec::new();
                if sch["enum"].is_array() {
                    bad.push(String::new());
                    bad.push("no-such-value".into());
                }
                if let Some(min) = sch["minimum"].as_i64() {
                    bad.push((min - 1).to_string());
                }
                if let Some(max) = sch["maximum"].as_i64() {
                    bad.push((max + 1).to_string());
                }
                if let Some(max) = sch["maxLength"].as_u64() {
                    bad.push("a".repeat(max as usize + 1));
                }
                if sch["format"] == "date" {
                    bad.push("2026-13-01".into());
                    bad.push(String::new());
                }
                let url = path.replace("{id}", "1");
                for v in bad {
                    let r = s.get(&format!("{url}?{name}={v}")).await;
                    refused(r, name, &format!("GET {path}?{name}={v}")).await;
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 60, "only {checked} values checked");
}

/// One instance of each resource kind that the operator's admin reaches.
async fn operator_reachable_ids(
    app: &TestApp,
    op: &Session,
) -> std::collections::HashMap<&'static str, i64> {
    let partner = crate::tree::create(op, 1, "partner", "Contract Partner").await;
    let dealer = crate::tree::create(op, partner, "dealer", "Contract Dealer").await;
    let login = crate::tree::add_login(op, partner, "member@contract.test", "member").await;
    let one = |sql: String| async move {
        sqlx::query_scalar::<_, i64>(&sql)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
    };
    let package = one(
        "INSERT INTO packages (name, monthly_price, currency, created_at, updated_at) \
         VALUES ('Contract', 0, 'EUR', 0, 0) RETURNING id"
            .into(),
    )
    .await;
    let mut ids = std::collections::HashMap::new();
    ids.insert("account", partner);
    ids.insert("partner", partner);
    ids.insert("directory_partner", partner);
    ids.insert("dealer", dealer);
    ids.insert("login", login);
    ids.insert(
        "customer",
        crate::tree::create(op, dealer, "customer", "Contract Customer").await,
    );
    ids.insert("brand", partner);
    ids.insert("package", package);
    ids.insert(
        "addon",
        one(
            "INSERT INTO addons (name, monthly_price, currency, created_at, updated_at) \
             VALUES ('Contract', 0, 'EUR', 0, 0) RETURNING id"
                .into(),
        )
        .await,
    );
    ids.insert(
        "ad_package",
        one(
            "INSERT INTO ad_packages (name, impressions, price, currency, created_at, updated_at) \
             VALUES ('Contract', 1, 0, 'EUR', 0, 0) RETURNING id"
                .into(),
        )
        .await,
    );
    ids.insert(
        "partnership_request",
        one(format!("INSERT INTO partnership_requests (company_name, contact_name, email, package_id, package_name, monthly_price, currency, created_at) \
             VALUES ('Contract Co', 'C', 'contract@example.test', {package}, 'P', 0, 'EUR', 0) RETURNING id")).await,
    );
    ids.insert(
        "invoice",
        one(format!("INSERT INTO invoices (number, account_id, period_start, period_end, due_at, currency, total, created_at) \
             VALUES ('C-1', {partner}, 0, 1, 0, 'EUR', 0, 0) RETURNING id")).await,
    );
    ids.insert(
        "channel",
        one(format!(
            "INSERT INTO channels (account_id, name, description, created_at, updated_at) \
             VALUES ({partner}, 'Contract', '', 0, 0) RETURNING id"
        ))
        .await,
    );
    ids.insert(
        "request",
        one(format!(
            "INSERT INTO requests (kind, account_id, addressee_id, title, created_at) \
             VALUES ('ad', {partner}, 1, 'Contract', 0) RETURNING id"
        ))
        .await,
    );
    ids.insert(
        "license",
        one(format!(
            "INSERT INTO licenses (license_type, state, holder_id, holder_path, issuer_id, starts_at, created_at, updated_at) \
             SELECT 'development', 'active', id, path, 1, 0, 0, 0 FROM accounts WHERE id = {partner} RETURNING id"
        ))
        .await,
    );
    let model = one(
        "INSERT INTO player_models (name, id_prefix, created_at, updated_at) \
         VALUES ('Contract model', 'CONTRACT-', 0, 0) RETURNING id"
            .into(),
    )
    .await;
    ids.insert("player_model", model);
    ids.insert(
        "player",
        one(format!(
            "INSERT INTO players (owner_id, owner_path, model_id, name, created_at, updated_at) \
             SELECT id, path, {model}, 'Contract', 0, 0 FROM accounts WHERE id = {partner} RETURNING id"
        ))
        .await,
    );
    ids.insert(
        "clip",
        one(format!(
            "INSERT INTO clips (owner_id, owner_path, kind, title, duration_s, created_at, updated_at) \
             SELECT id, path, 'slide', 'Contract', 10, 0, 0 FROM accounts WHERE id = {partner} RETURNING id"
        ))
        .await,
    );
    ids.insert(
        "playlist",
        one(format!(
            "INSERT INTO playlists (owner_id, owner_path, name, created_at, updated_at) \
             SELECT id, path, 'Contract', 0, 0 FROM accounts WHERE id = {partner} RETURNING id"
        ))
        .await,
    );
    ids.insert(
        "release_note",
        one("INSERT INTO release_notes (title, body, audience, published_at, created_at, updated_at) \
             VALUES ('Contract', 'text', '', 0, 0, 0) RETURNING id".to_string())
        .await,
    );
    ids.insert(
        "ticket",
        one(format!(
            "INSERT INTO tickets (customer_id, customer_path, served_by_id, subject, category, priority, status, last_message_at, created_at, updated_at) \
             SELECT id, path, id, 'Contract', 'other', 'normal', 'open', 0, 0, 0 FROM accounts WHERE id = {partner} RETURNING id"
        ))
        .await,
    );
    let site = one(format!(
        "INSERT INTO sites (customer_id, name, name_folded, created_at, updated_at) \
         VALUES ({partner}, 'Contract', 'contract', 0, 0) RETURNING id"
    ))
    .await;
    ids.insert("site", site);
    ids.insert(
        "probe",
        one(format!(
            "INSERT INTO probes (customer_id, site_id, name, token_hash, token_prefix, enrolled_at, updated_at) \
             VALUES ({partner}, {site}, 'Contract', 'ptok', 'ppp_', 0, 0) RETURNING id"
        ))
        .await,
    );
    ids.insert(
        "probe_enrollment",
        one(format!(
            "INSERT INTO probe_enrollments (site_id, customer_id, code_hash, code_prefix, created_at, expires_at) \
             VALUES ({site}, {partner}, 'pcode', 'ppe_', 0, 4102444800000) RETURNING id"
        ))
        .await,
    );
    ids
}

#[tokio::test]
async fn null_is_refused_for_every_body_field_not_declared_nullable() {
    // Walks the document: each property of each JSON request body that does not admit null,
    // sent as null, is refused with 422 naming it (before anything is done).
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let doc = document(&app).await;
    // The router checks the id before the body is read: each route gets an id of its resource
    // that the operator reaches, so the null is what is refused.
    let ids = operator_reachable_ids(&app, &s).await;
    let kind_of: std::collections::HashMap<(String, String), &str> =
        partner_panel::kernel::http::all_routes()
            .into_iter()
            .filter_map(|(path, spec)| match spec.access {
                partner_panel::kernel::http::RouteAccess::On(res, _) => {
                    Some(((spec.method.to_string(), path.clone()), res.kind))
                }
                _ => None,
            })
            .collect();
    let mut checked = 0;
    let mut nullable = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(sref) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            else {
                continue;
            };
            if path.ends_with("/payments/webhook") {
                // Signed raw bytes: read by the webhook itself.
                continue;
            }
            let name = sref.trim_start_matches("#/components/schemas/");
            let props = schema(&doc, name)["properties"].as_object().unwrap();
            for (prop, ps) in props {
                let admits_null = ps["type"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t == "null"))
                    || ps["oneOf"]
                        .as_array()
                        .is_some_and(|b| b.iter().any(|b| b["type"] == "null"));
                if admits_null {
                    nullable.push(format!("{name}.{prop}"));
                    continue;
                }
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let id = kind_of
                    .get(&(method.to_string(), path.to_string()))
                    .map(|k| ids[k])
                    .unwrap_or(1);
                let url = path.replace("{id}", &id.to_string());
                let r = s.send(m, &url, Some(json!({ prop: null }))).await;
                refused(r, prop, &format!("{method} {path} {{{prop}: null}}")).await;
                checked += 1;
            }
        }
    }
    assert!(checked >= 80, "only {checked} fields checked");
    // Null means "no limit" for a package's limits, and only there.
    nullable.sort();
    nullable.dedup();
    assert_eq!(
        nullable,
        [
            "NewPackage.max_customers",
            "NewPackage.max_dealers",
            "NewPackage.max_players",
            "PackageInput.max_customers",
            "PackageInput.max_dealers",
            "PackageInput.max_players"
        ]
    );
}

#[tokio::test]
async fn null_for_the_fields_named_in_the_issue_is_refused_with_the_field() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    refused(
        s.post(
            "/api/v1/accounts/1/children",
            json!({"kind": "partner", "name": "P", "phone": null}),
        )
        .await,
        "phone",
        "phone: null",
    )
    .await;
    refused(
        s.post(
            "/api/v1/accounts/1/logins",
            json!({"email": "n@x.test", "name": "N", "password": "a-long-password", "dashboard_rights": null}),
        )
        .await,
        "dashboard_rights",
        "dashboard_rights: null",
    )
    .await;
    refused(
        s.post(
            "/api/v1/packages",
            json!({"name": "Null", "monthly_price": 100, "trial_days": null}),
        )
        .await,
        "trial_days",
        "trial_days: null",
    )
    .await;
    refused(
        s.post(
            "/api/v1/addons",
            json!({"name": "Null", "monthly_price": 100, "currency": null}),
        )
        .await,
        "currency",
        "currency: null",
    )
    .await;
    let c = app.client();
    for field in ["description", "delivery"] {
        let mut body =
            json!({"company_name": "C", "contact_name": "K", "email": "c@x.test", "package_id": 1});
        body[field] = Value::Null;
        let r = c
            .post(app.url("/api/v1/registrations"))
            .json(&body)
            .send()
            .await
            .unwrap();
        refused(r, field, "registration").await;
    }
    refused(
        s.patch("/api/v1/me", json!({"email": null})).await,
        "email",
        "PATCH /me email: null",
    )
    .await;
    // Nothing was written.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE name = 'P'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM packages WHERE name = 'Null'")
            .await,
        0
    );

    // A package's limit: null is no limit, on create and on an edit (which clears it).
    let r = s
        .post(
            "/api/v1/packages",
            json!({"name": "Capped", "monthly_price": 100, "max_dealers": 2, "max_customers": null}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        (p["max_dealers"].clone(), p["max_customers"].clone()),
        (json!(2), Value::Null)
    );
    let id = p["id"].as_i64().unwrap();
    let p: Value = s
        .patch(&format!("/api/v1/packages/{id}"), json!({"trial_days": 7}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["max_dealers"], 2, "left out: unchanged");
    let p: Value = s
        .patch(
            &format!("/api/v1/packages/{id}"),
            json!({"max_dealers": null}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["max_dealers"], Value::Null, "null: no limit");
}

#[tokio::test]
async fn required_fields_and_text_rules_are_declared_as_the_server_applies_them() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let doc = document(&app).await;

    // POST /packages {}: name and monthly_price are required, and the create body says so.
    let create = &doc["paths"]["/api/v1/packages"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["$ref"];
    let create = schema(&doc, create.as_str().unwrap().rsplit('/').next().unwrap());
    assert_eq!(create["required"], json!(["name", "monthly_price"]));
    refused(
        s.post("/api/v1/packages", json!({})).await,
        "name",
        "POST /packages {}",
    )
    .await;
    refused(
        s.post("/api/v1/packages", json!({"name": "Only a name"}))
            .await,
        "monthly_price",
        "POST /packages without a price",
    )
    .await;
    // The edit body requires nothing.
    assert!(schema(&doc, "PackageInput")["required"].is_null());
    for (name, fields) in [
        ("AddonInput", json!(["name", "monthly_price"])),
        ("AdPackageInput", json!(["name", "impressions", "price"])),
        ("AccountInput", json!(["kind", "name"])),
        ("NewChannel", json!(["name"])),
        ("NewRequest", json!(["type"])),
        (
            "Registration",
            json!(["company_name", "contact_name", "email", "package_id"]),
        ),
        ("RejectBody", json!(["reason"])),
        ("FollowerBody", json!(["customer_id"])),
        ("PackageChoice", json!(["package_id"])),
        ("AdvanceBody", json!(["seconds"])),
    ] {
        assert_eq!(schema(&doc, name)["required"], fields, "{name}");
    }
    refused(
        s.post("/api/v1/addons", json!({})).await,
        "name",
        "POST /addons {}",
    )
    .await;
    refused(
        s.post("/api/v1/ad-packages", json!({})).await,
        "name",
        "POST /ad-packages {}",
    )
    .await;

    // confirm_accounts and confirm are required query parameters.
    for (path, method, name) in [
        ("/api/v1/accounts/{id}", "delete", "confirm_accounts"),
        ("/api/v1/dealers/{id}", "delete", "confirm_accounts"),
        ("/api/v1/logins/{id}", "delete", "confirm"),
    ] {
        assert_eq!(
            param(&doc, path, method, name)["required"],
            true,
            "{path} {name}"
        );
    }
    let p = crate::tree::create(&s, 1, "partner", "To delete").await;
    refused(
        s.post(&format!("/api/v1/accounts/{p}/channels"), json!({}))
            .await,
        "name",
        "POST channels {}",
    )
    .await;
    refused(
        s.delete(&format!("/api/v1/accounts/{p}")).await,
        "confirm_accounts",
        "DELETE without confirm_accounts",
    )
    .await;
    let l = crate::tree::add_login(&s, p, "gone@x.test", "member").await;
    refused(
        s.delete(&format!("/api/v1/logins/{l}")).await,
        "confirm",
        "DELETE a login without confirm",
    )
    .await;
    let r = s.delete(&format!("/api/v1/logins/{l}?confirm=true")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // Text with control characters is refused, and the schemas' patterns say so.
    let name = &schema(&doc, "AccountInput")["properties"]["name"]["pattern"];
    assert!(
        name.as_str()
            .unwrap()
            .contains(r"\u0000-\u001F\u007F-\u009F"),
        "{name}"
    );
    let text = &schema(&doc, "ChannelInput")["properties"]["description"]["pattern"];
    assert!(text.as_str().unwrap().contains(r"\u000E-\u001F"), "{text}");
    refused(
        s.post(
            "/api/v1/accounts/1/children",
            json!({"kind": "partner", "name": "a\u{7}b"}),
        )
        .await,
        "name",
        "a name with BEL",
    )
    .await;
    refused(
        s.post(
            &format!("/api/v1/accounts/{p}/channels"),
            json!({"name": "News", "description": "tab\there"}),
        )
        .await,
        "description",
        "a description with a tab",
    )
    .await;
    let r = s
        .post(
            &format!("/api/v1/accounts/{p}/channels"),
            json!({"name": "News", "description": "two\nlines"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "line breaks are allowed");
}

#[tokio::test]
async fn the_answer_validator_catches_what_does_not_fit() {
    // The validator the scenario tests rely on, on answers that must fail.
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let account = json!({"id": 1, "parent_id": null, "kind": "operator", "name": "S", "status": "active",
        "email": null, "phone": null, "created_at": "2026-01-01T00:00:00Z"});
    let ok = |v: Value| {
        crate::answers::check_answer(&doc, "get", "/api/v1/accounts/{id}", 200, Some(&Ok(v)))
    };
    assert_eq!(ok(account.clone()), Ok(true));
    let mut extra = account.clone();
    extra["secret"] = json!("x");
    assert!(ok(extra).is_err(), "an undocumented property");
    let mut missing = account.clone();
    missing.as_object_mut().unwrap().remove("kind");
    assert!(ok(missing).is_err(), "a required property missing");
    let mut wrong = account.clone();
    wrong["status"] = json!("gone");
    assert!(ok(wrong).is_err(), "a value outside the enum");
    let mut time = account.clone();
    time["created_at"] = json!("yesterday");
    assert!(ok(time).is_err(), "not a date-time");
    let mut null = account;
    null["name"] = Value::Null;
    assert!(ok(null).is_err(), "null where not nullable");
    assert!(
        crate::answers::check_answer(&doc, "get", "/api/v1/accounts/{id}", 418, None).is_err(),
        "an undocumented status"
    );
    assert!(
        crate::answers::check_answer(&doc, "get", "/api/v1/nothing", 200, None).is_err(),
        "an undocumented operation"
    );
    let e = json!({"error": {"code": "no_such_code", "message": "m", "request_id": "r"}});
    assert!(
        crate::answers::check_answer(&doc, "get", "/api/v1/accounts/{id}", 404, Some(&Ok(e)))
            .is_err(),
        "an error code the document does not list"
    );
}
