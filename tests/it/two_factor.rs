//! Two-factor sign-in: a login turns it on and signs in with a code; codes are accepted once and
//! within one step; recovery codes work once; wrong codes lock; a lost phone is reset by an
//! admin; the operator requires it and a login is led to set it up; API tokens are unaffected.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

/// The code an authenticator shows for `secret` at `at` (seconds).
pub fn code_at(secret: &str, at: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes)
        .unwrap()
        .generate(at as u64)
}

/// The panel's clock, in seconds.
pub fn now(app: &TestApp) -> i64 {
    app.state.now_ms() / 1000
}

/// The password step: 202 and a challenge.
async fn password_step(app: &TestApp, email: &str, password: &str) -> (reqwest::Client, Value) {
    let client = app.client();
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{v}");
    assert!(v.get("csrf_token").is_none(), "no session yet: {v}");
    (client, v)
}

async fn code_step(
    app: &TestApp,
    client: &reqwest::Client,
    challenge: &str,
    code: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/auth/login/two-factor"))
        .json(&json!({ "challenge": challenge, "code": code }))
        .send()
        .await
        .unwrap()
}

async fn expect_error(r: reqwest::Response, status: StatusCode, code: &str) {
    let (s, c, field, msg) = error_of(r).await;
    assert_eq!((s, c.as_str()), (status, code), "{msg} {field:?}");
}

/// Turns two-factor sign-in on for a session's login; gives the secret and the recovery codes.
pub async fn turn_on(app: &TestApp, s: &Session) -> (String, Vec<String>) {
    let r = s.post("/api/v1/me/two-factor", json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let e: Value = r.json().await.unwrap();
    let secret = e["secret"].as_str().unwrap().to_string();
    assert!(e["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Partner%20Panel:"));
    let r = s
        .post(
            "/api/v1/me/two-factor/confirm",
            json!({ "code": code_at(&secret, now(app)) }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let codes: Vec<String> = v["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

#[tokio::test]
async fn a_login_turns_on_two_factor_and_signs_in_with_a_code() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Second Factor Partner").await;
    add_login(&op, p, "sam@twofactor.test", "owner").await;
    let sam = app.login("sam@twofactor.test", PW).await;
    let token: Value = sam
        .post("/api/v1/me/tokens", json!({"name": "ci"}))
        .await
        .json()
        .await
        .unwrap();
    let token = token["secret"].as_str().unwrap().to_string();

    // A code that is wrong does not confirm the enrolment; nothing is on yet.
    let r = sam.post("/api/v1/me/two-factor", json!({})).await;
    let e: Value = r.json().await.unwrap();
    let pending = e["secret"].as_str().unwrap().to_string();
    let wrong = if code_at(&pending, now(&app)) == "000000" {
        "111111"
    } else {
        "000000"
    };
    expect_error(
        sam.post("/api/v1/me/two-factor/confirm", json!({"code": wrong}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "code_invalid",
    )
    .await;
    let st: Value = sam.get("/api/v1/me/two-factor").await.json().await.unwrap();
    assert_eq!(st["enabled"], false);
    // Password alone still signs in while it is not confirmed.
    app.login("sam@twofactor.test", PW).await;

    let (secret, recovery) = turn_on(&app, &sam).await;
    let st: Value = sam.get("/api/v1/me/two-factor").await.json().await.unwrap();
    assert_eq!(
        st,
        json!({"enabled": true, "required": false, "recovery_codes_left": 10})
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_recovery_codes WHERE code_hash LIKE '%-%'")
            .await,
        0,
        "recovery codes are kept as hashes"
    );
    expect_error(
        sam.post("/api/v1/me/two-factor", json!({})).await,
        StatusCode::CONFLICT,
        "two_factor_on",
    )
    .await;

    // Now the password alone gives a challenge, not a session.
    let (client, step) = password_step(&app, "sam@twofactor.test", PW).await;
    assert_eq!(step["second_step"], "code");
    let challenge = step["challenge"].as_str().unwrap().to_string();
    let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(
        me.status(),
        StatusCode::UNAUTHORIZED,
        "no session after the password alone"
    );

    // A code two steps off is wrong.
    app.advance(90);
    let stale = code_at(&secret, now(&app) - 65);
    expect_error(
        code_step(&app, &client, &challenge, &stale).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "code_invalid",
    )
    .await;
    // The right code signs in: the session works, and the sign-in is audited as two-factor.
    let good = code_at(&secret, now(&app));
    let r = code_step(&app, &client, &challenge, &good).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["login"]["email"], "sam@twofactor.test");
    let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    // The challenge is spent, and the same code is refused on a new one.
    expect_error(
        code_step(&app, &app.client(), &challenge, &good).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sign_in_step_expired",
    )
    .await;
    let (c2, step2) = password_step(&app, "sam@twofactor.test", PW).await;
    let ch2 = step2["challenge"].as_str().unwrap().to_string();
    expect_error(
        code_step(&app, &c2, &ch2, &good).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "code_reused",
    )
    .await;

    // A recovery code (typed in capitals, with spaces) signs in once.
    let typed = format!(" {} ", recovery[0].to_uppercase());
    let r = code_step(&app, &c2, &ch2, &typed).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (c3, step3) = password_step(&app, "sam@twofactor.test", PW).await;
    let ch3 = step3["challenge"].as_str().unwrap().to_string();
    expect_error(
        code_step(&app, &c3, &ch3, &recovery[0]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "code_invalid",
    )
    .await;
    let st: Value = sam.get("/api/v1/me/two-factor").await.json().await.unwrap();
    assert_eq!(st["recovery_codes_left"], 9);

    // The API token works without any code.
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // A challenge older than five minutes is gone.
    app.advance(6 * 60);
    expect_error(
        code_step(&app, &c3, &ch3, &code_at(&secret, now(&app))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sign_in_step_expired",
    )
    .await;

    // Turning it off needs the password and a code.
    let r = sam
        .post(
            "/api/v1/me/two-factor/disable",
            json!({"password": "wrong password!", "code": code_at(&secret, now(&app))}),
        )
        .await;
    let (s, c, field, _) = error_of(r).await;
    assert_eq!(
        (s, c.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("password")
        )
    );
    let st: Value = sam.get("/api/v1/me/two-factor").await.json().await.unwrap();
    assert_eq!(st["enabled"], true, "a wrong password changes nothing");
    let r = sam
        .post(
            "/api/v1/me/two-factor/disable",
            json!({"password": PW, "code": code_at(&secret, now(&app))}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    app.login("sam@twofactor.test", PW).await;
    let audit = app
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('two_factor.enabled', \
             'two_factor.disabled', 'two_factor.wrong_code', 'login.second_step')",
        )
        .await;
    assert!(
        audit >= 6,
        "enabling, disabling, wrong codes and second steps are audited: {audit}"
    );
}

#[tokio::test]
async fn wrong_codes_lock_the_second_step() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Guessing Partner").await;
    add_login(&op, p, "gus@twofactor.test", "owner").await;
    let gus = app.login("gus@twofactor.test", PW).await;
    let (secret, _) = turn_on(&app, &gus).await;
    app.advance(60);
    let (client, step) = password_step(&app, "gus@twofactor.test", PW).await;
    let challenge = step["challenge"].as_str().unwrap().to_string();
    let right = code_at(&secret, now(&app));
    let wrong: Vec<String> = (0..6)
        .map(|i| format!("{:06}", (right.parse::<u32>().unwrap() + 1 + i) % 1_000_000))
        .collect();
    for w in &wrong[..5] {
        expect_error(
            code_step(&app, &client, &challenge, w).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_invalid",
        )
        .await;
    }
    // The sixth try is refused whatever it is, even the right code.
    expect_error(
        code_step(&app, &client, &challenge, &right).await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    )
    .await;
}

#[tokio::test]
async fn the_operator_requires_a_second_factor_and_an_admin_resets_a_lost_one() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Required Partner").await;
    add_login(&op, p, "ada@required.test", "owner").await;
    add_login(&op, p, "mo@required.test", "member").await;
    let c = create(&op, p, "customer", "Required Customer").await;
    add_login(&op, c, "cy@required.test", "owner").await;
    let ada = app.login("ada@required.test", PW).await;

    // Only the operator sets who must; a partner may read its own policy but not set it.
    expect_error(
        ada.send(
            reqwest::Method::PUT,
            &format!("/api/v1/accounts/{p}/two-factor-policy"),
            Some(json!({"below": true})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = op
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/accounts/{p}/two-factor-policy"),
            Some(json!({"roles": ["superuser"]})),
        )
        .await;
    let (s, c0, field, _) = error_of(r).await;
    assert_eq!(
        (s, c0.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("roles")
        )
    );
    let r = op
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/accounts/{p}/two-factor-policy"),
            Some(json!({"below": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let pol: Value = ada
        .get(&format!("/api/v1/accounts/{p}/two-factor-policy"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pol["below"], true);

    // The customer below is led to set up a second factor at its next sign-in.
    let (client, step) = password_step(&app, "cy@required.test", PW).await;
    assert_eq!(step["second_step"], "enrol");
    let challenge = step["challenge"].as_str().unwrap().to_string();
    expect_error(
        code_step(&app, &client, &challenge, "123456").await,
        StatusCode::CONFLICT,
        "two_factor_off",
    )
    .await;
    let e: Value = client
        .post(app.url("/api/v1/auth/login/two-factor/enrolment"))
        .json(&json!({"challenge": challenge}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = e["secret"].as_str().unwrap().to_string();
    // Asking again gives the same secret until it is confirmed.
    let again: Value = client
        .post(app.url("/api/v1/auth/login/two-factor/enrolment"))
        .json(&json!({"challenge": challenge}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["secret"], e["secret"]);
    let r = client
        .post(app.url("/api/v1/auth/login/two-factor/enrolment/confirm"))
        .json(&json!({"challenge": challenge, "code": code_at(&secret, now(&app))}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["login"]["email"], "cy@required.test");
    assert_eq!(v["recovery_codes"].as_array().unwrap().len(), 10);
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let st: Value = client
        .get(app.url("/api/v1/me/two-factor"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(st["required"], true);
    // Required: it cannot be turned off.
    app.advance(60);
    let r = client
        .post(app.url("/api/v1/me/two-factor/disable"))
        .header("X-CSRF-Token", &csrf)
        .json(&json!({"password": PW, "code": code_at(&secret, now(&app))}))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::CONFLICT, "two_factor_required").await;

    // The customer lost its phone: the partner's owner resets it (a member may not).
    let cy_id = v["login"]["id"].as_i64().unwrap();
    let mo = app.login_after_enrol("mo@required.test").await;
    expect_error(
        mo.delete(&format!("/api/v1/logins/{cy_id}/two-factor"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let ada = app.login_after_enrol("ada@required.test").await;
    let r = ada
        .delete(&format!("/api/v1/logins/{cy_id}/two-factor"))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'two_factor.reset'")
            .await,
        1
    );
    // Another tree cannot reach the login at all.
    let q = create(&op, 1, "partner", "Other Partner").await;
    add_login(&op, q, "oz@other.test", "owner").await;
    let oz = app.login("oz@other.test", PW).await;
    expect_error(
        oz.delete(&format!("/api/v1/logins/{cy_id}/two-factor"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Still required: its next sign-in leads to a new set-up.
    let (_, step) = password_step(&app, "cy@required.test", PW).await;
    assert_eq!(step["second_step"], "enrol");
}

impl TestApp {
    /// Signs in a login that must set up a second factor: sets it up on the way.
    pub async fn login_after_enrol(&self, email: &str) -> Session {
        let (client, step) = password_step(self, email, PW).await;
        assert_eq!(step["second_step"], "enrol");
        let challenge = step["challenge"].as_str().unwrap().to_string();
        let e: Value = client
            .post(self.url("/api/v1/auth/login/two-factor/enrolment"))
            .json(&json!({"challenge": challenge}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let secret = e["secret"].as_str().unwrap();
        let r = client
            .post(self.url("/api/v1/auth/login/two-factor/enrolment/confirm"))
            .json(&json!({"challenge": challenge, "code": code_at(secret, now(self))}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        Session {
            client,
            base: self.base.clone(),
            csrf: v["csrf_token"].as_str().unwrap().to_string(),
            body: v,
        }
    }
}

async fn browser_sign_in(b: &crate::browser::Browser, app: &TestApp, email: &str) {
    let pw = if email == ADMIN_EMAIL {
        ADMIN_PASSWORD
    } else {
        PW
    };
    b.client.goto(&app.url("/login")).await.unwrap();
    b.fill("#email", email).await;
    b.fill("#password", pw).await;
    b.click("#sign-in").await;
}

async fn path_of(b: &crate::browser::Browser) -> String {
    b.client.current_url().await.unwrap().path().to_string()
}

/// In Chromium: a login sets up two-factor sign-in from My profile (QR code, code, recovery
/// codes), signs in again with a wrong and then a right code; a login the operator requires
/// it of is led to set it up; the operator's policy page. Screenshots at 1366 and 390.
#[tokio::test]
async fn browser_two_factor_from_set_up_to_sign_in() {
    let Some(b) = crate::browser::Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Browser Two Factor").await;
    add_login(&op, p, "bea@twofactor.test", "owner").await;
    let c = create(&op, p, "customer", "Browser Required Customer").await;
    add_login(&op, c, "cam@twofactor.test", "owner").await;

    b.client.set_window_size(1366, 900).await.unwrap();
    browser_sign_in(&b, &app, "bea@twofactor.test").await;
    b.client.goto(&app.url("/profile")).await.unwrap();
    b.click("#two-factor-link").await;
    b.screenshot("two-factor-off-1366").await;
    b.click("#start-two-factor").await;
    let secret = b.text("#totp-secret").await;
    assert_eq!(secret.len(), 32, "a 160-bit secret in base32");
    b.screenshot("two-factor-set-up-1366").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("two-factor-set-up-390").await;
    b.fill("#code", "12").await;
    b.click("#confirm-code").await;
    assert!(b.text("#code-error").await.contains("not right"));
    b.fill("#code", &code_at(&secret, now(&app))).await;
    b.click("#confirm-code").await;
    let codes = b.text("#recovery-codes").await;
    assert_eq!(
        codes.lines().filter(|l| l.contains('-')).count(),
        10,
        "{codes}"
    );
    b.screenshot("two-factor-recovery-codes-390").await;
    b.click("#continue").await;
    assert!(b
        .text("#two-factor-state")
        .await
        .contains("asks for a code"));
    b.screenshot("two-factor-on-390").await;

    // Signing in again asks for a code after the password.
    b.click("#logout").await;
    browser_sign_in(&b, &app, "bea@twofactor.test").await;
    assert_eq!(path_of(&b).await, "/login/two-factor");
    b.screenshot("two-factor-code-390").await;
    app.advance(60);
    let right = code_at(&secret, now(&app));
    let wrong = format!(
        "{:06}",
        (right.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    b.fill("#code", &wrong).await;
    b.click("#verify-code").await;
    assert!(b.text("#code-error").await.contains("not right"));
    b.screenshot("two-factor-code-error-390").await;
    b.fill("#code", &right).await;
    b.click("#verify-code").await;
    assert_eq!(path_of(&b).await, "/");
    b.click("#logout").await;

    // The operator requires it of everyone under the partner: its customer is led to set it up.
    let r = op
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/accounts/{p}/two-factor-policy"),
            Some(json!({"below": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    b.client.set_window_size(1366, 900).await.unwrap();
    browser_sign_in(&b, &app, "cam@twofactor.test").await;
    assert_eq!(path_of(&b).await, "/login/two-factor/enrol");
    b.screenshot("two-factor-required-enrol-1366").await;
    let secret = b.text("#totp-secret").await;
    b.fill("#code", &code_at(&secret, now(&app))).await;
    b.click("#confirm-code").await;
    assert!(b.text("#recovery-codes").await.contains('-'));
    b.click("#continue").await;
    assert_eq!(path_of(&b).await, "/");
    b.click("#logout").await;

    // The operator's page of the partner: the policy, and the logins with their second factor.
    browser_sign_in(&b, &app, ADMIN_EMAIL).await;
    b.client
        .goto(&app.url(&format!("/accounts/{p}/two-factor")))
        .await
        .unwrap();
    assert!(b
        .text("#two-factor-logins")
        .await
        .contains("bea@twofactor.test"));
    b.screenshot("two-factor-account-1366").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("two-factor-account-390").await;
    b.close().await;
}
