//! The Accounts table in Chromium at desktop (1366×900) and phone (390×844) width: sort by a
//! header click, select rows, suspend them in bulk after a confirmation naming how many.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;
use crate::tree::{add_login, create, PW};

async fn row_names(b: &Browser) -> Vec<String> {
    let mut out = Vec::new();
    for e in b
        .client
        .find_all(Locator::Css("#account-list tbody tr td:nth-child(2) a"))
        .await
        .unwrap()
    {
        out.push(e.text().await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_table_sorts_selects_and_suspends_in_bulk_in_the_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let me: serde_json::Value = op.get("/api/v1/me").await.json().await.unwrap();
    let root = me["account"]["id"].as_i64().unwrap();
    let p = create(&op, root, "partner", "Oak Partner").await;
    add_login(&op, p, "admin@oak.test", "admin").await;
    for n in ["Delta", "Alpha", "Charlie", "Bravo"] {
        create(&op, p, "customer", n).await;
    }
    let run = async {
        for (w, h, tag) in [(1366, 900, "desktop"), (390, 844, "phone")] {
            b.client.set_window_size(w, h).await.unwrap();
            b.client.goto(&app.url("/login")).await.unwrap();
            b.fill("#email", "admin@oak.test").await;
            b.fill("#password", PW).await;
            b.click("#sign-in").await;
            b.client.goto(&app.url("/accounts")).await.unwrap();
            assert_eq!(b.text("#add-account-open").await, "Add customer");
            assert_eq!(row_names(&b).await, ["Alpha", "Bravo", "Charlie", "Delta"]);
            // A click on the Name header sorts the other way.
            b.click("#account-list-sort-name").await;
            assert_eq!(row_names(&b).await, ["Delta", "Charlie", "Bravo", "Alpha"]);
            b.screenshot(&format!("40-accounts-table-{tag}")).await;
            // Select two rows and suspend them: the dialog names how many.
            let boxes = b
                .client
                .find_all(Locator::Css("#account-list input.row-select"))
                .await
                .unwrap();
            boxes[0].click().await.unwrap();
            boxes[1].click().await.unwrap();
            b.screenshot(&format!("41-accounts-selected-{tag}")).await;
            b.click("#bulk-suspend").await;
            let text = b.client.get_alert_text().await.unwrap();
            assert!(text.starts_with("Suspend 2 accounts?"), "{text}");
            b.client.accept_alert().await.unwrap();
            assert!(b.text("#flash").await.contains("2 accounts suspended"));
            let statuses = b.text("#account-list").await;
            assert_eq!(statuses.matches("inactive").count(), 2, "{statuses}");
            b.screenshot(&format!("42-accounts-suspended-{tag}")).await;
            // The table scrolls inside its card: no wider than the window.
            let wide: serde_json::Value = b
                .client
                .execute(
                    "return document.querySelector('#account-list').closest('.table-wrap').getBoundingClientRect().right <= window.innerWidth + 1;",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(
                wide,
                serde_json::json!(true),
                "{tag}: wider than the window"
            );
            // Resume them for the next width.
            let v: serde_json::Value = op
                .get(&format!("/api/v1/accounts/{p}/children?status=inactive"))
                .await
                .json()
                .await
                .unwrap();
            let ids: Vec<i64> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids.len(), 2);
            let r = op
                .post(
                    "/api/v1/accounts/bulk",
                    serde_json::json!({"action": "resume", "ids": ids}),
                )
                .await;
            assert!(r.status().is_success());
            b.client.delete_all_cookies().await.unwrap();
        }
    };
    run.await;
    b.close().await;
}

/// The ids of the rows of a table, in order.
async fn row_ids(b: &Browser, table: &str, attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in b
        .client
        .find_all(Locator::Css(&format!("#{table} tbody tr")))
        .await
        .unwrap()
    {
        out.push(e.attr(attr).await.unwrap().unwrap_or_default());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_page_sorts_its_logins_and_pages_its_children_by_cursor_in_the_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Elm Partner").await;
    let mut emails = Vec::new();
    for e in ["c@elm.test", "a@elm.test", "d@elm.test", "b@elm.test"] {
        let id = add_login(&op, p, e, "member").await;
        emails.push((e, id.to_string()));
    }
    for i in 0..30 {
        create(&op, p, "customer", &format!("Shop {i:02}")).await;
    }
    let run = async {
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#email", crate::support::ADMIN_EMAIL).await;
        b.fill("#password", crate::support::ADMIN_PASSWORD).await;
        b.click("#sign-in").await;
        b.text("#account-name").await;
        b.client
            .goto(&app.url(&format!("/accounts/{p}?per_page=10&sort=name&dir=desc")))
            .await
            .unwrap();
        let children = row_ids(&b, "account-list", "data-account-id").await;
        // A click on the Email header of the logins sorts them by email; the children keep
        // their order, and the page comes back to the logins.
        b.click("#login-list-sort-email").await;
        let by_email = |desc: bool| {
            let mut v = emails.clone();
            v.sort();
            if desc {
                v.reverse();
            }
            v.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
        };
        assert_eq!(
            row_ids(&b, "login-list", "data-login-id").await,
            by_email(false)
        );
        assert_eq!(
            row_ids(&b, "account-list", "data-account-id").await,
            children
        );
        let url = b.client.current_url().await.unwrap();
        assert!(url.as_str().ends_with("#logins"), "{url}");
        b.shots("43-account-logins-by-email", "#logins").await;
        b.click("#login-list-sort-email").await;
        assert_eq!(
            row_ids(&b, "login-list", "data-login-id").await,
            by_email(true)
        );
        // Next on the children goes by cursor and keeps the logins' order.
        b.click("#next-page").await;
        let url = b.client.current_url().await.unwrap();
        assert!(url.as_str().contains("after="), "{url}");
        assert!(url.as_str().contains("lsort=email"), "{url}");
        assert_eq!(b.text("#account-list-rows").await, "Rows 11–20 of 30");
        assert_eq!(
            row_ids(&b, "login-list", "data-login-id").await,
            by_email(true)
        );
        b.click("#next-page").await;
        assert_eq!(b.text("#account-list-rows").await, "Rows 21–30 of 30");
        let last = row_ids(&b, "account-list", "data-account-id").await;
        assert_eq!(last.len(), 10);
        b.shots("44-account-children-by-cursor", "#account-list")
            .await;
        b.click("#prev-page").await;
        assert_eq!(b.text("#account-list-rows").await, "Rows 11–20 of 30");
        let url = b.client.current_url().await.unwrap();
        assert!(url.as_str().contains("before="), "{url}");
    };
    run.await;
    b.close().await;
}
