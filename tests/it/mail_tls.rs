//! Mail over TLS: STARTTLS and implicit TLS against a local relay whose certificate the test's
//! CA signed; the certificate is verified, so a relay the panel does not trust gets no mail
//! (the message stays in the outbox with the reason).

use partner_panel::config::SmtpTls;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

/// Asks a password reset for the operator (one mail), delivers the outbox.
async fn send_one_mail(app: &TestApp) {
    let r = app
        .client()
        .post(app.url("/api/v1/auth/password-reset"))
        .json(&json!({ "email": ADMIN_EMAIL }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.run_jobs().await;
}

#[tokio::test]
async fn mail_goes_over_starttls_and_implicit_tls_with_the_certificate_checked() {
    for (mode, tls) in [
        (SmtpTlsMode::StartTls, SmtpTls::StartTls),
        (SmtpTlsMode::Implicit, SmtpTls::Tls),
    ] {
        let app = TestApp::spawn_with_smtp(mode, |c| {
            let s = c.smtp.as_mut().unwrap();
            s.tls = tls;
            s.ca_pem = Some(test_smtp_ca());
        })
        .await;
        send_one_mail(&app).await;
        let mails = app.smtp.to(ADMIN_EMAIL);
        assert_eq!(mails.len(), 1, "{mode:?}: one mail arrived");
        assert!(mails[0].tls, "{mode:?}: it came over TLS");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
                .await,
            1
        );
    }
}

#[tokio::test]
async fn a_relay_with_an_untrusted_certificate_gets_no_mail() {
    for (mode, tls) in [
        (SmtpTlsMode::StartTls, SmtpTls::StartTls),
        (SmtpTlsMode::Implicit, SmtpTls::Tls),
    ] {
        // No PANEL_SMTP_CA_FILE: the relay's certificate is signed by a CA nobody trusts.
        let app = TestApp::spawn_with_smtp(mode, |c| {
            c.smtp.as_mut().unwrap().tls = tls;
        })
        .await;
        send_one_mail(&app).await;
        assert!(
            app.smtp.messages().is_empty(),
            "{mode:?}: nothing delivered"
        );
        // The server learns of the refusal a moment after the panel gave up.
        let mut refused = 0;
        for _ in 0..50 {
            refused = app
                .smtp
                .failed_handshakes
                .load(std::sync::atomic::Ordering::SeqCst);
            if refused > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        }
        assert!(refused >= 1, "{mode:?}: the panel refused the handshake");
        let err: Option<String> = sqlx::query_scalar(
            "SELECT last_error FROM outbox WHERE status IN ('pending', 'failed') LIMIT 1",
        )
        .fetch_optional(&app.state.db.pool)
        .await
        .unwrap()
        .flatten();
        let err = err.expect("the mail waits in the outbox with its reason");
        assert!(
            err.to_lowercase().contains("certificate") || err.to_lowercase().contains("tls"),
            "{mode:?}: {err}"
        );
    }
}

#[tokio::test]
async fn a_plain_client_is_refused_by_a_relay_that_requires_starttls() {
    // The panel set to no TLS against a relay that requires STARTTLS: refused, not sent in clear.
    let app = TestApp::spawn_with_smtp(SmtpTlsMode::StartTls, |_| {}).await;
    send_one_mail(&app).await;
    assert!(app.smtp.messages().is_empty());
}

/// A partner approved with its login sent by SMS: one message to the gateway.
async fn approve_by_sms(app: &TestApp) {
    let op = app.login_admin().await;
    let package = crate::networks::capped_package(&op, "Sms Package", None, None).await;
    let r = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({
            "company_name": "Texted Partner", "contact_name": "Tex Ted", "email": "tex@sms.test",
            "phone": "+49 170 555 0102", "website": "https://sms.example", "package_id": package,
            "no_resellers": false, "directory_consent": false, "delivery": "sms"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
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
async fn the_sms_gateway_is_reached_over_https_with_its_certificate_checked() {
    let gateway = TestHttpSink::start_with(true).await;
    assert!(gateway.url.starts_with("https://"));
    let url = gateway.url.clone();
    let app = TestApp::spawn_with(move |c| {
        c.sms_gateway_url = Some(url);
        c.sms_ca_pem = Some(test_smtp_ca());
    })
    .await;
    approve_by_sms(&app).await;
    let sent = gateway.bodies();
    assert_eq!(sent.len(), 1, "one SMS over https");
    assert!(sent[0].contains("+49 170 555 0102"), "{}", sent[0]);

    // Without the CA the gateway's certificate is not trusted: nothing is sent.
    let untrusted = TestHttpSink::start_with(true).await;
    let url = untrusted.url.clone();
    let app = TestApp::spawn_with(move |c| c.sms_gateway_url = Some(url)).await;
    approve_by_sms(&app).await;
    assert!(untrusted.bodies().is_empty());
    let err: Option<String> = sqlx::query_scalar(
        "SELECT last_error FROM outbox WHERE channel = 'sms' AND status IN ('pending', 'failed')",
    )
    .fetch_optional(&app.state.db.pool)
    .await
    .unwrap()
    .flatten();
    assert!(err.expect("the SMS waits with its reason").contains("TLS"));
}
