use reqwest::{header, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn first_start_creates_the_operator_and_its_owner_once() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let me: serde_json::Value = s.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["login"]["email"], ADMIN_EMAIL);
    assert_eq!(me["login"]["role"], "owner");
    assert_eq!(me["account"]["kind"], "operator");
    assert_eq!(me["account"]["name"], "Servicecenter");
    assert!(me["login"].get("password_hash").is_none());
    // A second start on the same database changes nothing.
    assert!(partner_panel::bootstrap(&app.state)
        .await
        .unwrap()
        .is_none());
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM logins").await, 1);
}

#[tokio::test]
async fn generated_first_password_signs_in() {
    let db = TestDb::new().await;
    let smtp = TestSmtp::start().await;
    let mut config = test_config(&db, &smtp);
    config.admin_email = None;
    config.admin_password = None;
    let state = partner_panel::build(config, Default::default())
        .await
        .unwrap();
    let first = partner_panel::bootstrap(&state)
        .await
        .unwrap()
        .expect("first login");
    assert_eq!(first.email, partner_panel::DEFAULT_ADMIN_EMAIL);
    let pw = first.generated_password.expect("generated password");
    assert!(pw.len() >= 16);
    let login = partner_panel::areas::accounts::logins::find_by_email(&state, &first.email)
        .await
        .unwrap()
        .unwrap();
    assert!(state
        .hasher
        .verify(&pw, Some(&login.password_hash))
        .await
        .unwrap());
    assert!(!login.password_hash.contains(&pw));
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let r = c
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "  OPERATOR@panel.test ", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("pp_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("pp_session=")
        .to_string();
    // Only a hash of the token is stored.
    let stored = app
        .count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    let body: serde_json::Value = r.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap();
    assert_eq!(
        c.get(app.url("/api/v1/me")).send().await.unwrap().status(),
        StatusCode::OK
    );

    // Logout needs the CSRF header with a cookie session.
    let r = c.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(error_of(r).await.1, "csrf_failed");
    let r = c
        .post(app.url("/api/v1/auth/logout"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    let (status, code, ..) = error_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    // The old cookie replayed by hand is dead too.
    let r = app
        .client()
        .get(app.url("/api/v1/me"))
        .header(header::COOKIE, format!("pp_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_identically() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let mut answers = Vec::new();
    for (email, pw) in [
        (ADMIN_EMAIL, "wrong-password-1"),
        ("nobody@panel.test", "wrong-password-1"),
    ] {
        let r = c
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": pw}))
            .send()
            .await
            .unwrap();
        assert!(r.headers().get(header::SET_COOKIE).is_none());
        let (status, code, field, message) = error_of(r).await;
        answers.push((status, code, field, message));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0].1, "invalid_credentials");
    // Both failures are audited, with the address they came from.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed' AND ip = '127.0.0.1'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_in_the_database() {
    let app = TestApp::spawn().await;
    let second = app.second_instance().await;
    let c = app.client();
    for i in 0..5 {
        // Alternate instances: the count is shared through the database.
        let base = if i % 2 == 0 { &app.base } else { &second.base };
        let r = c
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // Now even the right password is refused for a while, with a clear message.
    let r = c
        .post(second.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r
        .headers()
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 800 && retry <= 900, "retry after {retry}");
    let (_, code, _, message) = error_of(r).await;
    assert_eq!(code, "too_many_attempts");
    assert!(message.contains("15 minute"), "{message}");
    // An unknown email is throttled the same way.
    for _ in 0..5 {
        c.post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "ghost@panel.test", "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap();
    }
    let r = c
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "ghost@panel.test", "password": "x-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // After the lockout window, the right password works again and clears the count.
    app.advance(15 * 60 + 1);
    app.login_admin().await;
    second.stop().await;
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address() {
    let app = TestApp::spawn_with(|c| c.max_failed_logins = 2).await;
    let c = app.client();
    // 2 per email, 8 per address: spread over many emails, the address locks.
    for i in 0..8 {
        let r = c
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": format!("u{i}@panel.test"), "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = c
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_session_made_on_one_instance_is_valid_on_another() {
    let app = TestApp::spawn().await;
    let other = app.second_instance().await;
    let s = app.login_admin().await;
    let r = s.client.get(other.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Sign out on the second instance: the first no longer accepts it.
    let r = s
        .client
        .post(other.url("/api/v1/auth/logout"))
        .header("x-csrf-token", &s.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    other.stop().await;
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_timeouts() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    app.advance(60 * 60);
    assert_eq!(
        s.get("/api/v1/me").await.status(),
        StatusCode::OK,
        "an hour idle is fine"
    );
    app.advance(2 * 60 * 60 + 5);
    assert_eq!(
        s.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "two hours idle ends it"
    );

    // Absolute: kept busy, a session still ends after 12 hours.
    let s = app.login_admin().await;
    for _ in 0..11 {
        app.advance(60 * 60);
        assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::OK);
    }
    app.advance(60 * 60 + 5);
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    // The purge job removes what can no longer be used.
    let n = partner_panel::areas::auth::purge_expired_sessions(&app.state)
        .await
        .unwrap();
    assert!(n >= 2, "purged {n}");
}

#[tokio::test]
async fn inactive_login_or_account_cannot_sign_in_and_loses_its_sessions() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let mut tx = app.state.db.begin().await.unwrap();
    sqlx::query("UPDATE logins SET status = 'inactive'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, code, ..) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    // A wrong password for an inactive login still says only "incorrect".
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": "wrong-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "invalid_credentials");
}

#[tokio::test]
async fn csrf_is_required_for_cookie_calls_but_not_for_bearer_tokens() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let r = s
        .client
        .post(app.url("/api/v1/me/tokens"))
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap();
    let (status, code, ..) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "csrf_failed")
    );
    let r = s
        .client
        .post(app.url("/api/v1/me/tokens"))
        .header("x-csrf-token", "0".repeat(32))
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "csrf_failed");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens").await,
        0,
        "nothing was written"
    );

    let r = s.post("/api/v1/me/tokens", json!({"name": "ci"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: serde_json::Value = r.json().await.unwrap();
    let secret = v["secret"].as_str().unwrap().to_string();

    let bearer = reqwest::Client::new();
    let r = bearer
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .json(&json!({"name": "Olga Operator"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["login"]["name"], "Olga Operator");
    assert_eq!(me["via"], "token");

    // A form post without its token changes nothing either.
    let r = s
        .client
        .post(app.url("/profile"))
        .form(&[("name", "Mallory"), ("email", ADMIN_EMAIL)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE name = 'Mallory'")
            .await,
        0
    );
    // The login form needs the pre-sign-in token from its cookie.
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .all(|c| !c.to_str().unwrap().starts_with("pp_session=")));
}

#[tokio::test]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let v: serde_json::Value = s
        .post("/api/v1/me/tokens", json!({"name": "billing export"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = v["secret"].as_str().unwrap().to_string();
    let id = v["token"]["id"].as_i64().unwrap();
    assert!(secret.starts_with("pp_"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{secret}' OR prefix = '{secret}'"
        ))
        .await,
        0
    );
    let list: serde_json::Value = s.get("/api/v1/me/tokens").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(
        !list.to_string().contains(&secret),
        "the list never shows the secret"
    );

    let c = reqwest::Client::new();
    let me = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    // A bad token is refused outright, even on public paths.
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth("pp_nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "unauthenticated");
    // Tokens cannot sign out, and cannot be revoked by someone else's id.
    let r = c
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "not_a_session");
    assert_eq!(
        s.delete("/api/v1/me/tokens/999999").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.delete("/api/v1/me/tokens/abc").await.status(),
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        s.delete(&format!("/api/v1/me/tokens/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('api_token.create', 'api_token.revoke')").await, 2);
    // Validation: a name is required.
    let (status, code, field, _) =
        error_of(s.post("/api/v1/me/tokens", json!({"name": "  "})).await).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("name")
        )
    );
}
