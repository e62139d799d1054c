//! Changes in one tree that reach another: a partner deleting a channel that customers of its
//! resellers follow, leaving the partner directory (reseller settings, inactive) while a reseller
//! waits for its answer, and accounts closed (deleted, purged) with links, follows or requests
//! for partner to another tree. Each side outside the change reads in its own audit log what it
//! may see, and the partner's side nothing of the reseller's customers.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::audit_sides::*;
use crate::support::*;
use crate::tree::{add_login, create, PW};

fn only<'a>(log: &'a [Value], action: &str) -> &'a Value {
    let rs = of_action(log, action);
    assert_eq!(rs.len(), 1, "{action} in {log:?}");
    rs[0]
}

fn detail(r: &Value) -> &str {
    r["detail"].as_str().unwrap_or("")
}

/// A record filed for another tree: named, with no login id and no address.
fn assert_seen_across(r: &Value, known_as: &str, subject: i64) {
    assert_eq!(r["login_email"], known_as, "{r}");
    assert!(r["login_id"].is_null() && r["ip"].is_null(), "{r}");
    assert_eq!(r["subject_account_id"].as_i64(), Some(subject), "{r}");
}

async fn delete_account(s: &Session, id: i64) {
    let p = expect(
        s.get(&format!("/api/v1/accounts/{id}/deletion")).await,
        StatusCode::OK,
    )
    .await;
    expect(
        s.delete(&format!(
            "/api/v1/accounts/{id}?confirm_accounts={}",
            p["accounts"]
        ))
        .await,
        StatusCode::OK,
    )
    .await;
}

async fn set_status(s: &Session, id: i64, status: &str) {
    expect(
        s.post(
            &format!("/api/v1/accounts/{id}/status"),
            json!({ "status": status }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
}

async fn follow(s: &Session, channel: i64, customer: i64) {
    expect(
        s.post(
            &format!("/api/v1/channels/{channel}/followers"),
            json!({ "customer_id": customer }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
}

async fn channel(s: &Session, partner: i64, name: &str) -> i64 {
    expect(
        s.post(
            &format!("/api/v1/accounts/{partner}/channels"),
            json!({ "name": name }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// Followers of each of the partner's channels, by name.
async fn followers(s: &Session, partner: i64) -> Vec<(String, i64)> {
    let v = expect(
        s.get(&format!("/api/v1/accounts/{partner}/channels")).await,
        StatusCode::OK,
    )
    .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["followers"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Another reseller (owner login `sam@south.test`) with a request for partner waiting for the
/// partner; returns (reseller, its session, the request).
async fn waiting_reseller(app: &TestApp, w: &World) -> (i64, Session, i64) {
    let south = create(&w.op, 1, "reseller", "South Resell").await;
    add_login(&w.op, south, "sam@south.test", "owner").await;
    let ss = app.login("sam@south.test", PW).await;
    let id = ask_as(&ss, w.partner).await;
    (south, ss, id)
}

/// The partner (and the operator) delete channels that a customer of the linked reseller
/// follows: that customer's records (read by the reseller's logins too) say it no longer follows
/// them, named by the partner or "the operator"; the partner's own customers are its own tree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_channel_tells_the_resellers_customers_that_followed_it() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    link(&w).await;
    let sport = channel(&w.ps, w.partner, "Harbor Sport").await;
    let own = create(&w.ps, w.partner, "customer", "Harbor Cafe").await;
    follow(&w.ps, w.channel, own).await;
    follower(&w.rs, &w, true).await;
    follow(&w.rs, sport, w.customer).await;

    expect(
        w.ps.delete(&format!("/api/v1/channels/{}", w.channel))
            .await,
        StatusCode::NO_CONTENT,
    )
    .await;
    expect(
        w.op.delete(&format!("/api/v1/channels/{sport}")).await,
        StatusCode::NO_CONTENT,
    )
    .await;

    let rlog = log_of(&w.rv).await;
    assert_reseller_side_clean(&rlog, &csv_of(&w.rv).await);
    let deleted = of_action(&rlog, "channel.delete");
    assert_eq!(deleted.len(), 2, "{rlog:?}");
    for (r, known_as, ch, name) in [
        (deleted[0], OPERATOR_AS_SEEN, sport, "Harbor Sport"),
        (deleted[1], PARTNER_AS_SEEN, w.channel, "Harbor News"),
    ] {
        assert_seen_across(r, known_as, w.customer);
        assert_eq!(r["target_id"], ch.to_string());
        let d = detail(r);
        assert!(
            d.contains(CUSTOMER)
                && d.contains(name)
                && d.contains(PARTNER)
                && d.contains("deleted"),
            "{d}"
        );
    }
    // Filed under the customer, whose own logins read it.
    assert_eq!(of_action(&log_of(&w.cs).await, "channel.delete").len(), 2);

    // The partner's side: its own deletions, nothing of the reseller's customer.
    let plog = log_of(&w.pv).await;
    assert_partner_side_clean(&w, &plog, &csv_of(&w.pv).await);
    let own_records: Vec<_> = of_action(&plog, "channel.delete")
        .into_iter()
        .map(|r| r["login_email"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(own_records, vec![ADMIN_EMAIL, "owner@harbor.test"]);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'channel.delete' AND subject_account_id = {own}"
        ))
        .await,
        0,
        "the partner's own customer is the partner's tree"
    );
    // The acceptance and the deletion; the operator's deletion.
    assert_other_side_rows_bare(&app, PARTNER_AS_SEEN, 2).await;
    assert_other_side_rows_bare(&app, OPERATOR_AS_SEEN, 1).await;
}

/// A reseller waiting for the partner's answer reads that the partner left the directory and
/// came back, whether by its reseller settings or by being set inactive; the request waits on.
/// Other changes of the settings tell it nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_directory_is_told_to_the_reseller_waiting_for_an_answer() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = ask(&w, w.partner).await;
    let settings = |body: Value| {
        let ps = &w.ps;
        async move {
            expect(
                ps.send(
                    reqwest::Method::PUT,
                    "/api/v1/reseller-settings",
                    Some(body),
                )
                .await,
                StatusCode::OK,
            )
            .await
        }
    };
    settings(json!({"note": "We answer within a week"})).await;
    settings(json!({"serves_resellers": false})).await;
    settings(json!({"serves_resellers": false, "note": "Closed for now"})).await;
    let rlog = log_of(&w.rv).await;
    assert!(of_action(&rlog, "request.partner_listed").is_empty());
    let left = only(&rlog, "request.partner_unlisted");
    assert_seen_across(left, PARTNER_AS_SEEN, w.reseller);
    assert_eq!(left["target_type"], "request");
    assert_eq!(left["target_id"], id.to_string());
    assert!(
        detail(left).contains("Harbor Media left the partner directory"),
        "{left}"
    );
    let r = expect(
        w.rs.get(&format!("/api/v1/requests/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["status"], "pending");
    settings(json!({"serves_resellers": true})).await;
    let back = only(&log_of(&w.rv).await, "request.partner_listed").clone();
    assert_seen_across(&back, PARTNER_AS_SEEN, w.reseller);
    assert!(
        detail(&back).contains("in the partner directory again"),
        "{back}"
    );

    // Set inactive and active again by the operator.
    set_status(&w.op, w.partner, "inactive").await;
    set_status(&w.op, w.partner, "active").await;
    let rlog = log_of(&w.rv).await;
    assert_reseller_side_clean(&rlog, &csv_of(&w.rv).await);
    for action in ["request.partner_unlisted", "request.partner_listed"] {
        let rs = of_action(&rlog, action);
        assert_eq!(rs.len(), 2, "{action} in {rlog:?}");
        assert_seen_across(rs[0], OPERATOR_AS_SEEN, w.reseller);
    }
    // Only what the directory shows: not why.
    for r in rlog
        .iter()
        .filter(|r| r["login_email"] != "nora@north.test")
    {
        let d = detail(r);
        assert!(!d.contains("inactive") && !d.contains("serve"), "{r}");
    }
    let r = expect(
        w.rs.get(&format!("/api/v1/requests/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["status"], "pending");

    // The partner's side has its own changes only (its sessions ended while inactive).
    let pv = app.login("viewer@harbor.test", PW).await;
    let plog = log_of(&pv).await;
    assert_partner_side_clean(&w, &plog, &csv_of(&pv).await);
    assert!(of_action(&plog, "request.partner_unlisted").is_empty());
    assert_eq!(of_action(&plog, "reseller_settings.update").len(), 4);
    assert_other_side_rows_bare(&app, PARTNER_AS_SEEN, 2).await;
    assert_other_side_rows_bare(&app, OPERATOR_AS_SEEN, 2).await;
}

/// The operator deletes a partner with a linked reseller whose customer follows its channel,
/// and another reseller waiting for its answer: the link, the follow and the request end; each
/// reseller reads that the partner was closed, by "the operator".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_partner_ends_its_links_and_requests_and_tells_each_reseller() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    link(&w).await;
    follower(&w.rs, &w, true).await;
    let (south, ss, waiting) = waiting_reseller(&app, &w).await;

    delete_account(&w.op, w.partner).await;

    let rlog = log_of(&w.rv).await;
    assert_reseller_side_clean(&rlog, &csv_of(&w.rv).await);
    let closed = only(&rlog, "account.delete");
    assert_seen_across(closed, OPERATOR_AS_SEEN, w.reseller);
    assert_eq!(closed["target_id"], w.partner.to_string());
    assert!(
        detail(closed).contains("Harbor Media was closed: you no longer resell for it"),
        "{closed}"
    );
    let mine = expect(w.rs.get("/api/v1/my-partner").await, StatusCode::OK).await;
    assert!(
        mine["partner"].is_null() && mine["channels"] == json!([]),
        "{mine}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM reseller_links WHERE reseller_id = {}",
            w.reseller
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM channel_followers WHERE customer_id = {}",
            w.customer
        ))
        .await,
        0
    );

    // The reseller that waited: its request is withdrawn, and it reads why.
    let slog = log_of(&ss).await;
    let withdrawn = only(&slog, "request.withdraw");
    assert_seen_across(withdrawn, OPERATOR_AS_SEEN, south);
    assert_eq!(withdrawn["target_id"], waiting.to_string());
    assert!(
        detail(withdrawn).contains("withdrawn automatically: Harbor Media was closed"),
        "{withdrawn}"
    );
    let r = expect(
        ss.get(&format!("/api/v1/requests/{waiting}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["status"], "withdrawn");
    for text in [serde_json::to_string(&slog).unwrap(), csv_of(&ss).await] {
        for email in PARTNER_SIDE_EMAILS {
            assert!(
                !text.contains(email),
                "{email} in South Resell's log: {text}"
            );
        }
    }
    assert_other_side_rows_bare(&app, OPERATOR_AS_SEEN, 2).await;
}

/// A reseller closing its customer, and the operator closing resellers: the partner reads that
/// a customer of the reseller no longer follows its channel (never which), that a waiting
/// request went, and that the reseller was closed. Setting the reseller inactive ends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_reseller_or_its_customer_tells_the_partner_only_what_it_may_see() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    link(&w).await;
    follower(&w.rs, &w, true).await;
    let bakery = create(&w.rs, w.reseller, "customer", "North Bakery").await;
    follow(&w.rs, w.channel, bakery).await;
    let (south, _ss, waiting) = waiting_reseller(&app, &w).await;

    delete_account(&w.rs, w.customer).await;
    let plog = log_of(&w.pv).await;
    let gone = only(&plog, "channel.unfollow");
    assert_seen_across(gone, RESELLER_AS_SEEN, w.partner);
    assert_eq!(gone["target_id"], w.channel.to_string());
    assert_eq!(
        detail(gone),
        "a customer of North Resell no longer follows Harbor News: its account was closed"
    );
    assert_eq!(
        followers(&w.pv, w.partner).await,
        vec![("Harbor News".to_string(), 1)]
    );

    delete_account(&w.op, south).await;
    let plog = log_of(&w.pv).await;
    let waiting = waiting.to_string();
    let withdrawn = of_action(&plog, "request.withdraw")
        .into_iter()
        .find(|r| r["target_id"] == waiting.as_str())
        .expect("the waiting request's withdrawal");
    assert_seen_across(withdrawn, OPERATOR_AS_SEEN, w.partner);
    assert!(
        detail(withdrawn).contains("withdrawn automatically: South Resell was closed"),
        "{withdrawn}"
    );

    // Inactive: the link and the follow stay, and the partner reads nothing new.
    let before = log_of(&w.pv).await.len();
    set_status(&w.op, w.reseller, "inactive").await;
    assert_eq!(log_of(&w.pv).await.len(), before);
    let mine = expect(w.pv.get("/api/v1/resellers").await, StatusCode::OK).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(
        followers(&w.pv, w.partner).await,
        vec![("Harbor News".to_string(), 1)]
    );

    delete_account(&w.op, w.reseller).await;
    let plog = log_of(&w.pv).await;
    let pcsv = csv_of(&w.pv).await;
    assert_partner_side_clean(&w, &plog, &pcsv);
    for text in [serde_json::to_string(&plog).unwrap(), pcsv] {
        assert!(!text.contains("North Bakery") && !text.contains(&format!("customer {bakery}")));
    }
    let closed = only(&plog, "account.delete");
    assert_seen_across(closed, OPERATOR_AS_SEEN, w.partner);
    assert_eq!(closed["target_id"], w.reseller.to_string());
    assert_eq!(
        detail(closed),
        "North Resell was closed: it no longer resells for you"
    );
    let mine = expect(w.pv.get("/api/v1/resellers").await, StatusCode::OK).await;
    assert_eq!(mine["items"], json!([]));
    assert_eq!(
        followers(&w.pv, w.partner).await,
        vec![("Harbor News".to_string(), 0)]
    );
    // The request for partner, two follows and the follow that went.
    assert_other_side_rows_bare(&app, RESELLER_AS_SEEN, 4).await;
    assert_other_side_rows_bare(&app, OPERATOR_AS_SEEN, 2).await;
}

/// The purge of a partner whose unpaid period ended 30 days ago ends its reseller link too:
/// the reseller reads, from the panel itself, that the partner was closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_of_a_partner_tells_its_reseller() {
    const DAY: i64 = 86_400;
    let app = TestApp::spawn().await;
    let (op, ps, pid) = crate::billing::onboard(&app).await;
    let news = channel(&ps, pid, "Cycle News").await;
    let reseller = create(&op, 1, "reseller", RESELLER).await;
    add_login(&op, reseller, "nora@north.test", "owner").await;
    let rs = app.login("nora@north.test", PW).await;
    let customer = create(&rs, reseller, "customer", CUSTOMER).await;
    let id = ask_as(&rs, pid).await;
    decide(&ps, id, None).await;
    follow(&rs, news, customer).await;

    // The trial ends unpaid; 30 days later the partner goes.
    app.advance(15 * DAY);
    assert_eq!(crate::billing::scan(&app).await["suspended"], 1);
    app.advance(31 * DAY);
    assert_eq!(crate::billing::scan(&app).await["purged"], 1);

    let rs = app.login("nora@north.test", PW).await;
    let rlog = log_of(&rs).await;
    let closed = only(&rlog, "account.delete");
    assert!(
        closed["login_email"].is_null() && closed["ip"].is_null(),
        "{closed}"
    );
    assert_eq!(closed["subject_account_id"].as_i64(), Some(reseller));
    assert_eq!(closed["target_id"], pid.to_string());
    assert!(
        // The purge forgets the partner's name everywhere, in the reseller's log too.
        detail(closed).contains("[removed] was closed: you no longer resell for it")
            && !detail(closed).contains("Lifecycle"),
        "{closed}"
    );
    assert!(!serde_json::to_string(&rlog)
        .unwrap()
        .contains("lee@cycle.example"));
    let mine = expect(rs.get("/api/v1/my-partner").await, StatusCode::OK).await;
    assert!(mine["partner"].is_null(), "{mine}");
}
