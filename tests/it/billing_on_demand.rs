//! Billing on demand: the operator issues an invoice, registers a payment or grants a credit at
//! any time, each confirmed; bad amounts are refused with their codes and write nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::networks::{approved_partner, capped_package};
use crate::support::*;

async fn json_ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// Everything billing could have written for the partner.
async fn written(app: &TestApp, pid: i64) -> (i64, i64, i64) {
    (
        app.count(&format!("SELECT COUNT(*) FROM invoices WHERE account_id = {pid}"))
            .await,
        app.count(&format!(
            "SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.account_id = {pid}"
        ))
        .await,
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE subject_account_id = {pid} AND action LIKE 'billing.%'"
        ))
        .await,
    )
}

#[tokio::test]
async fn the_operator_bills_on_demand_through_the_api_and_bad_amounts_write_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Monthly", None, None).await; // 10.00 EUR
    let (partner, pid) =
        approved_partner(&app, &op, "Early Payer", "owner@early.test", pkg, false).await;
    let base = format!("/api/v1/partners/{pid}/billing");
    let before = json_ok(op.get(&base).await).await;
    assert_eq!(before["invoices"].as_array().unwrap().len(), 0, "{before}");
    let trial_end = before["subscription"]["period_end"]
        .as_str()
        .unwrap()
        .to_string();

    // Bad amounts: each with its code and the field; unconfirmed: its own code.
    for (amount, code) in [
        (json!("abc"), "amount_invalid"),
        (json!("1,5"), "amount_invalid"),
        (json!(""), "amount_invalid"),
        (json!(true), "amount_invalid"),
        (json!("0"), "amount_not_positive"),
        (json!("0.00"), "amount_not_positive"),
        (json!("-10.00"), "amount_not_positive"),
        (json!(-10), "amount_not_positive"),
        (json!("10.001"), "amount_too_precise"),
        (json!(10.125), "amount_too_precise"),
    ] {
        for (path, extra) in [
            ("payment", json!({"reference": "TR-1"})),
            ("credit", json!({"reason": "downtime"})),
        ] {
            let mut body = extra.clone();
            body["amount"] = amount.clone();
            body["confirm"] = json!(true);
            let (st, got, field, _) =
                error_of(op.post(&format!("{base}/{path}"), body).await).await;
            assert_eq!(
                (st, got.as_str(), field.as_deref()),
                (StatusCode::UNPROCESSABLE_ENTITY, code, Some("amount")),
                "{path} {amount}"
            );
        }
    }
    // The right amount without confirmation, and a wrong total: refused.
    let (st, code, field, msg) = error_of(
        op.post(
            &format!("{base}/payment"),
            json!({"amount": "10.00", "reference": "TR-1"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, code.as_str(), field.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "confirmation_required",
            Some("confirm")
        )
    );
    assert!(
        msg.contains("10.00 EUR") && msg.contains("Early Payer"),
        "{msg}"
    );
    let (_, code, _, _) = error_of(op.post(&format!("{base}/invoice"), json!({})).await).await;
    assert_eq!(code, "confirmation_required");
    let (_, code, field, _) = error_of(
        op.post(
            &format!("{base}/payment"),
            json!({"amount": "12.00", "reference": "TR-1", "confirm": true}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("validation_failed", Some("amount"))
    );
    assert_eq!(
        written(&app, pid).await,
        (0, 0, 0),
        "a refused call wrote something"
    );
    // Partners may not bill themselves; a missing partner is 404.
    assert_eq!(
        partner
            .post(&format!("{base}/invoice"), json!({"confirm": true}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        op.post(
            "/api/v1/partners/987654/billing/invoice",
            json!({"confirm": true})
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );

    // Issue now (in trial, long before the reminder), then again: the same invoice.
    let r = json_ok(
        op.post(&format!("{base}/invoice"), json!({"confirm": true}))
            .await,
    )
    .await;
    assert_eq!(
        (r["issued"].as_bool(), r["invoice"]["status"].as_str()),
        (Some(true), Some("open"))
    );
    assert_eq!(r["invoice"]["total"], 1000);
    let again = json_ok(
        op.post(&format!("{base}/invoice"), json!({"confirm": true}))
            .await,
    )
    .await;
    assert_eq!(
        (again["issued"].as_bool(), &again["invoice"]["id"]),
        (Some(false), &r["invoice"]["id"])
    );
    // A credit of 2.50 takes it to 7.50; the payment of 7.50 pays it and extends the package.
    let c = json_ok(
        op.post(
            &format!("{base}/credit"),
            json!({"amount": "2.5", "reason": "two days of downtime", "confirm": true}),
        )
        .await,
    )
    .await;
    assert_eq!(c["invoice"]["total"], 750, "{c}");
    assert!(c["invoice"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["amount"] == -250));
    let p = json_ok(
        op.post(
            &format!("{base}/payment"),
            json!({"amount": 7.5, "reference": "TR-77", "confirm": true}),
        )
        .await,
    )
    .await;
    assert_eq!(p["invoice"]["status"], "paid");
    assert_ne!(p["subscription"]["period_end"].as_str().unwrap(), trial_end);
    // Paying early again: the next period's invoice is issued and paid at once.
    let p2 = json_ok(
        op.post(
            &format!("{base}/payment"),
            json!({"amount": "10.00", "reference": "TR-78", "confirm": true}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (p2["issued"].as_bool(), p2["invoice"]["status"].as_str()),
        (Some(true), Some("paid"))
    );
    assert_eq!(written(&app, pid).await.0, 2);
    let mine = json_ok(partner.get("/api/v1/billing").await).await;
    assert_eq!(mine["invoices"].as_array().unwrap().len(), 2);
    let audit = json_ok(op.get("/api/v1/audit?action=billing").await).await;
    let phrases: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phrase"].as_str().unwrap())
        .collect();
    for p in [
        "issued an invoice",
        "granted a credit",
        "registered a payment",
    ] {
        assert!(phrases.contains(&p), "{phrases:?}");
    }
}

/// Posts the billing page's form `action` with `fields` (and the CSRF token).
async fn post(
    app: &TestApp,
    op: &Session,
    path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf_token", op.csrf.as_str()));
    op.client
        .post(app.url(&format!("{path}/{action}")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_operator_bills_on_demand_from_the_page_after_a_confirmation() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Monthly", None, None).await;
    let (_partner, pid) =
        approved_partner(&app, &op, "Page Payer", "owner@page.test", pkg, false).await;
    let path = format!("/operator/partners/{pid}/billing");
    let list = op.get("/operator/partners").await.text().await.unwrap();
    assert!(list.contains(&format!("href=\"{path}\"")));
    let html = op.get(&path).await.text().await.unwrap();
    assert!(html.contains("Billing of Page Payer") && html.contains("value=\"10.00\""));
    // A bad amount: the form again with the error beside the field and what was typed.
    let r = post(
        &app,
        &op,
        &path,
        "payment",
        &[("amount", "12.345"), ("reference", "BANK-1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"payment-amount-error\"") && html.contains("at most two decimals"));
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("value=\"BANK-1\""));
    let r = post(
        &app,
        &op,
        &path,
        "credit",
        &[("amount", "-1"), ("reason", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("id=\"credit-amount-error\""));
    // A good one: first the confirmation naming amount and partner, nothing written yet.
    let r = post(
        &app,
        &op,
        &path,
        "payment",
        &[("amount", "10.00"), ("reference", "BANK-1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Register a payment of 10.00 EUR for Page Payer?"),
        "{html}"
    );
    assert!(html.contains("name=\"confirm\" value=\"1\""));
    assert_eq!(written(&app, pid).await, (0, 0, 0));
    // Confirmed: done, with a flash that says so.
    let r = post(
        &app,
        &op,
        &path,
        "payment",
        &[
            ("amount", "10.00"),
            ("reference", "BANK-1"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = op.get(&path).await.text().await.unwrap();
    assert!(
        html.contains("Payment registered: 10.00 EUR for Page Payer"),
        "{html}"
    );
    assert_eq!(written(&app, pid).await.1, 1);
    // Issuing the next invoice, confirmed.
    let r = post(&app, &op, &path, "invoice", &[]).await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Issue the next invoice of Page Payer now?"));
    let r = post(&app, &op, &path, "invoice", &[("confirm", "1")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM invoices WHERE account_id = {pid} AND status = 'open'"
        ))
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_the_operator_issues_an_invoice_and_registers_a_payment_with_confirmations() {
    let Some(b) = crate::browser::Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let pkg = capped_package(&op, "Monthly", None, None).await;
    let (_p, pid) =
        approved_partner(&app, &op, "Browser Payer", "owner@bpayer.test", pkg, false).await;
    let run = async {
        b.client.set_window_size(1366, 900).await.unwrap();
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", ADMIN_EMAIL).await;
        b.fill("#password", ADMIN_PASSWORD).await;
        b.click("#sign-in").await;
        b.client.goto(&app.url("/operator/partners")).await.unwrap();
        b.click(".partner-billing").await;
        assert_eq!(
            b.text("h1").await,
            "Billing of Browser Payer",
            "the Billing link of My partners"
        );
        b.screenshot("billing-on-demand-01-page-desktop").await;
        // Issue the invoice: a confirmation first, naming the partner.
        b.click("#issue-invoice-button").await;
        assert_eq!(
            b.text("#confirm-question").await,
            "Issue the next invoice of Browser Payer now? Confirm to go ahead."
        );
        b.click("#confirm-yes").await;
        assert!(b.text("#flash").await.contains("issued for Browser Payer"));
        assert!(b.text("#invoice-list").await.contains("open"));
        // A bad amount shows beside the field; the right one asks for confirmation.
        b.fill("#payment-amount", "10.005").await;
        b.fill("#payment-reference", "BANK-42").await;
        b.click("#payment-button").await;
        assert!(b
            .text("#payment-amount-error")
            .await
            .contains("at most two decimals"));
        b.screenshot("billing-on-demand-02-amount-error").await;
        b.fill("#payment-amount", "10.00").await;
        b.click("#payment-button").await;
        assert_eq!(
            b.text("#confirm-question").await,
            "Register a payment of 10.00 EUR for Browser Payer? Confirm to go ahead."
        );
        b.screenshot("billing-on-demand-03-confirm-desktop").await;
        b.client.set_window_size(390, 844).await.unwrap();
        b.screenshot("billing-on-demand-04-confirm-phone").await;
        b.click("#confirm-yes").await;
        assert!(b
            .text("#flash")
            .await
            .contains("Payment registered: 10.00 EUR for Browser Payer"));
        assert!(b.text("#invoice-list").await.contains("paid"));
        b.screenshot("billing-on-demand-05-paid-phone").await;
        b.client.set_window_size(1366, 900).await.unwrap();
        b.screenshot("billing-on-demand-06-paid-desktop").await;
    };
    run.await;
    b.close().await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM invoices WHERE account_id = {pid} AND status = 'paid'"
        ))
        .await,
        1
    );
}
