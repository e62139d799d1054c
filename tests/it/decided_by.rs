//! What a request shows of who decided it (`decided_by`): the deciding side (the addressee, or
//! an account above it) reads the login that decided, as in its inbox, history and audit log;
//! the requester's side, and anyone else, reads the deciding account by the name it knows
//! ("the operator", "Harbor Media (partner)"), never the deciding login's email.

use reqwest::StatusCode;
use serde_json::Value;

use crate::audit_sides::{
    ask, decide, expect, operator_decides_two_broadcasts, world, World, OPERATOR_AS_SEEN,
    PARTNER_AS_SEEN, PARTNER_SIDE_EMAILS,
};
use crate::support::*;

/// A GET by the operator acting as `account`.
async fn get_as(app: &TestApp, w: &World, account: i64, path: &str) -> Value {
    let r =
        w.op.client
            .get(app.url(path))
            .header("x-act-as", account.to_string())
            .send()
            .await
            .unwrap();
    expect(r, StatusCode::OK).await
}

async fn get(s: &Session, path: &str) -> Value {
    expect(s.get(path).await, StatusCode::OK).await
}

/// Every decided request of a list answer names its decider as `want`.
fn all_decided_by(list: &Value, want: &str) -> usize {
    let items = list["items"].as_array().unwrap();
    let decided: Vec<&Value> = items
        .iter()
        .filter(|r| r["status"] == "approved" || r["status"] == "rejected")
        .collect();
    for r in &decided {
        assert_eq!(r["decided_by"], want, "{r}");
    }
    decided.len()
}

/// The operator decides two broadcasts of the partner: the partner's logins (and the operator
/// acting as the partner, and a customer shown the broadcast) read "the operator"; the operator
/// reads its login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_reads_that_the_operator_decided_and_the_operator_reads_its_login() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (ids, answers) = operator_decides_two_broadcasts(&app, &w).await;
    // The decision's answer goes to the deciding side: its login.
    for a in &answers {
        assert_eq!(a["decided_by"], ADMIN_EMAIL, "{a}");
    }

    // The requester's side: owner and viewer, one request and the list.
    for s in [&w.ps, &w.pv] {
        for id in &ids {
            let r = get(s, &format!("/api/v1/requests/{id}")).await;
            assert_eq!(r["decided_by"], OPERATOR_AS_SEEN, "{r}");
            assert!(r["decided_at"].is_string());
        }
        let list = get(s, "/api/v1/requests").await;
        assert_eq!(all_decided_by(&list, OPERATOR_AS_SEEN), 2);
        assert!(!list.to_string().contains(ADMIN_EMAIL), "{list}");
        let page = s.get("/requests?tab=broadcast").await.text().await.unwrap();
        assert!(page.contains("Summer news") || page.contains("Harbor News"));
        assert!(
            !page.contains(ADMIN_EMAIL),
            "the operator's login on My requests"
        );
    }
    // The operator acting as the partner reads it as the partner's side does.
    let r = get_as(&app, &w, w.partner, &format!("/api/v1/requests/{}", ids[0])).await;
    assert_eq!(r["decided_by"], OPERATOR_AS_SEEN);

    // The deciding side: the request, its decision history (JSON and CSV).
    for id in &ids {
        let r = get(&w.op, &format!("/api/v1/requests/{id}")).await;
        assert_eq!(r["decided_by"], ADMIN_EMAIL, "{r}");
    }
    let history = get(&w.op, "/api/v1/inbox/history?type=broadcast").await;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{history}");
    assert!(items.iter().all(|d| d["decided_by"] == ADMIN_EMAIL));
    let csv =
        w.op.get("/api/v1/inbox/history.csv")
            .await
            .text()
            .await
            .unwrap();
    assert!(csv.contains(ADMIN_EMAIL), "{csv}");

    // A customer shown the broadcast (once it started) reads the same as the partner's side.
    app.advance(3_700);
    app.run_jobs().await;
    let e = get(&w.cs, "/api/v1/engagements").await;
    let sent = e["broadcasts"].as_array().unwrap();
    assert_eq!(sent.len(), 1, "{e}");
    assert_eq!(sent[0]["decided_by"], OPERATOR_AS_SEEN);
    assert!(!e.to_string().contains(ADMIN_EMAIL), "{e}");
}

/// A partner decides a reseller's requests for partner: the reseller's logins (and the operator
/// acting as the reseller) read the partner by name; the partner, and the operator from its own
/// view (whose audit log has that login too), read the partner's login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reseller_reads_the_partner_that_decided_and_the_partner_reads_its_login() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let first = ask(&w, w.partner).await;
    let rejected = decide(&w.ps, first, Some("Not this month")).await;
    assert_eq!(rejected["decided_by"], "owner@harbor.test");
    let second = ask(&w, w.partner).await;
    let approved = decide(&w.ps, second, None).await;
    assert_eq!(approved["decided_by"], "owner@harbor.test");

    // The requester's side.
    for s in [&w.rs, &w.rv] {
        for id in [first, second] {
            let r = get(s, &format!("/api/v1/requests/{id}")).await;
            assert_eq!(r["decided_by"], PARTNER_AS_SEEN, "{r}");
        }
        let list = get(s, "/api/v1/requests?type=reseller_link").await;
        assert_eq!(all_decided_by(&list, PARTNER_AS_SEEN), 2);
        let page = s.get("/requests").await.text().await.unwrap();
        for text in [list.to_string(), page] {
            for email in PARTNER_SIDE_EMAILS {
                assert!(
                    !text.contains(email),
                    "{email} shown to the reseller: {text}"
                );
            }
        }
    }
    let r = get_as(&app, &w, w.reseller, &format!("/api/v1/requests/{first}")).await;
    assert_eq!(r["decided_by"], PARTNER_AS_SEEN);

    // The deciding side: owner and viewer, its history; and the operator above both.
    for s in [&w.ps, &w.pv] {
        for id in [first, second] {
            let r = get(s, &format!("/api/v1/requests/{id}")).await;
            assert_eq!(r["decided_by"], "owner@harbor.test", "{r}");
        }
        let history = get(s, "/api/v1/inbox/history").await;
        let items = history["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{history}");
        assert!(items.iter().all(|d| d["decided_by"] == "owner@harbor.test"));
    }
    let r = get(&w.op, &format!("/api/v1/requests/{second}")).await;
    assert_eq!(r["decided_by"], "owner@harbor.test");
    // The stored decision keeps the login either way.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM requests WHERE id IN ({first}, {second}) \
             AND decided_by_email = 'owner@harbor.test'"
        ))
        .await,
        2
    );
}
