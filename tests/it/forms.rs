//! The shared form component on more forms: the profile (errors beside the fields with
//! aria-invalid and aria-describedby, what was typed kept), no empty error boxes on My requests.

use reqwest::StatusCode;

use crate::support::*;

#[tokio::test]
async fn profile_errors_stand_beside_their_fields_and_no_form_shows_empty_error_boxes() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let r = op
        .client
        .post(app.url("/profile"))
        .form(&[
            ("csrf_token", op.csrf.as_str()),
            ("name", "  "),
            ("email", "typed@panel.test"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"aria-invalid="true" aria-describedby="name-error""#),
        "{html}"
    );
    assert!(html.contains(r#"<span class="field-error" id="name-error">"#));
    assert!(
        html.contains(r#"value="typed@panel.test""#),
        "typed email kept"
    );
    // The password form says which field is wrong, beside it.
    let r = op
        .client
        .post(app.url("/profile/password"))
        .form(&[
            ("csrf_token", op.csrf.as_str()),
            ("current_password", "wrong-password-1"),
            ("new_password", "a-new-password-1"),
            ("confirm_password", "a-new-password-1"),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"aria-describedby="current-password-error""#),
        "{html}"
    );
    // Pages with forms and no errors show no empty error boxes.
    for path in [
        "/profile",
        "/operator/packages",
        "/profile/tokens",
        "/accounts/1/new",
    ] {
        let html = op.get(path).await.text().await.unwrap();
        for empty in [
            r#"class="error"></span>"#,
            r#"class="field-error"></span>"#,
            r#"role="alert"></p>"#,
            "aria-invalid",
        ] {
            assert!(!html.contains(empty), "{path}: {empty}");
        }
    }
    let html = op.get("/operator/packages").await.text().await.unwrap();
    assert!(html.contains("id=\"no-packages\""));

    // The add-login page: every field's error at once, typed values kept (not the password).
    let page = op.get("/accounts/1/logins/new").await;
    assert_eq!(page.status(), StatusCode::OK);
    let r = op
        .client
        .post(app.url("/accounts/1/logins"))
        .form(&[
            ("csrf_token", op.csrf.as_str()),
            ("from", "new"),
            ("name", " "),
            ("email", "not-mail"),
            ("password", "short"),
            ("role", "viewer"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for id in ["nl-name", "nl-email", "nl-password"] {
        assert!(
            html.contains(&format!(
                r#"aria-invalid="true" aria-describedby="{id}-error""#
            )),
            "{id}: {html}"
        );
    }
    assert!(html.contains(r#"value="not-mail""#));
    assert!(html.contains(r#"<option value="viewer" selected>"#));
    assert!(
        !html.contains(r#"value="short""#),
        "the password is never sent back"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM logins WHERE email = 'not-mail'")
            .await,
        0
    );
}
