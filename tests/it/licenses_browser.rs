//! Licenses in the browser: a quick action's form, drilling down from a tile of the totals
//! into exactly its list, and a bulk deactivation confirmed by its number; at desktop and
//! phone widths, with screenshots.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::Browser;
use crate::support::*;

async fn shots(b: &Browser, name: &str, at: &str) {
    b.shots(&format!("licenses-{name}"), at).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_creates_drills_down_from_a_tile_and_deactivates_in_bulk() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = crate::tree::create(&op, 1, "partner", "Tile Partner").await;
    let d = crate::tree::create(&op, p, "dealer", "Tile Dealer").await;
    crate::tree::add_login(&op, p, "owner@tile.test", "owner").await;
    // The partner's own licenses are switched off only from above: the bulk below switches off
    // its dealer's.
    for (ty, holder, state) in [
        ("agent", d, "active"),
        ("agent", d, "active"),
        ("agent", d, "active"),
        ("agent", p, "pending"),
        ("login", d, "active"),
        ("development", p, "pending"),
    ] {
        let r = op
            .post(
                "/api/v1/licenses",
                json!({"type": ty, "holder_id": holder, "state": state}),
            )
            .await;
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    }
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", "owner@tile.test").await;
        b.fill("#password", crate::tree::PW).await;
        b.click("#sign-in").await;
        b.click("#nav-licenses").await;
        assert_eq!(b.text("#tile-agent-active .num").await, "3");
        shots(&b, "overview", "h1").await;
        // A quick action opens the form with its type chosen; a bad end is shown at the field.
        b.click("#quick-actions a[data-type=login]").await;
        let chosen = b
            .client
            .find(Locator::Css("#new-type"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(chosen.as_deref(), Some("login"));
        // The login's fields show for a login license; the partner's do not.
        let shown = |css: &'static str| {
            let c = b.client.clone();
            async move {
                c.find(Locator::Css(css))
                    .await
                    .unwrap()
                    .is_displayed()
                    .await
                    .unwrap()
            }
        };
        assert!(shown("#new-login-email").await);
        assert!(!shown("#new-partner-name").await);
        b.fill("#new-login-email", "desk@tile.test").await;
        b.fill("#new-login-name", "Front Desk").await;
        b.fill("#new-seats", "0").await;
        b.click("#create-license").await;
        assert!(b.text("#err-seats").await.contains("1 or more"));
        shots(&b, "form-error", "#add-license").await;
        b.fill("#new-seats", "4").await;
        b.click("#create-license").await;
        assert!(b
            .text("#flash")
            .await
            .contains("login license for Tile Partner was created, with the login desk@tile.test"));
        assert_eq!(b.text("#license-state").await, "active");
        // The tile's number is the list's total.
        b.client.goto(&app.url("/licenses/overview")).await.unwrap();
        b.click("#tile-agent-active").await;
        assert_eq!(b.text("#lic-count").await, "3 licenses");
        shots(&b, "list", "#lic-count").await;
        // Bulk: choose all on the page, deactivate, confirm the number.
        b.click("#bulk-all").await;
        b.click("#bulk-go").await;
        assert!(b.text("#bulk-summary").await.contains("3 licenses"));
        shots(&b, "bulk-confirm", "h1").await;
        b.click("#bulk-confirm").await;
        assert!(b.text("#flash").await.contains("3 license(s) deactivated"));
        assert_eq!(b.text("#lic-count").await, "0 licenses");
        b.client.goto(&app.url("/licenses/overview")).await.unwrap();
        assert_eq!(b.text("#tile-agent-inactive .num").await, "3");
        assert_eq!(b.text("#tile-agent-active .num").await, "0");
        assert_eq!(b.text("#tile-login-active .num").await, "2");
        shots(&b, "after-bulk", "#totals-agent").await;
    };
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), run).await;
    b.close().await;
    out.expect("browser scenario timed out");
}
