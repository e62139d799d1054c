//! The shared table on the remaining lists: My dealers (pages and API), channels, My resellers,
//! packages, API tokens, My requests, the approvals inbox and the partner directory: sortable
//! headers on whitelisted columns only, page size and page numbers, empty states.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn html(s: &Session, path: &str) -> String {
    let r = s.get(path).await;
    let st = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(st, StatusCode::OK, "{path}: {body}");
    body
}

/// The texts of the elements whose opening tag contains `marker`, in page order.
fn texts_after(html: &str, marker: &str) -> Vec<String> {
    html.split(marker)
        .skip(1)
        .filter_map(|rest| {
            let t = rest.split_once('>')?.1;
            Some(t.split('<').next()?.trim().to_string())
        })
        .collect()
}

async fn ok(r: reqwest::Response) -> Value {
    let s = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(s.is_success(), "{s} {v}");
    v
}

#[tokio::test]
async fn dealers_channels_and_tokens_sort_and_page_in_the_shared_table() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Table Partner").await;
    add_login(&op, p, "owner@tables.test", "owner").await;
    let ps = app.login("owner@tables.test", PW).await;

    // An empty list says what to do next.
    let page = html(&ps, "/dealers").await;
    assert!(page.contains(r#"id="no-dealers""#) && page.contains("Add your first dealer"));

    for (name, user) in [
        ("Cedar", "dealer-cedar"),
        ("Alder", "dealer-alder"),
        ("Birch", "dealer-birch"),
    ] {
        let r = ps
            .post(
                "/api/v1/dealers",
                json!({"name": name, "contact_name": format!("{name} Contact"), "email": format!("{user}@dealers.test"),
                       "username": user, "password": "dealer-password-1"}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
    }
    // API: a whitelisted sort both ways, page size, and an unknown sort refused naming `sort`.
    let v = ok(ps
        .get("/api/v1/dealers?sort=name&dir=desc&per_page=2")
        .await)
    .await;
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Cedar", "Birch"]);
    assert_eq!(
        (v["total"].as_i64(), v["per_page"].as_i64()),
        (Some(3), Some(2))
    );
    let (st, code, field, _) = error_of(ps.get("/api/v1/dealers?sort=password").await).await;
    assert_eq!(
        (st, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("sort")
        )
    );

    // The page: sortable headers keeping the filters, page numbers, the rows in that order.
    let page = html(&ps, "/dealers?sort=name&dir=desc").await;
    assert_eq!(
        texts_after(&page, r#"class="dealer-name""#),
        vec!["Cedar", "Birch", "Alder"]
    );
    assert!(page.contains(r#"aria-sort="descending""#), "{page}");
    assert!(
        page.contains(r#"href="/dealers?sort=name&#38;dir=asc""#),
        "{page}"
    );
    let page = html(&ps, "/dealers?status=active&per_page=10&sort=subscribers").await;
    assert!(page.contains(r#"id="dealer-list-sort-created""#));
    assert!(
        page.contains("status=active&#38;sort=created&#38;dir=asc&#38;per_page=10"),
        "{page}"
    );
    assert!(page.contains(r#"id="dealer-list-per-page""#));
    // An unknown sort on the page: the list by name, and a word about it (never a 500).
    let page = html(&ps, "/dealers?sort=password").await;
    assert!(page.contains(r#"id="list-notice""#));
    assert_eq!(
        texts_after(&page, r#"class="dealer-name""#),
        vec!["Alder", "Birch", "Cedar"]
    );
    // The checkbox column and other inputs: no text-input width on checkboxes (the CSS rule).
    let css = app
        .client()
        .get(app.url("/assets/table.css"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        css.contains(r#"input[type="checkbox"], input[type="radio"] { min-width:0; width:auto; }"#)
    );

    // Channels: by followers or name, both ways; two per page with page numbers.
    for n in ["Gamma News", "Alpha News", "Beta News"] {
        let r = ps
            .post(
                &format!("/api/v1/accounts/{p}/channels"),
                json!({"name": n}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let page = html(&ps, "/channels?sort=name&dir=desc").await;
    assert_eq!(
        texts_after(&page, r#"class="channel-name""#),
        vec!["Gamma News", "Beta News", "Alpha News"]
    );
    let page = html(&ps, "/channels?per_page=2&page=2").await;
    assert_eq!(
        texts_after(&page, r#"class="channel-name""#),
        vec!["Gamma News"]
    );
    assert!(page.contains(r#"id="channel-list-page-1""#) && page.contains("Rows 3–3 of 3"));
    let page = html(&ps, "/channels?sort=secret").await;
    assert!(page.contains(r#"id="list-notice""#));

    // API tokens: newest first by default, by name on asking; pages.
    for n in ["zeta export", "alpha sync", "mid report"] {
        let r = ps.post("/api/v1/me/tokens", json!({"name": n})).await;
        assert!(r.status().is_success());
    }
    let page = html(&ps, "/profile/tokens?sort=name").await;
    let first = page.find("alpha sync").unwrap();
    assert!(
        first < page.find("mid report").unwrap()
            && page.find("mid report").unwrap() < page.find("zeta export").unwrap()
    );
    let page = html(&ps, "/profile/tokens?per_page=2").await;
    assert!(page.contains("Rows 1–2 of 3") && page.contains(r#"id="tokens-page-2""#));
    assert!(page.contains(r#"aria-sort="descending""#), "newest first");
    // A refused token name: beside the field, what was typed kept.
    let r = ps
        .client
        .post(app.url("/profile/tokens"))
        .form(&[("csrf_token", ps.csrf.as_str()), ("name", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains(r#"aria-describedby="token-name-error""#),
        "{body}"
    );

    // My resellers: the empty state says where resellers come from; a bad sort is a notice.
    let page = html(&ps, "/resellers?sort=nope").await;
    assert!(page.contains(r#"id="no-resellers""#) && page.contains("partner directory"));
    assert!(page.contains(r#"id="list-notice""#));
}

#[tokio::test]
async fn packages_requests_inbox_and_directory_sort_and_page() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    for (n, price) in [("Silver", 2000), ("Bronze", 1000), ("Gold", 3000)] {
        let r = op
            .post(
                "/api/v1/packages",
                json!({"name": n, "monthly_price": price, "currency": "EUR"}),
            )
            .await;
        assert!(r.status().is_success());
    }
    // Packages: by price by default, by name on asking, both in the shared table.
    let page = html(&op, "/operator/packages").await;
    let pos = |p: &str, n: &str| p.find(&format!("<td>{n}</td>")).unwrap();
    assert!(
        pos(&page, "Bronze") < pos(&page, "Silver") && pos(&page, "Silver") < pos(&page, "Gold")
    );
    let page = html(&op, "/operator/packages?sort=name&dir=desc").await;
    assert!(pos(&page, "Silver") < pos(&page, "Gold") && pos(&page, "Gold") < pos(&page, "Bronze"));
    assert!(page.contains(r#"id="package-list-sort-trial""#));
    let page = html(&op, "/operator/packages?sort=drop").await;
    assert!(page.contains(r#"id="list-notice""#));

    // My requests of a partner, and the operator's inbox: sorted by title on asking.
    let p = create(&op, 1, "partner", "Asking Partner").await;
    add_login(&op, p, "owner@asking.test", "owner").await;
    let ps = app.login("owner@asking.test", PW).await;
    let addon = ok(op
        .post(
            "/api/v1/addons",
            json!({"name": "Extra screens", "monthly_price": 500, "currency": "EUR"}),
        )
        .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let r = ps
        .post(
            "/api/v1/requests",
            json!({"type": "addon", "addon_id": addon}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let page = html(&ps, "/requests?tab=addon&sort=title&dir=asc").await;
    assert!(
        page.contains(r#"id="my-request-list-sort-status""#),
        "{page}"
    );
    assert!(
        page.contains(r#"href="/requests?tab=addon&#38;sort=title&#38;dir=desc""#),
        "{page}"
    );
    let (st, _, field, _) = error_of(ps.get("/api/v1/requests?sort=secret").await).await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sort"))
    );
    let page = html(&op, "/inbox?tab=addon&sort=partner&dir=desc").await;
    assert!(
        page.contains(r#"id="inbox-list-sort-partner""#) && page.contains("Rows 1–1 of 1"),
        "{page}"
    );
    assert!(page.contains("Asking Partner"));
    let (st, _, field, _) = error_of(op.get("/api/v1/inbox?sort=secret").await).await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sort"))
    );
    let page = html(&op, "/inbox?tab=broadcast").await;
    assert!(
        page.contains(r#"id="inbox-empty""#) && page.contains("Other tabs have requests waiting")
    );

    // The partner directory pages with the shared pager.
    let page = html(&op, "/partner-directory").await;
    assert!(
        page.contains(r#"id="directory-pager""#) || page.contains(r#"id="no-partners""#),
        "{page}"
    );
}
