//! "Export my data": the account in view as a JSON download (API and page) with the account,
//! its logins without hashes, and its tickets with the thread as the customer sees it: answers
//! from "Servicecenter", no internal note, no staff name or email.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::support::*;
use crate::tickets::world;

const STAFF: &str = "staff.person@partner-t.test";

#[tokio::test]
async fn a_customers_export_holds_its_tickets_as_it_sees_them_and_nothing_internal() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = crate::tickets::open(&w.customer, "Export me", "normal").await;
    for body in [
        json!({"text": "Answer for the customer"}),
        json!({"text": "internal: do not refund", "internal": true}),
    ] {
        let r = w
            .partner
            .post(&format!("/api/v1/tickets/{id}/messages"), body)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    let r = w.customer.get("/api/v1/me/export").await;
    assert_eq!(r.status(), StatusCode::OK);
    let cd = r.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.starts_with("attachment;") && cd.contains(".json"),
        "{cd}"
    );
    let text = r.text().await.unwrap();
    for leak in [
        STAFF,
        "staff.person",
        "internal: do not refund",
        "password",
        "$argon2",
        "Ticket Dealer",
        "escalated_at",
    ] {
        assert!(!text.contains(leak), "export holds {leak:?}: {text}");
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["account"]["id"], w.customer_id);
    assert_eq!(v["account"]["name"], "Ticket Customer");
    let logins = v["logins"].as_array().unwrap();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0]["email"], "buyer@customer-t.test");
    let tickets = v["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["ticket"]["subject"], "Export me");
    let msgs = tickets[0]["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2, "{text}");
    assert_eq!(msgs[1]["author"], "Servicecenter");
    assert_eq!(msgs[1]["body"], "Answer for the customer");
    assert!(msgs.iter().all(|m| m["internal"] == false));

    // The page and its download give the same data.
    let page = w.customer.get("/me/export").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("/me/export.json"));
    let r = w.customer.get("/me/export.json").await;
    assert_eq!(r.status(), StatusCode::OK);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["tickets"][0]["messages"][1]["author"], "Servicecenter");

    // The partner's own export has its logins and none of the customer's tickets.
    let p: Value = w
        .partner
        .get("/api/v1/me/export")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["account"]["id"], w.partner_id);
    assert_eq!(p["tickets"].as_array().unwrap().len(), 0);
    assert_eq!(p["logins"][0]["email"], STAFF);
    assert!(!p.to_string().contains("buyer@customer-t.test"));

    // The export was recorded.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.export'")
            .await,
        3
    );
    // Signed out: refused.
    let r = app
        .client()
        .get(app.url("/api/v1/me/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
