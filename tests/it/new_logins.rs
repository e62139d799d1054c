//! New owner logins: with PANEL_NEW_LOGIN_MAIL=link the approval and partner-license mails carry
//! a single-use "set your password" link instead of a password; either way no password or link
//! stays readable in the outbox once the mail is sent.

use partner_panel::config::NewLoginMail;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::licenses::new_license;
use crate::networks::capped_package;
use crate::support::*;
use crate::tree::create;

/// The set-password token in the last mail to `to` (quoted-printable undone).
fn link_token(app: &TestApp, to: &str) -> Option<String> {
    let mail = app.smtp.to(to).pop()?;
    let data = mail
        .data
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let at = data.find("reset-password?token=")? + "reset-password?token=".len();
    Some(data[at..at + 64].to_string())
}

async fn set_password(app: &TestApp, token: &str, pw: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/auth/password-reset/confirm"))
        .json(&json!({"token": token, "new_password": pw}))
        .send()
        .await
        .unwrap()
}

async fn register_and_approve(app: &TestApp, op: &Session, email: &str) {
    let package = capped_package(op, "Link Package", None, None).await;
    let r = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({
            "company_name": "Link Partner", "contact_name": "Lin Link", "email": email,
            "phone": "+49 30 555", "website": "https://link.example", "package_id": package,
            "no_resellers": false, "directory_consent": false
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = op
        .post(
            &format!("/api/v1/partnership-requests/{id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.run_jobs().await;
}

#[tokio::test]
async fn with_links_an_approved_partner_chooses_its_password_once() {
    let app = TestApp::spawn_with(|c| c.new_login_mail = NewLoginMail::Link).await;
    let op = app.login_admin().await;
    register_and_approve(&app, &op, "lin@link.test").await;
    let mail = app.smtp.to("lin@link.test").pop().expect("approval mail");
    assert!(
        !mail.data.contains("password: "),
        "no password in the mail: {}",
        mail.data
    );
    let token = link_token(&app, "lin@link.test").expect("a set-password link");
    // Sent: the outbox no longer holds the link.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%{token}%' OR body_html LIKE '%{token}%'"
        ))
        .await,
        0
    );
    let r = set_password(&app, &token, "my-chosen-password-1").await;
    assert!(r.status().is_success(), "{}", r.status());
    let s = app.login("lin@link.test", "my-chosen-password-1").await;
    assert_eq!(s.body["login"]["role"], "owner");
    let (status, code, ..) = error_of(set_password(&app, &token, "another-password-2").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reset_link_used")
    );

    // A partner made with a partner license gets a link too, good for 72 hours, not more.
    let reseller = create(&op, 1, "reseller", "Link Reseller").await;
    new_license(
        &op,
        json!({"type": "partner", "holder_id": reseller, "partner_name": "Licensed Link",
               "owner_name": "Lou Link", "owner_email": "lou@link.test"}),
    )
    .await;
    app.run_jobs().await;
    let mail = app.smtp.to("lou@link.test").pop().expect("owner mail");
    assert!(!mail.data.contains("Password:"), "{}", mail.data);
    let token = link_token(&app, "lou@link.test").expect("a set-password link");
    app.advance(73 * 3600);
    let (status, code, ..) =
        error_of(set_password(&app, &token, "too-late-password-1").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reset_link_expired")
    );
}

#[tokio::test]
async fn a_mailed_password_does_not_stay_in_the_outbox() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    register_and_approve(&app, &op, "pat@mailed.test").await;
    let mail = app.smtp.to("pat@mailed.test").pop().expect("approval mail");
    let password = mail
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("the password in the mail")
        .trim()
        .to_string();
    app.login("pat@mailed.test", &password).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%{password}%' OR body_html LIKE '%{password}%'"
        ))
        .await,
        0,
        "the sent mail's body left the outbox"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE template = 'partner_approved' AND status = 'sent'"
        )
        .await,
        1
    );
}
