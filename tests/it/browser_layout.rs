//! The layout in headless Chromium, for each kind of account at desktop (1366×900) and phone
//! (390×844) width: no page of the menu is wider than the window, the phone's menu button opens
//! the menu, and a screenshot of every main page at both widths (`<kind>-<page>-<width>.png`).

use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;

use crate::browser::Browser;
use crate::layout::world;
use crate::support::*;
use crate::tree::PW;

/// Sizes the window so that the page's viewport is `w`×`h`.
async fn viewport(b: &Browser, w: u32, h: u32) {
    b.client.set_window_size(w, h).await.unwrap();
    let inner = b
        .client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (iw, ih) = (
        inner[0].as_u64().unwrap() as u32,
        inner[1].as_u64().unwrap() as u32,
    );
    if iw != w || ih != h {
        b.client
            .set_window_size(w + (w - iw.min(w)), h + (h - ih.min(h)))
            .await
            .unwrap();
    }
}

async fn js(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.client.goto(&app.url("/login")).await.unwrap();
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.click("#sign-in").await;
    b.text("#account-in-view").await;
}

async fn sign_out(b: &Browser) {
    b.client.delete_all_cookies().await.unwrap();
}

/// The main pages of the menu shown: (id without "nav-", path), quick options left out.
async fn menu_pages(b: &Browser) -> Vec<(String, String)> {
    let v = js(
        b,
        "return Array.from(document.querySelectorAll('#menu a[id^=\"nav-\"]'))\
           .filter(a => !a.id.startsWith('nav-goto-'))\
           .map(a => [a.id.slice(4), a.getAttribute('href')]);",
    )
    .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn displayed(b: &Browser, css: &str) -> bool {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_fits_the_window_at_desktop_and_phone_width() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let run = async {
        let op = app.login_admin().await;
        let w = world(&op).await;
        let logins = [
            ("operator", ADMIN_EMAIL.to_string(), ADMIN_PASSWORD),
            ("partner", "partner-owner@layout.test".to_string(), PW),
            ("reseller", "reseller-owner@layout.test".to_string(), PW),
            ("dealer", "dealer-owner@layout.test".to_string(), PW),
            ("customer", "customer-owner@layout.test".to_string(), PW),
        ];
        for (kind, email, password) in &logins {
            viewport(&b, 1366, 900).await;
            sign_in(&b, &app, email, password).await;
            let pages = menu_pages(&b).await;
            assert!(pages.len() >= 5, "{kind}: {pages:?}");
            if *kind == "customer" {
                let ids: Vec<&str> = pages.iter().map(|(i, _)| i.as_str()).collect();
                for absent in ["accounts", "tokens", "api-docs"] {
                    assert!(!ids.contains(&absent), "customer menu: {ids:?}");
                }
            }
            for (w, h) in [(1366u32, 900u32), (390, 844)] {
                viewport(&b, w, h).await;
                for (id, href) in &pages {
                    b.client.goto(&app.url(href)).await.unwrap();
                    b.text("body").await;
                    let fits = js(
                        &b,
                        "return [document.documentElement.scrollWidth, window.innerWidth];",
                    )
                    .await;
                    let (sw, iw) = (fits[0].as_u64().unwrap(), fits[1].as_u64().unwrap());
                    b.screenshot(&format!("{kind}-{id}-{w}")).await;
                    assert!(
                        sw <= iw,
                        "{kind} {href} at {w}px is {sw}px wide (window {iw}px)"
                    );
                }
                // An error page keeps the layout and its menu.
                b.client.goto(&app.url("/no-such-page")).await.unwrap();
                assert!(b.text("#error-code").await.contains("not_found"));
                assert!(displayed(&b, "#account-in-view").await);
                b.screenshot(&format!("{kind}-error-404-{w}")).await;
            }
            if *kind == "operator" {
                // Acting as the partner, a refused page shows the banner and its Exit.
                viewport(&b, 1366, 900).await;
                b.client
                    .goto(&app.url(&format!("/accounts/{}", w.partner)))
                    .await
                    .unwrap();
                b.click("#act-as").await;
                b.text("#acting-banner").await;
                b.client.goto(&app.url("/profile")).await.unwrap();
                assert!(b.text("#error-code").await.contains("forbidden"));
                assert!(displayed(&b, "#acting-exit").await);
                assert!(displayed(&b, "#nav-dealers").await, "the partner's menu");
                b.screenshot("operator-acting-error-403-1366").await;
                viewport(&b, 390, 844).await;
                b.screenshot("operator-acting-error-403-390").await;
            }
            // On the phone the menu is behind its button, which opens and closes it.
            b.client.goto(&app.url("/")).await.unwrap();
            assert!(
                !displayed(&b, "#menu").await,
                "{kind}: menu closed on a phone"
            );
            assert!(displayed(&b, "#menu-button").await);
            b.client
                .find(Locator::Css("#menu-button"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
            assert!(displayed(&b, "#menu").await, "{kind}: the button opens it");
            assert!(displayed(&b, "#nav-dashboard").await);
            b.screenshot(&format!("{kind}-menu-open-390")).await;
            b.client
                .find(Locator::Css("#menu-button"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
            assert!(!displayed(&b, "#menu").await, "{kind}: and closes it");
            // With the keyboard: the toggle takes the focus and Space opens the menu.
            js(
                &b,
                "document.getElementById('menu-toggle').focus(); return 0;",
            )
            .await;
            b.client
                .active_element()
                .await
                .unwrap()
                .send_keys(" ")
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
            assert!(displayed(&b, "#menu").await, "{kind}: Space opens it");
            sign_out(&b).await;
        }
    };
    run.await;
    b.close().await;
    app.stop().await;
}
