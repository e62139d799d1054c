//! Customers in the browser: a partner adds a customer through the wizard (a 51-character name
//! refused beside the field, Next to the rebrand step with a logo, Finish), finds it in the list,
//! ticks two customers and deletes them after the confirmation naming the counts; at 1366x900
//! and 390x844, with screenshots.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::Browser;
use crate::customers::{name_of, world, PNG};
use crate::support::*;
use crate::tree::PW;

async fn shots(b: &Browser, name: &str, at: &str) {
    b.shots(&format!("customers-{name}"), at).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_adds_a_customer_with_the_wizard_and_deletes_two_after_the_confirmation() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let _w = world(&app).await;
    let p = app.login("owner@northwind.test", PW).await;
    for (name, email) in [
        ("Bakery Mountain", "bread@mountain.example"),
        ("Zebra Gym", "gym@zebra.example"),
    ] {
        let r = p
            .post("/api/v1/customers", json!({"name": name, "email": email}))
            .await;
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    }
    let file = std::env::temp_dir().join(format!(
        "pp-logo-{}.png",
        partner_panel::kernel::secrets::random_hex(4)
    ));
    std::fs::write(&file, PNG).unwrap();
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", "owner@northwind.test").await;
        b.fill("#password", PW).await;
        b.click("#sign-in").await;
        b.click("#nav-customers").await;
        assert!(b.text("#customers-title").await.contains("Customers"));
        shots(&b, "list", "#customer-list").await;

        // Step 1: 51 characters are refused beside the field, what was typed kept.
        b.click("#add-customer").await;
        assert!(b.text("#wizard-owner").await.contains("Northwind Media"));
        b.fill("#customer-name", &name_of(51)).await;
        b.fill("#customer-email", "cafe@aurora.example").await;
        b.click("#wizard-next").await;
        assert!(b.text("#customer-name-error").await.contains("at most 50"));
        shots(&b, "wizard-name-error", "#customer-wizard").await;
        b.fill("#customer-name", "Café Aurora ☕").await;
        b.click("#wizard-next").await;

        // Step 2: the rebrand information with a logo, then Finish.
        b.fill("#brand-display-name", "Aurora Coffee").await;
        b.fill("#brand-primary", "#7c2d12").await;
        b.fill("#brand-accent", "#ea580c").await;
        b.fill("#brand-support-email", "help@aurora.example").await;
        b.client
            .find(Locator::Css("#brand-logo"))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        shots(&b, "wizard-rebrand", "#customer-wizard").await;
        b.click("#wizard-finish").await;
        assert!(b
            .text("#flash")
            .await
            .contains("with its rebrand information"));
        assert!(b.text("#customer-list").await.contains("Café Aurora ☕"));
        shots(&b, "list-added", "#customer-list").await;

        // The customer's page.
        b.client
            .find(Locator::LinkText("Café Aurora ☕"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(b
            .text("#customer-brand-name")
            .await
            .contains("Aurora Coffee"));
        shots(&b, "customer", "#customer-title").await;

        // Tick two and delete them: the confirmation names the counts.
        b.client.goto(&app.url("/customers")).await.unwrap();
        for name in ["Bakery Mountain", "Zebra Gym"] {
            b.click(&format!("input[aria-label='Select {name}']")).await;
        }
        b.click("#delete-customers").await;
        assert_eq!(
            b.text("#delete-question").await,
            "Delete 2 customers and 0 logins?"
        );
        shots(&b, "delete-confirm", "#delete-confirm").await;
        b.click("#delete-confirm-go").await;
        assert!(b
            .text("#flash")
            .await
            .contains("2 customers and 0 logins deleted"));
        let list = b.text("#customer-list").await;
        assert!(!list.contains("Zebra Gym") && list.contains("Café Aurora"));
        shots(&b, "list-after-delete", "#customer-list").await;

        // The rebranded customer's own login sees its brand in the header.
        let op = app.login_admin().await;
        let cafe = app
            .count("SELECT id FROM accounts WHERE name = 'Café Aurora ☕'")
            .await;
        crate::tree::add_login(&op, cafe, "staff@aurora.example", "owner").await;
        b.click("#logout").await;
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", "staff@aurora.example").await;
        b.fill("#password", PW).await;
        b.click("#sign-in").await;
        assert_eq!(b.text("#brand-name").await, "Aurora Coffee");
        shots(&b, "rebranded-customer-home", "header.topbar").await;
    };
    run.await;
    let _ = std::fs::remove_file(&file);
    b.close().await;
    app.stop().await;
}
