//! Events that concern two trees (a reseller and its partner, the operator and a partner whose
//! request it decides) are in each side's audit log with only what that side may see: the other
//! side is named by what this side already knows of it, never by its logins, addresses or request
//! ids, nor by the accounts below it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

pub(crate) const PARTNER: &str = "Harbor Media";
pub(crate) const RESELLER: &str = "North Resell";
pub(crate) const CUSTOMER: &str = "North Cafe";
/// How the partner's log names the reseller, and the reseller's log the partner.
pub(crate) const RESELLER_AS_SEEN: &str = "North Resell (reseller)";
pub(crate) const PARTNER_AS_SEEN: &str = "Harbor Media (partner)";
pub(crate) const OPERATOR_AS_SEEN: &str = "the operator";
/// Every login of the reseller's tree (the reseller's own and its customer's).
pub(crate) const RESELLER_SIDE_EMAILS: [&str; 3] =
    ["nora@north.test", "viewer@north.test", "cafe@north.test"];
pub(crate) const PARTNER_SIDE_EMAILS: [&str; 2] = ["owner@harbor.test", "viewer@harbor.test"];

pub(crate) async fn expect(r: reqwest::Response, want: StatusCode) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The operator, a partner serving resellers (owner and viewer) with a channel, a reseller
/// (owner and viewer) and a customer below the reseller with a login of its own.
pub(crate) struct World {
    pub(crate) op: Session,
    pub(crate) partner: i64,
    pub(crate) ps: Session,
    pub(crate) pv: Session,
    pub(crate) channel: i64,
    pub(crate) reseller: i64,
    pub(crate) rs: Session,
    pub(crate) rv: Session,
    pub(crate) customer: i64,
    pub(crate) cs: Session,
}

pub(crate) async fn world(app: &TestApp) -> World {
    let op = app.login_admin().await;
    let partner = create(&op, 1, "partner", PARTNER).await;
    add_login(&op, partner, "owner@harbor.test", "owner").await;
    let ps = app.login("owner@harbor.test", PW).await;
    add_login(&ps, partner, "viewer@harbor.test", "viewer").await;
    let pv = app.login("viewer@harbor.test", PW).await;
    let channel = expect(
        ps.post(
            &format!("/api/v1/accounts/{partner}/channels"),
            json!({"name": "Harbor News"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let reseller = create(&op, 1, "reseller", RESELLER).await;
    add_login(&op, reseller, "nora@north.test", "owner").await;
    let rs = app.login("nora@north.test", PW).await;
    add_login(&rs, reseller, "viewer@north.test", "viewer").await;
    let rv = app.login("viewer@north.test", PW).await;
    let customer = create(&rs, reseller, "customer", CUSTOMER).await;
    add_login(&rs, customer, "cafe@north.test", "owner").await;
    let cs = app.login("cafe@north.test", PW).await;
    World {
        op,
        partner,
        ps,
        pv,
        channel,
        reseller,
        rs,
        rv,
        customer,
        cs,
    }
}

/// The reseller asks the partner (request for partner); returns the request's id.
pub(crate) async fn ask(w: &World, partner: i64) -> i64 {
    ask_as(&w.rs, partner).await
}

/// A reseller's login asks a partner (request for partner); returns the request's id.
pub(crate) async fn ask_as(s: &Session, partner: i64) -> i64 {
    expect(
        s.post(
            "/api/v1/requests",
            json!({"type": "reseller_link", "partner_id": partner}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// Request for partner and acceptance.
pub(crate) async fn link(w: &World) {
    let id = ask(w, w.partner).await;
    decide(&w.ps, id, None).await;
}

/// The addressee's login approves a request, or rejects it with a reason; returns the answer.
pub(crate) async fn decide(s: &Session, id: i64, reject: Option<&str>) -> Value {
    let r = match reject {
        None => {
            s.post(&format!("/api/v1/inbox/{id}/approve"), json!({}))
                .await
        }
        Some(reason) => {
            s.post(
                &format!("/api/v1/inbox/{id}/reject"),
                json!({ "reason": reason }),
            )
            .await
        }
    };
    expect(r, StatusCode::OK).await
}

pub(crate) async fn follower(s: &Session, w: &World, follow: bool) {
    let path = if follow {
        format!("/api/v1/channels/{}/followers", w.channel)
    } else {
        format!("/api/v1/channels/{}/followers/remove", w.channel)
    };
    expect(
        s.post(&path, json!({"customer_id": w.customer})).await,
        StatusCode::OK,
    )
    .await;
}

/// Every record of the session's audit log (the account in view and below), newest first.
pub(crate) async fn log_of(s: &Session) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let v = expect(
            s.get(&format!("/api/v1/audit?per_page=100&page={page}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let items = v["items"].as_array().unwrap().clone();
        let done = items.len() < 100;
        all.extend(items);
        if done {
            break;
        }
    }
    all
}

pub(crate) async fn csv_of(s: &Session) -> String {
    let r = s.get("/api/v1/audit.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

pub(crate) fn of_action<'a>(log: &'a [Value], action: &str) -> Vec<&'a Value> {
    log.iter().filter(|r| r["action"] == action).collect()
}

/// What the partner's side must never read of the reseller's tree: its logins, the customer's
/// name and id, addresses of the reseller's side.
pub(crate) fn assert_partner_side_clean(w: &World, log: &[Value], csv: &str) {
    let json = serde_json::to_string(log).unwrap();
    for text in [&json, csv] {
        for email in RESELLER_SIDE_EMAILS {
            assert!(
                !text.contains(email),
                "{email} in the partner's log: {text}"
            );
        }
        assert!(
            !text.contains(CUSTOMER),
            "the customer's name in the partner's log: {text}"
        );
        assert!(
            !text.contains(&format!("customer {}", w.customer)),
            "the customer's id in the partner's log: {text}"
        );
    }
    let customer = w.customer.to_string();
    for r in log {
        assert!(
            !(r["target_type"] == "account" && r["target_id"] == customer.as_str()),
            "{r}"
        );
        for id in [w.customer, w.reseller] {
            assert_ne!(r["acting_as_account_id"].as_i64(), Some(id), "{r}");
        }
        // An address is only ever that of the partner's own logins.
        if !r["ip"].is_null() {
            let login = r["login_email"].as_str().unwrap_or("");
            assert!(PARTNER_SIDE_EMAILS.contains(&login), "{r}");
        }
    }
    for line in csv.lines().filter(|l| l.contains("127.0.0.1")) {
        assert!(
            PARTNER_SIDE_EMAILS.iter().any(|e| line.contains(e)),
            "an address of another tree in the partner's CSV: {line}"
        );
    }
}

/// The same for the reseller's side: nothing of the partner's logins.
pub(crate) fn assert_reseller_side_clean(log: &[Value], csv: &str) {
    let json = serde_json::to_string(log).unwrap();
    for text in [&json, csv] {
        for email in PARTNER_SIDE_EMAILS {
            assert!(
                !text.contains(email),
                "{email} in the reseller's log: {text}"
            );
        }
    }
    for r in log {
        if !r["ip"].is_null() {
            let login = r["login_email"].as_str().unwrap_or("");
            assert!(RESELLER_SIDE_EMAILS.contains(&login), "{r}");
        }
    }
}

/// The rows written for the other side carry no login, home account, address or request id.
pub(crate) async fn assert_other_side_rows_bare(app: &TestApp, label: &str, expected_rows: i64) {
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE login_email = '{label}'"
        ))
        .await,
        expected_rows,
        "records naming {label}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE login_email = '{label}' AND (login_id IS NOT NULL \
             OR home_account_id IS NOT NULL OR acting_as_account_id IS NOT NULL OR ip IS NOT NULL \
             OR request_id IS NOT NULL)"
        ))
        .await,
        0
    );
}

/// The case of the issue: the reseller follows its customer to the partner's channel. The
/// partner's logins (down to viewers) read that a customer of the reseller follows, nothing
/// more; the reseller's log has the follow with its login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_by_a_resellers_customer_is_in_each_log_with_what_each_may_see() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    link(&w).await;
    follower(&w.rs, &w, true).await;

    let plog = log_of(&w.pv).await;
    let pcsv = csv_of(&w.pv).await;
    assert_partner_side_clean(&w, &plog, &pcsv);
    let f = of_action(&plog, "channel.follow");
    assert_eq!(f.len(), 1, "{plog:?}");
    assert_eq!(f[0]["subject_account_id"].as_i64(), Some(w.partner));
    assert_eq!(f[0]["login_email"], RESELLER_AS_SEEN);
    assert!(
        f[0]["ip"].is_null() && f[0]["login_id"].is_null(),
        "{}",
        f[0]
    );
    assert_eq!(f[0]["target_id"], w.channel.to_string());
    assert!(
        f[0]["detail"].as_str().unwrap().contains(RESELLER),
        "{}",
        f[0]
    );
    assert!(pcsv.contains(RESELLER_AS_SEEN), "{pcsv}");
    // The audit page reads the same records.
    let r = w.pv.get("/audit?action=channel").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains(RESELLER_AS_SEEN), "{page}");
    for email in RESELLER_SIDE_EMAILS {
        assert!(!page.contains(email), "{email} on the partner's audit page");
    }
    assert!(!page.contains(CUSTOMER));

    // The reseller's own log (down to viewers) has the follow, with the login that did it.
    let rlog = log_of(&w.rv).await;
    let f = of_action(&rlog, "channel.follow");
    assert_eq!(f.len(), 1, "{rlog:?}");
    assert_eq!(f[0]["login_email"], "nora@north.test");
    assert_eq!(f[0]["ip"], "127.0.0.1");
    assert_eq!(f[0]["subject_account_id"].as_i64(), Some(w.customer));
    let detail = f[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains(CUSTOMER) && detail.contains("Harbor News") && detail.contains(PARTNER),
        "{detail}"
    );
    assert_reseller_side_clean(&rlog, &csv_of(&w.rv).await);
    // Filed under the customer, whose own logins read it too.
    assert_eq!(of_action(&log_of(&w.cs).await, "channel.follow").len(), 1);
    // The request for partner and the follow.
    assert_other_side_rows_bare(&app, RESELLER_AS_SEEN, 2).await;
}

/// Every event between a reseller and its partner: a request for partner asked, rejected,
/// withdrawn, accepted; follows and unfollows by the reseller, by its customer itself and by the
/// operator acting as the reseller; Remove my reseller; leaving; the automatic withdrawal of a
/// request to a partner that left the directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_between_a_reseller_and_its_partner_is_on_both_sides_with_what_each_may_see() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;

    // Asked and rejected; asked and withdrawn; asked and accepted.
    let first = ask(&w, w.partner).await;
    decide(&w.ps, first, Some("Not this month")).await;
    let second = ask(&w, w.partner).await;
    expect(
        w.rs.post(&format!("/api/v1/requests/{second}/withdraw"), json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    link(&w).await;

    // Follows and unfollows: the reseller, the customer itself, the operator acting as the reseller.
    follower(&w.rs, &w, true).await;
    follower(&w.rs, &w, false).await;
    follower(&w.cs, &w, true).await;
    follower(&w.cs, &w, false).await;
    let r =
        w.op.client
            .post(app.url(&format!("/api/v1/channels/{}/followers", w.channel)))
            .header("x-csrf-token", &w.op.csrf)
            .header("x-act-as", w.reseller.to_string())
            .json(&json!({"customer_id": w.customer}))
            .send()
            .await
            .unwrap();
    expect(r, StatusCode::OK).await;

    // Removed by the partner; linked again and left by the reseller.
    expect(
        w.ps.post(
            &format!("/api/v1/resellers/{}/remove", w.reseller),
            json!({}),
        )
        .await,
        StatusCode::NO_CONTENT,
    )
    .await;
    link(&w).await;
    expect(
        w.rs.post("/api/v1/my-partner/leave", json!({})).await,
        StatusCode::NO_CONTENT,
    )
    .await;

    // A request left waiting when the partner stops serving resellers is withdrawn by itself
    // when the reseller asks another partner.
    let stale = ask(&w, w.partner).await;
    expect(
        w.ps.send(
            reqwest::Method::PUT,
            "/api/v1/reseller-settings",
            Some(json!({"serves_resellers": false})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let other = create(&w.op, 1, "partner", "South Partner").await;
    ask(&w, other).await;

    // The partner's side.
    let plog = log_of(&w.pv).await;
    let pcsv = csv_of(&w.pv).await;
    assert_partner_side_clean(&w, &plog, &pcsv);
    assert!(
        !serde_json::to_string(&plog)
            .unwrap()
            .contains("South Partner"),
        "another partner's name in the partner's log"
    );
    let by_reseller = |action: &str| {
        of_action(&plog, action)
            .into_iter()
            .filter(|r| r["login_email"] == RESELLER_AS_SEEN)
            .count()
    };
    // Done on the reseller's side, named by the reseller's name only.
    for (action, n) in [
        ("request.create", 5),
        ("request.withdraw", 2),
        ("channel.follow", 3),
        ("channel.unfollow", 2),
        ("reseller.leave", 1),
    ] {
        assert_eq!(by_reseller(action), n, "{action} in {plog:?}");
        assert_eq!(of_action(&plog, action).len(), n, "{action} in {plog:?}");
    }
    let auto = of_action(&plog, "request.withdraw")[0];
    assert_eq!(auto["target_id"], stale.to_string());
    assert!(
        auto["detail"]
            .as_str()
            .unwrap()
            .contains("withdrawn automatically"),
        "{auto}"
    );
    for r in of_action(&plog, "request.create") {
        assert_eq!(r["subject_account_id"].as_i64(), Some(w.partner));
        assert!(r["detail"].as_str().unwrap().contains(RESELLER), "{r}");
    }
    // Done on the partner's side: with the partner's login.
    for (action, n) in [
        ("request.reject", 1),
        ("request.approve", 2),
        ("reseller.remove", 1),
    ] {
        let rs = of_action(&plog, action);
        assert_eq!(rs.len(), n, "{action} in {plog:?}");
        assert!(rs.iter().all(|r| r["login_email"] == "owner@harbor.test"));
    }

    // The reseller's side.
    let rlog = log_of(&w.rv).await;
    let rcsv = csv_of(&w.rv).await;
    assert_reseller_side_clean(&rlog, &rcsv);
    let by_partner = |action: &str| {
        of_action(&rlog, action)
            .into_iter()
            .filter(|r| r["login_email"] == PARTNER_AS_SEEN)
            .count()
    };
    for (action, n) in [
        ("request.reject", 1),
        ("request.approve", 2),
        ("reseller.remove", 1),
    ] {
        assert_eq!(by_partner(action), n, "{action} in {rlog:?}");
        assert_eq!(of_action(&rlog, action).len(), n, "{action} in {rlog:?}");
    }
    let reject = of_action(&rlog, "request.reject")[0];
    assert!(
        reject["detail"]
            .as_str()
            .unwrap()
            .contains("Not this month"),
        "{reject}"
    );
    // Its own actions keep the login that did them (and the operator acting as it).
    for (action, n) in [
        ("request.create", 6),
        ("request.withdraw", 2),
        ("reseller.leave", 1),
    ] {
        let rs = of_action(&rlog, action);
        assert_eq!(rs.len(), n, "{action} in {rlog:?}");
        assert!(rs.iter().all(|r| r["login_email"] == "nora@north.test"));
    }
    let follows: Vec<&str> = of_action(&rlog, "channel.follow")
        .iter()
        .map(|r| r["login_email"].as_str().unwrap())
        .collect();
    assert_eq!(
        follows,
        vec![ADMIN_EMAIL, "cafe@north.test", "nora@north.test"]
    );
    assert_eq!(of_action(&rlog, "channel.unfollow").len(), 2);
    // Follows are filed under the customer, whose logins read them.
    let clog = log_of(&w.cs).await;
    assert_eq!(of_action(&clog, "channel.follow").len(), 3, "{clog:?}");
    assert_eq!(of_action(&clog, "channel.unfollow").len(), 2, "{clog:?}");

    // The 13 in the partner's log and the request for partner in South Partner's.
    assert_other_side_rows_bare(&app, RESELLER_AS_SEEN, 14).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE subject_account_id = {other} \
             AND action = 'request.create' AND login_email = '{RESELLER_AS_SEEN}'"
        ))
        .await,
        1
    );
    // The rejection, two acceptances and the removal; and the partner leaving the directory
    // while the last request waited (tests/it/closing_ties.rs).
    assert_other_side_rows_bare(&app, PARTNER_AS_SEEN, 5).await;
}

/// The partner asks the operator for two broadcasts (in an hour) on its channel; the operator
/// approves the first and rejects the second ("Too close to the other one"). Returns the ids
/// and the operator's two answers.
pub(crate) async fn operator_decides_two_broadcasts(
    app: &TestApp,
    w: &World,
) -> (Vec<i64>, Vec<Value>) {
    let starts = partner_panel::clock::rfc3339(app.state.now_ms() + 3_600_000);
    let mut ids = Vec::new();
    for text in ["Spring news", "Summer news"] {
        let v = expect(
            w.ps.post(
                "/api/v1/requests",
                json!({"type": "broadcast", "channel_id": w.channel, "engagement": "message",
                       "message": text, "starts_at": starts}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(v["id"].as_i64().unwrap());
    }
    let approved = decide(&w.op, ids[0], None).await;
    let rejected = decide(&w.op, ids[1], Some("Too close to the other one")).await;
    (ids, vec![approved, rejected])
}

/// The operator's decision on a partner's request: the operator's log keeps the login and
/// address that decided; the partner's log reads that the operator decided, and the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operators_decisions_on_a_partners_requests_name_the_operator_only() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    operator_decides_two_broadcasts(&app, &w).await;

    let plog = log_of(&w.pv).await;
    let pcsv = csv_of(&w.pv).await;
    for action in ["request.approve", "request.reject"] {
        let rs = of_action(&plog, action);
        assert_eq!(rs.len(), 1, "{action} in {plog:?}");
        assert_eq!(rs[0]["login_email"], OPERATOR_AS_SEEN, "{}", rs[0]);
        assert!(rs[0]["ip"].is_null() && rs[0]["login_id"].is_null());
        assert_eq!(rs[0]["subject_account_id"].as_i64(), Some(w.partner));
        for line in pcsv.lines().filter(|l| l.contains(action)) {
            assert!(
                !line.contains(ADMIN_EMAIL) && !line.contains("127.0.0.1"),
                "{line}"
            );
            assert!(line.contains(OPERATOR_AS_SEEN), "{line}");
        }
    }
    assert!(of_action(&plog, "request.reject")[0]["detail"]
        .as_str()
        .unwrap()
        .contains("Too close to the other one"));
    // The operator's own log has each decision with its login and address.
    let olog = log_of(&w.op).await;
    for action in ["request.approve", "request.reject"] {
        let own: Vec<_> = of_action(&olog, action)
            .into_iter()
            .filter(|r| r["subject_account_id"].as_i64() == Some(1))
            .collect();
        assert_eq!(own.len(), 1, "{action} in {olog:?}");
        assert_eq!(own[0]["login_email"], ADMIN_EMAIL);
        assert_eq!(own[0]["ip"], "127.0.0.1");
    }
    assert_other_side_rows_bare(&app, OPERATOR_AS_SEEN, 2).await;
}
