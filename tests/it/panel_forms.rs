//! Forms of a panel used all day: the add forms of an account's page answer with every error
//! beside its field (not a flash); My requests shows only the fields of the chosen broadcast
//! engagement, without JavaScript; no form shows an empty error box; the dealer's username
//! takes a plain name.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;
use crate::tree::{add_login, create, PW};

const EMPTY_BOXES: [&str; 5] = [
    r#"class="error"></span>"#,
    r#"class="field-error"></span>"#,
    r#"role="alert"></p>"#,
    r#"class="error form-errors""#,
    "aria-invalid",
];

fn no_empty_boxes(path: &str, html: &str) {
    for empty in EMPTY_BOXES {
        assert!(!html.contains(empty), "{path}: {empty}");
    }
}

async fn post_form(
    app: &TestApp,
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", s.csrf.as_str())];
    form.extend_from_slice(fields);
    let r = s
        .client
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn beside(html: &str, id: &str) {
    assert!(
        html.contains(&format!(r#"<span class="field-error" id="{id}-error">"#)),
        "{id}: {html}"
    );
    assert!(
        html.contains(&format!(
            r#"aria-invalid="true" aria-describedby="{id}-error""#
        )),
        "{id}"
    );
}

#[tokio::test]
async fn requests_show_only_the_chosen_engagement_and_every_error_beside_its_field() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Form Partner").await;
    add_login(&op, p, "owner@forms.test", "owner").await;
    let ps = app.login("owner@forms.test", PW).await;
    let r = ps
        .post(
            &format!("/api/v1/accounts/{p}/channels"),
            json!({"name": "Form News"}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // No empty error boxes: the public plans page and every tab of My requests.
    let html = app
        .client()
        .get(app.url("/plans"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    no_empty_boxes("/plans", &html);
    for tab in ["addon", "broadcast", "ad_package", "ad"] {
        let path = format!("/requests?tab={tab}");
        let html = ps.get(&path).await.text().await.unwrap();
        no_empty_boxes(&path, &html);
    }
    for e in ["survey", "coupon"] {
        let path = format!("/requests?tab=broadcast&engagement={e}");
        no_empty_boxes(&path, &ps.get(&path).await.text().await.unwrap());
    }

    // A message: neither survey answers nor coupon fields.
    let html = ps
        .get("/requests?tab=broadcast")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"id="engagement-message" class="active""#),
        "{html}"
    );
    assert!(!html.contains(r#"id="options""#) && !html.contains(r#"id="coupon-code""#));
    // A survey: its answers, no coupon; a coupon: code and discount, no answers.
    let html = ps
        .get("/requests?tab=broadcast&engagement=survey")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"id="options""#) && !html.contains(r#"id="coupon-code""#));
    assert!(html.contains(r#"name="engagement" id="engagement" value="survey""#));
    assert!(html.contains(">Survey question</label>"));
    let html = ps
        .get("/requests?tab=broadcast&engagement=coupon")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"id="coupon-code""#) && html.contains(r#"id="discount""#));
    assert!(!html.contains(r#"id="options""#));

    // A refused survey: the survey form again, the error beside its field, what was typed kept.
    let ch: i64 = html
        .split(r#"<option value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ch = ch.to_string();
    let (st, html) = post_form(
        &app,
        &ps,
        "/requests",
        &[
            ("type", "broadcast"),
            ("engagement", "survey"),
            ("channel_id", &ch),
            ("message", "Which roast?"),
            ("options", "Only one"),
            ("starts_at", "2099-01-01T10:00"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    beside(&html, "options");
    assert!(html.contains(">Which roast?</textarea>") && html.contains(">Only one</textarea>"));
    assert!(html.contains(r#"value="survey""#) && !html.contains(r#"id="coupon-code""#));
    assert_eq!(app.count("SELECT COUNT(*) FROM requests").await, 0);

    // An ad campaign with several mistakes: every one beside its field at once.
    let (st, html) = post_form(
        &app,
        &ps,
        "/requests",
        &[
            ("type", "ad"),
            ("title", " "),
            ("text", "Fresh"),
            ("target_url", "not a link"),
            ("impressions", "many"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(r#"value="not a link""#) && html.contains(r#"value="many""#));
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    assert!(!html.contains(r#"class="field-error"></span>"#));
}

#[tokio::test]
async fn the_add_forms_of_an_account_page_keep_what_was_typed_and_say_what_is_wrong() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Page Partner").await;

    // Add an account, posted from the account's own page (no `from=new`).
    let (st, html) = post_form(
        &app,
        &op,
        &format!("/accounts/{p}/children"),
        &[
            ("kind", "customer"),
            ("name", "  "),
            ("email", "not-an-email"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    beside(&html, "new-name");
    beside(&html, "new-email");
    assert!(html.contains(r#"value="not-an-email""#));
    assert!(!html.contains(r#"id="flash""#));
    // Created: back on the account's page with the news.
    let r = op
        .client
        .post(app.url(&format!("/accounts/{p}/children")))
        .form(&[
            ("csrf_token", op.csrf.as_str()),
            ("kind", "customer"),
            ("name", "Typed Customer"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/accounts/{p}").as_str());

    // Add a login from the account's page: every field's error, the password never sent back.
    let (st, html) = post_form(
        &app,
        &op,
        &format!("/accounts/{p}/logins"),
        &[
            ("name", " "),
            ("email", "not-mail"),
            ("password", "short"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    for id in ["nl-name", "nl-email", "nl-password"] {
        beside(&html, id);
    }
    assert!(html.contains(r#"value="not-mail""#) && !html.contains(r#"value="short""#));
    assert!(html.contains(r#"<option value="viewer" selected>"#));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE email = 'not-mail'")
            .await,
        0
    );

    // My dealers: the username takes a plain name (not an email field); no empty boxes.
    add_login(&op, p, "owner@page.test", "owner").await;
    let ps = app.login("owner@page.test", PW).await;
    let html = ps.get("/dealers").await.text().await.unwrap();
    assert!(
        html.contains(r#"<input type="text" name="username" id="dealer-username""#),
        "{html}"
    );
    no_empty_boxes("/dealers", &html);
    no_empty_boxes(
        &format!("/accounts/{p}"),
        &op.get(&format!("/accounts/{p}"))
            .await
            .text()
            .await
            .unwrap(),
    );
}
