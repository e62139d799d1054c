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
