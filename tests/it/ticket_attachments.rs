//! Ticket attachments: files on opening and on replies (API base64, page multipart), their type
//! read from the bytes against the allow list, the size cap, stored and listed in the thread,
//! downloaded as attachments with nosniff only by those who reach the ticket, and an internal
//! note's files never reaching the customer (neither listed nor downloadable).

use base64::Engine as _;
use partner_panel::areas::tickets::attachments::MAX_BYTES;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::support::*;
use crate::tickets::world;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRfake-png-body";
const PDF: &[u8] = b"%PDF-1.4\n% internal evidence\n";
const ZIP: &[u8] = b"PK\x03\x04\x14\x00\x00\x00zipped";

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

async fn json_of(r: reqwest::Response, want: StatusCode) -> Value {
    let st = r.status();
    let t = r.text().await.unwrap();
    assert_eq!(st, want, "{t}");
    serde_json::from_str(&t).unwrap()
}

/// A multipart body of text fields and files, with its boundary.
pub(crate) fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----pp-test-boundary-7c1e";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, data) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let mut all = vec![("csrf_token", s.csrf.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, files);
    s.client
        .post(format!("{}{path}", s.base))
        .header(header::CONTENT_TYPE, ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn files_are_checked_stored_listed_and_downloaded_only_by_those_who_may() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;

    // Refused on opening: a zip named .png (the bytes decide), a file over the cap, bad base64;
    // nothing is written.
    let (st, code, field, msg) = error_of(
        w.customer
            .post(
                "/api/v1/tickets",
                json!({"subject": "Broken", "message": "See file", "attachments": [{"name": "shot.png", "data": b64(ZIP)}]}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "attachment_type_refused",
            Some("attachments")
        )
    );
    assert!(
        msg.contains("shot.png") && msg.contains("PNG, JPEG, PDF or plain text"),
        "{msg}"
    );
    let big = vec![b'a'; MAX_BYTES + 1];
    let (st, code, ..) = error_of(
        w.customer
            .post(
                "/api/v1/tickets",
                json!({"subject": "Broken", "message": "See file", "attachments": [{"name": "log.txt", "data": b64(&big)}]}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "attachment_too_large")
    );
    let (st, code, field, _) = error_of(
        w.customer
            .post(
                "/api/v1/tickets",
                json!({"subject": "Broken", "message": "See file", "attachments": [{"name": "a.txt", "data": "%%%not base64"}]}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("attachments[0].data")
        )
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM ticket_attachments").await,
        0
    );

    // Exactly at the cap is fine; a PNG and a text file on opening.
    let at_cap = vec![b'x'; MAX_BYTES];
    let v = json_of(
        w.customer
            .post(
                "/api/v1/tickets",
                json!({"subject": "Screen black", "message": "Screenshot and log attached", "attachments": [
                    {"name": "C:\\Users\\me\\shot.png", "data": b64(PNG)},
                    {"name": "log.txt", "data": b64(&at_cap)}
                ]}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = v["ticket"]["id"].as_i64().unwrap();
    let files = v["messages"][0]["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{v}");
    assert_eq!(files[0]["name"], "shot.png");
    assert_eq!(files[0]["content_type"], "image/png");
    assert_eq!(files[1]["content_type"], "text/plain");
    assert_eq!(files[1]["size_bytes"], MAX_BYTES as i64);
    let png_id = files[0]["id"].as_i64().unwrap();

    // The partner: an internal note with a PDF, an answer with a text file.
    let v = json_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"text": "evidence", "internal": true, "attachments": [{"name": "contract.pdf", "data": b64(PDF)}]}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let pdf_id = v["messages"][1]["attachments"][0]["id"].as_i64().unwrap();
    assert_eq!(
        v["messages"][1]["attachments"][0]["content_type"],
        "application/pdf"
    );
    json_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"text": "Try these steps", "attachments": [{"name": "steps.txt", "data": b64(b"1. restart\n2. wait\n")}]}),
            )
            .await,
        StatusCode::OK,
    )
    .await;

    // The customer's thread lists its files and the answer's, never the note's.
    let t = json_of(
        w.customer.get(&format!("/api/v1/tickets/{id}")).await,
        StatusCode::OK,
    )
    .await;
    let text = t.to_string();
    assert!(!text.contains("contract.pdf"), "{text}");
    assert!(text.contains("steps.txt"), "{text}");
    let page = w
        .customer
        .get(&format!("/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("steps.txt") && page.contains("shot.png"));
    assert!(
        !page.contains("contract.pdf"),
        "note's file on the customer's page"
    );
    let staff_page = w
        .partner
        .get(&format!("/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(staff_page.contains("contract.pdf"));

    // Downloads: as attachments, the checked type, nosniff; 404 for the note's file to the
    // customer and for anything to another tenant.
    for path in [
        format!("/api/v1/ticket-attachments/{png_id}"),
        format!("/ticket-attachments/{png_id}"),
    ] {
        for s in [&w.customer, &w.partner, &w.op] {
            let r = s.get(&path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let h = r.headers().clone();
            assert_eq!(h[header::CONTENT_TYPE], "image/png");
            let cd = h[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(
                cd.starts_with("attachment;") && cd.contains("shot.png"),
                "{cd}"
            );
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
        }
        let r = w.other.get(&path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!r.text().await.unwrap().contains("fake-png-body"));
    }
    let r = w
        .customer
        .get(&format!("/api/v1/ticket-attachments/{pdf_id}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        w.customer
            .get(&format!("/ticket-attachments/{pdf_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = w
        .partner
        .get(&format!("/api/v1/ticket-attachments/{pdf_id}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
}

#[tokio::test]
async fn the_pages_take_files_by_multipart_and_explain_a_refusal() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;

    // Opening on the page with a file (the CSRF token travels as a multipart field).
    let r = post_multipart(
        &w.customer,
        "/tickets",
        &[
            ("subject", "Player offline"),
            ("message", "Photo of the screen"),
            ("category", "problem"),
            ("priority", "high"),
        ],
        &[("screen.jpg", b"\xff\xd8\xff\xe0fake-jpeg")],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let id: i64 = app.count("SELECT MAX(id) FROM tickets").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM ticket_attachments WHERE content_type = 'image/jpeg'")
            .await,
        1
    );

    // A wrong type: the page says why, keeps the text, marks the field; nothing is written.
    let r = post_multipart(
        &w.customer,
        &format!("/tickets/{id}/messages"),
        &[("text", "my typed reply")],
        &[("tool.exe", b"MZ\x90\x00\x03\x00")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("“tool.exe” is not a PNG, JPEG, PDF or plain text file"),
        "{html}"
    );
    assert!(html.contains("my typed reply"));
    assert!(html.contains("aria-invalid=\"true\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM ticket_messages").await, 1);

    // Without the token in the body, the upload is refused.
    let (ct, body) = multipart(&[("text", "no token")], &[]);
    let r = w
        .customer
        .client
        .post(format!("{}/tickets/{id}/messages", w.customer.base))
        .header(header::CONTENT_TYPE, ct)
        .body(body)
        .send()
        .await
        .unwrap();
    // (a page is sent home with the reason; nothing is written)
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/");
    assert_eq!(app.count("SELECT COUNT(*) FROM ticket_messages").await, 1);

    // A reply with a text file and no file chosen in a second input (an empty part).
    let r = post_multipart(
        &w.customer,
        &format!("/tickets/{id}/messages"),
        &[("text", "the log")],
        &[("player.log", b"boot ok\nnetwork down\n"), ("", b"")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = w
        .partner
        .get(&format!("/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("screen.jpg") && page.contains("player.log"),
        "{page}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM ticket_attachments").await,
        2
    );
}
