//! The layout around every page: the menu each kind of account and role gets (and while
//! acting), that every link it offers opens, error pages inside the layout, times in the
//! login's zone, and the time zone setting.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

/// A world with one account of each kind, each with an owner and a viewer login.
pub struct World {
    pub partner: i64,
    pub reseller: i64,
    pub dealer: i64,
    pub customer: i64,
}

pub async fn world(op: &Session) -> World {
    let partner = create(op, 1, "partner", "Northwind Media").await;
    let reseller = create(op, 1, "reseller", "Summit Resellers").await;
    let dealer = create(op, partner, "dealer", "Dealer North").await;
    let customer = create(op, dealer, "customer", "Corner Cafe").await;
    for (id, kind) in [
        (partner, "partner"),
        (reseller, "reseller"),
        (dealer, "dealer"),
        (customer, "customer"),
    ] {
        add_login(op, id, &format!("{kind}-owner@layout.test"), "owner").await;
        add_login(op, id, &format!("{kind}-viewer@layout.test"), "viewer").await;
    }
    add_login(op, 1, "operator-viewer@layout.test", "viewer").await;
    World {
        partner,
        reseller,
        dealer,
        customer,
    }
}

/// The session of a world login (`<kind>-<role>@layout.test`).
pub async fn sign_in(app: &TestApp, kind: &str, role: &str) -> Session {
    if kind == "operator" && role == "owner" {
        return app.login_admin().await;
    }
    app.login(&format!("{kind}-{role}@layout.test"), PW).await
}

pub async fn html(s: &Session, path: &str) -> (StatusCode, String) {
    let r = s.get(path).await;
    (r.status(), r.text().await.unwrap())
}

/// The menu of a page: (id without "nav-", href), in order.
pub fn menu_of(page: &str) -> Vec<(String, String)> {
    let Some(start) = page.find(r#"<nav class="sidemenu""#) else {
        return Vec::new();
    };
    let nav = &page[start..start + page[start..].find("</nav>").unwrap()];
    let mut out = Vec::new();
    for part in nav.split("<a href=\"").skip(1) {
        let href = &part[..part.find('"').unwrap()];
        let id = part
            .split("id=\"nav-")
            .nth(1)
            .map(|r| &r[..r.find('"').unwrap()])
            .unwrap_or("");
        out.push((id.to_string(), href.to_string()));
    }
    out
}

fn ids(menu: &[(String, String)]) -> Vec<&str> {
    menu.iter().map(|(i, _)| i.as_str()).collect()
}

/// Every link of the menu opens for this login (the menu never offers a 403 or a 404).
async fn every_link_opens(s: &Session, menu: &[(String, String)], who: &str) {
    for (id, href) in menu {
        let path = href.split('#').next().unwrap();
        let r = s.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{who}: {id} -> {href}");
    }
}

#[tokio::test]
async fn the_menu_holds_what_each_kind_and_role_can_use_and_every_link_opens() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let expected: &[(&str, &str, &[&str])] = &[
        (
            "operator",
            "owner",
            &[
                "goto-add-account",
                "goto-add-login",
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "partners",
                "packages",
                "inbox",
                "directory",
                "billing",
                "rebranding",
                "data-export",
                "profile",
                "sessions",
                "tokens",
                "api-docs",
            ],
        ),
        (
            "operator",
            "viewer",
            &[
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "partners",
                "packages",
                "inbox",
                "directory",
                "billing",
                "rebranding",
                "data-export",
                "profile",
                "sessions",
                "tokens",
                "api-docs",
            ],
        ),
        (
            "partner",
            "owner",
            &[
                "goto-add-account",
                "goto-add-login",
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "inbox",
                "my-requests",
                "channels",
                "dealers",
                "resellers",
                "reseller-settings",
                "billing",
                "rebranding",
                "data-export",
                "profile",
                "sessions",
                "tokens",
                "api-docs",
            ],
        ),
        (
            "partner",
            "viewer",
            &[
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "inbox",
                "my-requests",
                "channels",
                "dealers",
                "resellers",
                "reseller-settings",
                "billing",
                "rebranding",
                "data-export",
                "profile",
                "sessions",
                "tokens",
                "api-docs",
            ],
        ),
        (
            "reseller",
            "owner",
            &[
                "goto-add-account",
                "goto-add-login",
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "my-requests",
                "directory",
                "my-partner",
                "billing",
                "rebranding",
                "data-export",
                "profile",
                "sessions",
                "tokens",
                "api-docs",
            ],
        ),
        (
            "dealer",
            "owner",
            &[
                "goto-add-account",
                "goto-add-login",
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "billing",
                "data-export",
                "profile",
                "sessions",
                "tokens",
                "api-docs",
            ],
        ),
        (
            "dealer",
            "viewer",
            &[
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "billing",
                "data-export",
                "profile",
                "sessions",
                "tokens",
                "api-docs",
            ],
        ),
        (
            "customer",
            "owner",
            &[
                "goto-add-login",
                "dashboard",
                "engagements",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "sites",
                "whats-new",
                "my-account",
                "audit",
                "billing",
                "data-export",
                "profile",
                "sessions",
            ],
        ),
        (
            "customer",
            "viewer",
            &[
                "dashboard",
                "engagements",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "sites",
                "whats-new",
                "my-account",
                "audit",
                "billing",
                "data-export",
                "profile",
                "sessions",
            ],
        ),
    ];
    for (kind, role, want) in expected {
        let s = sign_in(&app, kind, role).await;
        let (status, page) = html(&s, "/").await;
        assert_eq!(status, StatusCode::OK);
        let menu = menu_of(&page);
        assert_eq!(ids(&menu), *want, "{kind} {role}");
        every_link_opens(&s, &menu, &format!("{kind} {role}")).await;
        assert!(page.contains(r#"id="menu-button""#), "a phone menu button");
    }
    // A customer's menu has no accounts list, API tokens nor API docs.
    let c = sign_in(&app, "customer", "owner").await;
    let menu = menu_of(&html(&c, "/").await.1);
    assert!(menu
        .iter()
        .any(|(_, h)| h == &format!("/accounts/{}", w.customer)));

    // While acting: what the acted-as kind has, without the login's own profile and tokens.
    for (target, want) in [
        (
            w.partner,
            &[
                "goto-add-account",
                "goto-add-login",
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "inbox",
                "my-requests",
                "channels",
                "dealers",
                "resellers",
                "reseller-settings",
                "billing",
                "rebranding",
                "api-docs",
            ][..],
        ),
        (
            w.reseller,
            &[
                "goto-add-account",
                "goto-add-login",
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "my-requests",
                "directory",
                "my-partner",
                "billing",
                "rebranding",
                "api-docs",
            ][..],
        ),
        (
            w.dealer,
            &[
                "goto-add-account",
                "goto-add-login",
                "dashboard",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "whats-new",
                "accounts",
                "audit",
                "customers",
                "billing",
                "api-docs",
            ][..],
        ),
        (
            w.customer,
            &[
                "goto-add-login",
                "dashboard",
                "engagements",
                "licenses",
                "players",
                "playlists",
                "clips",
                "tickets",
                "sites",
                "whats-new",
                "my-account",
                "audit",
                "billing",
            ][..],
        ),
    ] {
        let s = app.login_admin().await;
        let r = s
            .post("/api/v1/act-as", json!({"account_id": target}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let (_, page) = html(&s, "/").await;
        let menu = menu_of(&page);
        assert_eq!(ids(&menu), want, "acting as {target}");
        every_link_opens(&s, &menu, &format!("acting as {target}")).await;
        // What the menu leaves out really is closed while acting.
        assert_eq!(s.get("/profile").await.status(), StatusCode::FORBIDDEN);
    }
    app.stop().await;
}

#[tokio::test]
async fn the_current_page_is_marked_and_approvals_show_the_pending_count() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (_, page) = html(&op, "/audit").await;
    assert!(page.contains(r#"id="nav-audit" class="active" aria-current="page""#));
    assert!(!page.contains(r#"id="badge-inbox""#), "nothing waits yet");
    let pkg = crate::networks::capped_package(&op, "Layout plan", None, None).await;
    for (i, company) in ["Alpha Media", "Beta Media"].iter().enumerate() {
        let r = app
            .client()
            .post(app.url("/api/v1/registrations"))
            .json(&json!({
                "company_name": company, "contact_name": "Pat", "email": format!("p{i}@layout.test"),
                "phone": "+49 30 555", "website": "https://p.example", "package_id": pkg,
                "no_resellers": false
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (_, page) = html(&op, "/").await;
    assert!(
        page.contains(r#"<span class="badge" id="badge-inbox" title="2 waiting">2</span>"#),
        "the Approvals badge counts the two waiting registrations"
    );
    app.stop().await;
}

#[tokio::test]
async fn error_pages_show_inside_the_layout_with_the_acting_banner() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    // Signed in: a missing page keeps the menu and the header.
    let (status, page) = html(&op, "/accounts/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains(r#"id="error-code">not_found<"#), "{page}");
    assert!(page.contains(r#"id="nav-dashboard""#), "the menu is there");
    assert!(
        page.contains(r#"id="account-in-view""#),
        "the header is there"
    );
    assert!(!page.contains(">Become a partner<"));
    // While acting: a 403 shows the banner and its Exit.
    op.post("/api/v1/act-as", json!({"account_id": w.partner}))
        .await;
    for path in ["/profile", "/profile/tokens", "/no-such-page"] {
        let (status, page) = html(&op, path).await;
        assert!(status.is_client_error(), "{path}: {status}");
        assert!(page.contains(r#"id="acting-banner""#), "{path}");
        assert!(page.contains(r#"id="acting-exit""#), "{path}");
        assert!(
            page.contains(r#"id="nav-dealers""#),
            "{path}: the partner's menu"
        );
        assert!(!page.contains(r#"id="nav-profile""#), "{path}");
    }
    // A viewer refused an action sees the refusal inside its own layout.
    let viewer = sign_in(&app, "partner", "viewer").await;
    let r = viewer
        .client
        .post(app.url(&format!("/accounts/{}/status", w.dealer)))
        .form(&[("csrf_token", viewer.csrf.as_str()), ("status", "inactive")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"id="nav-dealers""#) && page.contains(r#"id="logout""#));
    // Signed out: the page looks as before (no menu).
    let (status, page) = (
        app.client()
            .get(app.url("/no-such-page"))
            .send()
            .await
            .unwrap()
            .status(),
        app.client()
            .get(app.url("/no-such-page"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains(">Sign in<") && !page.contains("sidemenu"));
    app.stop().await;
}

#[tokio::test]
async fn times_show_in_the_login_zone_and_the_zone_is_a_profile_setting() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let w = world(&op).await;
    let s = sign_in(&app, "partner", "owner").await;
    assert_eq!(s.body["login"]["time_zone"], Value::Null);

    // Invalid names are refused with the field; nothing changes.
    for bad in ["Mars/Olympus", "Europe/", "x".repeat(65).as_str()] {
        let (status, code, field, _) =
            error_of(s.patch("/api/v1/me", json!({"time_zone": bad})).await).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some("time_zone")
            ),
            "{bad}"
        );
    }
    let (status, _, field, _) =
        error_of(s.patch("/api/v1/me", json!({"time_zone": null})).await).await;
    assert_eq!(
        (status, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("time_zone"))
    );

    // The account's creation time, in UTC first, then in the chosen zone.
    let created = op
        .get(&format!("/api/v1/accounts/{}", w.dealer))
        .await
        .json::<Value>()
        .await
        .unwrap()["created_at"]
        .as_str()
        .unwrap()
        .to_string();
    let utc: jiff::Timestamp = created.parse().unwrap();
    let shown = |tz: &str| {
        utc.to_zoned_datetime(jiff::tz::TimeZone::get(tz).unwrap())
            .strftime("%-d %b %Y, %H:%M")
            .to_string()
    };
    let (_, page) = html(&s, &format!("/accounts/{}", w.dealer)).await;
    assert!(
        page.contains(&format!(" UTC\">{}</time>", shown("UTC"))),
        "UTC until set: {}",
        shown("UTC")
    );
    let r = s
        .patch("/api/v1/me", json!({"time_zone": "Asia/Kolkata"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["login"]["time_zone"], "Asia/Kolkata");
    let (_, page) = html(&s, &format!("/accounts/{}", w.dealer)).await;
    let readable = shown("Asia/Kolkata");
    assert!(
        page.contains(&format!("+05:30 Asia/Kolkata\">{readable}</time>")),
        "shown in the login's zone with the exact time on hover: {readable}"
    );
    assert!(!page.contains(&created), "no raw ISO timestamp");
    // The profile form keeps it and refuses an unknown one beside the field.
    let (_, profile) = html(&s, "/profile").await;
    assert!(profile.contains(r#"<option value="Asia/Kolkata" selected>"#));
    let r = s
        .client
        .post(app.url("/profile"))
        .form(&[
            ("csrf_token", s.csrf.as_str()),
            ("name", "partner-owner@layout.test"),
            ("email", "partner-owner@layout.test"),
            ("time_zone", "Nowhere/Land"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains(r#"id="time-zone-error""#));
    let r = s
        .client
        .post(app.url("/profile"))
        .form(&[
            ("csrf_token", s.csrf.as_str()),
            ("name", "partner-owner@layout.test"),
            ("email", "partner-owner@layout.test"),
            ("time_zone", "America/New_York"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    let me: Value = s.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["login"]["time_zone"], "America/New_York");
    app.stop().await;
}

/// Signs in with the page's form, as a browser does, sending `browser_time_zone`.
async fn form_sign_in(app: &TestApp, email: &str, tz: &str) -> reqwest::Client {
    let client = app.client();
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split(r#"name="csrf_token" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    assert!(page.contains(r#"name="browser_time_zone""#));
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", PW),
            ("browser_time_zone", tz),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "signed in: to the dashboard"
    );
    client
}

#[tokio::test]
async fn the_browser_zone_is_kept_at_sign_in_when_the_login_has_none() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    world(&op).await;
    let zone_of = |c: reqwest::Client| {
        let url = app.url("/api/v1/me");
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["login"]["time_zone"]
                .clone()
        }
    };
    let c = form_sign_in(&app, "dealer-owner@layout.test", "Not/AZone").await;
    assert_eq!(zone_of(c).await, Value::Null, "an unknown name is ignored");
    let c = form_sign_in(&app, "dealer-owner@layout.test", "Europe/Lisbon").await;
    assert_eq!(zone_of(c).await, "Europe/Lisbon");
    let c = form_sign_in(&app, "dealer-owner@layout.test", "Asia/Tokyo").await;
    assert_eq!(
        zone_of(c).await,
        "Europe/Lisbon",
        "once set, the login's own zone stays"
    );
    app.stop().await;
}
