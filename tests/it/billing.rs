//! The money lifecycle, with the clock moved across every boundary.

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use partner_panel::areas::accounts::AccountId;

const DAY: i64 = 86_400;
const SECRET: &str = "webhook-secret-for-tests";

/// Registers, approves and signs in a partner; returns (operator, partner session, partner id).
pub(crate) async fn onboard(app: &TestApp) -> (Session, Session, i64) {
    let op = app.login_admin().await;
    let r = op
        .post(
            "/api/v1/packages",
            json!({"name": "Basic", "monthly_price": 1999, "currency": "EUR"}),
        )
        .await;
    let basic = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    op.post(
        "/api/v1/packages",
        json!({"name": "Pro", "monthly_price": 4999, "currency": "EUR"}),
    )
    .await;
    let v: Value = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({"company_name": "Lifecycle Media", "contact_name": "Lee Cycle", "email": "lee@cycle.example", "package_id": basic,
                       "directory_consent": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let v: Value = op
        .post(
            &format!("/api/v1/partnership-requests/{}/approve", v["id"]),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let partner_id = v["partner_account_id"].as_i64().unwrap();
    app.run_jobs().await;
    let mail = app.smtp.to("lee@cycle.example").pop().unwrap();
    let pw = mail
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .unwrap()
        .trim()
        .to_string();
    let partner = app.login("lee@cycle.example", &pw).await;
    (op, partner, partner_id)
}

/// Sessions that outlive the months the clock is moved through.
fn long_sessions(c: &mut partner_panel::config::Config) {
    c.session_idle = std::time::Duration::from_secs(400 * DAY as u64);
    c.session_absolute = std::time::Duration::from_secs(400 * DAY as u64);
}

pub(crate) async fn scan(app: &TestApp) -> Value {
    let r = partner_panel::areas::billing::scan(&app.state)
        .await
        .unwrap();
    app.run_jobs().await;
    serde_json::to_value(r).unwrap()
}

fn sign(body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trial_reminders_invoice_payment_denial_restoration_and_purge() {
    let app = TestApp::spawn_with(|c| {
        c.payment_webhook_secret = Some(partner_panel::config::Secret::new(SECRET));
        long_sessions(c);
    })
    .await;
    let (op, partner, pid) = onboard(&app).await;
    let dealer = crate::tree::create(&partner, pid, "dealer", "Cycle Dealer").await;
    crate::tree::add_login(&partner, dealer, "dealer@cycle.example", "owner").await;
    let dealer_s = app.login("dealer@cycle.example", crate::tree::PW).await;
    let mails = |app: &TestApp| app.smtp.to("lee@cycle.example");

    // Day 6 of the 14-day trial: nothing yet.
    app.advance(6 * DAY);
    assert_eq!(scan(&app).await["reminders"], 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 0);
    // Day 7: the 7-day reminder with the pro-forma invoice for the next month, once, even with
    // two instances scanning at the same time.
    app.advance(DAY + 1);
    let other = app.second_instance().await;
    let (a, b) = tokio::join!(
        partner_panel::areas::billing::scan(&app.state),
        partner_panel::areas::billing::scan(&other.state)
    );
    assert_eq!(a.unwrap().reminders + b.unwrap().reminders, 1);
    app.run_jobs().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 1);
    let reminder = mails(&app).pop().unwrap();
    assert!(
        reminder.subject().contains("7 day(s)"),
        "{}",
        reminder.subject()
    );
    let billing: Value = partner.get("/api/v1/billing").await.json().await.unwrap();
    let inv = billing["invoices"][0].clone();
    assert_eq!(
        (
            inv["total"].as_i64(),
            inv["status"].as_str(),
            inv["total_label"].as_str()
        ),
        (Some(1999), Some("open"), Some("19.99 EUR"))
    );
    assert!(reminder.data.contains(inv["number"].as_str().unwrap()));
    assert_eq!(scan(&app).await["reminders"], 0, "nothing twice");
    // Day 13: the 1-day reminder.
    app.advance(6 * DAY);
    assert_eq!(scan(&app).await["reminders"], 1);
    assert!(mails(&app).last().unwrap().subject().contains("1 day(s)"));

    // Paid by the provider's signed webhook; a replay or a wrong signature changes nothing.
    let now = app.state.now_ms() / 1000;
    let body = json!({"event_id": "evt_1", "timestamp": now, "invoice_number": inv["number"], "amount": 1999, "reference": "psp-1"}).to_string();
    let hook = |sig: String, body: String| {
        app.client()
            .post(app.url("/api/v1/payments/webhook"))
            .header("x-signature", sig)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(
        hook("00".repeat(32), body.clone()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = hook(sign(&body), body.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        error_of(hook(sign(&body), body.clone()).await.unwrap())
            .await
            .1,
        "replayed"
    );
    let old = json!({"event_id": "evt_old", "timestamp": now - 3600, "invoice_number": inv["number"], "amount": 1999, "reference": "psp-2"}).to_string();
    assert_eq!(
        error_of(hook(sign(&old), old).await.unwrap()).await.1,
        "replayed"
    );
    // Day 14: the trial ends, but it is paid: the partner goes on.
    app.advance(DAY);
    assert_eq!(scan(&app).await["suspended"], 0);
    assert_eq!(partner.get("/api/v1/me").await.status(), StatusCode::OK);

    // The next month goes unpaid: at its end the partner and everyone below are denied.
    app.advance(30 * DAY);
    let report = scan(&app).await;
    assert_eq!(report["suspended"], 1, "{report}");
    for s in [&partner, &dealer_s] {
        let (status, code, ..) = error_of(s.get("/api/v1/accounts/1").await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::PAYMENT_REQUIRED, "account_suspended")
        );
    }
    let billing: Value = dealer_s.get("/api/v1/billing").await.json().await.unwrap();
    assert_eq!(billing["suspended"], true);
    let open = billing["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "open")
        .unwrap()
        .clone();
    assert!(mails(&app).last().unwrap().subject().contains("suspended"));
    // The export is there until the purge.
    let export: Value = partner
        .get("/api/v1/billing/export")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(export["accounts"].as_array().unwrap().len(), 2);
    assert!(
        !export.to_string().contains("argon2"),
        "no password hashes in the export"
    );
    // The operator is not affected and sees the partner as suspended, with its purge date.
    let list: Value = op.get("/api/v1/partners").await.json().await.unwrap();
    assert_eq!(list["items"][0]["subscription_status"], "suspended");

    // The operator registers a payment: access is back at once; the same reference twice changes nothing.
    let r: Value = op
        .post(
            &format!("/api/v1/invoices/{}/payments", open["id"]),
            json!({"reference": "BANK-77"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["registered"], true);
    assert_eq!(
        partner.get("/api/v1/accounts/1").await.status(),
        StatusCode::NOT_FOUND,
        "back in the panel (and the operator stays out of reach)"
    );
    assert_eq!(dealer_s.get("/api/v1/me").await.status(), StatusCode::OK);
    let r: Value = op
        .post(
            &format!("/api/v1/invoices/{}/payments", open["id"]),
            json!({"reference": "BANK-77"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["registered"], false);
    assert_eq!(app.count("SELECT COUNT(*) FROM payments").await, 2);

    // The partner moves to Pro: the next invoice has the new price.
    let pro: i64 = app
        .count("SELECT id FROM packages WHERE name = 'Pro'")
        .await;
    assert_eq!(
        partner
            .post("/api/v1/billing/package", json!({"package_id": pro}))
            .await
            .status(),
        StatusCode::OK
    );
    app.advance(24 * DAY);
    scan(&app).await;
    let billing: Value = partner.get("/api/v1/billing").await.json().await.unwrap();
    let next = billing["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "open")
        .unwrap()
        .clone();
    assert_eq!(next["total"], 4999);

    // A second miss: denied again, and 30 days later everything is gone.
    app.advance(7 * DAY);
    assert_eq!(scan(&app).await["suspended"], 1);
    // Kept 30 days from the end of the unpaid period.
    let purge_at: i64 = app
        .count(&format!(
            "SELECT purge_at FROM subscriptions WHERE account_id = {pid}"
        ))
        .await;
    let period_end: i64 = app
        .count(&format!(
            "SELECT suspended_at FROM subscriptions WHERE account_id = {pid}"
        ))
        .await;
    assert_eq!(purge_at - period_end, 30 * DAY * 1000);
    app.advance((purge_at - app.state.now_ms()) / 1000 - DAY);
    assert_eq!(scan(&app).await["purged"], 0, "the day before the purge");
    app.advance(DAY + 1);
    assert_eq!(scan(&app).await["purged"], 1);
    assert_eq!(scan(&app).await["purged"], 0, "once");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE id IN ({pid}, {dealer})"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE email LIKE '%cycle.example'")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 0);
    let purge_detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'billing.purge'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(
        !purge_detail.contains("cycle") && purge_detail.contains("2 account(s)"),
        "{purge_detail}"
    );
    assert_eq!(
        partner.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let live = partner_panel::areas::accounts::counts_below_live(&app.state.db, 1)
        .await
        .unwrap();
    assert_eq!(
        format!("{live:?}"),
        format!(
            "{:?}",
            partner_panel::areas::accounts::counts_below(&app.state.db, AccountId(1))
                .await
                .unwrap()
        )
    );
    other.stop().await;
}

#[tokio::test]
async fn the_test_clock_exists_only_when_switched_on() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    assert_eq!(
        error_of(
            op.post("/api/v1/test-clock/advance", json!({"seconds": 60}))
                .await
        )
        .await
        .1,
        "not_found"
    );
    let app = TestApp::spawn_with(|c| {
        c.test_clock = true;
        long_sessions(c);
    })
    .await;
    let (op, partner, _) = onboard(&app).await;
    assert_eq!(
        partner
            .post("/api/v1/test-clock/advance", json!({"seconds": 60}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        error_of(
            op.post("/api/v1/test-clock/advance", json!({"seconds": 0}))
                .await
        )
        .await
        .2
        .as_deref(),
        Some("seconds")
    );
    let before = app.state.now_ms();
    let v: Value = op
        .post("/api/v1/test-clock/advance", json!({"seconds": 15 * DAY}))
        .await
        .json()
        .await
        .unwrap();
    assert!(app.state.now_ms() - before >= 15 * DAY * 1000);
    assert_eq!(v["billing"]["suspended"], 1, "{v}");
    assert_eq!(
        error_of(partner.get("/api/v1/dashboard").await).await.1,
        "account_suspended"
    );
    let page = op.get("/").await.text().await.unwrap();
    assert!(page.contains("test clock"), "every page says so");
    // A second instance on the same database follows the moved clock.
    let other = app.second_instance_own_clock().await;
    assert!(other.state.now_ms() < app.state.now_ms() - DAY * 1000);
    let r = op.client.get(other.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        other.state.now_ms() >= app.state.now_ms() - 60_000,
        "caught up"
    );
    other.stop().await;
}

#[tokio::test]
async fn reminder_days_are_settable() {
    let app = TestApp::spawn_with(long_sessions).await;
    let (op, _partner, _) = onboard(&app).await;
    let r = op
        .send(
            reqwest::Method::PUT,
            "/api/v1/settings",
            Some(json!({"reminder_days": [10, 3]})),
        )
        .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["reminder_days"],
        json!([10, 3])
    );
    assert_eq!(
        error_of(
            op.send(
                reqwest::Method::PUT,
                "/api/v1/settings",
                Some(json!({"reminder_days": [0]}))
            )
            .await
        )
        .await
        .2
        .as_deref(),
        Some("reminder_days")
    );
    // 14-day trial: the first reminder (with the invoice) comes 10 days before its end.
    app.advance(3 * DAY + 60);
    assert_eq!(scan(&app).await["reminders"], 0);
    app.advance(DAY);
    assert_eq!(scan(&app).await["reminders"], 1);
    assert!(app
        .smtp
        .to("lee@cycle.example")
        .last()
        .unwrap()
        .subject()
        .contains("10 day(s)"));
    app.advance(7 * DAY);
    assert_eq!(scan(&app).await["reminders"], 1, "3 days before");
    assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_are_taken_once_and_a_failed_webhook_can_be_retried() {
    let app = TestApp::spawn_with(|c| {
        c.payment_webhook_secret = Some(partner_panel::config::Secret::new(SECRET));
        long_sessions(c);
    })
    .await;
    let (op, partner, _) = onboard(&app).await;
    app.advance(8 * DAY);
    scan(&app).await;
    let billing: Value = partner.get("/api/v1/billing").await.json().await.unwrap();
    let inv = billing["invoices"][0].clone();
    let path = format!("/api/v1/invoices/{}/payments", inv["id"]);
    // The same reference sent twice at once: one registers, the other changes nothing; no error.
    let op2 = app.login_admin().await;
    let (a, b) = tokio::join!(
        op.post(&path, json!({"reference": "SAME-1"})),
        op2.post(&path, json!({"reference": "SAME-1"}))
    );
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(
        [a["registered"].as_bool(), b["registered"].as_bool()]
            .iter()
            .filter(|r| **r == Some(true))
            .count(),
        1
    );
    // A second, different payment of the paid invoice is refused.
    assert_eq!(
        error_of(op.post(&path, json!({"reference": "OTHER-2"})).await)
            .await
            .1,
        "already_paid"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM payments").await, 1);

    // A webhook for an unknown invoice fails without using up its event id.
    app.advance(30 * DAY);
    scan(&app).await;
    let billing: Value = partner.get("/api/v1/billing").await.json().await.unwrap();
    let open = billing["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "open")
        .unwrap()
        .clone();
    let now = app.state.now_ms() / 1000;
    let wrong = json!({"event_id": "evt_9", "timestamp": now, "invoice_number": "NOPE", "amount": 1999, "reference": "psp-9"}).to_string();
    let hook = |body: String| {
        app.client()
            .post(app.url("/api/v1/payments/webhook"))
            .header("x-signature", sign(&body))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(hook(wrong).await.unwrap().status(), StatusCode::NOT_FOUND);
    let right = json!({"event_id": "evt_9", "timestamp": now, "invoice_number": open["number"], "amount": 1999, "reference": "psp-9"}).to_string();
    assert_eq!(hook(right.clone()).await.unwrap().status(), StatusCode::OK);
    assert_eq!(error_of(hook(right).await.unwrap()).await.1, "replayed");
    let hostile = json!({"event_id": "e\u{0}", "timestamp": i64::MIN, "invoice_number": "x", "amount": 1, "reference": "r"}).to_string();
    assert_eq!(hook(hostile).await.unwrap().status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_suspended_login_can_read_billing_but_change_nothing_and_free_packages_never_lapse() {
    let app = TestApp::spawn_with(long_sessions).await;
    let (op, partner, pid) = onboard(&app).await;
    app.advance(15 * DAY);
    assert_eq!(scan(&app).await["suspended"], 1);
    assert_eq!(partner.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        error_of(partner.patch("/api/v1/me", json!({"name": "Sneaky"})).await)
            .await
            .1,
        "account_suspended"
    );
    assert_eq!(
        error_of(
            partner
                .post("/api/v1/me/tokens", json!({"name": "t"}))
                .await
        )
        .await
        .1,
        "account_suspended"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE name = 'Sneaky'")
            .await,
        0
    );
    assert_eq!(
        partner
            .post("/api/v1/auth/logout", json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    // A partner on a free package is never denied.
    let free = op
        .post(
            "/api/v1/packages",
            json!({"name": "Free", "monthly_price": 0}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let v: Value = app
        .client()
        .post(app.url("/api/v1/registrations"))
        .json(&json!({"company_name": "Free Co", "contact_name": "F", "email": "f@free.example", "package_id": free}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let v: Value = op
        .post(
            &format!("/api/v1/partnership-requests/{}/approve", v["id"]),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let free_partner = v["partner_account_id"].as_i64().unwrap();
    for _ in 0..3 {
        app.advance(10 * DAY);
        scan(&app).await;
    }
    let status: String = sqlx::query_scalar(&format!(
        "SELECT status FROM subscriptions WHERE account_id = {free_partner}"
    ))
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(status, "active");
    assert!(pid != free_partner);
}
