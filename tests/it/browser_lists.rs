//! Every page with a table, filled with rows, in headless Chromium at desktop (1366×900) and
//! phone (390×844) width: no page wider than the window, a screenshot of each
//! (`lists-<page>-<width>.png`); the row-checkbox column stays narrow; while acting as an
//! account, the banner and the left menu sit side by side whatever the scroll.

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn js(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

async fn viewport(b: &Browser, w: u32, h: u32) {
    b.client.set_window_size(w, h).await.unwrap();
    let inner = js(b, "return [window.innerWidth, window.innerHeight];").await;
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

async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&app.url("/login")).await.unwrap();
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.click("#sign-in").await;
    b.text("#account-in-view").await;
}

/// Visits each page at both widths: it must not be wider than the window.
async fn visit(b: &Browser, app: &TestApp, who: &str, pages: &[(&str, String)]) {
    for (w, h) in [(1366u32, 900u32), (390, 844)] {
        viewport(b, w, h).await;
        for (name, path) in pages {
            b.client.goto(&app.url(path)).await.unwrap();
            b.text("main").await;
            let fits = js(
                b,
                "return [document.documentElement.scrollWidth, window.innerWidth];",
            )
            .await;
            let (sw, iw) = (fits[0].as_u64().unwrap(), fits[1].as_u64().unwrap());
            b.screenshot(&format!("lists-{who}-{name}-{w}")).await;
            assert!(
                sw <= iw,
                "{who} {path} at {w}px is {sw}px wide (window {iw}px)"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_with_a_table_fits_the_window_at_desktop_and_phone_width() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    // A world with rows in every list.
    for (n, price) in [("Starter", 1900), ("Business", 4900)] {
        op.post(
            "/api/v1/packages",
            json!({"name": n, "monthly_price": price, "currency": "EUR"}),
        )
        .await;
    }
    let addon: Value = op
        .post(
            "/api/v1/addons",
            json!({"name": "Extra screens", "monthly_price": 500, "currency": "EUR"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let p = create(&op, 1, "partner", "Harbor Media With A Rather Long Name").await;
    let p2 = create(&op, 1, "partner", "Second Partner").await;
    add_login(&op, p, "owner@lists.test", "owner").await;
    let r = create(&op, 1, "reseller", "North Resell").await;
    add_login(&op, r, "owner@resell.test", "owner").await;
    for i in 0..6 {
        create(
            &op,
            p,
            "customer",
            &format!("Customer number {i} of the harbor"),
        )
        .await;
    }
    let ps = app.login("owner@lists.test", PW).await;
    for (name, user) in [
        ("Corner Shop", "dealer-corner"),
        ("East Dealer", "dealer-east"),
    ] {
        ps.post(
            "/api/v1/dealers",
            json!({"name": name, "contact_name": "Dana Dealer With A Long Contact Name", "email": format!("{user}@lists.test"),
                   "phone": "+1 555 0100", "username": user, "password": "dealer-password-1"}),
        )
        .await;
    }
    for n in ["Harbor News", "Harbor Deals"] {
        ps.post(
            &format!("/api/v1/accounts/{p}/channels"),
            json!({"name": n, "description": "Weekly news for every customer of the harbor"}),
        )
        .await;
    }
    ps.post("/api/v1/me/tokens", json!({"name": "billing export"}))
        .await;
    ps.post(
        "/api/v1/requests",
        json!({"type": "addon", "addon_id": addon["id"]}),
    )
    .await;
    // The reseller asks both partners (listed by default).
    let rs = app.login("owner@resell.test", PW).await;
    for id in [p, p2] {
        rs.post(
            "/api/v1/requests",
            json!({"type": "reseller_link", "partner_id": id}),
        )
        .await;
    }

    let run = async {
        sign_in(&b, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        visit(
            &b,
            &app,
            "operator",
            &[
                ("accounts", "/accounts".to_string()),
                ("account", format!("/accounts/{p}")),
                ("packages", "/operator/packages".into()),
                ("partners", "/operator/partners".into()),
                ("inbox", "/inbox?tab=addon".into()),
                ("history", "/inbox/history".into()),
                ("tokens", "/profile/tokens".into()),
                ("audit", "/audit".into()),
                ("directory", "/partner-directory".into()),
            ],
        )
        .await;
        // The row-checkbox column is narrow (the layout's text-input width does not apply).
        viewport(&b, 1366, 900).await;
        b.client.goto(&app.url("/accounts")).await.unwrap();
        let w = js(
            &b,
            "const c = document.querySelector('#account-list th.select-col'); return c ? c.getBoundingClientRect().width : 0;",
        )
        .await;
        let w = w.as_f64().unwrap();
        assert!(w > 0.0 && w < 60.0, "the checkbox column is {w}px wide");

        // Acting as the partner: banner and menu side by side, both at the top after a scroll.
        b.client
            .goto(&app.url(&format!("/accounts/{p}")))
            .await
            .unwrap();
        b.click("#act-as").await;
        b.text("#acting-banner").await;
        b.client.goto(&app.url("/accounts")).await.unwrap();
        let at = |scroll: i64| {
            format!(
                "window.scrollTo(0, {scroll}); const m = document.getElementById('menu').getBoundingClientRect(); \
                 const a = document.getElementById('acting-banner').getBoundingClientRect(); \
                 return [m.top, m.right, a.top, a.left, a.bottom];"
            )
        };
        for scroll in [0, 600] {
            let v = js(&b, &at(scroll)).await;
            let f = |i: usize| v[i].as_f64().unwrap();
            assert!(f(1) <= f(3) + 1.0, "menu and banner overlap: {v}");
            if scroll > 0 {
                // The banner sticks at the top; the menu too (or, at the very end of a short
                // page, goes up with its column): never a gap above it, no fixed offset.
                assert!(f(2).abs() < 1.0 && f(0) < 1.0, "both at the top: {v}");
            }
        }
        b.screenshot("lists-acting-banner-1366").await;
        js(&b, "window.scrollTo(0, 0); return 0;").await;
        viewport(&b, 390, 844).await;
        b.screenshot("lists-acting-banner-390").await;
        assert!(b
            .client
            .find(Locator::Css("#acting-exit"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap());

        sign_in(&b, &app, "owner@lists.test", PW).await;
        visit(
            &b,
            &app,
            "partner",
            &[
                ("dealers", "/dealers".into()),
                ("channels", "/channels".into()),
                ("resellers", "/resellers".into()),
                ("requests", "/requests?tab=addon".into()),
                (
                    "broadcast-survey",
                    "/requests?tab=broadcast&engagement=survey".into(),
                ),
                ("inbox", "/inbox".into()),
                ("tokens", "/profile/tokens".into()),
                ("accounts", "/accounts".into()),
            ],
        )
        .await;

        sign_in(&b, &app, "owner@resell.test", PW).await;
        visit(
            &b,
            &app,
            "reseller",
            &[
                ("my-partner", "/my-partner".into()),
                ("directory", "/partner-directory".into()),
                ("requests", "/requests".into()),
            ],
        )
        .await;
        b.client.goto(&app.url("/my-partner")).await.unwrap();
        assert!(b.text("#pending-partners").await.contains("Second Partner"));
    };
    run.await;
    b.close().await;
    app.stop().await;
}
