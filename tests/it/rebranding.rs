//! Rebranding (issue 13): what a login sees follows its own account, then the nearest account
//! above with rebrand information, then the operator's: a customer's login sees its partner's
//! brand, a rebranded customer its own, the operator's pages stay as they were; the brand's
//! sign-in link wears it; emails to its logins carry its sender name, colours and support.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::customers::{b64, PNG};
use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn page(s: &Session, path: &str) -> String {
    let r = s.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn each_login_sees_the_nearest_brand_in_pages_sign_in_and_emails() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let partner = create(&op, 1, "partner", "Northwind Media").await;
    let r = op
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/brands/{partner}"),
            Some(
                json!({"display_name": "Northwind Look", "primary_color": "#123456",
                "support_email": "care@northwind.example", "footer": "Northwind Media Ltd",
                "logo": {"data": b64(PNG)}}),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let brand: Value = r.json().await.unwrap();
    let p = app.login_admin().await;
    let plain: Value = p
        .post(
            "/api/v1/customers",
            json!({"under": partner, "name": "Plain Cafe", "email": "plain@cafe.example"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let own: Value = p
        .post("/api/v1/customers", json!({"under": partner, "name": "Aurora", "email": "a@aurora.example",
            "brand": {"display_name": "Aurora Coffee", "accent_color": "#ea580c", "support_phone": "+49 30 1"}}))
        .await
        .json()
        .await
        .unwrap();
    let plain_id = plain["customer"]["id"].as_i64().unwrap();
    let own_id = own["customer"]["id"].as_i64().unwrap();
    add_login(&op, plain_id, "staff@plain.example", "owner").await;
    add_login(&op, own_id, "staff@aurora.example", "owner").await;

    // The customer without a brand sees its partner's; the rebranded one its own.
    let c1 = app.login("staff@plain.example", PW).await;
    let home = page(&c1, "/").await;
    assert!(
        home.contains(r#"<span id="brand-name">Northwind Look</span>"#),
        "{home}"
    );
    assert!(home.contains("--brand-primary: #123456"));
    assert!(home.contains(r#"id="brand-logo""#));
    assert!(home.contains("Northwind Media Ltd") && home.contains("care@northwind.example"));
    let c2 = app.login("staff@aurora.example", PW).await;
    let home = page(&c2, "/").await;
    assert!(home.contains(r#"<span id="brand-name">Aurora Coffee</span>"#));
    assert!(home.contains("--brand-accent: #ea580c") && !home.contains("Northwind Look"));
    // The operator's pages are untouched.
    let home = page(&op, "/").await;
    assert!(
        !home.contains("data-brand")
            && home.contains(r#"<a class="brand" href="/">Partner Panel</a>"#)
    );
    // GET /brands/{id} tells what its logins see.
    let v: Value = op
        .get(&format!("/api/v1/brands/{plain_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["brand"].is_null());
    assert_eq!(v["seen"]["display_name"], "Northwind Look");

    // The brand's sign-in link wears it; the plain sign-in page does not.
    let url = brand["sign_in_url"].as_str().unwrap();
    let signin = app
        .client()
        .get(app.url(url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(signin.contains("Northwind Look"), "{signin}");
    let signin = app
        .client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!signin.contains("Northwind Look"));

    // Emails: the sender name, the colours and the support contact of the brand each login sees.
    for email in ["staff@plain.example", "staff@aurora.example", ADMIN_EMAIL] {
        let r = app
            .client()
            .post(app.url("/api/v1/auth/password-reset"))
            .json(&json!({"email": email}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let row = |email: &str| {
        let email = email.to_string();
        let pool = app.state.db.pool.clone();
        async move {
            sqlx::query_as::<_, (Option<String>, String, Option<String>)>(
                "SELECT sender_name, body_text, body_html FROM outbox WHERE recipient = $1",
            )
            .bind(email)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (sender, text, html) = row("staff@plain.example").await;
    assert_eq!(sender.as_deref(), Some("Northwind Look"));
    assert!(text.contains("Support: care@northwind.example"), "{text}");
    let html = html.unwrap();
    assert!(
        html.contains("background: #123456") && html.contains("/logo?v="),
        "{html}"
    );
    let (sender, text, _) = row("staff@aurora.example").await;
    assert_eq!(sender.as_deref(), Some("Aurora Coffee"));
    assert!(text.contains("+49 30 1"));
    let (sender, text, _) = row(ADMIN_EMAIL).await;
    assert!(sender.is_none() && !text.contains("Support:"));
    app.run_jobs().await;
    let mail = app.smtp.to("staff@plain.example").pop().expect("mail sent");
    let from = mail
        .data
        .lines()
        .find(|l| l.starts_with("From:"))
        .unwrap()
        .to_string();
    assert!(from.contains("Northwind Look"), "{from}");
    let mail = app.smtp.to(ADMIN_EMAIL).pop().expect("mail sent");
    assert!(!mail.data.contains("Northwind Look"));

    // Removing a customer's brand: it sees its partner's again.
    let r = op.delete(&format!("/api/v1/brands/{own_id}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(page(&c2, "/")
        .await
        .contains(r#"<span id="brand-name">Northwind Look</span>"#));
    app.stop().await;
}
