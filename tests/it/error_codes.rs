//! Every error code of `ErrorCode::ALL` is produced by a call of the API (or, for a code only a
//! page gives, of a page): this test triggers each one, and fails for a code that nothing here
//! produces — so a new code comes with the call that gives it, and a dead one is removed.

use std::collections::BTreeSet;

use hmac::{Hmac, Mac};
use partner_panel::kernel::error::ErrorCode;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::networks::{approved_partner, capped_package};
use crate::support::*;
use crate::tree::{add_login, create, PW};

const DAY: i64 = 86_400;
const SECRET: &str = "webhook-secret-for-error-codes";

/// The codes seen so far.
#[derive(Default)]
struct Seen(BTreeSet<String>);

impl Seen {
    /// A JSON error with this status and code.
    async fn api(&mut self, r: reqwest::Response, status: StatusCode, code: ErrorCode) {
        let (got_status, got_code, ..) = error_of(r).await;
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code.as_str()),
            "expected {code}"
        );
        self.0.insert(got_code);
    }

    /// An error page with this status and code.
    async fn page(&mut self, r: reqwest::Response, status: StatusCode, code: ErrorCode) {
        assert_eq!(r.status(), status, "expected {code}");
        let html = r.text().await.unwrap();
        let shown = html
            .split("id=\"error-code\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_else(|| panic!("no error code on the page: {html}"));
        assert_eq!(shown, code.as_str());
        self.0.insert(shown.to_string());
    }
}

async fn created(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

fn rfc(app: &TestApp, from_now_secs: i64) -> String {
    partner_panel::clock::rfc3339(app.state.now_ms() + from_now_secs * 1000)
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
async fn every_error_code_is_produced_by_some_call() {
    let app = TestApp::spawn_with(|c| {
        c.payment_webhook_secret = Some(partner_panel::config::Secret::new(SECRET));
        c.session_idle = std::time::Duration::from_secs(400 * DAY as u64);
        c.session_absolute = std::time::Duration::from_secs(400 * DAY as u64);
        c.media_max_video_bytes = 64 * 1024;
    })
    .await;
    let mut seen = Seen::default();
    let c = app.client();
    let login = app.url("/api/v1/auth/login");
    let op = app.login_admin().await;

    // ---- reading the call ----
    seen.api(
        c.post(&login)
            .header(header::CONTENT_TYPE, "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidJson,
    )
    .await;
    seen.api(
        c.post(&login).body("email=a").send().await.unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::UnsupportedMediaType,
    )
    .await;
    seen.api(
        c.post(&login)
            .json(&json!({"email": "a\u{0}@b.c", "password": "x"}))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidText,
    )
    .await;
    // A client of its own: the server may close the connection of an oversized body early, so
    // it must not be reused for the calls after it.
    seen.api(
        app.client()
            .post(&login)
            .header(header::CONTENT_TYPE, "application/json")
            .body(vec![b'['; 2 * 1024 * 1024])
            .send()
            .await
            .unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
    )
    .await;
    seen.api(
        c.get(&login).send().await.unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
    )
    .await;
    seen.api(
        op.get("/api/v1/accounts/999999").await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    seen.api(
        c.get(app.url("/api/v1/me")).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
    seen.api(
        op.get("/api/v1/accounts/1/subtree?page=x").await,
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidQuery,
    )
    .await;
    seen.api(
        op.client
            .get(app.url("/api/v1/me"))
            .header("x-act-as", "someone")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidActAs,
    )
    .await;
    seen.api(
        op.client
            .patch(app.url("/api/v1/me"))
            .json(&json!({"name": "No token"}))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfFailed,
    )
    .await;
    seen.api(
        op.post(
            "/api/v1/accounts/1/children",
            json!({"kind": "partner", "name": ""}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::ValidationFailed,
    )
    .await;

    // ---- signing in ----
    seen.api(
        c.post(&login)
            .json(&json!({"email": ADMIN_EMAIL, "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    for _ in 0..5 {
        c.post(&login)
            .json(&json!({"email": "ghost@codes.test", "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap();
    }
    seen.api(
        c.post(&login)
            .json(&json!({"email": "ghost@codes.test", "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyAttempts,
    )
    .await;
    let token = created(op.post("/api/v1/me/tokens", json!({"name": "first"})).await).await
        ["secret"]
        .as_str()
        .unwrap()
        .to_string();
    seen.api(
        c.post(app.url("/api/v1/auth/logout"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::NotASession,
    )
    .await;
    let mut last = None;
    for i in 0..60 {
        let r = op
            .post("/api/v1/me/tokens", json!({"name": format!("token {i}")}))
            .await;
        if r.status() != StatusCode::CREATED {
            last = Some(r);
            break;
        }
    }
    seen.api(
        last.expect("the token cap is reached"),
        StatusCode::CONFLICT,
        ErrorCode::TooManyTokens,
    )
    .await;
    // Reset links: one used, one expired, one that does not exist.
    let leaver = add_login(&op, 1, "reset@codes.test", "member").await;
    for (token, used, expires) in [("a", "1", i64::MAX), ("b", "NULL", 0)] {
        let hash = partner_panel::kernel::secrets::token_hash(&token.repeat(64));
        sqlx::query(&format!(
            "INSERT INTO password_resets (login_id, token_hash, created_at, expires_at, used_at) \
             VALUES ({leaver}, '{hash}', 0, {expires}, {used})"
        ))
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    }
    let confirm = app.url("/api/v1/auth/password-reset/confirm");
    for (token, code) in [
        ("a", ErrorCode::ResetLinkUsed),
        ("b", ErrorCode::ResetLinkExpired),
        ("c", ErrorCode::ResetLinkInvalid),
    ] {
        seen.api(
            c.post(&confirm)
                .json(&json!({"token": token.repeat(64), "new_password": "a-reset-password-1"}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
    }

    // ---- the tree, roles and acting as ----
    let p1 = create(&op, 1, "partner", "Harbor Media").await;
    add_login(&op, p1, "owner@harbor.codes", "owner").await;
    add_login(&op, p1, "viewer@harbor.codes", "viewer").await;
    seen.api(
        add_login_response(&op, p1, "owner@harbor.codes").await,
        StatusCode::CONFLICT,
        ErrorCode::EmailTaken,
    )
    .await;
    let s1 = app.login("owner@harbor.codes", PW).await;
    let viewer = app.login("viewer@harbor.codes", PW).await;
    // A page cursor that cannot be read.
    seen.api(
        op.get(&format!(
            "/api/v1/accounts/{p1}/children?after=not-a-cursor"
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::CursorInvalid,
    )
    .await;
    seen.api(
        viewer
            .post(
                &format!("/api/v1/accounts/{p1}/children"),
                json!({"kind": "customer", "name": "Not mine to add"}),
            )
            .await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
    let shut = create(&op, 1, "partner", "Shut Shop").await;
    ok(op
        .post(
            &format!("/api/v1/accounts/{shut}/status"),
            json!({"status": "inactive"}),
        )
        .await)
    .await;
    seen.api(
        op.post(
            &format!("/api/v1/accounts/{shut}/children"),
            json!({"kind": "customer", "name": "Below a shut shop"}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::ParentInactive,
    )
    .await;
    seen.api(
        op.post("/api/v1/act-as/exit", json!({})).await,
        StatusCode::CONFLICT,
        ErrorCode::NotActing,
    )
    .await;
    ok(op.post("/api/v1/act-as", json!({"account_id": p1})).await).await;
    seen.api(
        op.post("/api/v1/act-as", json!({"account_id": p1})).await,
        StatusCode::CONFLICT,
        ErrorCode::AlreadyActing,
    )
    .await;
    ok(op.post("/api/v1/act-as/exit", json!({})).await).await;
    // A page form that cannot be read shows the error page with its code.
    let victim = create(&op, p1, "customer", "Cafe Form").await;
    seen.page(
        op.client
            .post(app.url(&format!("/accounts/{victim}/delete")))
            .form(&[
                ("csrf_token", op.csrf.as_str()),
                ("confirm_accounts", "many"),
            ])
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidForm,
    )
    .await;

    // ---- packages and registrations ----
    let basic = created(
        op.post(
            "/api/v1/packages",
            json!({"name": "Basic", "monthly_price": 1999, "currency": "EUR"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    seen.api(
        op.post(
            "/api/v1/packages",
            json!({"name": "Basic", "monthly_price": 999, "currency": "EUR"}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::NameTaken,
    )
    .await;
    let registration = |email: &str| {
        app.client()
            .post(app.url("/api/v1/registrations"))
            .json(&json!({"company_name": "Twice Ltd", "contact_name": "Tess", "email": email, "package_id": basic}))
            .send()
    };
    let reg = created(registration("tess@twice.codes").await.unwrap()).await;
    seen.api(
        registration("tess@twice.codes").await.unwrap(),
        StatusCode::CONFLICT,
        ErrorCode::DuplicateRequest,
    )
    .await;
    let approve = format!("/api/v1/partnership-requests/{}/approve", reg["id"]);
    ok(op.post(&approve, json!({})).await).await;
    seen.api(
        op.post(&approve, json!({})).await,
        StatusCode::CONFLICT,
        ErrorCode::AlreadyDecided,
    )
    .await;
    seen.api(
        s1.post("/api/v1/billing/package", json!({"package_id": basic}))
            .await,
        StatusCode::CONFLICT,
        ErrorCode::NoSubscription,
    )
    .await;
    // A ticket calendar without working hours.
    seen.api(
        op.send(
            reqwest::Method::PUT,
            "/api/v1/tickets/settings",
            Some(json!({"response_minutes": {"low": 60, "normal": 60, "high": 60, "urgent": 60},
                "calendar": {"time_zone": "UTC", "days": [1], "opens": "12:00", "closes": "12:00"}})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::NoWorkingHours,
    )
    .await;
    // Ticket attachments: too large, and of a type outside the allow list.
    {
        use base64::Engine as _;
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let ap = create(&op, 1, "partner", "Attaching Partner").await;
        let cust = create(&op, ap, "customer", "Attaching Customer").await;
        add_login(&op, cust, "attach@customer.codes", "owner").await;
        let cs = app.login("attach@customer.codes", PW).await;
        let big = vec![b'a'; partner_panel::areas::tickets::attachments::MAX_BYTES + 1];
        seen.api(
            cs.post(
                "/api/v1/tickets",
                json!({"subject": "s", "message": "m", "attachments": [{"name": "a.txt", "data": b64(&big)}]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::AttachmentTooLarge,
        )
        .await;
        seen.api(
            cs.post(
                "/api/v1/tickets",
                json!({"subject": "s", "message": "m", "attachments": [{"name": "a.zip", "data": b64(b"PK\x03\x04")}]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::AttachmentTypeRefused,
        )
        .await;
    }
    // Rebranding: a logo too large, of another type, an SVG with a script; a colour that is not one.
    {
        use base64::Engine as _;
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let bp = create(&op, 1, "partner", "Branding Partner").await;
        let big = [
            b"\x89PNG\r\n\x1a\n".to_vec(),
            vec![0u8; partner_panel::areas::customers::brand::MAX_LOGO_BYTES],
        ]
        .concat();
        for (brand, code) in [
            (
                json!({"display_name": "B", "logo": {"data": b64(&big)}}),
                ErrorCode::LogoTooLarge,
            ),
            (
                json!({"display_name": "B", "logo": {"data": b64(b"GIF89a")}}),
                ErrorCode::LogoTypeRefused,
            ),
            (
                json!({"display_name": "B", "logo": {"data": b64(b"<svg><script>alert(1)</script></svg>")}}),
                ErrorCode::LogoUnsafe,
            ),
            (
                json!({"display_name": "B", "primary_color": "red"}),
                ErrorCode::ColorInvalid,
            ),
        ] {
            seen.api(
                op.send(
                    reqwest::Method::PUT,
                    &format!("/api/v1/brands/{bp}"),
                    Some(brand),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
            )
            .await;
        }
    }
    let capped = capped_package(&op, "No dealers", Some(0), None).await;
    let (cs, _) = approved_partner(&app, &op, "Capped Co", "cap@capped.codes", capped, false).await;
    seen.api(
        cs.post(
            "/api/v1/dealers",
            json!({"name": "One too many", "contact_name": "Dana", "email": "d@dealer.codes",
                   "username": "dealer-too-many", "password": "dealer-password-1"}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::LimitReached,
    )
    .await;
    // A holder may not switch its own license off: only an account above may.
    let own = created(cs.post("/api/v1/licenses", json!({"type": "agent"})).await).await;
    seen.api(
        cs.post(
            &format!("/api/v1/licenses/{}/deactivate", own["id"]),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::OnlyFromAbove,
    )
    .await;
    let (pay_s, pay_id) =
        approved_partner(&app, &op, "Pays Ltd", "pay@pays.codes", basic, false).await;
    // Billing on demand: amounts and the confirmation have codes of their own.
    let on_demand = format!("/api/v1/partners/{pay_id}/billing/payment");
    for (amount, code) in [
        ("ten", ErrorCode::AmountInvalid),
        ("0", ErrorCode::AmountNotPositive),
        ("1.005", ErrorCode::AmountTooPrecise),
    ] {
        seen.api(
            op.post(
                &on_demand,
                json!({"amount": amount, "reference": "R-1", "confirm": true}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
    }
    seen.api(
        op.post(
            &format!("/api/v1/partners/{pay_id}/billing/invoice"),
            json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::ConfirmationRequired,
    )
    .await;
    let (late_s, _) =
        approved_partner(&app, &op, "Late Ltd", "late@late.codes", basic, false).await;

    // ---- requests and the inbox ----
    let p2 = create(&op, 1, "partner", "Fading Media").await;
    add_login(&op, p2, "owner@fading.codes", "owner").await;
    let s2 = app.login("owner@fading.codes", PW).await;
    let addon = created(
        op.post(
            "/api/v1/addons",
            json!({"name": "Analytics", "monthly_price": 900}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let asked = created(
        s2.post(
            "/api/v1/requests",
            json!({"type": "addon", "addon_id": addon}),
        )
        .await,
    )
    .await;
    ok(op
        .post(
            &format!("/api/v1/accounts/{p2}/status"),
            json!({"status": "inactive"}),
        )
        .await)
    .await;
    seen.api(
        op.post(&format!("/api/v1/inbox/{}/approve", asked["id"]), json!({}))
            .await,
        StatusCode::CONFLICT,
        ErrorCode::RequesterInactive,
    )
    .await;
    let ch = created(
        s1.post(
            &format!("/api/v1/accounts/{p1}/channels"),
            json!({"name": "Short lived"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let broadcast = created(
        s1.post(
            "/api/v1/requests",
            json!({"type": "broadcast", "channel_id": ch, "engagement": "message", "message": "Hi", "starts_at": rfc(&app, 600)}),
        )
        .await,
    )
    .await;
    assert_eq!(
        s1.delete(&format!("/api/v1/channels/{ch}")).await.status(),
        StatusCode::NO_CONTENT
    );
    seen.api(
        op.post(
            &format!("/api/v1/inbox/{}/approve", broadcast["id"]),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::ChannelGone,
    )
    .await;
    let adp = created(
        op.post(
            "/api/v1/ad-packages",
            json!({"name": "Starter reach", "impressions": 1000, "price": 4900}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let reach = created(
        s1.post(
            "/api/v1/requests",
            json!({"type": "ad_package", "ad_package_id": adp}),
        )
        .await,
    )
    .await;
    ok(op
        .post(&format!("/api/v1/inbox/{}/approve", reach["id"]), json!({}))
        .await)
    .await;
    let campaign = created(
        s1.post(
            "/api/v1/requests",
            json!({"type": "ad", "title": "Soon over", "text": "Fresh coffee", "target_url": "https://harbor.example/offer",
                   "impressions": 100, "starts_at": rfc(&app, 600), "ends_at": rfc(&app, DAY)}),
        )
        .await,
    )
    .await;
    app.advance(2 * DAY);
    seen.api(
        op.post(
            &format!("/api/v1/inbox/{}/approve", campaign["id"]),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::RequestExpired,
    )
    .await;
    let reseller = create(&op, 1, "reseller", "North Resell").await;
    add_login(&op, reseller, "owner@north.codes", "owner").await;
    let rs = app.login("owner@north.codes", PW).await;
    let link = json!({"type": "reseller_link", "partner_id": p1});
    let asked = created(rs.post("/api/v1/requests", link.clone()).await).await;
    ok(s1
        .post(&format!("/api/v1/inbox/{}/approve", asked["id"]), json!({}))
        .await)
    .await;
    seen.api(
        rs.post("/api/v1/requests", link).await,
        StatusCode::CONFLICT,
        ErrorCode::AlreadyLinked,
    )
    .await;

    // ---- payments and suspension ----
    app.advance(8 * DAY);
    partner_panel::areas::billing::scan(&app.state)
        .await
        .unwrap();
    app.run_jobs().await;
    let paid = first_invoice(&pay_s).await;
    let unpaid = first_invoice(&late_s).await;
    ok(op
        .post(
            &format!("/api/v1/invoices/{paid}/payments"),
            json!({"reference": "REF-1"}),
        )
        .await)
    .await;
    seen.api(
        op.post(
            &format!("/api/v1/invoices/{paid}/payments"),
            json!({"reference": "REF-2"}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::AlreadyPaid,
    )
    .await;
    seen.api(
        op.post(
            &format!("/api/v1/invoices/{unpaid}/payments"),
            json!({"reference": "REF-1"}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::ReferenceUsed,
    )
    .await;
    let old = json!({"event_id": "evt_old", "timestamp": app.state.now_ms() / 1000 - 3600,
                     "invoice_number": "X", "amount": 1, "reference": "psp-old"})
    .to_string();
    seen.api(
        c.post(app.url("/api/v1/payments/webhook"))
            .header("x-signature", sign(&old))
            .header(header::CONTENT_TYPE, "application/json")
            .body(old)
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
        ErrorCode::Replayed,
    )
    .await;
    app.advance(7 * DAY);
    partner_panel::areas::billing::scan(&app.state)
        .await
        .unwrap();
    seen.api(
        late_s.get("/api/v1/accounts/1").await,
        StatusCode::PAYMENT_REQUIRED,
        ErrorCode::AccountSuspended,
    )
    .await;

    // ---- media players ----
    let model = created(
        op.post(
            "/api/v1/player-models",
            json!({"name": "Codes Box", "id_prefix": "CODES-"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let connect = json!({"account_id": p1, "mac": "02:00:00:00:00:01", "model_id": model});
    created(op.post("/api/v1/players/connect", connect.clone()).await).await;
    seen.api(
        op.post("/api/v1/players/connect", connect).await,
        StatusCode::CONFLICT,
        ErrorCode::AlreadyConnected,
    )
    .await;
    seen.api(
        c.get(app.url("/device/v1/playlist"))
            .bearer_auth("pd_not_a_token")
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        ErrorCode::DeviceTokenInvalid,
    )
    .await;
    // Video clips: too large, not a video, no duration; a range outside the video.
    {
        use base64::Engine as _;
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let clip = created(
            op.post("/api/v1/clips", json!({"title": "Codes video"}))
                .await,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let path = format!("/api/v1/clips/{clip}/video");
        for (data, code) in [
            (
                crate::media_video::tiny_mp4(600, 65 * 1024),
                ErrorCode::VideoTooLarge,
            ),
            (b"GIF89a".to_vec(), ErrorCode::VideoTypeRefused),
            (
                crate::media_video::tiny_mp4(0, 10),
                ErrorCode::VideoDurationUnknown,
            ),
        ] {
            seen.api(
                op.put(&path, json!({"data": b64(&data)})).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
            )
            .await;
        }
        let v = ok(op
            .put(
                &path,
                json!({"data": b64(&crate::media_video::tiny_mp4(600, 10))}),
            )
            .await)
        .await;
        seen.api(
            c.get(app.url(v["video_url"].as_str().unwrap()))
                .header(header::RANGE, "bytes=999999-")
                .send()
                .await
                .unwrap(),
            StatusCode::RANGE_NOT_SATISFIABLE,
            ErrorCode::RangeNotSatisfiable,
        )
        .await;
    }

    // ---- two-factor sign-in ----
    let tf_p = create(&op, 1, "partner", "Codes Two Factor").await;
    add_login(&op, tf_p, "tf@codes.test", "owner").await;
    let tf = app.login("tf@codes.test", PW).await;
    seen.api(
        tf.post("/api/v1/me/two-factor/confirm", json!({"code": "123456"}))
            .await,
        StatusCode::CONFLICT,
        ErrorCode::TwoFactorOff,
    )
    .await;
    let (secret, _) = crate::two_factor::turn_on(&app, &tf).await;
    seen.api(
        tf.post("/api/v1/me/two-factor", json!({})).await,
        StatusCode::CONFLICT,
        ErrorCode::TwoFactorOn,
    )
    .await;
    // The step before the one the enrolment used: never newer than the last accepted step.
    let used = crate::two_factor::code_at(&secret, crate::two_factor::now(&app) - 30);
    seen.api(
        tf.post(
            "/api/v1/me/two-factor/recovery-codes",
            json!({"code": used}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::CodeReused,
    )
    .await;
    seen.api(
        tf.post(
            "/api/v1/me/two-factor/recovery-codes",
            json!({"code": "nonsense"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::CodeInvalid,
    )
    .await;
    seen.api(
        c.post(app.url("/api/v1/auth/login/two-factor"))
            .json(&json!({"challenge": "no-such-challenge", "code": "123456"}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::SignInStepExpired,
    )
    .await;
    let r = op
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/accounts/{tf_p}/two-factor-policy"),
            Some(json!({"roles": ["owner"]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.advance(60);
    seen.api(
        tf.post(
            "/api/v1/me/two-factor/disable",
            json!({"password": PW, "code": crate::two_factor::code_at(&secret, crate::two_factor::now(&app))}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::TwoFactorRequired,
    )
    .await;

    // ---- sites and probes ----
    let codes_customer = create(&op, p1, "customer", "Codes Customer").await;
    let codes_other_partner = create(&op, 1, "partner", "Codes Other Partner").await;
    let codes_other = create(&op, codes_other_partner, "customer", "Codes Other Customer").await;
    seen.api(
        op.post(
            &format!("/api/v1/accounts/{p1}/sites"),
            json!({"name": "X"}),
        )
        .await,
        StatusCode::CONFLICT,
        ErrorCode::NotACustomer,
    )
    .await;
    let site = crate::sites::add_site(&op, codes_customer, "Codes Site").await;
    let other_site = crate::sites::add_site(&op, codes_other, "Codes Other Site").await;
    let (probe, _) = crate::sites::enroll(&app, &op, site, "codes-probe").await;
    seen.api(
        op.post(
            &format!("/api/v1/probes/{probe}/move"),
            json!({"site_id": other_site}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::SiteOfAnotherCustomer,
    )
    .await;
    let pc = app.client();
    let enroll_with = |code: String| {
        pc.post(app.url("/probe/v1/enroll"))
            .json(&json!({"code": code, "name": "codes-probe-2"}))
            .send()
    };
    seen.api(
        enroll_with("ppe_0123456789abcdef0123456789abcdef".into())
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::EnrollmentInvalid,
    )
    .await;
    let used = crate::sites::code_of(&op, site).await;
    assert_eq!(
        enroll_with(used.clone()).await.unwrap().status(),
        StatusCode::CREATED
    );
    seen.api(
        enroll_with(used).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::EnrollmentUsed,
    )
    .await;
    let revoked = created(
        op.post(&format!("/api/v1/sites/{site}/enrollments"), json!({}))
            .await,
    )
    .await;
    ok(op
        .post(
            &format!(
                "/api/v1/probe-enrollments/{}/revoke",
                revoked["enrollment"]["id"]
            ),
            json!({}),
        )
        .await)
    .await;
    seen.api(
        enroll_with(revoked["code"].as_str().unwrap().to_string())
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::EnrollmentRevoked,
    )
    .await;
    let expiring = created(
        op.post(
            &format!("/api/v1/sites/{site}/enrollments"),
            json!({"expires_in_hours": 1}),
        )
        .await,
    )
    .await;
    app.advance(3600);
    seen.api(
        enroll_with(expiring["code"].as_str().unwrap().to_string())
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::EnrollmentExpired,
    )
    .await;
    seen.api(
        pc.post(app.url("/probe/v1/check-in"))
            .bearer_auth(format!("ppp_{}", "0".repeat(48)))
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        ErrorCode::ProbeTokenInvalid,
    )
    .await;

    // ---- the database fails ----
    sqlx::query("ALTER TABLE channels RENAME TO channels_gone")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    seen.api(
        s1.get(&format!("/api/v1/accounts/{p1}/channels")).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::InternalError,
    )
    .await;

    let missing: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.0.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "no call of the API produced these codes: {missing:?}"
    );
}

async fn add_login_response(s: &Session, account: i64, email: &str) -> reqwest::Response {
    s.post(
        &format!("/api/v1/accounts/{account}/logins"),
        json!({"email": email, "name": email, "password": PW, "role": "member"}),
    )
    .await
}

async fn first_invoice(s: &Session) -> i64 {
    let billing = ok(s.get("/api/v1/billing").await).await;
    billing["invoices"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no invoice: {billing}"))
}
