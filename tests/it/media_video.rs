//! Video clips: an MP4 made here (ftyp, moov/mvhd with its duration, an mdat past 1 MiB so it
//! is kept in two pieces) uploaded through the API, put in a playlist, polled by a device that
//! gets the item's URL, type and duration, and fetched whole and in ranges (206, 416); expired
//! and forged links; wrong type, too large and no duration refused with their codes and nothing
//! written; a WebM's duration; another tenant's clip 404; the pages' Video forms; and the
//! migration that made room for videos keeping every clip, share and item.

use base64::Engine as _;
use reqwest::{header, StatusCode};
use serde_json::json;

use crate::media::{models, ok, partner_on, refused, sim};
use crate::support::*;
use sim::Device;

/// The cap the tests run with: 3 MiB.
const CAP: usize = 3 * 1024 * 1024;

fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(body);
    b
}

/// A small MP4: `ftyp` (mp42, compatible isom), `moov` holding a version 0 `mvhd` that says
/// `duration` at a timescale of 600 (0: it does not say), and an `mdat` of `payload` bytes.
pub fn tiny_mp4(duration: u32, payload: usize) -> Vec<u8> {
    let mut ftyp = b"mp42".to_vec();
    ftyp.extend_from_slice(&[0, 0, 0, 0]);
    ftyp.extend_from_slice(b"mp42isom");
    let mut mvhd = vec![0u8; 4];
    mvhd.extend_from_slice(&[0; 8]); // creation and modification times
    mvhd.extend_from_slice(&600u32.to_be_bytes());
    mvhd.extend_from_slice(&duration.to_be_bytes());
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend_from_slice(&[1, 0]); // volume 1.0
    mvhd.extend_from_slice(&[0; 10]);
    for m in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        mvhd.extend_from_slice(&m.to_be_bytes());
    }
    mvhd.extend_from_slice(&[0; 24]);
    mvhd.extend_from_slice(&2u32.to_be_bytes());
    let mut out = mp4_box(b"ftyp", &ftyp);
    out.extend(mp4_box(b"moov", &mp4_box(b"mvhd", &mvhd)));
    let data: Vec<u8> = (0..payload).map(|i| (i * 7 % 256) as u8).collect();
    out.extend(mp4_box(b"mdat", &data));
    out
}

fn ebml(id: &[u8], body: &[u8]) -> Vec<u8> {
    let mut b = id.to_vec();
    b.push(0x01); // an 8-byte size
    b.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
    b.extend_from_slice(body);
    b
}

/// A small WebM: its EBML header (DocType webm) and a Segment whose Info says it lasts
/// `duration_ms`, then a Cluster of `payload` bytes.
pub fn tiny_webm(duration_ms: f64, payload: usize) -> Vec<u8> {
    let mut head = ebml(&[0x42, 0x86], &[1]);
    head.extend(ebml(&[0x42, 0x82], b"webm"));
    let mut info = ebml(&[0x2a, 0xd7, 0xb1], &1_000_000u32.to_be_bytes());
    info.extend(ebml(&[0x44, 0x89], &duration_ms.to_be_bytes()));
    let mut seg = ebml(&[0x15, 0x49, 0xa9, 0x66], &info);
    seg.extend(ebml(&[0x1f, 0x43, 0xb6, 0x75], &vec![7u8; payload]));
    let mut out = ebml(&[0x1a, 0x45, 0xdf, 0xa3], &head);
    out.extend(ebml(&[0x18, 0x53, 0x80, 0x67], &seg));
    out
}

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

async fn slide(s: &Session, title: &str) -> i64 {
    ok(
        s.post("/api/v1/clips", json!({"title": title, "duration_s": 10}))
            .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// What a clip's video is in the database: (kind, type, bytes, stored at, pieces, their bytes).
async fn stored(app: &TestApp, clip: i64) -> (String, String, i64, i64, i64, i64) {
    let (kind, t, bytes, at): (String, String, i64, i64) = sqlx::query_as(
        "SELECT kind, video_type, video_bytes, video_stored_at FROM clips WHERE id = $1",
    )
    .bind(clip)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let (n, sum): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM clip_video_chunks WHERE clip_id = $1",
    )
    .bind(clip)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    (kind, t, bytes, at, n, sum)
}

async fn get_range(c: &reqwest::Client, url: &str, range: &str) -> reqwest::Response {
    c.get(url)
        .header(header::RANGE, range)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_reaches_a_player_with_its_duration_and_is_served_in_ranges() {
    let app = TestApp::spawn_with(|c| c.media_max_video_bytes = CAP).await;
    let op = app.login_admin().await;
    let (good, _) = models(&op).await;
    let (partner, ps) = partner_on(&app, &op, "Video Partner", false, false).await;
    let (_, other) = partner_on(&app, &op, "Other Video Tenant", false, false).await;
    let clip = slide(&ps, "Summer reel").await;
    // 1.5 MB: two pieces in the database. 7407 at 600 per second is 12.345 s: 13 s.
    let mp4 = tiny_mp4(7407, 1_500_000);
    let v = ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/video"),
            json!({"data": b64(&mp4)}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            v["kind"].as_str(),
            v["video_type"].as_str(),
            v["video_bytes"].as_i64(),
            v["duration_s"].as_i64()
        ),
        (
            Some("video"),
            Some("video/mp4"),
            Some(mp4.len() as i64),
            Some(13)
        )
    );
    assert!(v["video_url"]
        .as_str()
        .unwrap()
        .starts_with("/device/v1/media/"));
    let before = stored(&app, clip).await;
    assert_eq!(
        (before.4, before.5),
        (2, mp4.len() as i64),
        "kept in two pieces"
    );

    // In a playlist on the partner's own player: the device gets the item with its URL, type
    // and duration.
    let pl = ok(
        ps.post(
            "/api/v1/playlists",
            json!({"name": "Reels", "items": [{"clip_id": clip}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let own = ok(
        op.post(
            "/api/v1/players/connect",
            json!({"account_id": partner, "mac": sim::mac_of(42), "model_id": good}),
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
    let mut d = Device::new("NB4K-42", &sim::mac_of(42));
    d.register(&c, &app.base).await;
    assert_eq!(d.poll(&c, &app.base, None).await.0, StatusCode::OK);
    let item = d.shows.as_ref().unwrap()["items"][0].clone();
    assert_eq!(
        (
            item["kind"].as_str(),
            item["media_type"].as_str(),
            item["duration_s"].as_i64()
        ),
        (Some("video"), Some("video/mp4"), Some(13)),
        "{item}"
    );
    let url = app.url(item["media_url"].as_str().unwrap());

    // Whole: 200 with its type, length and Accept-Ranges.
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "video/mp4");
    assert_eq!(r.headers()[header::ACCEPT_RANGES], "bytes");
    assert_eq!(
        r.headers()[header::CONTENT_LENGTH],
        mp4.len().to_string().as_str()
    );
    let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
    assert_eq!(r.bytes().await.unwrap().to_vec(), mp4);
    // A range across the two pieces, a range from the start, the last bytes, one past the end.
    let len = mp4.len();
    for (range, from, to) in [
        ("bytes=1048570-1048589", 1_048_570, 1_048_589),
        ("bytes=0-99", 0, 99),
        ("bytes=-100", len - 100, len - 1),
        ("bytes=1048576-", 1_048_576, len - 1),
        (&format!("bytes=100-{}", len + 500), 100, len - 1),
    ] {
        let r = get_range(&c, &url, range).await;
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            r.headers()[header::CONTENT_RANGE],
            format!("bytes {from}-{to}/{len}").as_str(),
            "{range}"
        );
        assert_eq!(r.headers()[header::CONTENT_TYPE], "video/mp4");
        assert_eq!(
            r.bytes().await.unwrap().to_vec(),
            mp4[from..=to].to_vec(),
            "{range}"
        );
    }
    // A range outside the file, or one that cannot be read: 416 with the length.
    for range in [format!("bytes={len}-"), "bytes=9-3".to_string()] {
        let r = get_range(&c, &url, &range).await;
        assert_eq!(
            r.headers()[header::CONTENT_RANGE],
            format!("bytes */{len}").as_str()
        );
        refused(
            r,
            StatusCode::RANGE_NOT_SATISFIABLE,
            "range_not_satisfiable",
            None,
        )
        .await;
    }
    // A range of another version (If-Range) gets the whole video; of this one, the range.
    let r = c
        .get(&url)
        .header(header::RANGE, "bytes=0-9")
        .header(header::IF_RANGE, "\"v0-0-0\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(&url)
        .header(header::RANGE, "bytes=0-9")
        .header(header::IF_RANGE, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);

    // Refused: nothing written, the clip and its playlist as they were.
    let version = pl["version"].as_i64();
    let audits = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'clip.video'")
        .await;
    let mut gif = b"GIF89a".to_vec();
    gif.extend(vec![0u8; 64]);
    let mut mov = tiny_mp4(600, 10);
    mov[8..12].copy_from_slice(b"qt  ");
    mov[16..24].copy_from_slice(b"qt  qt  ");
    let mut cut = tiny_mp4(600, 5000);
    cut.truncate(3000);
    for (data, status, code, field, says) in [
        (
            gif,
            StatusCode::UNPROCESSABLE_ENTITY,
            "video_type_refused",
            "video",
            "not an MP4 or WebM",
        ),
        (
            mov,
            StatusCode::UNPROCESSABLE_ENTITY,
            "video_type_refused",
            "video",
            "QuickTime",
        ),
        (
            cut,
            StatusCode::UNPROCESSABLE_ENTITY,
            "video_type_refused",
            "video",
            "does not decode",
        ),
        (
            tiny_mp4(600, CAP),
            StatusCode::UNPROCESSABLE_ENTITY,
            "video_too_large",
            "video",
            "at most 3 MB",
        ),
        (
            tiny_mp4(0, 100),
            StatusCode::UNPROCESSABLE_ENTITY,
            "video_duration_unknown",
            "duration_s",
            "does not say how long",
        ),
    ] {
        let m = refused(
            ps.put(
                &format!("/api/v1/clips/{clip}/video"),
                json!({"data": b64(&data)}),
            )
            .await,
            status,
            code,
            Some(field),
        )
        .await;
        assert!(m.contains(says), "{m}");
    }
    refused(
        ps.put(
            &format!("/api/v1/clips/{clip}/video"),
            json!({"data": "%%%"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        Some("data"),
    )
    .await;
    assert_eq!(stored(&app, clip).await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'clip.video'")
            .await,
        audits
    );
    let same = ok(
        ps.get(&format!("/api/v1/playlists/{}", pl["id"])).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(same["version"].as_i64(), version);
    assert_eq!(
        d.poll(&c, &app.base, None).await.0,
        StatusCode::NOT_MODIFIED
    );

    // Another tenant's video clip is not there for it.
    for r in [
        other.get(&format!("/api/v1/clips/{clip}")).await,
        other
            .put(
                &format!("/api/v1/clips/{clip}/video"),
                json!({"data": b64(&tiny_mp4(600, 10))}),
            )
            .await,
    ] {
        refused(r, StatusCode::NOT_FOUND, "not_found", None).await;
    }

    // A file that does not say how long it lasts takes the seconds entered; a WebM says it.
    let v = ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/video"),
            json!({"data": b64(&tiny_mp4(0, 100)), "duration_s": 7}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["duration_s"].as_i64(), Some(7));
    let after = stored(&app, clip).await;
    assert!(after.3 > before.3 && after.4 == 1, "{after:?}");
    // The player gets the change, and the old link's ETag no longer holds.
    assert_eq!(d.poll(&c, &app.base, None).await.0, StatusCode::OK);
    let r = c.get(&url).send().await.unwrap();
    assert_ne!(r.headers()[header::ETAG].to_str().unwrap(), etag);
    let webm = tiny_webm(4_500.0, 2_000);
    let v = ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/video"),
            json!({"data": b64(&webm)}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["video_type"].as_str(), v["duration_s"].as_i64()),
        (Some("video/webm"), Some(5))
    );
    let r = get_range(&c, &url, "bytes=0-3").await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "video/webm");
    assert_eq!(r.bytes().await.unwrap().to_vec(), webm[..4].to_vec());
    // An image instead: the video's pieces go.
    ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/image"),
            json!({"data": b64(&crate::media_content::tiny_png())}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let img = stored(&app, clip).await;
    assert_eq!((img.0.as_str(), img.2, img.4), ("image", 0, 0));

    // Forged and expired links: 404.
    let v = ok(
        ps.put(
            &format!("/api/v1/clips/{clip}/video"),
            json!({"data": b64(&mp4)}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let url = app.url(v["video_url"].as_str().unwrap());
    assert_eq!(
        get_range(&c, &url, "bytes=0-1").await.status(),
        StatusCode::PARTIAL_CONTENT
    );
    let forged = if url.ends_with('0') {
        format!("{}1", &url[..url.len() - 1])
    } else {
        format!("{}0", &url[..url.len() - 1])
    };
    refused(
        get_range(&c, &forged, "bytes=0-1").await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    app.advance(2 * 86_400);
    refused(
        c.get(&url).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
}

fn multipart(boundary: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, data)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"clip.mp4\"\r\n\
                 Content-Type: video/mp4\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

async fn post_multipart(
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let boundary = "XvideoBoundary7";
    let mut all = vec![("csrf_token", s.csrf.as_str())];
    all.extend_from_slice(fields);
    s.client
        .post(format!("{}{path}", s.base))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(multipart(boundary, &all, file))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_video_forms_upload_refuse_beside_the_field_and_keep_what_was_typed() {
    let app = TestApp::spawn_with(|c| c.media_max_video_bytes = 64 * 1024).await;
    let op = app.login_admin().await;
    let (_, ps) = partner_on(&app, &op, "Video Page Partner", false, false).await;
    let html = ps.get("/clips?new=video").await.text().await.unwrap();
    assert!(
        html.contains("id=\"video-form\"")
            && html.contains("id=\"new-slide\"")
            && html.contains("id=\"new-image\"")
            && html.contains("at most 64 KB"),
        "{html}"
    );
    // Too large, of no duration, or not a video: refused beside its field, the title kept, and
    // no clip made.
    for (file, field_id, says) in [
        (
            tiny_mp4(600, 70 * 1024),
            "vd-file-error",
            "The video is 71 KB",
        ),
        (
            tiny_mp4(0, 100),
            "vd-duration-error",
            "does not say how long",
        ),
        (
            b"not a video at all".to_vec(),
            "vd-file-error",
            "not an MP4",
        ),
    ] {
        let r = post_multipart(
            &ps,
            "/clips",
            &[
                ("kind", "video"),
                ("title", "Lobby loop"),
                ("duration_s", ""),
            ],
            Some(("video", &file)),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{field_id}\""))
                && html.contains(says)
                && html.contains("value=\"Lobby loop\""),
            "{html}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM clips").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM clip_video_chunks").await, 0);
    // The seconds entered for a file that does not say.
    let r = post_multipart(
        &ps,
        "/clips",
        &[
            ("kind", "video"),
            ("title", "Lobby loop"),
            ("duration_s", "9"),
        ],
        Some(("video", &tiny_mp4(0, 100))),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    let page = ps.get(&to).await.text().await.unwrap();
    assert!(
        page.contains("id=\"clip-video\"") && page.contains("video · 9 s"),
        "{page}"
    );
    // On the clip's page: a wrong file is refused beside the field, the seconds typed kept.
    let r = post_multipart(
        &ps,
        &format!("{to}/video"),
        &[("duration_s", "12")],
        Some(("video", b"GIF89a nope")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"clip-video-file-error\"") && html.contains("value=\"12\""),
        "{html}"
    );
    // A good one replaces the video: its own length counts.
    let r = post_multipart(
        &ps,
        &format!("{to}/video"),
        &[("duration_s", "")],
        Some(("video", &tiny_mp4(1200, 100))),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(ps
        .get(&to)
        .await
        .text()
        .await
        .unwrap()
        .contains("video · 2 s"));
    // The library shows it, and the audit log reads in words.
    let lib = ps.get("/clips").await.text().await.unwrap();
    assert!(lib.contains("clip-video-thumb"), "{lib}");
    let log = ok(ps.get("/api/v1/audit").await, StatusCode::OK).await;
    let phrases: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["phrase"].as_str())
        .collect();
    assert!(
        phrases.contains(&"created a clip") && phrases.contains(&"gave a clip its video"),
        "{phrases:?}"
    );
}

#[tokio::test]
async fn making_room_for_videos_keeps_every_clip_share_item_and_id() {
    use partner_panel::kernel::db::{migrate, Db};
    let tdb = TestDb::new().await;
    let db = Db::connect(&tdb.url).await.unwrap();
    migrate::run_up_to(&db, 0, 21).await.unwrap();
    let one = |sql: String| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&pool)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    };
    let a = one("INSERT INTO accounts (kind, name, path, created_at, updated_at) VALUES ('partner', 'A', '/1/', 0, 0) RETURNING id".into()).await;
    let b = one("INSERT INTO accounts (kind, name, path, created_at, updated_at) VALUES ('customer', 'B', '/1/2/', 0, 0) RETURNING id".into()).await;
    let clip = |kind: &str, title: &str| {
        format!(
            "INSERT INTO clips (owner_id, owner_path, kind, title, duration_s, image_type, image_bytes, created_at, updated_at) \
             VALUES ({a}, '/1/', '{kind}', '{title}', 10, '', 0, 0, 0) RETURNING id"
        )
    };
    let c1 = one(clip("slide", "One")).await;
    let c2 = one(clip("image", "Two")).await;
    let c3 = one(clip("slide", "Gone")).await;
    sqlx::query(
        "UPDATE clips SET image = $1, image_type = 'image/png', image_bytes = 3 WHERE id = $2",
    )
    .bind(vec![1u8, 2, 3])
    .bind(c2)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query(&format!("DELETE FROM clips WHERE id = {c3}"))
        .execute(&db.pool)
        .await
        .unwrap();
    let p = one(format!("INSERT INTO playlists (owner_id, owner_path, name, created_at, updated_at) VALUES ({a}, '/1/', 'P', 0, 0) RETURNING id")).await;
    let i1 = one(format!("INSERT INTO playlist_items (playlist_id, position, clip_id, duration_s) VALUES ({p}, 1, {c2}, 5) RETURNING id")).await;
    let i2 = one(format!("INSERT INTO playlist_items (playlist_id, position, clip_id, duration_s) VALUES ({p}, 2, {c1}, 6) RETURNING id")).await;
    let gone = one(format!("INSERT INTO playlist_items (playlist_id, position, clip_id, duration_s) VALUES ({p}, 3, {c1}, 7) RETURNING id")).await;
    sqlx::query(&format!("DELETE FROM playlist_items WHERE id = {gone}"))
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query(&format!(
        "INSERT INTO clip_shares (clip_id, account_id) VALUES ({c1}, {b})"
    ))
    .execute(&db.pool)
    .await
    .unwrap();

    assert_eq!(migrate::run_up_to(&db, 0, 23).await.unwrap(), vec![23]);
    type ClipRow = (i64, String, String, Option<Vec<u8>>, String);
    let rows: Vec<ClipRow> =
        sqlx::query_as("SELECT id, kind, title, image, video_type FROM clips ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![
            (c1, "slide".into(), "One".into(), None, String::new()),
            (
                c2,
                "image".into(),
                "Two".into(),
                Some(vec![1, 2, 3]),
                String::new()
            ),
        ]
    );
    let items: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, position, clip_id, duration_s FROM playlist_items ORDER BY position",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(items, vec![(i1, 1, c2, 5), (i2, 2, c1, 6)]);
    assert_eq!(one("SELECT COUNT(*) FROM clip_shares".into()).await, 1);
    // Ids go on from where they were; a video clip may be made, another kind not.
    let c4 = one(clip("video", "Four")).await;
    assert!(c4 > c3, "{c4} after {c3}");
    let i4 = one(format!("INSERT INTO playlist_items (playlist_id, position, clip_id, duration_s) VALUES ({p}, 4, {c4}, 8) RETURNING id")).await;
    assert!(i4 > gone, "{i4} after {gone}");
    assert!(sqlx::query_scalar::<_, i64>(&clip("audio", "No"))
        .fetch_one(&db.pool)
        .await
        .is_err());
    sqlx::query("INSERT INTO clip_video_chunks (clip_id, seq, data) VALUES ($1, 0, $2)")
        .bind(c4)
        .bind(vec![0u8; 10])
        .execute(&db.pool)
        .await
        .unwrap();
    // The foreign keys still hold on the tables built anew: a clip deleted takes its shares,
    // items and pieces with it.
    sqlx::query(&format!("DELETE FROM clips WHERE id IN ({c1}, {c4})"))
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(one("SELECT COUNT(*) FROM clip_shares".into()).await, 0);
    assert_eq!(one("SELECT COUNT(*) FROM playlist_items".into()).await, 1);
    assert_eq!(
        one("SELECT COUNT(*) FROM clip_video_chunks".into()).await,
        0
    );
    assert!(sqlx::query(&format!(
        "INSERT INTO playlist_items (playlist_id, position, clip_id, duration_s) VALUES ({p}, 9, 999999, 1)"
    ))
    .execute(&db.pool)
    .await
    .is_err());
    db.close().await;
}
