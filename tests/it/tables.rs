//! The shared table and form components: sort, page, page size and bulk actions on the account
//! list (pages and API), and every field's error at once on registration and packages.

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

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

/// The order of the account names in a page's table.
fn row_names(html: &str) -> Vec<String> {
    html.split("<tr data-account-id=")
        .skip(1)
        .filter_map(|row| {
            let a = row.split("<a href=\"/accounts/").nth(1)?;
            let name = a.split('>').nth(1)?.split('<').next()?;
            Some(name.to_string())
        })
        .collect()
}

#[tokio::test]
async fn account_lists_sort_page_and_change_in_bulk_all_or_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let me = ok(op.get("/api/v1/me").await).await;
    let root = me["account"]["id"].as_i64().unwrap();
    let p = create(&op, root, "partner", "Pine Partner").await;
    let mut customers = Vec::new();
    for n in ["Delta", "Alpha", "Charlie", "Bravo", "Echo"] {
        customers.push(create(&op, p, "customer", n).await);
    }
    // Another partner's customer: outside the first partner's reach.
    let other = create(&op, root, "partner", "Other Partner").await;
    let foreign = create(&op, other, "customer", "Foreign").await;

    // API: sort by a whitelisted column, both ways; page size and pages.
    let v = ok(op
        .get(&format!(
            "/api/v1/accounts/{p}/children?sort=name&dir=desc&per_page=2&page=2"
        ))
        .await)
    .await;
    assert_eq!(names(&v), vec!["Charlie", "Bravo"]);
    assert_eq!(
        (v["total"].as_i64(), v["per_page"].as_i64()),
        (Some(5), Some(2))
    );
    let v = ok(op
        .get(&format!(
            "/api/v1/accounts/{p}/children?sort=name&dir=asc&per_page=50"
        ))
        .await)
    .await;
    assert_eq!(
        names(&v),
        vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    );
    // An unknown sort is a 422 naming the field, never SQL.
    let (status, code, field, _) = error_of(
        op.get(&format!("/api/v1/accounts/{p}/children?sort=password"))
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("sort")
        )
    );

    // Page size and page outside their range are a 422 naming the parameter.
    for (q, field) in [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("dir=sideways", "dir"),
    ] {
        let (status, code, f, _) =
            error_of(op.get(&format!("/api/v1/accounts/{p}/children?{q}")).await).await;
        assert_eq!(
            (status, code.as_str(), f.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some(field)
            ),
            "{q}"
        );
    }
    // Pages: headers link to the other order keeping the filters; page numbers and a jump.
    let html = op
        .get("/accounts?kind=customer&sort=name&dir=asc&per_page=25")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"href="/accounts?kind=customer&#38;sort=name&#38;dir=desc""#),
        "{html}"
    );
    assert!(html.contains(r#"aria-sort="ascending""#));
    assert!(html.contains("id=\"account-list-per-page\""));
    assert_eq!(
        row_names(&html),
        vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foreign"]
    );
    let html = op
        .get("/accounts?kind=customer&sort=name&dir=desc&per_page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(row_names(&html), vec!["Foreign", "Echo"]);
    assert!(
        html.contains("id=\"account-list-page-3\"") && html.contains("id=\"account-list-jump\"")
    );
    // An unknown sort on a page is ignored with a message.
    let r = op.get("/accounts?sort=evil").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"list-notice\"") && html.contains("sorted by name instead"));

    // A partner admin: bulk suspend of its customers through the API.
    add_login(&op, p, "admin@pine.test", "admin").await;
    let pa = app.login("admin@pine.test", PW).await;
    let v = ok(pa
        .post(
            "/api/v1/accounts/bulk",
            json!({"action": "suspend", "ids": [customers[0], customers[1]]}),
        )
        .await)
    .await;
    assert_eq!(v["changed"].as_i64(), Some(2));
    let inactive = "SELECT COUNT(*) FROM accounts WHERE status = 'inactive'";
    assert_eq!(app.count(inactive).await, 2);
    // One foreign id: 404 and nothing changed.
    let (status, code, _, _) = error_of(
        pa.post(
            "/api/v1/accounts/bulk",
            json!({"action": "resume", "ids": [customers[0], foreign]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(app.count(inactive).await, 2);
    let (status, _, _, _) = error_of(
        pa.post(
            "/api/v1/accounts/bulk",
            json!({"action": "suspend", "ids": [customers[2], foreign]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count(inactive).await, 2);
    // Its own account is refused as the single route refuses it.
    let (status, _, _, _) = error_of(
        pa.post(
            "/api/v1/accounts/bulk",
            json!({"action": "suspend", "ids": [p]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Unknown action, no ids, delete without the count confirmed.
    for (body, field) in [
        (
            json!({"action": "explode", "ids": [customers[2]]}),
            "action",
        ),
        (json!({"action": "suspend", "ids": []}), "ids"),
        (
            json!({"action": "delete", "ids": [customers[2]]}),
            "confirm",
        ),
    ] {
        let (status, _, f, _) = error_of(pa.post("/api/v1/accounts/bulk", body).await).await;
        assert_eq!(
            (status, f.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field))
        );
    }
    // Delete two with the count confirmed.
    ok(pa
        .post(
            "/api/v1/accounts/bulk",
            json!({"action": "delete", "ids": [customers[3], customers[4]], "confirm": 2}),
        )
        .await)
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE status = 'deleted'")
            .await,
        2
    );

    // The page's bulk form: resume the two, then a foreign id changes nothing.
    let ids = format!("{},{}", customers[0], customers[1]);
    let r = pa
        .client
        .post(app.url("/accounts/bulk"))
        .form(&[
            ("csrf_token", pa.csrf.as_str()),
            ("action", "resume"),
            ("ids", ids.as_str()),
        ])
        .send()
        .await
        .unwrap();
    // Without script the page asks first, naming how many and which, and changes nothing.
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"<h1 id="bulk-question">Resume 2 accounts?</h1>"#),
        "{html}"
    );
    assert!(html.contains("Alpha") && html.contains("Delta"));
    assert_eq!(app.count(inactive).await, 2);
    let r = pa
        .client
        .post(app.url("/accounts/bulk"))
        .form(&[
            ("csrf_token", pa.csrf.as_str()),
            ("action", "resume"),
            ("ids", ids.as_str()),
            ("confirm", "2"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    assert_eq!(app.count(inactive).await, 0);
    // Each account changed is audited on its own.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.activate'")
            .await,
        2
    );
    let f = foreign.to_string();
    let c0 = customers[0].to_string();
    let r = pa
        .client
        .post(app.url("/accounts/bulk"))
        .form(&[
            ("csrf_token", pa.csrf.as_str()),
            ("action", "suspend"),
            ("ids", c0.as_str()),
            ("ids", f.as_str()),
            ("confirm", "2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count(inactive).await, 0);
    // The Accounts page of a partner offers "Add customer", its kind defaulting to customer.
    let html = pa.get("/accounts").await.text().await.unwrap();
    assert!(html.contains("Add customer"));
    assert!(
        html.contains("id=\"bulk-delete\"")
            && html.contains("data-bulk-confirm=\"Delete {n} account{s}?")
    );
}

#[tokio::test]
async fn registration_and_packages_answer_every_field_error_at_once() {
    let app = TestApp::spawn().await;
    // API: an empty registration names every missing field.
    let r = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "validation_failed");
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["package_id", "company_name", "contact_name", "email"] {
        assert!(fields.contains(&f), "{f} missing in {v}");
    }
    // The first is still in `field` and `message`, as before.
    assert_eq!(v["error"]["field"].as_str(), Some(fields[0]));

    // Page: every error beside its field, with aria attributes, what was typed kept.
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let plans = c
        .get(app.url("/plans"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = plans
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .post(app.url("/register"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("phone", "12 34"),
            ("website", "typed.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (id, msg) in [
        ("reg-company", "Company name is required"),
        ("reg-contact", "Contact name is required"),
        ("email", "Email is required"),
        ("website", "Website must start with https://"),
        ("package", "Choose a package"),
    ] {
        assert!(
            html.contains(&format!(
                r#"<span class="field-error" id="{id}-error">{msg}"#
            )),
            "{id} {msg}"
        );
        assert!(
            html.contains(&format!(r#"aria-describedby="{id}-error""#)),
            "{id}"
        );
    }
    assert!(html.contains(r#"value="typed.example""#) && html.contains(r#"value="12 34""#));
    assert!(!html.contains(r#"<span class="error"></span>"#));

    // Packages: API and page.
    let op = app.login_admin().await;
    let (status, _, _, _) = error_of(
        op.post(
            "/api/v1/packages",
            json!({"name": " ", "currency": "E", "trial_days": 999}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = op
        .post(
            "/api/v1/packages",
            json!({"name": " ", "currency": "E", "trial_days": 999}),
        )
        .await
        .json()
        .await
        .unwrap();
    let n = v["error"]["fields"].as_array().unwrap().len();
    assert_eq!(n, 4, "{v}");
    let r = op
        .client
        .post(app.url("/operator/packages"))
        .form(&[
            ("csrf_token", op.csrf.as_str()),
            ("name", "Typed package"),
            ("price", "abc"),
            ("trial_days", "x"),
            ("max_players", "-5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"value="Typed package""#), "typed name kept");
    for id in ["pkg-price", "pkg-trial"] {
        assert!(html.contains(&format!(r#"id="{id}-error""#)), "{id}");
        assert!(html.contains(&format!(
            r#"aria-invalid="true" aria-describedby="{id}-error""#
        )));
    }
    // No empty error boxes on the plans page.
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
        !plans.contains(r#"class="error"></span>"#) && !plans.contains("field-error\"></span>")
    );
}
