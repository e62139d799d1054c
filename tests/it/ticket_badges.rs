//! The Support badge of the menu counts the tickets waiting on each side: the serving side's
//! every unanswered open ticket below it, the operator's only those that escalated to it and
//! still wait for an answer.

use serde_json::json;

use crate::support::*;
use crate::tickets::{open, world};

fn badge(page: &str) -> Option<String> {
    page.split("id=\"badge-tickets\"")
        .nth(1)
        .and_then(|r| r.split('>').nth(1))
        .and_then(|r| r.split('<').next())
        .map(str::to_string)
}

async fn badge_of(s: &Session) -> Option<String> {
    badge(&s.get("/tickets").await.text().await.unwrap())
}

#[tokio::test]
async fn the_operators_badge_counts_escalated_tickets_still_waiting_and_nothing_else() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // Every day, all day, urgent in one minute: easy to escalate on the test clock.
    let r = w
        .op
        .send(
            reqwest::Method::PUT,
            "/api/v1/tickets/settings",
            Some(json!({"response_minutes": {"low": 600, "normal": 600, "high": 600, "urgent": 1},
                "calendar": {"time_zone": "UTC", "days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "23:59"}})),
        )
        .await;
    assert_eq!(
        r.status(),
        reqwest::StatusCode::OK,
        "{}",
        r.text().await.unwrap()
    );
    let late = open(&w.customer, "Urgent and ignored", "urgent").await;
    assert_eq!(badge_of(&w.op).await, None, "nothing escalated yet");
    app.advance(5 * 60);
    let done = partner_panel::areas::tickets::escalation::scan(&app.state)
        .await
        .unwrap();
    assert_eq!(done, vec![late]);
    let _calm = open(&w.customer, "Normal, still in time", "normal").await;
    // The operator: the escalated one only; the partner: both waiting below it.
    assert_eq!(badge_of(&w.op).await.as_deref(), Some("1"));
    assert_eq!(badge_of(&w.partner).await.as_deref(), Some("2"));
    // Answered by the operator (as Servicecenter): nothing waits on it any more.
    let r =
        w.op.post(
            &format!("/api/v1/tickets/{late}/messages"),
            json!({"text": "Sorry for the wait, fixed."}),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert_eq!(badge_of(&w.op).await, None);
    assert_eq!(badge_of(&w.partner).await.as_deref(), Some("1"));
}
