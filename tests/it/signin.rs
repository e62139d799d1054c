//! Sign-in people trust: wrong current passwords count with the sign-in failures, forgotten
//! passwords are reset by email, and sessions are listed and ended.

use reqwest::{header, StatusCode};
use serde_json::json;

use crate::support::*;

async fn sign_in_status(app: &TestApp, password: &str) -> StatusCode {
    app.client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn thirty_wrong_current_passwords_lock_the_login_and_end_the_session() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let other = app.login_admin().await;
    let mut answers = Vec::new();
    for i in 0..30 {
        let r = s
            .post(
                "/api/v1/me/password",
                json!({"current_password": format!("guess-number-{i}"), "new_password": "a-new-password-2"}),
            )
            .await;
        let retry = r.headers().get(header::RETRY_AFTER).is_some();
        let (status, code, ..) = error_of(r).await;
        answers.push((status, code, retry));
    }
    // The limit is the sign-in one (5 per email): four wrong answers, then 429 with Retry-After,
    // and the session used is gone.
    for a in &answers[..4] {
        assert_eq!(
            (a.0, a.1.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        );
    }
    assert_eq!(
        answers[4],
        (
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts".into(),
            true
        )
    );
    for a in &answers[5..] {
        assert_eq!(
            (a.0, a.1.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthenticated")
        );
    }
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    // Each wrong guess is audited; the lockout is the sign-in's: even the right password waits.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.wrong_current'")
            .await,
        5
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'password.wrong_current' \
             AND detail LIKE '%session ended%'"
        )
        .await,
        1
    );
    assert_eq!(
        sign_in_status(&app, ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A second session of the login is refused too while locked, and ended when it tries.
    let r = other
        .post(
            "/api/v1/me/password",
            json!({"current_password": ADMIN_PASSWORD, "new_password": "a-new-password-2"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        other.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Nothing changed.
    app.advance(15 * 60 + 1);
    let s = app.login_admin().await;
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_current_passwords_through_a_token_are_throttled_too() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let v: serde_json::Value = s
        .post("/api/v1/me/tokens", json!({"name": "stolen"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = v["secret"].as_str().unwrap().to_string();
    let c = reqwest::Client::new();
    let mut statuses = Vec::new();
    for i in 0..30 {
        let r = c
            .patch(app.url("/api/v1/me"))
            .bearer_auth(&secret)
            .json(&json!({"email": "thief@evil.test", "current_password": format!("guess-{i}")}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
    }
    assert!(statuses[..4]
        .iter()
        .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY));
    assert!(
        statuses[4..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // While locked, even the right password does not change the email.
    let r = c
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .json(&json!({"email": "thief@evil.test", "current_password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE email = 'thief@evil.test'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.wrong_current'")
            .await,
        5
    );
}

#[tokio::test]
async fn the_profile_page_signs_out_at_the_limit() {
    let app = TestApp::spawn_with(|c| c.max_failed_logins = 2).await;
    let s = app.login_admin().await;
    let post = |pw: &'static str| {
        s.client
            .post(app.url("/profile/password"))
            .form(&[
                ("csrf_token", s.csrf.as_str()),
                ("current_password", pw),
                ("new_password", "a-new-password-1"),
                ("confirm_password", "a-new-password-1"),
            ])
            .send()
    };
    let r = post("wrong-password-1").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Current password is incorrect"));
    let r = post("wrong-password-2").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/login");
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
}

// ---- forgot password ----

/// The reset token in the last reset mail sent to `to` (undoing quoted-printable folding).
fn reset_token(app: &TestApp, to: &str) -> String {
    let mail = app
        .smtp
        .to(to)
        .into_iter()
        .rev()
        .find(|m| m.subject().contains("Reset your"))
        .expect("a reset mail");
    let data = mail
        .data
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let at = data.find("reset-password?token=").expect("a link") + "reset-password?token=".len();
    data[at..at + 64].to_string()
}

async fn ask_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/auth/password-reset"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

async fn confirm_reset(app: &TestApp, token: &str, pw: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/auth/password-reset/confirm"))
        .json(&json!({ "token": token, "new_password": pw }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reset_link_works_once_ends_every_session_and_is_kept_only_as_a_hash() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    // The same answer whether or not a login uses the address.
    let known = ask_reset(&app, "  Operator@Panel.test ").await;
    let unknown = ask_reset(&app, "nobody@panel.test").await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (known.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(a, b);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM password_resets").await, 1);
    app.run_jobs().await;
    assert!(app.smtp.to("nobody@panel.test").is_empty());
    let token = reset_token(&app, ADMIN_EMAIL);
    // Only a hash is stored, and the sent mail no longer holds the link.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM password_resets WHERE token_hash = '{token}'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%{token}%' OR body_html LIKE '%{token}%'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.reset_request'")
            .await,
        1
    );

    // A weak password changes nothing and keeps the link.
    let (status, code, field, _) = error_of(confirm_reset(&app, &token, "short").await).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("new_password")
        )
    );
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::OK);

    let r = confirm_reset(&app, &token, "a-reset-password-1").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        s.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "every session ended"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions").await,
        0,
        "no session left"
    );
    assert_eq!(
        sign_in_status(&app, ADMIN_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    app.login(ADMIN_EMAIL, "a-reset-password-1").await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'password.reset' AND ip = '127.0.0.1'"
        )
        .await,
        1
    );
    // Reused: refused, nothing changed.
    let (status, code, field, _) =
        error_of(confirm_reset(&app, &token, "another-password-9").await).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset_link_used",
            Some("token")
        )
    );
    app.login(ADMIN_EMAIL, "a-reset-password-1").await;
    // The password-changed mail says how to reset.
    app.run_jobs().await;
    let changed = app
        .smtp
        .to(ADMIN_EMAIL)
        .into_iter()
        .find(|m| m.subject().contains("was changed"))
        .expect("a password changed mail");
    assert!(changed.data.contains("forgot-password"), "{}", changed.data);
}

#[tokio::test]
async fn expired_unknown_and_deleted_logins_links_are_refused() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    // Expired after 30 minutes.
    ask_reset(&app, ADMIN_EMAIL).await;
    app.run_jobs().await;
    let token = reset_token(&app, ADMIN_EMAIL);
    app.advance(30 * 60 + 1);
    let (_, code, ..) = error_of(confirm_reset(&app, &token, "a-reset-password-1").await).await;
    assert_eq!(code, "reset_link_expired");
    // Unknown or malformed.
    for t in ["0".repeat(64), "nonsense".into(), String::new()] {
        let (status, code, ..) =
            error_of(confirm_reset(&app, &t, "a-reset-password-1").await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "reset_link_invalid")
        );
    }
    // The login was removed after the link was sent.
    let id = crate::tree::add_login(&op, 1, "leaver@panel.test", "member").await;
    ask_reset(&app, "leaver@panel.test").await;
    app.run_jobs().await;
    let token = reset_token(&app, "leaver@panel.test");
    let r = op
        .delete(&format!("/api/v1/logins/{id}?confirm=true"))
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let (_, code, ..) = error_of(confirm_reset(&app, &token, "a-reset-password-1").await).await;
    assert_eq!(code, "reset_link_invalid");
    // Nothing changed: the operator still signs in with the old password.
    app.login_admin().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.reset'")
            .await,
        0
    );
}

#[tokio::test]
async fn reset_links_are_throttled_per_email_and_per_address_on_every_instance() {
    let app = TestApp::spawn().await;
    let second = app.second_instance().await;
    for i in 0..3 {
        let base = if i % 2 == 0 { &app.base } else { &second.base };
        let r = app
            .client()
            .post(format!("{base}/api/v1/auth/password-reset"))
            .json(&json!({ "email": ADMIN_EMAIL }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED, "request {i}");
    }
    let r = ask_reset(&second, ADMIN_EMAIL).await;
    assert!(r.headers().get(header::RETRY_AFTER).is_some());
    let (status, code, _, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    assert!(message.contains("reset links"), "{message}");
    // An unknown address is throttled the same way (nothing tells them apart).
    for _ in 0..3 {
        assert_eq!(
            ask_reset(&app, "ghost@panel.test").await.status(),
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(
        ask_reset(&app, "ghost@panel.test").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Per address: 20 in the window, whatever the emails.
    for i in 0..14 {
        let r = ask_reset(&app, &format!("u{i}@panel.test")).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED, "address request {i}");
    }
    assert_eq!(
        ask_reset(&app, "fresh@panel.test").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM password_resets").await, 3);
    // Empty email: a clear field error.
    app.advance(15 * 60 + 1);
    let (_, code, field, _) = error_of(ask_reset(&app, " ").await).await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("validation_failed", Some("email"))
    );
    second.stop().await;
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a csrf field")
        .to_string()
}

#[tokio::test]
async fn the_forgot_password_pages_lead_from_sign_in_to_a_new_password() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let login = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains(r#"href="/forgot-password""#));
    let page = c
        .get(app.url("/forgot-password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    // Empty: the field says so.
    let r = c
        .post(app.url("/forgot-password"))
        .form(&[("csrf_token", csrf.as_str()), ("email", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="email-error""#), "{html}");
    let r = c
        .post(app.url("/forgot-password"))
        .form(&[("csrf_token", csrf.as_str()), ("email", ADMIN_EMAIL)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains(r#"id="reset-sent""#));
    app.run_jobs().await;
    let token = reset_token(&app, ADMIN_EMAIL);
    let r = c
        .get(app.url(&format!("/reset-password?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::REFERRER_POLICY], "same-origin");
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains(ADMIN_EMAIL) && html.contains(r#"id="reset-form""#));
    // Two different passwords: said beside the field, link kept.
    let r = c
        .post(app.url("/reset-password"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("token", token.as_str()),
            ("new_password", "a-reset-password-1"),
            ("confirm_password", "a-reset-password-2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(r#"id="confirm-password-error""#));
    let r = c
        .post(app.url("/reset-password"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("token", token.as_str()),
            ("new_password", "a-reset-password-1"),
            ("confirm_password", "a-reset-password-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/login");
    app.login(ADMIN_EMAIL, "a-reset-password-1").await;
    // The link again: why it does not work, and a way to ask for a new one.
    let r = c
        .get(app.url(&format!("/reset-password?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("already used") && html.contains(r#"id="ask-again""#),
        "{html}"
    );
    assert!(!html.contains(r#"id="reset-form""#));
}

/// In Chromium: from the sign-in page to a new password, with screenshots at laptop and phone
/// widths.
#[tokio::test]
async fn browser_forgot_password_from_sign_in_to_a_new_password() {
    let Some(b) = crate::browser::Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    for (w, h, tag) in [(1366u32, 900u32, "1366"), (390, 844, "390")] {
        b.client.set_window_size(w, h).await.unwrap();
        b.client.goto(&app.url("/login")).await.unwrap();
        b.click("#forgot-password").await;
        b.screenshot(&format!("forgot-password-{tag}")).await;
        b.fill("#email", ADMIN_EMAIL).await;
        b.click("#send-reset-link").await;
        assert!(b.text("#reset-sent").await.contains(ADMIN_EMAIL));
        b.screenshot(&format!("forgot-password-sent-{tag}")).await;
    }
    app.run_jobs().await;
    let token = reset_token(&app, ADMIN_EMAIL);
    b.client
        .goto(&app.url(&format!("/reset-password?token={token}")))
        .await
        .unwrap();
    b.fill("#new-password", "a-reset-password-1").await;
    b.fill("#confirm-password", "another-password-1").await;
    b.click("#set-password").await;
    assert!(b.text("#confirm-password-error").await.contains("differ"));
    b.screenshot("reset-password-error-390").await;
    b.client.set_window_size(1366, 900).await.unwrap();
    b.fill("#new-password", "a-reset-password-1").await;
    b.fill("#confirm-password", "a-reset-password-1").await;
    b.screenshot("reset-password-1366").await;
    b.click("#set-password").await;
    assert!(b
        .text("#flash")
        .await
        .contains("Sign in with the new password"));
    b.screenshot("reset-password-done-1366").await;
    b.close().await;
    app.login(ADMIN_EMAIL, "a-reset-password-1").await;
}
