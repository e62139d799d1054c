//! Release notes: the operator writes, publishes, edits and unpublishes; every panel meant for
//! shows them under What's new with an unread badge per login until opened; the text is shown
//! with its safe formatting only; drafts and other audiences are not found.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn json_of(r: reqwest::Response, want: StatusCode) -> Value {
    let st = r.status();
    let t = r.text().await.unwrap();
    assert_eq!(st, want, "{t}");
    serde_json::from_str(&t).unwrap()
}

fn badge(page: &str) -> Option<String> {
    page.split("id=\"badge-whats-new\"")
        .nth(1)
        .and_then(|r| r.split('>').nth(1))
        .and_then(|r| r.split('<').next())
        .map(str::to_string)
}

#[tokio::test]
async fn release_notes_reach_their_audience_with_badges_until_opened() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Notes Partner").await;
    add_login(&op, p, "a@notes.test", "owner").await;
    add_login(&op, p, "b@notes.test", "viewer").await;
    let c = create(&op, p, "customer", "Notes Customer").await;
    add_login(&op, c, "c@notes.test", "member").await;
    let (a, b, cust) = (
        app.login("a@notes.test", PW).await,
        app.login("b@notes.test", PW).await,
        app.login("c@notes.test", PW).await,
    );
    let all = json_of(
        op.post(
            "/api/v1/release-notes",
            json!({"title": "Tickets are here", "body": "You can **now** open tickets.\n\n- fast\n- [docs](https://example.com/docs)\n\n<script>alert(1)</script> [bad](javascript:alert(1))", "publish": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let partners = json_of(
        op.post(
            "/api/v1/release-notes",
            json!({"title": "For partners", "body": "Only partners.", "audience": ["partner"], "publish": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let draft = json_of(
        op.post(
            "/api/v1/release-notes",
            json!({"title": "Draft", "body": "Not yet."}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(draft["published"], false);
    let html = all["html"].as_str().unwrap();
    assert!(
        html.contains("<strong>now</strong>") && html.contains("<li>fast</li>"),
        "{html}"
    );
    assert!(html.contains("href=\"https://example.com/docs\""), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("href=\"javascript"),
        "{html}"
    );

    // The partner's logins each see two unread; the customer one; the draft nobody.
    let l = json_of(a.get("/api/v1/release-notes").await, StatusCode::OK).await;
    assert_eq!(l.as_array().unwrap().len(), 2);
    assert!(l.as_array().unwrap().iter().all(|n| n["read"] == false));
    let l = json_of(cust.get("/api/v1/release-notes").await, StatusCode::OK).await;
    assert_eq!(l.as_array().unwrap().len(), 1);
    let pid = partners["id"].as_i64().unwrap();
    let did = draft["id"].as_i64().unwrap();
    assert_eq!(
        cust.get(&format!("/api/v1/release-notes/{pid}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        a.get(&format!("/api/v1/release-notes/{did}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        a.get(&format!("/whats-new/{did}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let page = a.get("/").await.text().await.unwrap();
    assert_eq!(badge(&page).as_deref(), Some("2"), "badge");
    // Opening one (the page) lowers the badge for this login only.
    let page = a
        .get(&format!("/whats-new/{pid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Only partners."));
    assert_eq!(badge(&page).as_deref(), Some("1"));
    let id = all["id"].as_i64().unwrap();
    let n = json_of(
        a.get(&format!("/api/v1/release-notes/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(n["read"], true);
    let page = a.get("/whats-new").await.text().await.unwrap();
    assert_eq!(badge(&page), None, "no badge once all are read");
    assert!(!page.contains("<script>alert"), "escaped");
    let page = b.get("/").await.text().await.unwrap();
    assert_eq!(
        badge(&page).as_deref(),
        Some("2"),
        "another login still has two"
    );
    let page = cust
        .get(&format!("/whats-new/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<strong>now</strong>") && !page.contains("<script>alert"));

    // Only the operator writes.
    let (st, ..) = error_of(
        a.post("/api/v1/release-notes", json!({"title": "x", "body": "y"}))
            .await,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        a.post(&format!("/api/v1/release-notes/{id}/unpublish"), json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (st, code, f, _) = error_of(
        op.post(
            "/api/v1/release-notes",
            json!({"title": "", "body": "y", "audience": ["martians"]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), f.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("title")
        )
    );

    // Edit, unpublish (gone from panels), publish the draft (a new unread).
    json_of(
        op.send(reqwest::Method::PUT, &format!("/api/v1/release-notes/{id}"),
            Some(json!({"title": "Tickets are here!", "body": "Edited.", "audience": ["customer", "partner"]}))).await,
        StatusCode::OK,
    )
    .await;
    json_of(
        op.post(&format!("/api/v1/release-notes/{pid}/unpublish"), json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        a.get(&format!("/api/v1/release-notes/{pid}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    json_of(
        op.post(&format!("/api/v1/release-notes/{did}/publish"), json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let page = a.get("/whats-new").await.text().await.unwrap();
    assert_eq!(badge(&page).as_deref(), Some("1"));
    assert!(page.contains("Tickets are here!"));
    // The operator's page holds the form.
    let page = op.get("/whats-new").await.text().await.unwrap();
    assert!(page.contains("Write a release note"));
    let r = op
        .client
        .post(app.url("/whats-new"))
        .form(&[
            ("csrf_token", op.csrf.as_str()),
            ("title", ""),
            ("body", "kept <b>typed</b>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("note-title-error")
            && (page.contains("kept &lt;b&gt;typed") || page.contains("kept &#60;b&#62;typed")),
        "{page}"
    );
}
