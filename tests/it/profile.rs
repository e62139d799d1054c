use partner_panel::kernel::enums::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;
use partner_panel::areas::accounts::AccountId;

#[tokio::test]
async fn change_password_ends_other_sessions_and_emails_the_login() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    let other = app.login_admin().await;

    let (status, code, field, _) = error_of(
        s.post(
            "/api/v1/me/password",
            json!({"current_password": "not-it-at-all", "new_password": "a-new-password-2"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("current_password")
        )
    );
    let (_, _, field, msg) = error_of(
        s.post(
            "/api/v1/me/password",
            json!({"current_password": ADMIN_PASSWORD, "new_password": "short"}),
        )
        .await,
    )
    .await;
    assert_eq!(field.as_deref(), Some("new_password"));
    assert!(msg.contains("at least 10"), "{msg}");

    let r = s
        .post(
            "/api/v1/me/password",
            json!({"current_password": ADMIN_PASSWORD, "new_password": "a-new-password-2"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        s.get("/api/v1/me").await.status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        other.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "the other one ends"
    );
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.login(ADMIN_EMAIL, "a-new-password-2").await;

    // The notice went through the outbox to the SMTP server.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
            .await,
        1
    );
    assert!(
        app.smtp.messages().is_empty(),
        "stored first, delivered by a job"
    );
    assert_eq!(app.run_jobs().await, 1);
    let mails = app.smtp.to(ADMIN_EMAIL);
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject(),
        "Your Partner Panel password was changed"
    );
    assert!(mails[0].data.contains("text/html") && mails[0].data.contains("text/plain"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password.change'")
            .await,
        1
    );
}

#[tokio::test]
async fn profile_changes_are_validated_and_a_new_email_needs_the_password() {
    let app = TestApp::spawn().await;
    let s = app.login_admin().await;
    // Another login that holds an email.
    let mut tx = app.state.db.begin().await.unwrap();
    partner_panel::areas::accounts::logins::insert(
        &app.state,
        &mut tx,
        &Default::default(),
        partner_panel::areas::accounts::logins::NewLogin {
            account_id: AccountId(1),
            email: "taken@panel.test",
            name: "T",
            password: "password-of-t",
            role: Role::Admin,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let r = s
        .patch("/api/v1/me", json!({"name": "Ingrid Operator"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"email": "not-an-email"}), "email"),
        (json!({"email": "new@panel.test"}), "current_password"),
        (
            json!({"email": "new@panel.test", "current_password": "wrong-password"}),
            "current_password",
        ),
    ] {
        let (status, code, f, _) = error_of(s.patch("/api/v1/me", body.clone()).await).await;
        assert_eq!(
            (status, code.as_str(), f.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some(field)
            ),
            "{body}"
        );
    }
    let (status, code, ..) = error_of(
        s.patch(
            "/api/v1/me",
            json!({"email": "TAKEN@panel.test", "current_password": ADMIN_PASSWORD}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "email_taken")
    );

    let r = s
        .patch(
            "/api/v1/me",
            json!({"email": "new@panel.test", "current_password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.login("new@panel.test", ADMIN_PASSWORD).await;
    app.run_jobs().await;
    let mails = app.smtp.to(ADMIN_EMAIL);
    assert_eq!(mails.len(), 1, "the old address is told");
    assert!(mails[0].data.contains("new@panel.test"));
    let audit: serde_json::Value = s.get("/api/v1/me/activity").await.json().await.unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"profile.update") && actions.contains(&"login"),
        "{actions:?}"
    );
}
