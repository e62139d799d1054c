//! Content on players: playlists of clips (own and shared), versions reaching the devices,
//! items of another tenant refused, clone following its source at once while the client sees
//! nothing, clip sharing to all / some / none with the advertisement tool, and images checked
//! by their bytes and served by signed links.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

use crate::media::{activate, add_for_client, models, ok, partner_on, refused, sim};
use crate::support::*;
use crate::tree::{add_login, create, PW};
use sim::Device;

async fn slide(s: &Session, title: &str, secs: i64) -> i64 {
    ok(
        s.post(
            "/api/v1/clips",
            json!({"title": title, "text": "Hello", "background": "#E63946", "duration_s": secs}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn playlist(s: &Session, name: &str, clips: &[i64]) -> Value {
    let items: Vec<Value> = clips.iter().map(|c| json!({"clip_id": c})).collect();
    ok(
        s.post("/api/v1/playlists", json!({"name": name, "items": items}))
            .await,
        StatusCode::CREATED,
    )
    .await
}

/// The PNG of one red pixel, checksums and all.
pub fn tiny_png() -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for b in bytes {
            crc ^= *b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    chunk(
        &mut png,
        b"IDAT",
        &[
            0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00,
        ],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playlists_reach_the_players_and_clone_follows_its_source_at_once() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Clone Partner", true, false).await;
    let (other, other_s) = partner_on(&app, &op, "Other Tenant", true, false).await;
    let client = create(&op, partner, "customer", "Clone Client").await;
    let stranger = create(&op, other, "customer", "Stranger Client").await;
    add_login(&op, client, "client@clone.test", "owner").await;
    let cs = app.login("client@clone.test", PW).await;
    let c = app.client();
    // The client's player with its playlist of two slides.
    let p = add_for_client(&ps, client, "NB4K-5000", good, "Shop window").await;
    activate(&op, p["license_id"].as_i64().unwrap()).await;
    let src = p["id"].as_i64().unwrap();
    let a = slide(&cs, "Opening hours", 8).await;
    let b = slide(&cs, "Coffee 2 for 1", 12).await;
    let pl = playlist(&cs, "Window", &[a, b]).await;
    assert_eq!(
        (pl["version"].as_i64(), pl["total_s"].as_i64()),
        (Some(1), Some(20))
    );
    let plid = pl["id"].as_i64().unwrap();
    ok(
        cs.patch(
            &format!("/api/v1/players/{src}"),
            json!({"playlist_id": plid}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut dev = Device::new("NB4K-5000", &sim::mac_of(5000));
    dev.register(&c, &app.base).await;
    dev.poll(&c, &app.base, None).await;
    assert_eq!(dev.showing(), ["Opening hours", "Coffee 2 for 1"]);
    assert_eq!(dev.shows.as_ref().unwrap()["items"][1]["duration_s"], 12);
    // A playlist with an item of another tenant is refused, and nothing is written.
    let theirs = slide(&other_s, "Not yours", 5).await;
    refused(
        cs.put(
            &format!("/api/v1/playlists/{plid}"),
            json!({"items": [{"clip_id": b}, {"clip_id": theirs}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("items[1].clip_id"),
    )
    .await;
    let same = ok(
        cs.get(&format!("/api/v1/playlists/{plid}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            same["version"].as_i64(),
            same["items"].as_array().unwrap().len()
        ),
        (Some(1), 2)
    );
    assert_eq!(
        dev.poll(&c, &app.base, None).await.0,
        StatusCode::NOT_MODIFIED
    );
    // Another tenant's playlist cannot be read or assigned.
    refused(
        other_s.get(&format!("/api/v1/playlists/{plid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    let other_pl = playlist(&other_s, "Theirs", &[theirs]).await;
    refused(
        cs.patch(
            &format!("/api/v1/players/{src}"),
            json!({"playlist_id": other_pl["id"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("playlist_id"),
    )
    .await;

    // The partner's own player, connected by MAC, clones the client's player.
    let own = ok(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": partner, "mac": sim::mac_of(1), "model_id": good}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let own_id = own["id"].as_i64().unwrap();
    let mut mine = Device::new("NB4K-5999", &sim::mac_of(1));
    mine.register(&c, &app.base).await;
    mine.poll(&c, &app.base, None).await;
    assert!(mine.showing().is_empty());
    // A source outside the partner's clients, or its own player, is refused.
    let stranger_p = add_for_client(&other_s, stranger, "NB4K-5001", good, "Elsewhere").await;
    for source in [stranger_p["id"].as_i64().unwrap(), own_id, 987654] {
        refused(
            ps.post(
                &format!("/api/v1/players/{own_id}/clone"),
                json!({"source_player_id": source}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("source_player_id"),
        )
        .await;
    }
    // The partner's clone is only the partner's: the client's player may not clone.
    refused(
        ps.post(
            &format!("/api/v1/players/{src}/clone"),
            json!({"source_player_id": src}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("source_player_id"),
    )
    .await;
    // While the partner's device long polls, the clone makes it sync at once.
    let base = app.base.clone();
    let c2 = c.clone();
    let mut waiting = mine.clone();
    let task = tokio::spawn(async move {
        let (st, _) = waiting.poll(&c2, &base, Some(20)).await;
        (st, waiting)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t0 = Instant::now();
    let v = ok(
        ps.post(
            &format!("/api/v1/players/{own_id}/clone"),
            json!({"source_player_id": src}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["clone_of"], src);
    let (st, waiting) = task.await.unwrap();
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(st, StatusCode::OK);
    assert_eq!(waiting.showing(), ["Opening hours", "Coffee 2 for 1"]);
    mine = waiting;
    // The client changes its playlist: the clone follows within a second of the change.
    let base = app.base.clone();
    let c2 = c.clone();
    let mut waiting = mine.clone();
    let task = tokio::spawn(async move {
        let (st, _) = waiting.poll(&c2, &base, Some(20)).await;
        (st, waiting)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t0 = Instant::now();
    let v = ok(
        cs.put(
            &format!("/api/v1/playlists/{plid}"),
            json!({"items": [{"clip_id": b, "duration_s": 30}]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["version"], 2);
    let (st, waiting) = task.await.unwrap();
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(st, StatusCode::OK);
    assert_eq!(waiting.showing(), ["Coffee 2 for 1"]);
    assert_eq!(
        waiting.shows.as_ref().unwrap()["items"][0]["duration_s"],
        30
    );
    // The client's own device gets it too; the client's content is as the client left it.
    dev.poll(&c, &app.base, None).await;
    assert_eq!(dev.showing(), ["Coffee 2 for 1"]);
    // The client sees nothing of the clone: not in its player, not in its audit log.
    let seen = ok(
        cs.get(&format!("/api/v1/players/{src}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(!seen.to_string().contains("Clone Partner"), "{seen}");
    let audit = ok(cs.get("/api/v1/audit").await, StatusCode::OK)
        .await
        .to_string();
    assert!(!audit.contains("player.clone"), "{audit}");
    refused(
        cs.get(&format!("/api/v1/players/{own_id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    // The partner assigns something else: the clone ends.
    let p_clip = slide(&ps, "Partner test card", 5).await;
    let ppl = playlist(&ps, "Test card", &[p_clip]).await;
    let v = ok(
        ps.patch(
            &format!("/api/v1/players/{own_id}"),
            json!({"playlist_id": ppl["id"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(v["clone_of"].is_null());
    mine = waiting;
    mine.poll(&c, &app.base, None).await;
    assert_eq!(mine.showing(), ["Partner test card"]);
    // Deleting a playlist leaves its players with nothing.
    ok(
        cs.delete(&format!("/api/v1/playlists/{plid}")).await,
        StatusCode::NO_CONTENT,
    )
    .await;
    dev.poll(&c, &app.base, None).await;
    assert!(dev.showing().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clips_are_shared_to_all_some_or_none_with_the_advertisement_tool() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (partner, ps) = partner_on(&app, &op, "Ad Partner", false, true).await;
    let (_, plain) = partner_on(&app, &op, "No Ads Partner", false, false).await;
    let c1 = create(&op, partner, "customer", "First Customer").await;
    let c2 = create(&op, partner, "customer", "Second Customer").await;
    let outsider = create(&op, 1, "partner", "Outsider").await;
    add_login(&op, c1, "one@ads.test", "owner").await;
    add_login(&op, c2, "two@ads.test", "owner").await;
    let s1 = app.login("one@ads.test", PW).await;
    let s2 = app.login("two@ads.test", PW).await;
    let clip = slide(&ps, "Partner promo", 10).await;
    let partner_tab = |s: &Session| {
        let s = s.client.clone();
        let url = format!("{}/api/v1/clips?tab=partner", ps.base);
        async move {
            s.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    // None: only the partner sees it.
    assert_eq!((partner_tab(&s1).await, partner_tab(&s2).await), (0, 0));
    // All.
    let v = ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/sharing"),
            json!({"all": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["share_all"], true);
    assert_eq!((partner_tab(&s1).await, partner_tab(&s2).await), (1, 1));
    // Some: only the checked one.
    let v = ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/sharing"),
            json!({"all": false, "account_ids": [c2]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["shared_with"], json!([c2]));
    assert_eq!((partner_tab(&s1).await, partner_tab(&s2).await), (0, 1));
    // Refusals: an account not below, all with a list, a package without the tool.
    refused(
        ps.put(
            &format!("/api/v1/clips/{clip}/sharing"),
            json!({"account_ids": [outsider]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("account_ids"),
    )
    .await;
    refused(
        ps.put(
            &format!("/api/v1/clips/{clip}/sharing"),
            json!({"all": true, "account_ids": [c1]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("account_ids"),
    )
    .await;
    let theirs = slide(&plain, "Plain", 5).await;
    let m = refused(
        plain
            .put(
                &format!("/api/v1/clips/{theirs}/sharing"),
                json!({"all": true}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;
    assert!(m.contains("advertisement tool"), "{m}");
    // The customer it is shared with uses it in a playlist but cannot change it; the other may not.
    let v = playlist(&s2, "Mine with the promo", &[clip]).await;
    assert_eq!(v["items"][0]["title"], "Partner promo");
    refused(
        s2.patch(
            &format!("/api/v1/clips/{clip}"),
            json!({"title": "Changed"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    refused(
        s1.post(
            "/api/v1/playlists",
            json!({"name": "Not shared", "items": [{"clip_id": clip}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("items[0].clip_id"),
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM playlists WHERE name = 'Not shared'")
            .await,
        0
    );
    // The pages: the tab Partner lists it for the second customer.
    let html = s2.get("/clips?tab=partner").await.text().await.unwrap();
    assert!(
        html.contains("Partner promo") && html.contains("from Ad Partner"),
        "{html}"
    );
    let html = ps
        .get(&format!("/clips/{clip}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("available for all users") && html.contains("Second Customer"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_are_checked_by_their_bytes_and_served_by_signed_links() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Image Partner", false, false).await;
    let clip = slide(&ps, "Logo", 10).await;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let png = tiny_png();
    let mut cut = png.clone();
    cut.truncate(png.len() - 5);
    for (data, code) in [
        (b"GIF89a not allowed".to_vec(), "attachment_type_refused"),
        (b"%PDF-1.4 a document".to_vec(), "attachment_type_refused"),
        (cut, "attachment_type_refused"),
        (vec![0x89; 2 * 1024 * 1024 + 1], "attachment_too_large"),
    ] {
        refused(
            ps.put(
                &format!("/api/v1/clips/{clip}/image"),
                json!({"data": b64(&data)}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            Some("image"),
        )
        .await;
    }
    refused(
        ps.put(
            &format!("/api/v1/clips/{clip}/image"),
            json!({"data": "%%%"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("data"),
    )
    .await;
    let v = ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/image"),
            json!({"data": b64(&png)}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["kind"].as_str(), v["image_type"].as_str()),
        (Some("image"), Some("image/png"))
    );
    // Through the page: a file of the wrong type is refused beside the field.
    let boundary = "XmediaBoundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n\
         Content-Type: image/png\r\n\r\nnot an image\r\n--{boundary}--\r\n",
        ps.csrf
    );
    let r = ps
        .client
        .post(format!("{}/clips/{clip}/image", ps.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"clip-file-error\""));
    // On a player: the item carries a signed link that serves the image; a forged one is 404.
    let pl = playlist(&ps, "Logo loop", &[clip]).await;
    let own = ok(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": partner, "mac": sim::mac_of(9), "model_id": good}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    ok(
        ps.patch(
            &format!("/api/v1/players/{}", own["id"]),
            json!({"playlist_id": pl["id"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let c = app.client();
    let mut d = Device::new("NB4K-9", &sim::mac_of(9));
    d.register(&c, &app.base).await;
    d.poll(&c, &app.base, None).await;
    let link = d.shows.as_ref().unwrap()["items"][0]["media_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        link.starts_with("/device/v1/media/") && link.contains("sig="),
        "{link}"
    );
    let url = app.url(&link);
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    let forged = format!("{}0", &url[..url.len() - 1]);
    let forged = if forged == url {
        format!("{}1", &url[..url.len() - 1])
    } else {
        forged
    };
    assert_eq!(
        c.get(&forged).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Expired: a day and more later.
    app.advance(2 * 86_400);
    assert_eq!(
        c.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_content_pages_compose_preview_and_edit_a_playlist() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (_, ps) = partner_on(&app, &op, "Page Content Partner", false, false).await;
    let post = |path: &str, pairs: Vec<(&'static str, String)>| {
        let mut pairs = pairs;
        pairs.push(("csrf_token", ps.csrf.clone()));
        ps.client
            .post(format!("{}{path}", ps.base))
            .form(&pairs)
            .send()
    };
    // Preview saves nothing; a bad colour is shown beside its field with the text kept.
    let r = post(
        "/clips",
        vec![
            ("title", "Hello".into()),
            ("text", "World".into()),
            ("background", "#112233".into()),
            ("duration_s", "10".into()),
            ("action", "preview".into()),
        ],
    )
    .await
    .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("background: #112233") && html.contains("World"),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM clips").await, 0);
    let r = post(
        "/clips",
        vec![
            ("title", "Hello".into()),
            ("text", "World".into()),
            ("background", "red".into()),
            ("duration_s", "0".into()),
            ("action", "create".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"sl-background-error\"")
            && html.contains("id=\"sl-duration-error\"")
            && html.contains(">World<"),
        "{html}"
    );
    let r = post(
        "/clips",
        vec![
            ("title", "Hello".into()),
            ("text", "World".into()),
            ("background", "#112233".into()),
            ("duration_s", "7".into()),
            ("action", "create".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let clip: i64 = sqlx::query_scalar("SELECT id FROM clips")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = post("/playlists", vec![("name", "Lobby".into())])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    // Two rows, the second first by its number; a bad duration is shown on its row.
    let r = post(
        &to,
        vec![
            ("name", "Lobby".into()),
            ("position", "2".into()),
            ("clip_id", clip.to_string()),
            ("duration_s", "x".into()),
            ("position", "1".into()),
            ("clip_id", "".into()),
            ("duration_s", "".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"item-0-error\""));
    let r = post(
        &to,
        vec![
            ("name", "Lobby".into()),
            ("position", "2".into()),
            ("clip_id", clip.to_string()),
            ("duration_s", "".into()),
            ("position", "1".into()),
            ("clip_id", clip.to_string()),
            ("duration_s", "3".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
    let v = ok(
        ps.get(&format!("/api/v1/playlists/{id}")).await,
        StatusCode::OK,
    )
    .await;
    let durations: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["duration_s"].as_i64().unwrap())
        .collect();
    assert_eq!((durations, v["version"].as_i64()), (vec![3, 7], Some(2)));
    for path in ["/clips", &format!("/clips/{clip}"), "/playlists", &to] {
        assert_eq!(ps.get(path).await.status(), StatusCode::OK, "{path}");
    }
}
