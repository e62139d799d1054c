//! Players in the browser: the operator connects a partner's player by MAC, the partner sees
//! own devices and devices of clients online and offline, walks the Add player wizard through a
//! refusal to the end, edits the player and disconnects it after the confirmation; a video clip
//! uploaded through the Creation Station (a file too large said before it is sent, one that
//! does not say how long it lasts refused beside its field) and played in its preview; at
//! desktop and phone widths, with screenshots.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::Browser;
use crate::media::{activate, add_for_client, models, partner_on, sim};
use crate::support::*;

async fn shots(b: &Browser, name: &str, at: &str) {
    b.shots(&format!("players-{name}"), at).await
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str, pw: &str) {
    b.client.goto(&app.url("/login")).await.unwrap();
    b.fill("#email", email).await;
    b.fill("#password", pw).await;
    b.click("#sign-in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_page_wizard_edit_and_disconnect_in_the_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Screen Partner", true, false).await;
    let email = format!("owner{partner}@media.test");
    let client = crate::tree::create(&op, partner, "customer", "Café Aurora").await;
    crate::tree::create(&op, partner, "customer", "Eastside Gym").await;
    let c = app.client();
    for i in 0..4u64 {
        let p = add_for_client(
            &ps,
            client,
            &format!("NB4K-7000{i}"),
            good,
            &format!("Café screen {i}"),
        )
        .await;
        if i < 3 {
            activate(&op, p["license_id"].as_i64().unwrap()).await;
            let mut d = sim::Device::new(&format!("NB4K-7000{i}"), &sim::mac_of(700 + i));
            d.register(&c, &app.base).await;
            if i < 2 {
                d.poll(&c, &app.base, None).await;
            }
        }
    }
    // The third client's player registered two minutes ago and went quiet.
    sqlx::query(
        "UPDATE players SET last_seen_at = last_seen_at - 130000 WHERE player_code = 'NB4K-70002'",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        // The operator connects the partner's own player by MAC, in another notation.
        sign_in(&b, &app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        b.client.goto(&app.url("/players/connect")).await.unwrap();
        b.client
            .execute(
                "document.querySelector('#cn-account').value = arguments[0]; document.querySelector('#cn-model').value = arguments[1];",
                vec![json!(partner.to_string()), json!(good.to_string())],
            )
            .await
            .unwrap();
        b.fill("#cn-mac", "00-1a-2b-3c").await;
        b.click("#cn-submit").await;
        assert!(b.text("#cn-mac-error").await.contains("not a MAC address"));
        shots(&b, "connect-error", "#connect").await;
        b.fill("#cn-mac", "001a.2b3c.4d5e").await;
        b.fill("#cn-name", "Partner office screen").await;
        b.click("#cn-submit").await;
        assert!(b.text("#flash").await.contains("00:1A:2B:3C:4D:5E"));
        b.client.goto(&app.url("/players")).await.unwrap();
        assert!(b
            .text("#player-notices")
            .await
            .contains("Screen Partner added the player"));
        shots(&b, "operator", "h1").await;
        b.client.delete_all_cookies().await.unwrap();

        // The partner: own devices, then devices of clients with the online/offline filter.
        sign_in(&b, &app, &email, crate::tree::PW).await;
        b.click("#nav-players").await;
        assert!(b
            .text("#player-list")
            .await
            .contains("Partner office screen"));
        shots(&b, "own", "h1").await;
        b.click("#show-clients").await;
        assert_eq!(b.text("#count-online").await, "2");
        assert_eq!(b.text("#count-offline").await, "2");
        shots(&b, "clients", "h1").await;
        b.click("#state-offline").await;
        let rows = b.text("#player-list tbody").await;
        assert!(
            rows.contains("Café screen 2")
                && rows.contains("Café screen 3")
                && !rows.contains("Café screen 0"),
            "{rows}"
        );
        // The wizard: client, then a player ID of no known model (refused beside it), then done.
        b.click("#nav-players").await;
        b.click("#add-player").await;
        b.client
            .execute(
                "document.querySelector('#wz-client').value = arguments[0];",
                vec![json!(client.to_string())],
            )
            .await
            .unwrap();
        shots(&b, "wizard-1", "#wizard").await;
        b.click("#wz-next").await;
        b.fill("#wz-code", "ABC-123").await;
        b.client
            .execute(
                "document.querySelector('#wz-model').value = arguments[0];",
                vec![json!(good.to_string())],
            )
            .await
            .unwrap();
        b.click("#wz-next").await;
        assert!(b.text("#wz-code-error").await.contains("Unknown device"));
        shots(&b, "wizard-refused", "#wizard").await;
        b.fill("#wz-code", "NB4K-79999").await;
        b.click("#wz-next").await;
        b.fill("#wz-name", "Café terrace").await;
        shots(&b, "wizard-3", "#wizard").await;
        b.click("#wz-next").await;
        assert!(b.text("#flash").await.contains("player license is active"));
        assert!(b
            .text("#player-status")
            .await
            .contains("waiting for activation"));
        // Edit: a volume out of range is shown beside it, the name typed kept.
        b.fill("#pl-name", "Café terrace east").await;
        b.fill("#pl-volume", "140").await;
        b.click("#pl-save").await;
        assert!(b.text("#pl-volume-error").await.contains("0 to 100"));
        shots(&b, "edit-error", "#edit-player").await;
        b.fill("#pl-volume", "40").await;
        b.click("#pl-save").await;
        assert_eq!(b.text("#player-name").await, "Café terrace east");
        shots(&b, "player", "h1").await;
        // Disconnect: a page saying what happens, then the player is gone.
        b.click("#disconnect-link").await;
        assert!(b
            .text("#disconnect-confirm")
            .await
            .contains("token stops working"));
        shots(&b, "disconnect", "#disconnect-confirm").await;
        b.click("#disconnect-confirm-button").await;
        assert!(b.text("#flash").await.contains("was disconnected"));
    };
    let out = tokio::time::timeout(std::time::Duration::from_secs(150), run).await;
    b.close().await;
    out.expect("browser scenario timed out");
}

/// A real video to play: 3 seconds of ffmpeg's test pattern, 320×180 H.264 in MP4, 9 KB (made
/// with `ffmpeg -f lavfi -i testsrc=size=320x180:rate=10:duration=3 -c:v libx264
/// -pix_fmt yuv420p -profile:v baseline -movflags +faststart -crf 38 -tune stillimage`).
const CLIP_MP4: &[u8] = include_bytes!("../fixtures/clip-3s.mp4");

/// The state of the preview's `<video>`: (readyState, videoWidth, duration, currentTime).
async fn video_state(b: &Browser) -> (i64, i64, f64, f64) {
    let v = b
        .client
        .execute(
            "const v = document.querySelector('#clip-video'); \
             return v ? [v.readyState, v.videoWidth, v.duration || 0, v.currentTime] : [-1, 0, 0, 0];",
            vec![],
        )
        .await
        .unwrap();
    (
        v[0].as_i64().unwrap_or(-1),
        v[1].as_i64().unwrap_or(0),
        v[2].as_f64().unwrap_or(0.0),
        v[3].as_f64().unwrap_or(0.0),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_clip_is_uploaded_through_the_form_and_plays_in_its_preview() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn_with(|c| c.media_max_video_bytes = 256 * 1024).await;
    let op = app.login_admin().await;
    let (partner, _) = partner_on(&app, &op, "Reel Partner", false, false).await;
    let email = format!("owner{partner}@media.test");
    let dir = std::env::temp_dir().join(format!(
        "pp-video-{}",
        partner_panel::kernel::secrets::random_hex(4)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, data: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, data).unwrap();
        p.display().to_string()
    };
    let good = file("lobby.mp4", CLIP_MP4);
    let big = file("big.mp4", &crate::media_video::tiny_mp4(600, 300 * 1024));
    let untimed = file("untimed.mp4", &crate::media_video::tiny_mp4(0, 2048));
    let choose = |path: String| {
        let b = &b;
        async move {
            b.client
                .find(Locator::Css("#vd-file"))
                .await
                .unwrap()
                .send_keys(&path)
                .await
                .unwrap();
        }
    };
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        sign_in(&b, &app, &email, crate::tree::PW).await;
        b.click("#nav-clips").await;
        b.click("#new-video").await;
        assert!(b.text("#video-form").await.contains("at most 256 KB"));
        b.shots("clips-video-form", "#creation-station").await;
        // Too large: said beside the field before anything is sent.
        b.fill("#vd-title", "Lobby loop").await;
        choose(big).await;
        b.click("#vd-upload").await;
        assert!(b
            .text("#vd-file-error")
            .await
            .contains("a video may be at most 256 KB"));
        b.shots("clips-video-too-large", "#creation-station").await;
        // A file that does not say how long it lasts, and no seconds: the panel says so, the
        // title kept.
        choose(untimed).await;
        b.click("#vd-upload").await;
        assert!(b
            .text("#vd-duration-error")
            .await
            .contains("does not say how long"));
        let kept = b
            .client
            .find(Locator::Css("#vd-title"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some("Lobby loop"));
        b.shots("clips-video-no-duration", "#creation-station")
            .await;
        assert_eq!(app.count("SELECT COUNT(*) FROM clips").await, 0);
        // The real video: its length read from the file, its preview plays.
        choose(good).await;
        b.click("#vd-upload").await;
        assert!(b.text("#flash").await.contains("it lasts 3 s"));
        assert!(b.text("#clip-facts").await.contains("video · 3 s"));
        let mut state = video_state(&b).await;
        for _ in 0..50 {
            if state.0 >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            state = video_state(&b).await;
        }
        assert!(
            state.0 >= 2 && state.1 == 320 && (state.2 - 3.0).abs() < 0.2,
            "the preview did not load: {state:?}"
        );
        // Seeking asks the panel for a range.
        b.client
            .execute(
                "const v = document.querySelector('#clip-video'); v.currentTime = 2.2;",
                vec![],
            )
            .await
            .unwrap();
        for _ in 0..25 {
            state = video_state(&b).await;
            if state.3 > 2.0 && state.0 >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(state.3 > 2.0 && state.0 >= 2, "seek: {state:?}");
        b.shots("clips-video-clip", "h1").await;
        // Its title changes; it stays the video it was.
        b.fill("#sl-title", "Lobby loop east").await;
        b.click("#slide-save").await;
        assert!(b.text("#flash").await.contains("was saved"));
        assert_eq!(b.text("#clip-title").await, "Lobby loop east");
        assert!(b
            .text("#clip-facts")
            .await
            .contains("video · 3 s · video/mp4"));
        b.click("#nav-clips").await;
        assert!(b.text("#clip-list").await.contains("Lobby loop east"));
        b.shots("clips-library", "#clip-list").await;
    };
    let out = tokio::time::timeout(std::time::Duration::from_secs(150), run).await;
    b.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    out.expect("browser scenario timed out");
}
