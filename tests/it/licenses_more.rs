//! Licenses: a partner license made with its partner and owner login (or nothing), and bulk
//! changes confirmed by their number, all or nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::licenses::{counters_hold, day_in, new_license};
use crate::support::*;
use crate::tree::create;

#[tokio::test]
async fn a_partner_license_creates_the_partner_and_its_owner_login_or_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let reseller = create(&op, 1, "reseller", "Plaza Reseller").await;
    let l = new_license(
        &op,
        json!({"type": "partner", "holder_id": reseller, "partner_name": "New Partner",
               "owner_name": "Nia New", "owner_email": "nia@newpartner.test"}),
    )
    .await;
    let partner = l["holder_id"].as_i64().unwrap();
    assert_eq!(l["bound_account_id"], partner);
    assert_eq!(l["issuer_id"], 1);
    assert_eq!(l["holder_kind"], "partner");
    let acc: Value = op
        .get(&format!("/api/v1/accounts/{partner}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(acc["parent_id"], reseller);
    assert_eq!(acc["kind"], "partner");
    app.run_jobs().await;
    let mail = app
        .smtp
        .to("nia@newpartner.test")
        .pop()
        .expect("owner mail");
    let pw = mail
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password: "))
        .expect("password in the mail")
        .trim()
        .to_string();
    let owner = app.login("nia@newpartner.test", &pw).await;
    let t: Value = owner
        .get("/api/v1/licenses/totals")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["total"], 1);

    let accounts = app.count("SELECT COUNT(*) FROM accounts").await;
    let logins = app.count("SELECT COUNT(*) FROM logins").await;
    let lics = app.count("SELECT COUNT(*) FROM licenses").await;
    for (body, want) in [
        (
            json!({"type": "partner", "holder_id": reseller, "partner_name": "new partner",
                "owner_name": "X", "owner_email": "x@other.test"}),
            "name_taken",
        ),
        (
            json!({"type": "partner", "holder_id": reseller, "partner_name": "Another",
                "owner_name": "X", "owner_email": "nia@newpartner.test"}),
            "email_taken",
        ),
    ] {
        let (st, code, _, _) = error_of(op.post("/api/v1/licenses", body).await).await;
        assert_eq!((st, code.as_str()), (StatusCode::CONFLICT, want));
    }
    let (st, _, field, _) = error_of(
        op.post(
            "/api/v1/licenses",
            json!({"type": "partner", "holder_id": reseller,
            "partner_name": "Y", "owner_name": "Y", "owner_email": "not-an-email"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("owner_email"))
    );
    let customer = create(&op, reseller, "customer", "Plaza Customer").await;
    let (st, _, field, _) = error_of(
        op.post(
            "/api/v1/licenses",
            json!({"type": "partner", "holder_id": customer,
            "partner_name": "Z", "owner_name": "Z", "owner_email": "z@z.test"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("holder_id"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts").await,
        accounts + 1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM logins").await, logins);
    assert_eq!(app.count("SELECT COUNT(*) FROM licenses").await, lics);
    counters_hold(&app, &[1, reseller, partner]).await;
}

#[tokio::test]
async fn bulk_changes_name_how_many_and_change_all_or_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Bulk Partner").await;
    let other = create(&op, 1, "partner", "Bulk Other").await;
    let d = create(&op, p, "dealer", "Bulk Dealer").await;
    crate::tree::add_login(&op, p, "owner@bulk.test", "owner").await;
    let partner = app.login("owner@bulk.test", crate::tree::PW).await;
    let mut ids = Vec::new();
    // Held by the partner's dealer: a holder's own licenses are switched off only from above.
    for _ in 0..3 {
        ids.push(
            new_license(&partner, json!({"type": "agent", "holder_id": d})).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let theirs = new_license(&op, json!({"type": "agent", "holder_id": other})).await["id"]
        .as_i64()
        .unwrap();
    let (st, _, field, msg) = error_of(
        partner
            .post(
                "/api/v1/licenses/bulk",
                json!({"action": "deactivate", "ids": ids, "confirm": 2}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("confirm"))
    );
    assert!(msg.contains("deactivate 3 license"), "{msg}");
    let mut with_theirs = ids.clone();
    with_theirs.push(theirs);
    let (st, code, _, _) = error_of(
        partner
            .post(
                "/api/v1/licenses/bulk",
                json!({"action": "deactivate", "ids": with_theirs, "confirm": 4}),
            )
            .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (st, _, field, _) = error_of(
        partner
            .post(
                "/api/v1/licenses/bulk",
                json!({"action": "explode", "ids": ids, "confirm": 3}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (st, field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("action"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM licenses WHERE state = 'inactive'")
            .await,
        0
    );
    let r = partner
        .post(
            "/api/v1/licenses/bulk",
            json!({"action": "deactivate", "ids": ids, "confirm": 3}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["changed"], 3);
    let t: Value = partner
        .get("/api/v1/licenses/totals")
        .await
        .json()
        .await
        .unwrap();
    let agent = t["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["license_type"] == "agent")
        .unwrap()
        .clone();
    assert_eq!(
        agent["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["state"] == "inactive")
            .unwrap()["count"],
        3
    );
    let r = partner
        .post(
            "/api/v1/licenses/bulk",
            json!({"action": "renew", "ids": ids, "confirm": 3, "ends_at": day_in(&app, 90)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM licenses WHERE ends_at IS NOT NULL")
            .await,
        3
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('license.deactivate', 'license.renew')").await, 6);
    counters_hold(&app, &[1, p, d, other]).await;
}

#[tokio::test]
async fn a_login_license_makes_the_login_it_entitles_or_nothing() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let partner = create(&op, 1, "partner", "Login Partner").await;
    let customer = create(&op, partner, "customer", "Login Café").await;
    crate::tree::add_login(&op, partner, "owner@loginpartner.test", "owner").await;
    crate::tree::add_login(&op, partner, "member@loginpartner.test", "member").await;
    let p = app.login("owner@loginpartner.test", crate::tree::PW).await;

    // The API: the license and its login on the holder, one transaction, the sign-in mailed.
    let l = new_license(
        &p,
        json!({"type": "login", "holder_id": customer, "seats": 2, "login_email": "Anna@LoginCafe.test",
               "login_name": "Anna Barista", "login_role": "admin"}),
    )
    .await;
    assert_eq!(l["holder_id"], customer);
    assert_eq!(l["bound_to"], "anna@logincafe.test", "{l}");
    let logins: Value = p
        .get(&format!("/api/v1/accounts/{customer}/logins"))
        .await
        .json()
        .await
        .unwrap();
    let anna = logins
        .as_array()
        .or(logins["items"].as_array())
        .unwrap()
        .iter()
        .find(|x| x["email"] == "anna@logincafe.test")
        .unwrap_or_else(|| panic!("{logins}"))
        .clone();
    assert_eq!(anna["role"], "admin");
    app.run_jobs().await;
    let mail = app
        .smtp
        .to("anna@logincafe.test")
        .pop()
        .expect("welcome mail");
    assert!(
        mail.data.contains("created a login for you at"),
        "{}",
        mail.data
    );
    let pw = mail
        .data
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password: "))
        .expect("password in the mail")
        .trim()
        .to_string();
    let anna = app.login("anna@logincafe.test", &pw).await;
    let me: Value = anna.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["account"]["id"], customer, "{me}");

    // Refused, and nothing written: a taken email, login fields on another type, a bad role,
    // an email without a name, and a member (who may not add logins).
    let logins = app.count("SELECT COUNT(*) FROM logins").await;
    let lics = app.count("SELECT COUNT(*) FROM licenses").await;
    for (who, body, want) in [
        (
            &p,
            json!({"type": "login", "holder_id": customer, "login_email": "anna@logincafe.test", "login_name": "Anna 2"}),
            (StatusCode::CONFLICT, "email_taken", None),
        ),
        (
            &p,
            json!({"type": "development", "holder_id": partner, "login_email": "dev@loginpartner.test", "login_name": "Dev"}),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some("login_email"),
            ),
        ),
        (
            &p,
            json!({"type": "login", "holder_id": customer, "login_email": "x@logincafe.test", "login_name": "X", "login_role": "boss"}),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some("login_role"),
            ),
        ),
        (
            &p,
            json!({"type": "login", "holder_id": customer, "login_email": "y@logincafe.test"}),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some("login_name"),
            ),
        ),
    ] {
        let (st, code, field, msg) = error_of(who.post("/api/v1/licenses", body).await).await;
        assert_eq!(
            (st, code.as_str(), field.as_deref()),
            (want.0, want.1, want.2),
            "{msg}"
        );
    }
    let member = app.login("member@loginpartner.test", crate::tree::PW).await;
    let r = member
        .post(
            "/api/v1/licenses",
            json!({"type": "login", "holder_id": customer, "login_email": "m@logincafe.test", "login_name": "M"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM logins").await, logins);
    assert_eq!(app.count("SELECT COUNT(*) FROM licenses").await, lics);

    // The quick action "+ Login" opens the form with the login's fields; it makes both.
    let page = p.get("/licenses?new=login").await.text().await.unwrap();
    assert!(page.contains(r#"<option value="login" selected"#));
    assert!(page.contains(r#"id="new-login-fields" data-show-when="type=login""#));
    let r = crate::customers::form(
        &p,
        "/licenses",
        &[
            ("type", "login"),
            ("holder_id", &customer.to_string()),
            ("state", "active"),
            ("seats", "1"),
            ("login_email", "not-an-email"),
            ("login_name", "Ben Barista"),
            ("login_role", "member"),
        ],
    )
    .await;
    let body = r.text().await.unwrap();
    assert!(
        body.contains(r#"id="err-login-email""#),
        "the error beside the field"
    );
    assert!(
        body.contains(r#"value="Ben Barista""#),
        "what was typed is kept"
    );
    let r = crate::customers::form(
        &p,
        "/licenses",
        &[
            ("type", "login"),
            ("holder_id", &customer.to_string()),
            ("state", "active"),
            ("seats", "1"),
            ("login_email", "ben@logincafe.test"),
            ("login_name", "Ben Barista"),
            ("login_role", "member"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM logins WHERE email = 'ben@logincafe.test' AND role = 'member'"
        )
        .await,
        1
    );
    counters_hold(&app, &[1, partner, customer]).await;
    app.stop().await;
}

/// The list by type and state sorted by end reads the same rows in the same order whichever
/// way it finds them: walked in `licenses_by_end` (the operator; a partner holding at least 1%
/// of those licenses) or read by the subtree's paths and sorted (a partner holding fewer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn licenses_by_end_come_in_the_same_order_walked_or_sorted() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let big = crate::tree::create(&op, 1, "partner", "Walnut Big").await;
    let small = crate::tree::create(&op, 1, "partner", "Walnut Small").await;
    let other = crate::tree::create(&op, 1, "partner", "Walnut Other").await;
    let mut want: Vec<(i64, Option<i64>, i64)> = Vec::new(); // (holder, end in days, id)
                                                             // The big one: ends spread out and repeated, some without an end.
    for n in 0..24i64 {
        let end = (n % 5 != 0).then_some(10 + (n * 7) % 11);
        let mut body = json!({"type": "development", "holder_id": big});
        if let Some(d) = end {
            body["ends_at"] = json!(crate::licenses::day_in(&app, d));
        }
        let v = crate::licenses::new_license(&op, body).await;
        want.push((big, end, v["id"].as_i64().unwrap()));
    }
    // The small one holds 2 of more than 200: under 1%.
    for end in [Some(3), None] {
        let mut body = json!({"type": "development", "holder_id": small});
        if let Some(d) = end {
            body["ends_at"] = json!(crate::licenses::day_in(&app, d));
        }
        let v = crate::licenses::new_license(&op, body).await;
        want.push((small, end, v["id"].as_i64().unwrap()));
    }
    for n in 0..180i64 {
        let body = json!({"type": "development", "holder_id": other,
            "ends_at": crate::licenses::day_in(&app, 1 + n % 30)});
        let v = crate::licenses::new_license(&op, body).await;
        want.push((other, Some(1 + n % 30), v["id"].as_i64().unwrap()));
    }
    // Going up: by end, those without one last, ties by id; going down the other way round.
    let order = |rows: &[(i64, Option<i64>, i64)], desc: bool| -> Vec<i64> {
        let mut r = rows.to_vec();
        r.sort_by_key(|(_, e, id)| (e.is_none(), *e, *id));
        if desc {
            r.reverse();
        }
        r.iter().map(|x| x.2).collect()
    };
    let ids_of = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect()
    };
    let owner_of = |account: i64, email: &'static str| {
        let op = &op;
        let app = &app;
        async move {
            crate::tree::add_login(op, account, email, "owner").await;
            app.login(email, crate::tree::PW).await
        }
    };
    let big_owner = owner_of(big, "owner@walnut-big.test").await;
    let small_owner = owner_of(small, "owner@walnut-small.test").await;
    for (who, s, holder) in [
        ("operator", &op, None),
        ("big", &big_owner, Some(big)),
        ("small", &small_owner, Some(small)),
    ] {
        let mine: Vec<(i64, Option<i64>, i64)> = want
            .iter()
            .filter(|x| holder.is_none_or(|h| h == x.0))
            .copied()
            .collect();
        for desc in [false, true] {
            let dir = if desc { "desc" } else { "asc" };
            let mut seen = Vec::new();
            let mut page = 1;
            loop {
                let r = s
                    .get(&format!(
                        "/api/v1/licenses?type=development&state=active&sort=ends_at&dir={dir}&per_page=50&page={page}"
                    ))
                    .await;
                assert_eq!(r.status(), StatusCode::OK);
                let v: Value = r.json().await.unwrap();
                assert_eq!(v["total"].as_i64(), Some(mine.len() as i64), "{who}");
                let ids = ids_of(&v);
                if ids.is_empty() {
                    break;
                }
                seen.extend(ids);
                page += 1;
                assert!(page < 10);
            }
            assert_eq!(seen, order(&mine, desc), "{who} {dir}");
        }
    }
    app.stop().await;
}
