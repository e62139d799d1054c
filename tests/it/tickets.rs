//! Tickets: a customer opens one, its partner's queue holds it, answers reach the customer from
//! "Servicecenter" on every surface (thread page, API, email, notification, CSV, audit log),
//! internal notes stay internal, partner-only statuses and other tenants are refused, and a
//! ticket left unanswered escalates exactly once at the right business minute (not during the
//! weekend, not while pending), on the test clock.

use partner_panel::areas::tickets;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

const STAFF: &str = "staff.person@partner-t.test";
const CUSTOMER: &str = "buyer@customer-t.test";
const OTHER: &str = "owner@other-t.test";
const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY_MS: i64 = 86_400_000;

pub(crate) struct World {
    pub op: Session,
    pub partner: Session,
    pub customer: Session,
    pub other: Session,
    pub partner_id: i64,
    pub customer_id: i64,
}

/// An operator; a partner with a staff owner login; a dealer below it with a customer that has a
/// member login; another partner with its own customer.
pub(crate) async fn world(app: &TestApp) -> World {
    let op = app.login_admin().await;
    let partner_id = create(&op, 1, "partner", "Ticket Partner").await;
    add_login(&op, partner_id, STAFF, "owner").await;
    let dealer = create(&op, partner_id, "dealer", "Ticket Dealer").await;
    let customer_id = create(&op, dealer, "customer", "Ticket Customer").await;
    add_login(&op, customer_id, CUSTOMER, "member").await;
    let other_id = create(&op, 1, "partner", "Other Partner").await;
    add_login(&op, other_id, OTHER, "owner").await;
    World {
        partner: app.login(STAFF, PW).await,
        customer: app.login(CUSTOMER, PW).await,
        other: app.login(OTHER, PW).await,
        op,
        partner_id,
        customer_id,
    }
}

async fn json_of(r: reqwest::Response, want: StatusCode) -> Value {
    let st = r.status();
    let t = r.text().await.unwrap();
    assert_eq!(st, want, "{t}");
    serde_json::from_str(&t).unwrap()
}

pub(crate) async fn open(s: &Session, subject: &str, priority: &str) -> i64 {
    let v = json_of(
        s.post(
            "/api/v1/tickets",
            json!({"subject": subject, "message": "It does not work.", "category": "problem", "priority": priority}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    v["ticket"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn answers_reach_the_customer_from_servicecenter_and_notes_stay_internal() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let v = json_of(
        w.customer
            .post(
                "/api/v1/tickets",
                json!({"subject": "<script>alert(1)</script> screen black", "message": "<b>help</b> please", "priority": "high"}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = v["ticket"]["id"].as_i64().unwrap();
    assert_eq!(v["ticket"]["status"], "open");
    assert!(v["ticket"].get("served_by_name").is_none(), "{v}");
    // The nearest account above that serves it is the dealer; the partner's queue holds it too.
    let q = json_of(w.partner.get("/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(q["total"], 1);
    assert_eq!(q["items"][0]["served_by_name"], "Ticket Dealer");
    assert_eq!(q["items"][0]["unanswered"], true);
    let q = json_of(
        w.partner
            .get("/api/v1/tickets?unanswered=true&priority=high&q=SCREEN&sort=age")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(q["total"], 1);
    // Another tenant neither lists nor reaches it.
    let q = json_of(w.other.get("/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(q["total"], 0);
    for path in [format!("/api/v1/tickets/{id}"), format!("/tickets/{id}")] {
        assert_eq!(w.other.get(&path).await.status(), StatusCode::NOT_FOUND);
    }
    let (st, code, ..) = error_of(
        w.other
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"text": "hi"}),
            )
            .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));

    // The partner answers and adds an internal note (`message`, as when opening, works too).
    json_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"text": "We restarted your player.", "status": "pending"}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let staff_view = json_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"message": "secret: customer forgot to pay", "internal": true}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff_view["messages"].as_array().unwrap().len(), 3);
    assert_eq!(staff_view["messages"][1]["author"], "Servicecenter");
    assert_eq!(staff_view["messages"][1]["staff_author"], STAFF);
    assert_eq!(staff_view["ticket"]["status"], "pending");

    // The customer's API: answers from Servicecenter, no note, no staff name or email.
    let r = w.customer.get(&format!("/api/v1/tickets/{id}")).await;
    let text = r.text().await.unwrap();
    assert!(
        !text.contains(STAFF) && !text.contains("staff.person"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
    let t: Value = serde_json::from_str(&text).unwrap();
    let msgs = t["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[1]["author"], "Servicecenter");
    assert!(msgs[1].get("staff_author").is_none());
    assert_eq!(t["ticket"]["last_reply_by"], "Servicecenter");
    let list = w
        .customer
        .get("/api/v1/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Servicecenter") && !list.contains(STAFF),
        "{list}"
    );

    // The customer cannot read notes, write one, or set a partner-only status.
    let (st, code, ..) =
        error_of(w.customer.get(&format!("/api/v1/tickets/{id}/notes")).await).await;
    assert_eq!((st, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    let (st, ..) = error_of(
        w.customer
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"text": "x", "internal": true}),
            )
            .await,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for s in ["solved", "pending"] {
        let (st, code, ..) = error_of(
            w.customer
                .post(
                    &format!("/api/v1/tickets/{id}/status"),
                    json!({"status": s}),
                )
                .await,
        )
        .await;
        assert_eq!(
            (st, code.as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{s}"
        );
    }
    let notes = json_of(
        w.partner.get(&format!("/api/v1/tickets/{id}/notes")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(notes.as_array().unwrap().len(), 1);

    // The thread page: Servicecenter, no staff email, no note, script shown as text.
    let page = w
        .customer
        .get(&format!("/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Servicecenter"), "{page}");
    assert!(
        !page.contains(STAFF) && !page.contains("secret"),
        "leak on the page"
    );
    assert!(!page.contains("<script>alert(1)"), "script not escaped");
    assert!(page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"));
    assert!(!page.contains("<b>help</b>"));
    let staff_page = w
        .partner
        .get(&format!("/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(staff_page.contains("secret: customer forgot to pay"));
    assert!(staff_page.contains("internal note"));

    // The CSV export.
    let csv = w
        .customer
        .get("/api/v1/tickets.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("Servicecenter") && !csv.contains(STAFF),
        "{csv}"
    );
    let csv = w.customer.get("/tickets.csv").await.text().await.unwrap();
    assert!(
        csv.contains("Servicecenter") && !csv.contains(STAFF),
        "{csv}"
    );

    // The notification.
    let n = w
        .customer
        .get("/api/v1/tickets/notifications")
        .await
        .text()
        .await
        .unwrap();
    assert!(n.contains("Servicecenter answered your ticket"), "{n}");
    assert!(!n.contains(STAFF), "{n}");

    // The customer's audit log names Servicecenter, never the staff login.
    let audit = w.customer.get("/api/v1/audit").await.text().await.unwrap();
    assert!(
        !audit.contains(STAFF) && !audit.contains("staff.person"),
        "{audit}"
    );

    // The emails: staff heard of the new ticket; the customer's answer email is from
    // Servicecenter with no staff name or email, and no internal note.
    app.run_jobs().await;
    assert!(app
        .smtp
        .to(STAFF)
        .iter()
        .any(|m| m.subject().contains("New ticket")));
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT subject, body_text, body_html FROM outbox WHERE recipient = $1")
            .bind(CUSTOMER)
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert!(!rows.is_empty());
    for (s, t, h) in &rows {
        assert!(s.contains("Servicecenter"), "{s}");
        for part in [s, t, h] {
            assert!(!part.contains(STAFF) && !part.contains("secret"), "{part}");
        }
    }
    assert!(!app.smtp.to(CUSTOMER).is_empty());
    for m in app.smtp.to(CUSTOMER) {
        assert!(!m.data.contains(STAFF), "{}", m.data);
    }
    // The customer replies: the ticket is open again and the unread answer was read.
    let v = json_of(
        w.customer
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"text": "Thanks, works."}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["ticket"]["status"], "open");
    assert_eq!(v["ticket"]["unread"], false);
    // The customer may close it.
    let v = json_of(
        w.customer
            .post(
                &format!("/api/v1/tickets/{id}/status"),
                json!({"status": "closed"}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["ticket"]["status"], "closed");
    // The operator sees it and answers too, as Servicecenter.
    let v = json_of(
        w.op.post(
            &format!("/api/v1/tickets/{id}/messages"),
            json!({"text": "From the operator."}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        v["messages"].as_array().unwrap().last().unwrap()["author"],
        "Servicecenter"
    );
    // Staff acting as the customer write as Servicecenter, never under their own name.
    let r = w
        .partner
        .client
        .post(format!("{}/api/v1/tickets/{id}/messages", w.partner.base))
        .header("x-csrf-token", &w.partner.csrf)
        .header("x-act-as", w.customer_id.to_string())
        .json(&json!({"text": "Written for the customer by its partner."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = w
        .customer
        .get(&format!("/api/v1/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains("staff.person"), "{text}");
    let t: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        t["messages"].as_array().unwrap().last().unwrap()["author"],
        "Servicecenter",
        "{text}"
    );

    let _ = w.partner_id;
}

#[tokio::test]
async fn bad_ticket_input_is_refused_with_clear_messages() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let long = "x".repeat(151);
    for (body, field) in [
        (json!({"subject": "", "message": "m"}), "subject"),
        (json!({"subject": long, "message": "m"}), "subject"),
        (json!({"subject": "s", "message": "  "}), "message"),
        (
            json!({"subject": "s", "message": "y".repeat(10_001)}),
            "message",
        ),
        (
            json!({"subject": "s", "message": "m", "priority": "asap"}),
            "priority",
        ),
        (
            json!({"subject": "s", "message": "m", "category": "rant"}),
            "category",
        ),
    ] {
        let (st, code, f, _) =
            error_of(w.customer.post("/api/v1/tickets", body.clone()).await).await;
        assert_eq!(
            (st, code.as_str(), f.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some(field)
            ),
            "{body}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 0);
    // A partner does not open tickets.
    let (st, ..) = error_of(
        w.partner
            .post("/api/v1/tickets", json!({"subject": "s", "message": "m"}))
            .await,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let id = open(&w.customer, "Fine", "low").await;
    let (st, _, f, _) = error_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{id}/messages"),
                json!({"text": ""}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("text"))
    );
    let (st, _, f, _) = error_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{id}/status"),
                json!({"status": "gone"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, f.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
    );
    // The page form keeps what was typed and says what is wrong.
    let r = w
        .customer
        .client
        .post(app.url("/tickets"))
        .form(&[
            ("csrf_token", w.customer.csrf.as_str()),
            ("subject", ""),
            ("message", "typed <i>text</i> stays"),
            ("priority", "urgent"),
            ("category", "billing"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("typed &lt;i&gt;text&lt;/i&gt; stays")
            || page.contains("typed &#60;i&#62;text"),
        "{page}"
    );
    assert!(page.contains("tk-new-subject-error"), "{page}");
    // A calendar with no working hours.
    let (st, code, f, _) = error_of(
        w.op.send(
            reqwest::Method::PUT,
            "/api/v1/tickets/settings",
            Some(
                json!({"response_minutes": {"low": 60, "normal": 60, "high": 60, "urgent": 60},
                "calendar": {"time_zone": "UTC", "days": [], "opens": "09:00", "closes": "17:00"}}),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), f.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_working_hours",
            Some("calendar.days")
        )
    );
    let (st, ..) = error_of(
        w.partner
            .send(
                reqwest::Method::PUT,
                "/api/v1/tickets/settings",
                Some(json!({})),
            )
            .await,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

/// Signs everybody in again (sessions end after two idle hours of the test clock).
async fn again(app: &TestApp, w: &mut World) {
    w.op = app.login_admin().await;
    w.partner = app.login(STAFF, PW).await;
    w.customer = app.login(CUSTOMER, PW).await;
}

/// Moves the clock to the next `weekday` (0 Monday) at `hour`:00 UTC, at least a day ahead.
fn go_to(app: &TestApp, weekday: i64, hour: i64) {
    let now = app.state.now_ms();
    let day = now / DAY_MS;
    let wd = (day + 3) % 7; // 1970-01-01 was a Thursday
    let target_day = day + 1 + (weekday - wd - 1).rem_euclid(7);
    let target = target_day * DAY_MS + hour * HOUR * 1000;
    app.state.clock.advance_ms(target - now);
}

fn escalated(v: &Value) -> bool {
    v["ticket"]["escalated_at"].is_string()
}

#[tokio::test]
async fn unanswered_tickets_escalate_once_at_the_right_business_minute() {
    let app = TestApp::spawn().await;
    let mut w = world(&app).await;
    json_of(
        w.op.send(
            reqwest::Method::PUT,
            "/api/v1/tickets/settings",
            Some(json!({"response_minutes": {"low": 480, "normal": 120, "high": 60, "urgent": 30},
                "calendar": {"time_zone": "UTC", "days": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "17:00"}})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Friday 16:00: one business hour left that day, the second on Monday 09:00–10:00.
    go_to(&app, 4, 16);
    again(&app, &mut w).await;
    let late = open(&w.customer, "Friday afternoon", "normal").await;
    let answered = open(&w.customer, "Answered in time", "normal").await;
    let t = json_of(
        w.partner.get(&format!("/api/v1/tickets/{late}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        t["ticket"]["due_at"]
            .as_str()
            .unwrap()
            .contains("T10:00:00"),
        "{t}"
    );
    app.advance(30 * MINUTE);
    json_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{answered}/messages"),
                json!({"text": "On it."}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    // The whole weekend passes: nothing escalates.
    app.advance(30 * MINUTE + 2 * 24 * HOUR + 16 * HOUR); // Monday 09:00
    assert!(tickets::scan(&app.state).await.unwrap().is_empty());
    app.advance(59 * MINUTE); // Monday 09:59
    assert!(tickets::scan(&app.state).await.unwrap().is_empty());
    again(&app, &mut w).await;
    let q = json_of(
        w.partner.get("/api/v1/tickets?overdue=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(q["total"], 0);
    app.advance(MINUTE); // Monday 10:00: due
    assert_eq!(tickets::scan(&app.state).await.unwrap(), vec![late]);
    assert!(
        tickets::scan(&app.state).await.unwrap().is_empty(),
        "only once"
    );
    app.advance(HOUR);
    assert!(
        tickets::scan(&app.state).await.unwrap().is_empty(),
        "only once"
    );
    let t = json_of(
        w.op.get(&format!("/api/v1/tickets/{late}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(escalated(&t), "{t}");
    assert!(
        t["ticket"]["escalated_at"]
            .as_str()
            .unwrap()
            .contains("T10:00:0"),
        "{t}"
    );
    let t = json_of(
        w.op.get(&format!("/api/v1/tickets/{answered}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(!escalated(&t));
    // The operator's queue shows the escalated one; the operator was told.
    let q = json_of(
        w.op.get("/api/v1/tickets?escalated=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(q["total"], 1);
    assert_eq!(q["items"][0]["id"], late);
    let q = json_of(
        w.partner
            .get("/api/v1/tickets?overdue=true&unanswered=true&sort=age")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(q["total"], 1);
    let n = json_of(
        w.op.get("/api/v1/tickets/notifications").await,
        StatusCode::OK,
    )
    .await;
    assert!(n[0]["text"].as_str().unwrap().contains("escalated"), "{n}");
    app.run_jobs().await;
    assert!(app
        .smtp
        .to(ADMIN_EMAIL)
        .iter()
        .any(|m| m.subject().contains("Ticket escalated")));
    // The customer never learns of the escalation.
    let t = w
        .customer
        .get(&format!("/api/v1/tickets/{late}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!t.contains("escalated_at") && !t.contains("due_at"), "{t}");

    // Pending pauses the clock: open Tuesday 09:00, pending at 10:00 (one hour counted), open
    // again Wednesday 09:00: due at 10:00, not before.
    go_to(&app, 1, 9);
    again(&app, &mut w).await;
    let paused = open(&w.customer, "Pending one", "normal").await;
    app.advance(HOUR);
    json_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{paused}/status"),
                json!({"status": "pending"}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    app.advance(23 * HOUR); // Wednesday 09:00
    assert!(tickets::scan(&app.state).await.unwrap().is_empty());
    again(&app, &mut w).await;
    let t = json_of(
        w.partner.get(&format!("/api/v1/tickets/{paused}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(t["ticket"].get("due_at").is_none(), "{t}");
    json_of(
        w.partner
            .post(
                &format!("/api/v1/tickets/{paused}/status"),
                json!({"status": "open"}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    app.advance(59 * MINUTE);
    assert!(tickets::scan(&app.state).await.unwrap().is_empty());
    app.advance(MINUTE);
    assert_eq!(tickets::scan(&app.state).await.unwrap(), vec![paused]);
    // Settings visible to the operator only.
    let s = json_of(w.op.get("/api/v1/tickets/settings").await, StatusCode::OK).await;
    assert_eq!(s["response_minutes"]["normal"], 120);
    assert_eq!(
        w.partner.get("/api/v1/tickets/settings").await.status(),
        StatusCode::FORBIDDEN
    );
    let _ = w.customer_id;
}

#[tokio::test]
async fn ticket_pages_render_for_every_side() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = open(&w.customer, "Page ticket", "urgent").await;
    for (s, path, want) in [
        (&w.customer, "/tickets".to_string(), "Open a ticket"),
        (&w.customer, format!("/tickets/{id}"), "Send reply"),
        (
            &w.partner,
            "/tickets?unanswered=true&overdue=true&sort=age".to_string(),
            "tk-overdue",
        ),
        (
            &w.partner,
            "/tickets?unanswered=true&sort=age".to_string(),
            "ticket-list",
        ),
        (&w.partner, format!("/tickets/{id}"), "internal note"),
        (
            &w.op,
            "/tickets".to_string(),
            "Response times and business hours",
        ),
        (&w.op, "/tickets/settings".to_string(), "Business hours"),
    ] {
        let r = s.get(&path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let page = r.text().await.unwrap();
        assert!(page.contains(want), "{path}: {want}");
        assert!(page.contains("id=\"nav-tickets\""), "{path}");
    }
    // The partner's badge counts the waiting ticket.
    let page = w.partner.get("/").await.text().await.unwrap();
    assert!(page.contains("id=\"badge-tickets\""), "badge");
    // The settings form refuses a calendar without working days, keeping what was typed.
    let r =
        w.op.client
            .post(app.url("/tickets/settings"))
            .form(&[
                ("csrf_token", w.op.csrf.as_str()),
                ("low", "600"),
                ("normal", "120"),
                ("high", "60"),
                ("urgent", "15"),
                ("opens", "09:00"),
                ("closes", "17:00"),
                ("time_zone", "Europe/Amsterdam"),
            ])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("no working hours") && page.contains("value=\"600\""),
        "{page}"
    );
}

/// Writes `n` open, unanswered tickets of the world's customer in one statement.
async fn bulk_tickets(app: &TestApp, w: &World, n: i64) {
    let sql = format!(
        "INSERT INTO tickets (tenant_id, customer_id, customer_path, served_by_id, subject, category, \
         priority, status, unanswered, counted_ms, clock_from, last_message_at, created_at, updated_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         SELECT a.tenant_id, a.id, a.path, {p}, 'Bulk ticket', 'problem', 'normal', 'open', 1, 0, 0, i, i, i \
         FROM n, accounts a WHERE a.id = {c}",
        p = w.partner_id,
        c = w.customer_id
    );
    sqlx::query(&sql).execute(&app.state.db.pool).await.unwrap();
}

#[tokio::test]
async fn a_big_queue_counts_up_to_a_thousand_and_says_so() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    bulk_tickets(&app, &w, 999).await;
    let v = json_of(
        w.partner.get("/api/v1/tickets?unanswered=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["total"].as_i64(), v["total_capped"].as_bool()),
        (Some(999), Some(false)),
        "{v}"
    );
    bulk_tickets(&app, &w, 2).await;
    let v = json_of(
        w.partner.get("/api/v1/tickets?unanswered=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["total"].as_i64(), v["total_capped"].as_bool()),
        (Some(tickets::model::TOTAL_CAP), Some(true)),
        "{v}"
    );
    assert_eq!(v["items"].as_array().unwrap().len(), 25);
    let page = w
        .partner
        .get("/tickets?unanswered=true")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Rows 1–25 of 1,000+"),
        "the page says the count stopped"
    );
    // Another tenant sees none of them.
    let other = json_of(w.other.get("/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(other["total"], 0);
    app.stop().await;
}
