//! A login's sessions: listed on My profile and through the API, each ended alone; another
//! login's session is 404; an owner or admin ends every session of a login it manages.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

/// Signs in with a given User-Agent.
async fn login_as_browser(app: &TestApp, email: &str, password: &str, ua: &str) -> Session {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(ua)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    Session {
        client,
        base: app.base.clone(),
        csrf: v["csrf_token"].as_str().unwrap().to_string(),
        body: v,
    }
}

const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

#[tokio::test]
async fn a_login_lists_its_sessions_and_ends_one() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Session Partner").await;
    add_login(&op, p, "sam@sessions.test", "owner").await;
    let laptop = login_as_browser(&app, "sam@sessions.test", PW, FIREFOX).await;
    let phone = login_as_browser(&app, "sam@sessions.test", PW, CHROME).await;
    // The laptop acts as a customer: its session says so.
    let c = create(&laptop, p, "customer", "Session Customer").await;
    assert_eq!(
        laptop
            .post("/api/v1/act-as", json!({"account_id": c}))
            .await
            .status(),
        StatusCode::OK
    );

    let list: Value = phone.get("/api/v1/me/sessions").await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let mine = items.iter().find(|s| s["current"] == true).unwrap();
    let other = items.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(mine["browser"], "Chrome on Linux");
    assert_eq!(other["browser"], "Firefox on Windows");
    assert_eq!(other["ip"], "127.0.0.1");
    assert_eq!(other["acting_as_name"], "Session Customer");
    assert!(other["started_at"].as_str().unwrap().ends_with('Z'));
    assert!(other["last_seen_at"].is_string());

    // Another login's session is not there: 404, and it goes on.
    let theirs: Value = op.get("/api/v1/me/sessions").await.json().await.unwrap();
    let op_session = theirs["items"][0]["id"].as_i64().unwrap();
    let (status, code, ..) = error_of(
        phone
            .delete(&format!("/api/v1/me/sessions/{op_session}"))
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(op.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        phone.delete("/api/v1/me/sessions/abc").await.status(),
        StatusCode::NOT_FOUND
    );

    // The phone ends the laptop's session: the laptop is signed out, the phone is not.
    let id = other["id"].as_i64().unwrap();
    assert_eq!(
        phone
            .delete(&format!("/api/v1/me/sessions/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        laptop.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(phone.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        phone
            .delete(&format!("/api/v1/me/sessions/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "once"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'session.end' AND target_id = '{id}' \
             AND login_email = 'sam@sessions.test'"
        ))
        .await,
        1
    );

    // The page lists the phone's own session, marked, with its End form.
    let page = phone.get("/profile/sessions").await.text().await.unwrap();
    assert!(page.contains("Chrome on Linux"), "{page}");
    assert!(page.contains("id=\"current-session\""));
    assert!(!page.contains("Firefox on Windows"));
    // Ending it from the page signs out.
    let mine = mine["id"].as_i64().unwrap();
    let r = phone
        .client
        .post(app.url(&format!("/profile/sessions/{mine}/end")))
        .form(&[("csrf_token", phone.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        phone.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_admin_ends_every_session_of_a_login_it_manages() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Managed Partner").await;
    add_login(&op, p, "owner@managed.test", "owner").await;
    let member = add_login(&op, p, "member@managed.test", "member").await;
    let owner = app.login("owner@managed.test", PW).await;
    let m1 = app.login("member@managed.test", PW).await;
    let m2 = app.login("member@managed.test", PW).await;
    let token: Value = m1
        .post("/api/v1/me/tokens", json!({"name": "script"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = token["secret"].as_str().unwrap().to_string();

    // A member cannot; a login of another tree is not found.
    let m3 = app.login("member@managed.test", PW).await;
    assert_eq!(
        m3.delete(&format!("/api/v1/logins/{member}/sessions"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let other = create(&op, 1, "partner", "Other Partner").await;
    let stranger = add_login(&op, other, "x@other.test", "owner").await;
    let x = app.login("x@other.test", PW).await;
    assert_eq!(
        owner
            .delete(&format!("/api/v1/logins/{stranger}/sessions"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(x.get("/api/v1/me").await.status(), StatusCode::OK);

    // The owner ends them all: every session of the member goes, its API token stays.
    let r: Value = owner
        .delete(&format!("/api/v1/logins/{member}/sessions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["ended"], 3, "{r}");
    for s in [&m1, &m2, &m3] {
        assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(owner.get("/api/v1/me").await.status(), StatusCode::OK);
    let r = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "API tokens are not sessions");
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'login.sessions_end' AND login_email = 'owner@managed.test'",
    )
    .bind(0)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap_or_default();
    assert_eq!(detail, "3 session(s) ended");

    // From the account page: the button ends them too (the operator, above).
    let m4 = app.login("member@managed.test", PW).await;
    let page = op
        .get(&format!("/accounts/{p}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("id=\"end-sessions-{member}\"")),
        "{page}"
    );
    let r = op
        .client
        .post(app.url(&format!("/logins/{member}/sessions/end")))
        .form(&[("csrf_token", op.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        m4.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
