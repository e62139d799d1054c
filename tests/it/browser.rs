//! Browser tests in headless Chromium through chromedriver. Without Chromium they report that
//! they were skipped; with CI set they fail instead.

use std::{path::PathBuf, process::Stdio, time::Duration};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::*;

fn find(names: &[&str]) -> Option<PathBuf> {
    for n in names {
        let p = PathBuf::from(n);
        if p.is_absolute() && p.exists() {
            return Some(p);
        }
        if let Ok(path) = std::env::var("PATH") {
            for dir in path.split(':') {
                let c = PathBuf::from(dir).join(n);
                if c.exists() {
                    return Some(c);
                }
            }
        }
    }
    None
}

pub struct Browser {
    pub client: Client,
    driver: std::process::Child,
    _profile: PathBuf,
}

impl Browser {
    /// Screenshots `{name}-desktop` (1366x900) and `{name}-phone` (390x844), each scrolled to
    /// the element `at`; the window is left at desktop size.
    pub async fn shots(&self, name: &str, at: &str) {
        for (w, h, tag) in [(1366, 900, "desktop"), (390, 844, "phone")] {
            self.client.set_window_size(w, h).await.unwrap();
            self.client
                .execute(
                    "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView();",
                    vec![serde_json::json!(at)],
                )
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            self.screenshot(&format!("{name}-{tag}")).await;
        }
        self.client.set_window_size(1366, 900).await.unwrap();
    }

    /// Starts chromedriver and a headless Chromium, or `None` (skipped) when there is none.
    pub async fn start() -> Option<Browser> {
        let chromium = find(&["chromium", "chromium-browser", "google-chrome"]);
        let driver = find(&["chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
                panic!("CI is set but chromium or chromedriver is missing: browser tests must run in CI");
            }
            eprintln!("SKIPPED: browser test (no chromium/chromedriver found)");
            return None;
        };
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = std::process::Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = std::env::temp_dir().join(format!(
            "pp-chrome-{}",
            partner_panel::kernel::secrets::random_hex(6)
        ));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--disable-quic", "--window-size=1280,900",
                         format!("--user-data-dir={}", profile.display())]
            }
        });
        let caps: serde_json::Map<String, serde_json::Value> = caps.as_object().unwrap().clone();
        let mut last = None;
        for _ in 0..60 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        driver: child,
                        _profile: profile,
                    })
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        panic!("could not start a browser session: {last:?}");
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    pub async fn text(&self, css: &str) -> String {
        let mut last = None;
        for _ in 0..5 {
            let e = self
                .client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("{css}: {e}"));
            match e.text().await {
                Ok(t) => return t,
                // The page changed under us: read the new one.
                Err(err) => last = Some(err),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("{css}: {last:?}")
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    /// Clicks, then waits (up to 3 s) for the page to be replaced when the click navigates, so
    /// what is read next comes from the new page, not the old one.
    pub async fn click(&self, css: &str) {
        let old = self.client.find(Locator::Css("html")).await.ok();
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
        // A confirmation dialog is up: the test answers it; touching the page would dismiss it.
        if self.client.get_alert_text().await.is_ok() {
            return;
        }
        if let Some(old) = old {
            for _ in 0..30 {
                if old.tag_name().await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self._profile);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_see_dashboard_change_password_sign_out() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let run = async {
        b.client.goto(&app.url("/")).await.unwrap();
        // Redirected to the login page.
        assert!(b
            .client
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/login"));
        b.screenshot("01-login").await;

        // A wrong password: a clear message, and the form is kept.
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", "wrong-password-1").await;
        b.click("#sign-in").await;
        assert_eq!(
            b.text("#login-error").await,
            "Email or password is incorrect"
        );
        b.screenshot("02-login-failed").await;

        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", ADMIN_PASSWORD).await;
        b.click("#sign-in").await;
        assert_eq!(b.text("#account-name").await, "Servicecenter");
        assert_eq!(b.text("#account-kind").await.to_lowercase(), "operator");
        assert!(b.text("#account-in-view").await.contains("Servicecenter"));
        b.screenshot("03-dashboard").await;

        // Change the password on the profile page: a wrong current one first.
        b.client.goto(&app.url("/profile")).await.unwrap();
        b.fill("#current-password", "not-my-password").await;
        b.fill("#new-password", "browser-password-2").await;
        b.fill("#confirm-password", "browser-password-2").await;
        b.click("#change-password").await;
        assert_eq!(
            b.text("#current-password-error").await,
            "Current password is incorrect"
        );
        b.screenshot("04-profile-error").await;
        b.fill("#current-password", ADMIN_PASSWORD).await;
        b.fill("#new-password", "browser-password-2").await;
        b.fill("#confirm-password", "browser-password-2").await;
        b.click("#change-password").await;
        assert!(b.text("#flash").await.contains("Your password was changed"));
        b.screenshot("05-password-changed").await;

        // Create an API token: shown once.
        b.client.goto(&app.url("/profile/tokens")).await.unwrap();
        b.fill("#token-name", "from the browser").await;
        b.click("#create-token").await;
        assert!(b.text("#new-token").await.starts_with("pp_"));
        b.screenshot("06-token").await;

        // Sign out, then the old password fails and the new one works.
        b.click("#logout").await;
        assert!(b.text("#flash").await.contains("signed out"));
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", ADMIN_PASSWORD).await;
        b.click("#sign-in").await;
        assert_eq!(
            b.text("#login-error").await,
            "Email or password is incorrect"
        );
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", "browser-password-2").await;
        b.click("#sign-in").await;
        assert_eq!(b.text("#account-name").await, "Servicecenter");
    };
    run.await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_docs_render_in_the_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    b.client.goto(&app.url("/api/docs")).await.unwrap();
    // Swagger UI renders the operations from /api/openapi.json.
    let title = b.text(".swagger-ui .info .title").await;
    assert!(title.contains("Partner Panel API"), "{title}");
    let ops = b
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".opblock"))
        .await;
    assert!(ops.is_ok());
    b.screenshot("07-api-docs").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_builds_the_tree_acts_as_a_partner_and_exits() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let run = async {
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", ADMIN_PASSWORD).await;
        b.click("#sign-in").await;
        b.text("#account-name").await;

        // Create a partner under the operator through the account page.
        b.client.goto(&app.url("/accounts/1")).await.unwrap();
        b.fill("#child-name", "Northwind <Media>").await;
        b.click("#create-child").await;
        assert!(b
            .text("#flash")
            .await
            .contains("Northwind <Media> was created"));
        b.screenshot("10-account-page").await;
        // And a wrong one: the add form again, the message beside the name.
        b.fill("#child-name", "   ").await;
        b.click("#create-child").await;
        assert!(b.text("#new-name-error").await.contains("Name is required"));
        b.screenshot("10-account-add-error").await;

        // Find it in the switcher by typing, then act as it.
        b.click("#account-in-view").await;
        b.fill("#switcher-q", "northw").await;
        // The results come by htmx and may be replaced while typing: click once they settle.
        let mut clicked = false;
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let Ok(results) = b.client.find(Locator::Css("#switcher-results")).await else {
                continue;
            };
            let text = results.text().await.unwrap_or_default();
            if !text.contains("Northwind") {
                continue;
            }
            if clicked {
                break;
            }
            b.screenshot("11-switcher").await;
            if let Ok(btn) = b
                .client
                .find(Locator::Css("#switcher-results .switch-to"))
                .await
            {
                if btn.click().await.is_ok() {
                    clicked = true;
                    break;
                }
            }
        }
        assert!(clicked, "the switcher never offered the partner");
        assert_eq!(b.text("#acting-name").await, "Northwind <Media>");
        assert!(b
            .text("#flash")
            .await
            .contains("acting as Northwind <Media>"));
        // The banner stays on every page; the dashboard is the partner's.
        b.client.goto(&app.url("/accounts")).await.unwrap();
        assert_eq!(b.text("#acting-name").await, "Northwind <Media>");
        b.client.goto(&app.url("/")).await.unwrap();
        assert_eq!(b.text("#account-name").await, "Northwind <Media>");
        b.screenshot("12-acting-banner").await;

        // Exit asks first: dismissing keeps acting, accepting goes home.
        b.click("#acting-exit").await;
        b.client.dismiss_alert().await.unwrap();
        assert_eq!(b.text("#acting-name").await, "Northwind <Media>");
        b.click("#acting-exit").await;
        b.client.accept_alert().await.unwrap();
        assert!(b.text("#flash").await.contains("back in your own account"));
        assert!(b.client.find(Locator::Css("#acting-banner")).await.is_err());
        assert_eq!(b.text("#account-name").await, "Servicecenter");

        // The audit log shows it all.
        b.client
            .goto(&app.url("/audit?action=act_as"))
            .await
            .unwrap();
        let log = b.text("#audit-list").await;
        assert!(
            log.contains("started acting as an account")
                && log.contains("stopped acting as an account"),
            "{log}"
        );
        b.screenshot("13-audit-log").await;

        // Deactivate the partner, with a confirmation that says what happens.
        b.client.goto(&app.url("/accounts")).await.unwrap();
        b.client
            .find(Locator::LinkText("Northwind <Media>"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.click("#deactivate").await;
        let text = b.client.get_alert_text().await.unwrap();
        assert!(text.contains("cannot sign in"), "{text}");
        b.client.accept_alert().await.unwrap();
        assert_eq!(b.text("#account-status").await, "inactive");
        // Delete: the confirmation page names the counts.
        b.click("#delete-link").await;
        assert!(b.text("#delete-summary").await.contains("1 account"));
        b.screenshot("14-delete-confirm").await;
        b.click("#confirm-delete").await;
        assert!(b.text("#flash").await.contains("was deleted"));
    };
    run.await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_approve_trial_denial_and_payment_in_the_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn_with(|c| {
        c.test_clock = true;
        c.session_idle = Duration::from_secs(400 * 86_400);
        c.session_absolute = Duration::from_secs(400 * 86_400);
    })
    .await;
    let op_api = app.login_admin().await;
    op_api
        .post(
            "/api/v1/packages",
            serde_json::json!({"name": "Starter", "monthly_price": 1999, "feature_ads": true}),
        )
        .await;
    let run = async {
        // The applicant registers on the public page.
        b.client.goto(&app.url("/plans")).await.unwrap();
        b.screenshot("20-plans").await;
        b.click("input[name=package_id]").await;
        b.fill("#reg-company", "Browser Media").await;
        b.fill("#reg-contact", "Bea Browser").await;
        b.fill("#reg-email", "bea@browser.example").await;
        b.fill("#reg-website", "not a url").await;
        b.click("#register").await;
        assert!(b.text("#website-error").await.contains("https://"));
        b.fill("#reg-website", "https://browser.example").await;
        b.click("#register").await;
        assert!(b
            .text("#registration-done")
            .await
            .contains("waiting for our decision"));

        // The operator approves it.
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", ADMIN_PASSWORD).await;
        b.click("#sign-in").await;
        assert!(b.text("#test-clock-banner").await.contains("test clock"));
        b.client.goto(&app.url("/operator/requests")).await.unwrap();
        assert!(b
            .text("#pending-count")
            .await
            .to_lowercase()
            .contains("1 pending"));
        b.screenshot("21-requests").await;
        b.click(".approve").await;
        assert!(b.text("#flash").await.contains("Browser Media is approved"));
        app.run_jobs().await;
        let mail = app
            .smtp
            .to("bea@browser.example")
            .pop()
            .expect("the login by email");
        let pw = mail
            .data
            .lines()
            .find_map(|l| l.trim().strip_prefix("password: "))
            .unwrap()
            .trim()
            .to_string();

        // Fifteen days later the trial has ended unpaid.
        b.fill("#test-clock-days", "15").await;
        b.click("#test-clock-go").await;
        assert!(b.text("#flash").await.contains("The clock now reads"));
        b.client.goto(&app.url("/operator/partners")).await.unwrap();
        assert!(b.text(".partner-status").await.contains("suspended"));
        b.screenshot("22-my-partners").await;
        b.click("#logout").await;

        // The partner signs in and is shown why, the invoice, and how to pay.
        b.fill("#email", "bea@browser.example").await;
        b.fill("#password", &pw).await;
        b.click("#sign-in").await;
        assert!(b.text("#suspended-notice").await.contains("How to pay"));
        assert!(b.text("#invoice-list").await.contains("19.99 EUR"));
        b.screenshot("23-suspended").await;
        b.client.goto(&app.url("/accounts")).await.unwrap();
        assert!(b
            .client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/billing"));
        b.click("#invoice-list a").await;
        assert_eq!(b.text("#invoice-total").await, "19.99 EUR");
        b.screenshot("24-invoice").await;
        b.client.goto(&app.url("/billing")).await.unwrap();
        b.click("#logout").await;

        // The operator registers the payment; the partner is back at once.
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", ADMIN_PASSWORD).await;
        b.click("#sign-in").await;
        b.client.goto(&app.url("/operator/partners")).await.unwrap();
        b.fill(".payment-reference", "BANK-2024-1").await;
        b.click(".register-payment").await;
        // The payment is confirmed first, naming amount and partner.
        let text = b.client.get_alert_text().await.unwrap();
        assert!(
            text.contains("Register a payment of 19.99 EUR for"),
            "{text}"
        );
        b.client.accept_alert().await.unwrap();
        assert!(b
            .text("#flash")
            .await
            .contains("Payment of 19.99 EUR registered"));
        b.click("#logout").await;
        b.fill("#email", "bea@browser.example").await;
        b.fill("#password", &pw).await;
        b.click("#sign-in").await;
        assert_eq!(b.text("#account-name").await, "Browser Media");
    };
    run.await;
    b.close().await;
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.client.goto(&app.url("/login")).await.unwrap();
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.click("#sign-in").await;
}

async fn set_value(b: &Browser, css: &str, value: &str) {
    b.client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_asks_and_the_operator_works_through_the_queue_in_the_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = crate::tree::create(&op, 1, "partner", "Harbor Media").await;
    crate::tree::add_login(&op, p, "owner@harbor.test", "owner").await;
    op.post(
        "/api/v1/ad-packages",
        serde_json::json!({"name": "Starter reach", "impressions": 1000, "price": 4900}),
    )
    .await;
    let soon = |secs: i64| {
        partner_panel::clock::rfc3339(app.state.now_ms() + secs * 1000)[..16].to_string()
    };
    let run = async {
        // The partner adds a channel and asks for impressions and a survey broadcast.
        sign_in(&b, &app, "owner@harbor.test", crate::tree::PW).await;
        b.client.goto(&app.url("/channels")).await.unwrap();
        b.fill("#channel-name", "Harbor News").await;
        b.fill("#channel-description", "Weekly news").await;
        b.click("#create-channel").await;
        assert!(b.text("#flash").await.contains("Harbor News was added"));
        b.click("#nav-my-requests").await;
        b.click("#ask-ad_package").await;
        b.click("#send-request").await;
        assert!(b.text("#flash").await.contains("was sent"));
        b.click("#ask-broadcast").await;
        // Only the message's fields until Survey is chosen: then the answers, no coupon.
        assert!(b
            .client
            .find(fantoccini::Locator::Css("#options"))
            .await
            .is_err());
        b.click("#engagement-survey").await;
        assert!(b
            .client
            .find(fantoccini::Locator::Css("#coupon-code"))
            .await
            .is_err());
        b.fill("#message", "Which roast do you like?").await;
        b.fill("#options", "Light").await;
        set_value(&b, "#starts-at", &soon(3600)).await;
        b.click("#send-request").await;
        // One answer is not a survey: the message says so and the form keeps what was typed.
        assert!(b.text("#request-form").await.contains("2 to 10 answers"));
        assert_eq!(
            b.client
                .find(fantoccini::Locator::Css("#message"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("Which roast do you like?")
        );
        b.fill("#options", "Light\nDark").await;
        b.click("#send-request").await;
        assert!(b.text("#flash").await.contains("was sent"));
        b.screenshot("30-partner-requests").await;
        b.click("#logout").await;

        // The operator's queue: counts per tab, previews, approve and reject.
        sign_in(&b, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        b.click("#nav-inbox").await;
        let total = b.text("#pending-total").await;
        assert!(total.to_lowercase().contains("2 pending"), "{total}");
        assert!(b.text("#tab-broadcast").await.contains('1'));
        b.click("#tab-broadcast").await;
        let preview = b.text(".broadcast-preview").await;
        assert!(
            preview.contains("Which roast do you like?") && preview.contains("Dark"),
            "{preview}"
        );
        assert!(b.text(".request-partner").await.contains("Harbor Media"));
        b.screenshot("31-inbox-broadcast").await;
        b.click(".approve").await;
        assert!(b.text("#flash").await.contains("Approved"));
        b.click("#tab-ad_package").await;
        assert!(b.text(".request-impressions").await.contains("1000"));
        b.click(".approve").await;
        assert!(b.text("#flash").await.contains("Approved"));
        b.click("#logout").await;

        // The partner launches a campaign with the impressions.
        sign_in(&b, &app, "owner@harbor.test", crate::tree::PW).await;
        b.client.goto(&app.url("/requests?tab=ad")).await.unwrap();
        assert_eq!(b.text("#available").await, "1000");
        b.fill("#ad-title", "Autumn roast").await;
        b.fill("#ad-text", "Fresh coffee at the harbor").await;
        b.fill("#ad-target", "https://harbor.example/autumn").await;
        b.fill("#ad-impressions", "1500").await;
        set_value(&b, "#ad-starts", &soon(3600)).await;
        set_value(&b, "#ad-ends", &soon(7 * 86400)).await;
        b.click("#send-request").await;
        assert!(b.text("#ad-impressions-error").await.contains("Only 1000"));
        b.fill("#ad-impressions", "800").await;
        b.click("#send-request").await;
        assert!(b.text("#flash").await.contains("was sent"));
        assert!(b.text("#wallet").await.contains("800 held by pending"));
        b.click("#logout").await;

        // The operator previews the ad and rejects it with a reason.
        sign_in(&b, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        b.client.goto(&app.url("/inbox?tab=ad")).await.unwrap();
        assert_eq!(b.text(".ad-title").await, "Autumn roast");
        b.screenshot("32-inbox-ad").await;
        b.click(".reject").await;
        // The reason is required: the browser does not send the form without it.
        assert!(b
            .client
            .current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or("")
            .contains("tab=ad"));
        b.fill(".reject-reason", "Show the price in the creative")
            .await;
        b.click(".reject").await;
        assert!(b.text("#flash").await.contains("Rejected"));
        b.click("#tab-history").await;
        assert!(b.text("#history-total").await.starts_with("3 decisions"));
        b.client
            .find(fantoccini::Locator::Css(
                "#history-decision option[value=rejected]",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.click("#history-filter").await;
        assert!(b.text("#history-total").await.starts_with("1 decision"));
        assert!(b
            .text("#history-list")
            .await
            .contains("Show the price in the creative"));
        b.screenshot("33-history").await;
        b.click("#logout").await;

        // The partner sees the rejection and its reason.
        sign_in(&b, &app, "owner@harbor.test", crate::tree::PW).await;
        b.client.goto(&app.url("/requests")).await.unwrap();
        assert!(b
            .text("#my-request-list")
            .await
            .contains("Show the price in the creative"));
        b.click("#ask-ad").await;
        assert_eq!(b.text("#available").await, "1000");
    };
    run.await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reseller_finds_a_partner_and_the_partner_accepts_then_removes_it_in_the_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = crate::tree::create(&op, 1, "partner", "Harbor Media").await;
    crate::tree::add_login(&op, p, "owner@harbor.test", "owner").await;
    let r = crate::tree::create(&op, 1, "reseller", "North Resell").await;
    crate::tree::add_login(&op, r, "nora@north.test", "owner").await;
    let s1 = app.login("owner@harbor.test", crate::tree::PW).await;
    s1.post(
        &format!("/api/v1/accounts/{p}/channels"),
        serde_json::json!({"name": "Harbor News"}),
    )
    .await;
    let run = async {
        sign_in(&b, &app, "nora@north.test", crate::tree::PW).await;
        b.click("#nav-my-partner").await;
        assert!(b.text("#no-partner").await.contains("partner directory"));
        b.client.goto(&app.url("/partner-directory")).await.unwrap();
        b.click(".request-partner").await;
        assert!(b
            .text("#flash")
            .await
            .contains("request for partner was sent"));
        assert!(b.text("#pending-partners").await.contains("Harbor Media"));
        b.screenshot("40-reseller-pending").await;
        b.click("#logout").await;

        sign_in(&b, &app, "owner@harbor.test", crate::tree::PW).await;
        b.click("#nav-resellers").await;
        b.click("#pending-links").await;
        assert!(b.text(".request-partner").await.contains("North Resell"));
        b.screenshot("41-partner-inbox").await;
        b.click(".approve").await;
        assert!(b.text("#flash").await.contains("Approved"));
        b.click("#nav-resellers").await;
        assert_eq!(b.text(".reseller-name").await, "North Resell");
        b.click("#logout").await;

        sign_in(&b, &app, "nora@north.test", crate::tree::PW).await;
        b.click("#nav-my-partner").await;
        assert_eq!(
            b.text("#linked-partner .partner-name").await,
            "Harbor Media"
        );
        assert_eq!(
            b.text("#partner-channels .channel-name").await,
            "Harbor News"
        );
        b.screenshot("42-reseller-linked").await;
        b.click("#logout").await;

        sign_in(&b, &app, "owner@harbor.test", crate::tree::PW).await;
        b.click("#nav-resellers").await;
        b.click(".remove-reseller").await;
        let text = b.client.get_alert_text().await.unwrap();
        assert!(text.contains("Remove North Resell"), "{text}");
        b.client.accept_alert().await.unwrap();
        assert!(b.text("#flash").await.contains("removed"));
        assert!(b.text("#no-resellers").await.contains("No resellers"));
        b.click("#logout").await;

        sign_in(&b, &app, "nora@north.test", crate::tree::PW).await;
        b.click("#nav-my-partner").await;
        assert!(b.text("#no-partner").await.contains("partner directory"));
    };
    run.await;
    b.close().await;
}
