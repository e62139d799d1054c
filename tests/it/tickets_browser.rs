//! Tickets in the browser: a customer opens a ticket with a screenshot attached, the partner
//! answers it in its queue and adds an internal note, and the customer reads the answer from
//! Servicecenter and never the note; at desktop and phone widths, with screenshots.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;
use crate::tree::PW;

const STAFF: &str = "staff.person@partner-t.test";
const CUSTOMER: &str = "buyer@customer-t.test";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-browser-test";

async fn shots(b: &Browser, name: &str, at: &str) {
    b.shots(&format!("tickets-{name}"), at).await
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str) {
    b.client.goto(&app.url("/login")).await.unwrap();
    b.fill("#email", email).await;
    b.fill("#password", PW).await;
    b.click("#sign-in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_attaches_a_file_the_partner_answers_and_notes_the_customer_sees_servicecenter()
{
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let _w = crate::tickets::world(&app).await;
    let file = std::env::temp_dir().join(format!(
        "pp-shot-{}.png",
        partner_panel::kernel::secrets::random_hex(4)
    ));
    std::fs::write(&file, PNG).unwrap();
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        // The customer opens a ticket with a screenshot.
        sign_in(&b, &app, CUSTOMER).await;
        b.client.goto(&app.url("/tickets")).await.unwrap();
        b.fill("#tk-new-subject", "Player shows a black screen")
            .await;
        b.fill(
            "#tk-new-message",
            "Since this morning. Screenshot attached.",
        )
        .await;
        b.client
            .find(Locator::Css("#attachments"))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        shots(&b, "customer-new", "#new-ticket").await;
        b.click("#tk-open").await;
        assert!(b.text("#flash").await.contains("was sent to Servicecenter"));
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        assert!(b.text("#thread").await.contains(&name));
        shots(&b, "customer-opened", "#thread").await;
        b.click("#logout").await;

        // The partner finds it in its queue, answers, and adds an internal note.
        sign_in(&b, &app, STAFF).await;
        b.client
            .goto(&app.url("/tickets?unanswered=true"))
            .await
            .unwrap();
        assert!(b
            .text("#ticket-list")
            .await
            .contains("Player shows a black screen"));
        shots(&b, "partner-queue", "#ticket-list").await;
        b.click("#ticket-list a.tk-subject").await;
        assert!(b.text("#thread").await.contains(&name));
        b.fill("#reply-text", "We restarted your player remotely.")
            .await;
        b.click("#reply-send").await;
        assert!(b.text("#flash").await.contains("from Servicecenter"));
        b.fill("#reply-text", "Internal: the player's firmware is old.")
            .await;
        b.click("#reply-internal").await;
        b.click("#reply-send").await;
        assert!(b.text("#flash").await.contains("internal note"));
        let thread = b.text("#thread").await;
        assert!(thread.contains("Internal: the player's firmware is old."));
        assert!(thread.contains(STAFF), "staff see who wrote it");
        shots(&b, "partner-thread", "#thread").await;
        b.click("#logout").await;

        // The customer reads the answer from Servicecenter, not the note, no staff name.
        sign_in(&b, &app, CUSTOMER).await;
        b.client.goto(&app.url("/tickets")).await.unwrap();
        assert!(b.text("#ticket-list").await.contains("Servicecenter"));
        b.click("#ticket-list a.tk-subject").await;
        let thread = b.text("#thread").await;
        assert!(thread.contains("We restarted your player remotely."));
        assert!(thread.contains("Servicecenter"));
        assert!(
            !thread.contains("firmware"),
            "internal note shown: {thread}"
        );
        let html = b.client.source().await.unwrap();
        assert!(!html.contains(STAFF) && !html.contains("firmware"));
        shots(&b, "customer-answer", "#thread").await;
    };
    let out = tokio::time::timeout(std::time::Duration::from_secs(150), run).await;
    b.close().await;
    let _ = std::fs::remove_file(&file);
    out.expect("browser scenario timed out");
}
