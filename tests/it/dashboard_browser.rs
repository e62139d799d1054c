//! The dashboard in the browser for the operator, a partner, a dealer and a customer, at desktop
//! and phone widths (screenshots in target/screenshots/dashboard-*): what each sees, a tile
//! opening exactly its list, a quick action opening the form preset, "Login as partner".

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;
use crate::tree::{add_login, PW};

async fn shots(b: &Browser, name: &str) {
    b.shots(&format!("dashboard-{name}"), "body").await
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&app.url("/login")).await.unwrap();
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.click("#sign-in").await;
    b.text("#account-name").await;
}

/// Waits (up to 10 s) until the element's text holds `needle` (htmx answers after a delay).
async fn wait_text(b: &Browser, css: &str, needle: &str) -> String {
    let mut t = String::new();
    for _ in 0..50 {
        t = b.text(css).await;
        if t.contains(needle) {
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("{css} never showed {needle:?}: {t:?}")
}

async fn present(b: &Browser, css: &str) -> bool {
    b.client.find(Locator::Css(css)).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_viewer_sees_its_own_dashboard_at_desktop_and_phone_width() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let w = crate::dashboard::world(&app).await;
    add_login(&w.op, w.pid, "boss@dash.test", "owner").await;
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        // The operator: billing, approvals waiting, Login as partner from the search box.
        sign_in(&b, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(b.text("#pending-partnership .num").await, "1");
        assert!(present(&b, "#operator-billing").await);
        shots(&b, "operator").await;
        b.fill("#dash-act-q", "Dash P").await;
        let found = wait_text(&b, "#dash-act-results", "Dash Partner").await;
        assert!(!found.contains("Dash Dealer"), "{found}");
        b.screenshot("dashboard-operator-login-as").await;
        // htmx may swap the results again while typing settles: find and press in one step.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        b.client
            .execute(
                "document.querySelector('#dash-act-results button.switch-to').click();",
                vec![],
            )
            .await
            .unwrap();
        wait_text(&b, "#account-name", "Dash Partner").await;

        // A partner: its package, tiles that open exactly their list, a preset quick action.
        sign_in(&b, &app, "boss@dash.test", PW).await;
        assert!(present(&b, "#package-status").await);
        assert!(!present(&b, "#operator-billing").await);
        shots(&b, "partner").await;
        let n = b.text("#dash-tile-player-pending .num").await;
        assert_eq!(n, "1");
        b.click("#dash-tile-player-pending").await;
        assert_eq!(b.text("#lic-count").await, "1 license");
        b.client.goto(&app.url("/")).await.unwrap();
        b.click("#quick-partner").await;
        let chosen = b
            .client
            .find(Locator::Css("#new-type"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(chosen.as_deref(), Some("partner"));

        // A dealer: its subscribers and their licenses; nothing about partners.
        sign_in(&b, &app, "dealer@dash.test", PW).await;
        assert!(b
            .text("#count-customer")
            .await
            .to_lowercase()
            .contains("customers below"));
        assert!(!present(&b, "#count-partner").await);
        assert!(!present(&b, "#dash-totals-development").await);
        shots(&b, "dealer").await;

        // A customer: its licenses only.
        sign_in(&b, &app, "customer@dash.test", PW).await;
        assert!(!present(&b, "[id^=count-]").await);
        assert!(present(&b, "#dash-totals-player").await);
        assert!(!present(&b, "#dash-totals-partner").await);
        shots(&b, "customer").await;
    };
    let out = tokio::time::timeout(std::time::Duration::from_secs(150), run).await;
    b.close().await;
    out.expect("browser scenario timed out");
}
