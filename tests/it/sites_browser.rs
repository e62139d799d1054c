//! Sites and probes in the browser: a partner opens a customer from its list, adds a site (a
//! time zone that is not one refused beside the field, what was typed kept), makes an
//! enrollment code, sees a probe that registered with it online, and deletes two sites after
//! the confirmation naming their probes; at 1366x900 and 390x844, with screenshots.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::Browser;
use crate::sites::{add_site, enroll, world};
use crate::support::*;
use crate::tree::PW;

async fn shots(b: &Browser, name: &str, at: &str) {
    b.shots(&format!("sites-{name}"), at).await
}

/// True when the page is no wider than the window (nothing to scroll sideways).
async fn fits(b: &Browser) -> bool {
    b.client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
            vec![],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_adds_a_site_enrolls_a_probe_and_deletes_sites_after_the_confirmation() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let p = app.login("owner@northwind.test", PW).await;
    let warehouse = add_site(&p, w.customer, "Aurora Warehouse").await;
    enroll(&app, &p, warehouse, "warehouse-probe").await;
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", "owner@northwind.test").await;
        b.fill("#password", PW).await;
        b.click("#sign-in").await;
        b.click("#nav-customers").await;
        b.client
            .find(Locator::LinkText("Café Aurora"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.click("#customer-sites").await;
        assert!(b.text("h1").await.contains("Sites of Café Aurora"));
        assert!(b.text("#site-count").await.starts_with("1 site"));

        // A time zone that is not one: refused beside the field, what was typed kept.
        b.fill("#site-name", "Aurora Downtown").await;
        b.fill("#site-address", "Friedrichstraße 12, Berlin").await;
        b.fill("#site-time-zone", "Mars/Olympus").await;
        b.click("#create-site").await;
        assert!(b
            .text("#site-time-zone-error")
            .await
            .contains("Choose a time zone by its name"));
        let kept = b
            .client
            .find(Locator::Css("#site-name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some("Aurora Downtown"));
        shots(&b, "add-error", "#new-site").await;
        b.fill("#site-time-zone", "Europe/Berlin").await;
        b.click("#create-site").await;
        assert!(b.text("#flash").await.contains("Aurora Downtown"));

        // The new site's page: an enrollment code, shown once; a probe registers with it.
        assert_eq!(b.text("#site-title").await, "Aurora Downtown");
        assert!(b
            .text("#no-probes")
            .await
            .contains("No probe at this site yet"));
        b.click("#make-code").await;
        let code = b.text("#enrollment-code").await;
        assert!(code.len() > 20, "{code}");
        shots(&b, "new-code", "#new-code").await;
        let r = app
            .client()
            .post(app.url("/probe/v1/enroll"))
            .json(&json!({"code": code, "name": "counter-probe", "host": "counter.lan", "version": "2.4.1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
        b.client.refresh().await.unwrap();
        let probes = b.text("#probe-list").await;
        assert!(
            probes.contains("counter-probe")
                && probes.contains("Online")
                && probes.contains("2.4.1"),
            "{probes}"
        );
        assert!(b.text("#enrollment-list").await.contains("used"));
        assert!(b.text("#site-summary").await.contains("1 probe, 1 online"));
        shots(&b, "site", "#site-probes").await;
        b.client.set_window_size(390, 844).await.unwrap();
        assert!(fits(&b).await, "the site page fits a phone");
        b.client.set_window_size(1366, 900).await.unwrap();

        // The list: both sites with their probes, within the window at both widths.
        b.click("#crumb-sites").await;
        let list = b.text("#site-list").await;
        assert!(
            list.contains("Aurora Downtown") && list.contains("Europe/Berlin"),
            "{list}"
        );
        assert!(fits(&b).await, "the sites list fits the window");
        shots(&b, "list", "#site-list").await;

        // Tick both sites and delete them: the confirmation names the probes that go.
        for name in ["Aurora Downtown", "Aurora Warehouse"] {
            b.click(&format!("input[aria-label='Select {name}']")).await;
        }
        b.click("#delete-sites").await;
        assert_eq!(
            b.text("#delete-question").await,
            "Delete 2 sites and 2 probes?"
        );
        let names = b.text("#delete-names").await;
        assert!(
            names.contains("counter-probe") && names.contains("warehouse-probe"),
            "{names}"
        );
        shots(&b, "delete-confirm", "#delete-confirm").await;
        b.click("#delete-confirm-go").await;
        assert!(b
            .text("#flash")
            .await
            .contains("2 sites deleted with 2 probes"));
        assert!(b.text("#no-sites").await.contains("has no sites yet"));
        shots(&b, "list-after-delete", "#no-sites").await;
    };
    run.await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM probes WHERE customer_id = {}",
            w.customer
        ))
        .await,
        0
    );
    b.close().await;
    app.stop().await;
}
