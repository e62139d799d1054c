//! Media players: the operator's catalogue and connecting by MAC, the Add player wizard with
//! every refusal and its pending license, activation, own and clients' players online and
//! offline, edit and disconnect with the operator's notifications, the device protocol (ETag,
//! long poll, forged tokens), and another tenant's players (404).

#[path = "../../benches/sim/mod.rs"]
pub mod sim;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

use crate::support::*;
use crate::tree::{add_login, create, PW};
use sim::Device;

pub async fn ok(r: reqwest::Response, want: StatusCode) -> Value {
    let st = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(st, want, "{v}");
    v
}

pub async fn refused(
    r: reqwest::Response,
    status: StatusCode,
    code: &str,
    field: Option<&str>,
) -> String {
    let (st, c, f, m) = error_of(r).await;
    assert_eq!((st, c.as_str(), f.as_deref()), (status, code, field), "{m}");
    m
}

/// A package with or without the features, and a partner on it with an owner login.
pub async fn partner_on(
    app: &TestApp,
    op: &Session,
    name: &str,
    hardware: bool,
    ads: bool,
) -> (i64, Session) {
    let v = ok(
        op.post(
            "/api/v1/packages",
            json!({"name": format!("{name} package"), "monthly_price": 1000, "currency": "eur",
                   "feature_hardware": hardware, "feature_ads": ads}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let pkg = v["id"].as_i64().unwrap();
    let partner = create(op, 1, "partner", name).await;
    sqlx::query(&format!(
        "INSERT INTO subscriptions (account_id, package_id, status, period_start, period_end, created_at, updated_at) \
         VALUES ({partner}, {pkg}, 'active', 0, 4102444800000, 0, 0)"
    ))
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let email = format!("owner{partner}@media.test");
    add_login(op, partner, &email, "owner").await;
    (partner, app.login(&email, PW).await)
}

/// The catalogue the tests use: a compatible model (NB4K-) and an incompatible one (OLD-).
pub async fn models(op: &Session) -> (i64, i64) {
    let good = ok(
        op.post(
            "/api/v1/player-models",
            json!({"name": "Narrowcast Box 4K", "id_prefix": "nb4k-"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(good["id_prefix"], "NB4K-");
    let old = ok(
        op.post(
            "/api/v1/player-models",
            json!({"name": "Legacy Stick", "id_prefix": "OLD-", "compatible": false}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (good["id"].as_i64().unwrap(), old["id"].as_i64().unwrap())
}

/// Adds a player for `client` through the wizard's API; returns it.
pub async fn add_for_client(s: &Session, client: i64, code: &str, model: i64, name: &str) -> Value {
    ok(
        s.post(
            "/api/v1/players",
            json!({"client_id": client, "player_code": code, "model_id": model, "name": name}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

pub async fn activate(op: &Session, license: i64) {
    ok(
        op.post(&format!("/api/v1/licenses/{license}/activate"), json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_keeps_the_models_and_connects_players_by_mac() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, old) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Mac Partner", false, false).await;
    let customer = create(&op, partner, "customer", "Mac Customer").await;
    // Names and prefixes are unique; a prefix is letters, digits, dashes.
    refused(
        op.post(
            "/api/v1/player-models",
            json!({"name": "Narrowcast Box 4K", "id_prefix": "X1"}),
        )
        .await,
        StatusCode::CONFLICT,
        "name_taken",
        None,
    )
    .await;
    refused(
        op.post(
            "/api/v1/player-models",
            json!({"name": "Y", "id_prefix": "a b"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("id_prefix"),
    )
    .await;
    // Partners see the compatible models only, and may not change the catalogue.
    let seen = ok(ps.get("/api/v1/player-models").await, StatusCode::OK).await;
    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    refused(
        ps.post(
            "/api/v1/player-models",
            json!({"name": "Mine", "id_prefix": "MINE"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;

    // Connect: any common notation, normalised.
    let p = ok(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": partner, "mac": "00-1a-2b-3c-4d-5e", "model_id": good}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(p["mac"], "00:1A:2B:3C:4D:5E");
    assert_eq!(p["owner_id"], partner);
    assert_eq!(p["status"], "waiting_for_device");
    for (mac, field, code, status) in [
        (
            "001a.2b3c.4d5e",
            None,
            "already_connected",
            StatusCode::CONFLICT,
        ),
        (
            "001A2B3C4D5E",
            None,
            "already_connected",
            StatusCode::CONFLICT,
        ),
        (
            "00:1A:2B:3C:4D",
            Some("mac"),
            "validation_failed",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "hello",
            Some("mac"),
            "validation_failed",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "FF:FF:FF:FF:FF:FF",
            Some("mac"),
            "validation_failed",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let m = refused(
            op.post(
                "/api/v1/players/connect",
                json!({"account_id": partner, "mac": mac, "model_id": good}),
            )
            .await,
            status,
            code,
            field,
        )
        .await;
        assert!(!m.is_empty());
    }
    // Unknown partner, a customer, an incompatible model: each with its reason.
    refused(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": 987654, "mac": "00:1A:2B:3C:4D:5F", "model_id": good}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("account_id"),
    )
    .await;
    let m = refused(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": customer, "mac": "00:1A:2B:3C:4D:5F", "model_id": good}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("account_id"),
    )
    .await;
    assert!(m.contains("Add player"), "{m}");
    refused(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": partner, "mac": "00:1A:2B:3C:4D:5F", "model_id": old}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("model_id"),
    )
    .await;
    // Only the operator connects.
    refused(
        ps.post(
            "/api/v1/players/connect",
            json!({"account_id": partner, "mac": "00:1A:2B:3C:4D:5F", "model_id": good}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;
    // The partner finds it under its own players at once; nothing half written by the refusals.
    let own = ok(ps.get("/api/v1/players?show=own").await, StatusCode::OK).await;
    assert_eq!(own["total"], 1);
    assert_eq!(own["items"][0]["own"], true);
    assert_eq!(app.count("SELECT COUNT(*) FROM players").await, 1);
    // The connected partner player needs no license: the device registers and gets a token.
    let c = app.client();
    let mut d = Device::new("NB4K-900001", "00:1a:2b:3c:4d:5e");
    let (st, v) = d.register(&c, &app.base).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(d.token.as_deref().unwrap().starts_with("pd_"));
    // Only a hash of the token is kept; the player ID is learnt from the device.
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM players")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_ne!(Some(stored.as_str()), d.token.as_deref());
    let p = ok(
        ps.get(&format!("/api/v1/players/{}", p["id"])).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(p["player_code"], "NB4K-900001");
    // The audit log of both sides says it in words.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'player.connect'")
            .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_add_player_wizard_refuses_with_reasons_and_the_license_waits_for_activation() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, old) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Wizard Partner", true, false).await;
    let (plain, plain_s) = partner_on(&app, &op, "Plain Partner", false, false).await;
    let client = create(&op, partner, "customer", "Wizard Client").await;
    let dealer = create(&op, partner, "dealer", "Wizard Dealer").await;
    let plain_client = create(&op, plain, "customer", "Plain Client").await;
    let stranger = create(&op, plain, "customer", "Stranger").await;
    // Without the package feature: refused, with the reason.
    let m = refused(
        plain_s
            .post(
                "/api/v1/players",
                json!({"client_id": plain_client, "player_code": "NB4K-1", "model_id": good, "name": "x"}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;
    assert!(m.contains("add hardware for clients"), "{m}");
    let add = |body: Value| ps.post("/api/v1/players", body);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"player_code": "NB4K-100", "model_id": good, "name": "A"}),
            "client_id",
            "required",
        ),
        (
            json!({"client_id": stranger, "player_code": "NB4K-100", "model_id": good, "name": "A"}),
            "client_id",
            "your clients",
        ),
        (
            json!({"client_id": partner, "player_code": "NB4K-100", "model_id": good, "name": "A"}),
            "client_id",
            "your clients",
        ),
        (
            json!({"client_id": client, "player_code": "a b", "model_id": good, "name": "A"}),
            "player_code",
            "4 to 40",
        ),
        (
            json!({"client_id": client, "player_code": "ZZZ-100", "model_id": good, "name": "A"}),
            "player_code",
            "Unknown device",
        ),
        (
            json!({"client_id": client, "player_code": "OLD-100", "model_id": good, "name": "A"}),
            "player_code",
            "Incompatible device",
        ),
        (
            json!({"client_id": client, "player_code": "NB4K-100", "model_id": old, "name": "A"}),
            "model_id",
            "not compatible",
        ),
        (
            json!({"client_id": client, "player_code": "NB4K-100", "name": "A"}),
            "model_id",
            "Choose the model",
        ),
        (
            json!({"client_id": client, "player_code": "NB4K-100", "model_id": good, "name": " "}),
            "name",
            "required",
        ),
    ];
    for (body, field, says) in cases {
        let m = refused(
            add(body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some(field),
        )
        .await;
        assert!(m.contains(says), "{body}: {m}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM players").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM licenses").await, 0);

    let p = add_for_client(&ps, client, "nb4k-000123", good, "Reception screen").await;
    assert_eq!(p["player_code"], "NB4K-000123");
    assert_eq!(p["owner_id"], client);
    assert_eq!(p["status"], "waiting_for_activation");
    assert_eq!(p["license_state"], "pending");
    let license = p["license_id"].as_i64().unwrap();
    let l = ok(
        op.get(&format!("/api/v1/licenses/{license}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (l["license_type"].as_str(), l["holder_id"].as_i64()),
        (Some("player"), Some(client))
    );
    assert_eq!(l["bound_to"], "player NB4K-000123");
    // A dealer is a client too; the same player ID again is already connected.
    add_for_client(&ps, dealer, "NB4K-000124", good, "Dealer screen").await;
    refused(
        add(json!({"client_id": client, "player_code": "NB4K-000123", "model_id": good, "name": "Again"})).await,
        StatusCode::CONFLICT,
        "already_connected",
        None,
    )
    .await;
    // The operator is told in the panel and by email.
    let notices = ok(op.get("/api/v1/player-notifications").await, StatusCode::OK).await;
    let texts: Vec<&str> = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(
            |t| t.contains("Wizard Partner added the player “Reception screen”")
                && t.contains(&format!("license {license}"))
        ),
        "{texts:?}"
    );
    app.run_jobs().await;
    let mails = app.smtp.to(ADMIN_EMAIL);
    assert!(
        mails.iter().any(|m| m
            .subject()
            .contains("Wizard Partner added a player for Wizard Client")),
        "{:?}",
        mails.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    // Until activation the device waits; after it, it gets a token.
    let c = app.client();
    let mut d = Device::new("NB4K-000123", "02:00:00:00:01:23");
    let (st, v) = d.register(&c, &app.base).await;
    assert_eq!(
        (st, v["status"].as_str()),
        (StatusCode::ACCEPTED, Some("waiting_for_activation")),
        "{v}"
    );
    assert!(d.token.is_none());
    activate(&op, license).await;
    let (st, _) = d.register(&c, &app.base).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = d.poll(&c, &app.base, None).await;
    assert_eq!(st, StatusCode::OK);
    // The MAC was learnt at registration; a second device with the same ID and another MAC waits.
    let p = ok(
        ps.get(&format!("/api/v1/players/{}", p["id"])).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(p["mac"], "02:00:00:00:01:23");
    assert_eq!(p["status"], "online");
    let mut forged = Device::new("NB4K-000123", "02:00:00:00:09:99");
    let (st, _) = forged.register(&c, &app.base).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert!(forged.token.is_none());
    // Switching the license off stops the content.
    ok(
        op.post(&format!("/api/v1/licenses/{license}/deactivate"), json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let (st, _) = d.poll(&c, &app.base, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_and_clients_players_online_and_offline_and_other_tenants_get_404() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Seen Partner", true, false).await;
    let (_, other_s) = partner_on(&app, &op, "Other Partner", true, false).await;
    let client = create(&op, partner, "customer", "Seen Client").await;
    let c = app.client();
    let mut devices = Vec::new();
    for i in 0..3u64 {
        let p = add_for_client(
            &ps,
            client,
            &format!("NB4K-2000{i}"),
            good,
            &format!("Client screen {i}"),
        )
        .await;
        activate(&op, p["license_id"].as_i64().unwrap()).await;
        let mut d = Device::new(&format!("NB4K-2000{i}"), &sim::mac_of(100 + i));
        assert_eq!(d.register(&c, &app.base).await.0, StatusCode::OK);
        devices.push((p["id"].as_i64().unwrap(), d));
    }
    let own = ok(
        op.post("/api/v1/players/connect", json!({"account_id": partner, "mac": sim::mac_of(1), "model_id": good, "name": "Partner clone screen"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let mut own_d = Device::new("NB4K-29999", &sim::mac_of(1));
    assert_eq!(own_d.register(&c, &app.base).await.0, StatusCode::OK);
    // Every device polls: all online.
    for (_, d) in devices.iter_mut() {
        assert_eq!(d.poll(&c, &app.base, None).await.0, StatusCode::OK);
    }
    let counts = ok(ps.get("/api/v1/players/counts").await, StatusCode::OK).await;
    assert_eq!(
        counts,
        json!({"own_online": 1, "own_offline": 0, "clients_online": 3, "clients_offline": 0})
    );
    // Two minutes on (twice the 60 s interval), one client's device keeps polling.
    app.advance(125);
    assert_eq!(
        devices[0].1.poll(&c, &app.base, None).await.0,
        StatusCode::NOT_MODIFIED
    );
    let counts = ok(ps.get("/api/v1/players/counts").await, StatusCode::OK).await;
    assert_eq!(
        counts,
        json!({"own_online": 0, "own_offline": 1, "clients_online": 1, "clients_offline": 2})
    );
    let offline = ok(
        ps.get("/api/v1/players?show=clients&state=offline&sort=name")
            .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = offline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Client screen 1", "Client screen 2"]);
    let online = ok(
        ps.get("/api/v1/players?show=clients&state=online").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(online["items"][0]["name"], "Client screen 0");
    assert_eq!(online["items"][0]["own"], false);
    // Search, sort, pages.
    let found = ok(
        ps.get("/api/v1/players?show=clients&q=SCREEN%202").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["total"], 1);
    let by_mac = ok(
        ps.get(&format!(
            "/api/v1/players?show=own&q={}",
            &sim::mac_of(1)[9..]
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_mac["total"], 1);
    let paged = ok(
        ps.get("/api/v1/players?show=clients&sort=name&dir=desc&per_page=2&page=2")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (paged["total"].as_i64(), paged["items"][0]["name"].as_str()),
        (Some(3), Some("Client screen 0"))
    );
    refused(
        ps.get("/api/v1/players?sort=mac").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("sort"),
    )
    .await;
    // The dashboard tiles say the same for the account in view.
    let dash = ok(ps.get("/api/v1/dashboard").await, StatusCode::OK).await;
    assert_eq!(dash["players"]["clients_online"], 1);
    // The client sees its own three; the operator all four as clients' players.
    let cust_email = "cust@seen.test";
    add_login(&op, client, cust_email, "owner").await;
    let cs = app.login(cust_email, PW).await;
    let mine = ok(cs.get("/api/v1/players").await, StatusCode::OK).await;
    assert_eq!(mine["total"], 3);
    let all = ok(op.get("/api/v1/players").await, StatusCode::OK).await;
    assert_eq!(all["total"], 4);
    // Another tenant: 404 on read and on every change, the same as a missing id.
    let pid = devices[0].0;
    for r in [
        other_s.get(&format!("/api/v1/players/{pid}")).await,
        other_s
            .patch(
                &format!("/api/v1/players/{pid}"),
                json!({"name": "Mine now"}),
            )
            .await,
        other_s
            .post(
                &format!("/api/v1/players/{pid}/disconnect"),
                json!({"confirm": true}),
            )
            .await,
        cs.get(&format!("/api/v1/players/{}", own["id"])).await,
    ] {
        refused(r, StatusCode::NOT_FOUND, "not_found", None).await;
    }
    assert_eq!(
        other_s.get(&format!("/players/{pid}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_and_disconnecting_a_player_stop_its_token_free_its_license_and_tell_the_operator()
{
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Edit Partner", true, false).await;
    let client = create(&op, partner, "customer", "Edit Client").await;
    let p = add_for_client(&ps, client, "NB4K-300", good, "Lobby").await;
    let id = p["id"].as_i64().unwrap();
    let license = p["license_id"].as_i64().unwrap();
    activate(&op, license).await;
    let c = app.client();
    let mut d = Device::new("NB4K-300", &sim::mac_of(300));
    d.register(&c, &app.base).await;
    assert_eq!(d.poll(&c, &app.base, None).await.0, StatusCode::OK);
    let first = d.version.clone().unwrap();
    // Edit: every field error at once; a good edit changes what the device is told.
    let (st, code, _, _) = error_of(
        ps.patch(&format!("/api/v1/players/{id}"), json!({"name": "", "volume": 101, "poll_interval_s": 1, "orientation": "sideways", "playlist_id": 987654}))
            .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
    );
    let v = ok(
        ps.patch(
            &format!("/api/v1/players/{id}"),
            json!({"name": "Lobby left", "volume": 20, "orientation": "portrait"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            v["name"].as_str(),
            v["volume"].as_i64(),
            v["orientation"].as_str()
        ),
        (Some("Lobby left"), Some(20), Some("portrait"))
    );
    assert_eq!(d.poll(&c, &app.base, None).await.0, StatusCode::OK);
    assert_ne!(d.version.as_deref(), Some(first.as_str()));
    assert_eq!(d.shows.as_ref().unwrap()["volume"], 20);
    // Disconnect needs its confirmation.
    refused(
        ps.post(&format!("/api/v1/players/{id}/disconnect"), json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "confirmation_required",
        Some("confirm"),
    )
    .await;
    let gone = ok(
        ps.post(
            &format!("/api/v1/players/{id}/disconnect"),
            json!({"confirm": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(gone["name"], "Lobby left");
    refused(
        ps.get(&format!("/api/v1/players/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    // Its token stops working; its license is freed (kept, bound to nothing).
    let (st, _) = d.poll(&c, &app.base, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let l = ok(
        op.get(&format!("/api/v1/licenses/{license}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (l["bound_to"].as_str(), l["state"].as_str()),
        (Some(""), Some("active"))
    );
    // The operator is told to check the subscription, in the panel and by email.
    let notices = ok(op.get("/api/v1/player-notifications").await, StatusCode::OK).await;
    assert!(
        notices["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("subscription"),
        "{notices}"
    );
    app.run_jobs().await;
    assert!(app.smtp.to(ADMIN_EMAIL).iter().any(|m| m
        .subject()
        .contains("Edit Partner disconnected a player of Edit Client")));
    assert_eq!(
        ok(
            op.post("/api/v1/player-notifications/read", json!({}))
                .await,
            StatusCode::OK
        )
        .await["read"],
        2
    );
    // The device waits again when it registers; the player ID may be added again.
    let (st, _) = d.register(&c, &app.base).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    add_for_client(&ps, client, "NB4K-300", good, "Lobby again").await;
    for action in ["player.add", "player.update", "player.disconnect"] {
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await
                >= 1,
            "{action}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_protocol_answers_304_writes_little_long_polls_and_throttles_forged_tokens() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Protocol Partner", false, false).await;
    let p = ok(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": partner, "mac": sim::mac_of(7), "model_id": good}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let c = app.client();
    // Bad input is named.
    let r = c
        .post(app.url("/device/v1/register"))
        .json(&json!({"player_id": "NB4K-7", "mac": "nope"}))
        .send()
        .await
        .unwrap();
    refused(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("mac"),
    )
    .await;
    let r = c
        .get(app.url("/device/v1/playlist?wait=31"))
        .send()
        .await
        .unwrap();
    refused(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("wait"),
    )
    .await;
    // An unknown device waits, with no token.
    let mut stranger = Device::new("NB4K-404", &sim::mac_of(404));
    assert_eq!(
        stranger.register(&c, &app.base).await.0,
        StatusCode::ACCEPTED
    );
    let mut d = Device::new("NB4K-7", &sim::mac_of(7));
    assert_eq!(d.register(&c, &app.base).await.0, StatusCode::OK);
    assert_eq!(d.poll(&c, &app.base, None).await.0, StatusCode::OK);
    let v = d.shows.clone().unwrap();
    assert_eq!(
        (
            v["poll_interval_s"].as_i64(),
            v["items"].as_array().map(|a| a.len())
        ),
        (Some(60), Some(0))
    );
    assert_eq!(v["version"].as_str(), d.version.as_deref());
    // Unchanged: 304 without a body; the last-seen time is written at most once per interval.
    let seen = || async {
        sqlx::query_scalar::<_, i64>(&format!("SELECT last_seen_at FROM players WHERE id = {id}"))
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
    };
    let t0 = seen().await;
    for _ in 0..5 {
        app.advance(10);
        assert_eq!(
            d.poll(&c, &app.base, None).await.0,
            StatusCode::NOT_MODIFIED
        );
    }
    assert_eq!(seen().await, t0, "written within the interval");
    app.advance(15);
    assert_eq!(
        d.poll(&c, &app.base, None).await.0,
        StatusCode::NOT_MODIFIED
    );
    assert!(seen().await > t0, "written once the interval passed");
    assert_eq!(d.report(&c, &app.base).await, StatusCode::NO_CONTENT);
    // A long poll learns of a change within a second.
    let base = app.base.clone();
    let mut waiting = d.clone();
    let c2 = c.clone();
    let task = tokio::spawn(async move {
        let started = Instant::now();
        let (st, _) = waiting.poll(&c2, &base, Some(20)).await;
        (st, started.elapsed(), waiting)
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let changed_at = Instant::now();
    ok(
        ps.patch(&format!("/api/v1/players/{id}"), json!({"volume": 80}))
            .await,
        StatusCode::OK,
    )
    .await;
    let (st, took, waiting) = task.await.unwrap();
    assert_eq!(st, StatusCode::OK);
    assert!(
        changed_at.elapsed() < Duration::from_secs(1),
        "took {took:?}"
    );
    assert_eq!(waiting.shows.unwrap()["volume"], 80);
    // Nothing changes: the long poll answers 304 when its time is up.
    let mut again = d.clone();
    again.version = None;
    again.poll(&c, &app.base, None).await;
    let (st, took) = again.poll(&c, &app.base, Some(1)).await;
    assert_eq!(st, StatusCode::NOT_MODIFIED);
    assert!(took >= Duration::from_millis(900), "{took:?}");
    // Forged tokens: 401 with a stable code, counted like failed sign-ins, then 429.
    let mut forged = Device::new("NB4K-7", &sim::mac_of(7));
    forged.token = Some("pd_forged".into());
    for _ in 0..19 {
        let r = c
            .get(app.url("/device/v1/playlist"))
            .bearer_auth("pd_forged")
            .send()
            .await
            .unwrap();
        refused(r, StatusCode::UNAUTHORIZED, "device_token_invalid", None).await;
    }
    let r = c
        .get(app.url("/device/v1/playlist"))
        .bearer_auth("pd_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .get(app.url("/device/v1/playlist"))
        .bearer_auth("pd_forged")
        .send()
        .await
        .unwrap();
    let (st, code, _, _) = error_of(r).await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    // A registration replaces the token: the old one is stale.
    let old = d.token.clone();
    app.advance(3600);
    let mut fresh = Device::new("NB4K-7", &sim::mac_of(7));
    assert_eq!(fresh.register(&c, &app.base).await.0, StatusCode::OK);
    assert_ne!(fresh.token, old);
    let r = c
        .get(app.url("/device/v1/playlist"))
        .bearer_auth(old.unwrap())
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::UNAUTHORIZED, "device_token_invalid", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_walk_the_wizard_with_field_errors_edit_and_disconnect() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Page Partner", true, false).await;
    let client = create(&op, partner, "customer", "Page Client").await;
    fn with_csrf(mut v: Vec<(&'static str, String)>, csrf: &str) -> Vec<(&'static str, String)> {
        v.push(("csrf_token", csrf.to_string()));
        v
    }
    let form = |pairs: Vec<(&'static str, String)>| with_csrf(pairs, &ps.csrf);
    let page = ps.get("/players").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"add-player\"") && html.contains("Own devices"),
        "{html}"
    );
    // Step 1 → 2 → a refusal beside its field, with what was typed kept → 3 → done.
    let post = |pairs: Vec<(&'static str, String)>| {
        ps.client
            .post(format!("{}/players/add", ps.base))
            .form(&form(pairs))
            .send()
    };
    let r = post(vec![
        ("step", "1".into()),
        ("client_id", client.to_string()),
    ])
    .await
    .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"wz-code\""), "{html}");
    let r = post(vec![
        ("step", "2".into()),
        ("client_id", client.to_string()),
        ("player_code", "ZZZ-1".into()),
        ("model_id", good.to_string()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"wz-code-error\"")
            && html.contains("Unknown device")
            && html.contains("value=\"ZZZ-1\""),
        "{html}"
    );
    let r = post(vec![
        ("step", "2".into()),
        ("client_id", client.to_string()),
        ("player_code", "NB4K-55".into()),
        ("model_id", good.to_string()),
    ])
    .await
    .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"wz-name\""), "{html}");
    let r = post(vec![
        ("step", "3".into()),
        ("client_id", client.to_string()),
        ("player_code", "NB4K-55".into()),
        ("model_id", good.to_string()),
        ("name", "Window".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let html = ps.get(&to).await.text().await.unwrap();
    assert!(
        html.contains("waiting for activation") && html.contains("Disconnect media player"),
        "{html}"
    );
    // Edit with a bad volume: the error beside it, the name typed kept.
    let r = ps
        .client
        .post(format!("{}{to}", ps.base))
        .form(&form(vec![
            ("name", "Window 2".into()),
            ("volume", "loud".into()),
            ("orientation", "landscape".into()),
            ("poll_interval_s", "60".into()),
            ("playlist_id", "".into()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"pl-volume-error\"") && html.contains("value=\"Window 2\""),
        "{html}"
    );
    // Disconnect asks first, saying what happens.
    let html = ps
        .get(&format!("{to}/disconnect"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("token stops working") && html.contains("Client Services is told"),
        "{html}"
    );
    let r = ps
        .client
        .post(format!("{}{to}/disconnect", ps.base))
        .form(&form(vec![("confirm", "yes".into())]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM players").await, 0);
    // A partner without the feature has no Add player.
    let (_, plain) = partner_on(&app, &op, "Plain Page Partner", false, false).await;
    let html = plain.get("/players").await.text().await.unwrap();
    assert!(!html.contains("id=\"add-player\""));
    assert_eq!(
        plain.get("/players/add").await.status(),
        StatusCode::FORBIDDEN
    );
    // The operator's pages open.
    for path in ["/players", "/players/connect", "/player-models"] {
        assert_eq!(op.get(path).await.status(), StatusCode::OK, "{path}");
    }
}
