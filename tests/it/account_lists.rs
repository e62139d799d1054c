//! The two tables of an account page: its logins sorted by any column (page and API, each table
//! with its own query parameters), and its children paged by cursor — every child once, in
//! order, forwards and backwards, through an index for every sort.

use std::collections::HashSet;

use partner_panel::areas::accounts::{self, ListFilter};
use partner_panel::kernel::query::Sql;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row as _;

use crate::support::*;
use crate::tree::{add_login, create};
use partner_panel::areas::accounts::AccountId;

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// The ids of the rows of the table `id` on a page, in order.
fn row_ids(html: &str, table: &str, attr: &str) -> Vec<i64> {
    let start = html
        .find(&format!("id=\"{table}\""))
        .unwrap_or_else(|| panic!("no table {table}"));
    let rest = &html[start..];
    let rest = &rest[..rest.find("</table>").unwrap()];
    rest.split(&format!("{attr}=\""))
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The plan of a statement, one line per step (`EXPLAIN` on PostgreSQL, `EXPLAIN QUERY PLAN` on
/// SQLite).
async fn plan_text(conn: &mut sqlx::AnyConnection, pg: bool, sql: &Sql) -> String {
    let explain = Sql {
        text: format!(
            "{} {}",
            if pg { "EXPLAIN" } else { "EXPLAIN QUERY PLAN" },
            sql.text
        ),
        args: sql.args.clone(),
    };
    let rows = explain.query().fetch_all(&mut *conn).await.unwrap();
    rows.iter()
        .map(|r| r.try_get::<String, _>(if pg { 0 } else { 3 }).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `href` of the link with this id, unescaped.
fn link(html: &str, id: &str) -> Option<String> {
    let i = html.find(&format!("id=\"{id}\""))?;
    let before = &html[..i];
    let h = before.rfind("href=\"")? + 6;
    let href = &html[h..];
    Some(
        href[..href.find('"').unwrap()]
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logins_of_an_account_sort_by_every_column_on_the_page_and_the_api() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Oak Partner").await;
    for n in ["Beta", "Alpha"] {
        create(&op, p, "customer", n).await;
    }
    // Name, email, role, dashboard rights, status: each column orders the logins differently.
    let specs = [
        ("dora", "b-dora@oak.test", "member", true, "active"),
        ("abel", "d-abel@oak.test", "viewer", false, "active"),
        ("cleo", "a-cleo@oak.test", "admin", true, "inactive"),
        ("bart", "c-bart@oak.test", "owner", false, "active"),
        ("abel", "e-abel@oak.test", "admin", true, "inactive"),
    ];
    let mut logins = Vec::new();
    for (name, email, role, dash, status) in specs {
        let id = add_login(&op, p, email, role).await;
        let r = op
            .patch(
                &format!("/api/v1/logins/{id}"),
                json!({"name": name, "dashboard_rights": dash, "status": status}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        logins.push((id, name, email, role, dash, status));
    }
    let rank = |r: &str| {
        ["owner", "admin", "member", "viewer"]
            .iter()
            .position(|x| *x == r)
    };
    for key in ["name", "email", "role", "dashboard", "status"] {
        for desc in [false, true] {
            let mut want = logins.clone();
            // Ties by name, then id, the same way round.
            want.sort_by(|a, b| {
                let first = match key {
                    "name" => a.1.cmp(b.1),
                    "email" => a.2.cmp(b.2),
                    "role" => rank(a.3).cmp(&rank(b.3)),
                    "dashboard" => a.4.cmp(&b.4),
                    _ => a.5.cmp(b.5),
                };
                first.then(a.1.cmp(b.1)).then(a.0.cmp(&b.0))
            });
            if desc {
                want.reverse();
            }
            let want: Vec<i64> = want.iter().map(|l| l.0).collect();
            let dir = if desc { "desc" } else { "asc" };
            let v = ok(op
                .get(&format!("/api/v1/accounts/{p}/logins?sort={key}&dir={dir}"))
                .await)
            .await;
            let got: Vec<i64> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_i64().unwrap())
                .collect();
            assert_eq!(got, want, "API sort={key} dir={dir}");
            // The page: the logins' table by `lsort`/`ldir`, the children's by `sort`/`dir`.
            let html = op
                .get(&format!(
                    "/accounts/{p}?lsort={key}&ldir={dir}&sort=name&dir=desc"
                ))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(
                row_ids(&html, "login-list", "data-login-id"),
                want,
                "page lsort={key} ldir={dir}"
            );
            let children = row_ids(&html, "account-list", "data-account-id");
            assert_eq!(children.len(), 2);
            // Beta (made first) before Alpha.
            assert!(children[0] < children[1], "children by name, descending");
            // The header in force says so and its link turns it round, keeping the children's
            // sort, and comes back to the logins.
            let arrow = if desc { "descending" } else { "ascending" };
            assert!(
                html.contains(&format!(
                    "<th aria-sort=\"{arrow}\"><a class=\"sort sorted\" href=\"/accounts/{p}?sort=name&#38;dir=desc&#38;lsort={key}&#38;ldir={}#logins\" id=\"login-list-sort-{key}\"",
                    if desc { "asc" } else { "desc" }
                )),
                "header of {key} {dir}: {}",
                &html[html.find("login-list-sort-name").unwrap() - 300..][..900]
            );
            // The children's header keeps the logins' sort.
            let child_sort = link(&html, "account-list-sort-kind").unwrap();
            assert_eq!(
                child_sort,
                format!("/accounts/{p}?lsort={key}&ldir={dir}&sort=kind&dir=asc")
            );
        }
    }
    // The default: by name, ties by id.
    let v = ok(op.get(&format!("/api/v1/accounts/{p}/logins")).await).await;
    let first: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(first, ["abel", "abel", "bart", "cleo", "dora"]);
    // An unknown key or direction is refused by the API, named; the page sorts by name instead.
    for (q, field) in [("sort=password_hash", "sort"), ("sort=name&dir=up", "dir")] {
        let (status, code, f, _) =
            error_of(op.get(&format!("/api/v1/accounts/{p}/logins?{q}")).await).await;
        assert_eq!(
            (status, code.as_str(), f.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some(field)
            ),
            "{q}"
        );
    }
    let r = op.get(&format!("/accounts/{p}?lsort=password_hash")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let by_name: Vec<i64> = {
        let mut l = logins.clone();
        l.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
        l.iter().map(|l| l.0).collect()
    };
    assert_eq!(row_ids(&html, "login-list", "data-login-id"), by_name);
    // The OpenAPI document names the sorts.
    let doc: Value = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = doc["paths"]["/api/v1/accounts/{id}/logins"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let sort = params.iter().find(|p| p["name"] == "sort").unwrap();
    assert_eq!(
        sort["schema"]["enum"],
        json!(["name", "email", "role", "dashboard", "status"])
    );
    assert!(params.iter().any(|p| p["name"] == "dir"));
    assert!(doc["paths"]["/api/v1/accounts/{id}/logins"]["get"]["responses"]["422"].is_object());
    app.stop().await;
}

/// Pages through the children of `p` by cursor (the API), `per_page` at a time: the ids seen.
async fn walk(s: &Session, p: i64, query: &str, per_page: i64) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut n = 0;
    loop {
        let cursor = after
            .as_deref()
            .map(|c| format!("&after={c}"))
            .unwrap_or_default();
        let v = ok(s
            .get(&format!(
                "/api/v1/accounts/{p}/children?{query}&per_page={per_page}{cursor}"
            ))
            .await)
        .await;
        let items = v["items"].as_array().unwrap();
        seen.extend(items.iter().map(|a| a["id"].as_i64().unwrap()));
        n += 1;
        assert!(n < 100, "the walk does not end");
        match v["next_after"].as_str() {
            Some(c) => {
                assert_eq!(items.len() as i64, per_page, "a full page before the last");
                after = Some(c.to_string());
            }
            None => break,
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_with_130_children_is_walked_by_cursor_every_child_once_in_order() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Big Partner").await;
    // 130 children: names repeat (ties broken by id), three kinds, some inactive, created at
    // a few different times.
    let mut kids: Vec<(i64, String, String, String, String)> = Vec::new();
    for i in 0..130 {
        if i % 20 == 0 {
            app.advance(5);
        }
        let kind = match i % 10 {
            0 => "dealer",
            1 | 2 => "partner",
            _ => "customer",
        };
        let name = format!("child-{:02}", (i * 37) % 60);
        let id = create(&op, p, kind, &name).await;
        kids.push((id, name, kind.to_string(), "active".into(), String::new()));
    }
    for k in kids.iter_mut().filter(|k| k.0 % 7 == 0) {
        let r = op
            .post(
                &format!("/api/v1/accounts/{}/status", k.0),
                json!({"status": "inactive"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        k.3 = "inactive".into();
    }
    // Creation times as the API gives them: they grow with the ids.
    let mut after: Option<String> = None;
    loop {
        let c = after.map(|c| format!("&after={c}")).unwrap_or_default();
        let v = ok(op
            .get(&format!("/api/v1/accounts/{p}/children?per_page=100{c}"))
            .await)
        .await;
        for a in v["items"].as_array().unwrap() {
            let id = a["id"].as_i64().unwrap();
            let k = kids.iter_mut().find(|k| k.0 == id).unwrap();
            k.4 = a["created_at"].as_str().unwrap().to_string();
        }
        match v["next_after"].as_str() {
            Some(c) => after = Some(c.to_string()),
            None => break,
        }
    }
    assert!(kids.iter().all(|k| !k.4.is_empty()));

    for key in ["name", "created", "kind", "status"] {
        for desc in [false, true] {
            let mut want = kids.clone();
            want.sort_by(|a, b| {
                let f = match key {
                    "name" => a.1.cmp(&b.1),
                    // Made one after another: in the order of their ids.
                    "created" => std::cmp::Ordering::Equal,
                    "kind" => a.2.cmp(&b.2),
                    _ => a.3.cmp(&b.3),
                };
                f.then(a.0.cmp(&b.0))
            });
            if desc {
                want.reverse();
            }
            let want: Vec<i64> = want.iter().map(|k| k.0).collect();
            let dir = if desc { "desc" } else { "asc" };
            let q = format!("sort={key}&dir={dir}");
            let seen = walk(&op, p, &q, 25).await;
            assert_eq!(seen.len(), 130, "{q}");
            assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 130, "{q}: once");
            assert_eq!(seen, want, "{q}: in order");
            // Pages by number (past the first: skipped in the index, then read by id) agree
            // with pages by cursor, each of them.
            let mut by_number: Vec<i64> = Vec::new();
            for page in 1..=6 {
                let v = ok(op
                    .get(&format!(
                        "/api/v1/accounts/{p}/children?{q}&per_page=25&page={page}"
                    ))
                    .await)
                .await;
                let items = v["items"].as_array().unwrap();
                assert_eq!(
                    items.len(),
                    if page < 6 { 25 } else { 5 },
                    "{q}: page {page}"
                );
                by_number.extend(items.iter().map(|a| a["id"].as_i64().unwrap()));
                assert_eq!(v["total"], 130);
            }
            assert_eq!(by_number, want, "{q}: pages by number");
        }
    }

    // Backwards from the last page by `before`: the same rows the other way round.
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let c = after.map(|c| format!("&after={c}")).unwrap_or_default();
        let v = ok(op
            .get(&format!("/api/v1/accounts/{p}/children?per_page=40{c}"))
            .await)
        .await;
        let next = v["next_after"].as_str().map(str::to_string);
        pages.push(v);
        match next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(pages.len(), 4);
    assert!(
        pages[0]["prev_before"].is_null(),
        "page 1 has nothing before it"
    );
    let mut back: Vec<Value> = vec![pages[3].clone()];
    while let Some(c) = back.last().unwrap()["prev_before"].as_str() {
        let v = ok(op
            .get(&format!(
                "/api/v1/accounts/{p}/children?per_page=40&before={c}"
            ))
            .await)
        .await;
        back.push(v);
        assert!(back.len() < 10);
    }
    assert_eq!(back.len(), 4);
    for (i, v) in back.iter().rev().enumerate() {
        assert_eq!(v["items"], pages[i]["items"], "page {} backwards", i + 1);
    }

    // Filters hold while walking: the inactive ones by cursor.
    let inactive = walk(&op, p, "status=inactive&sort=created", 5).await;
    let mut want: Vec<&(i64, String, String, String, String)> =
        kids.iter().filter(|k| k.3 == "inactive").collect();
    want.sort_by_key(|k| k.0);
    assert_eq!(
        inactive,
        want.iter().map(|k| k.0).collect::<Vec<_>>(),
        "inactive by creation"
    );

    // The page: its Next link carries the cursor; following it walks every child once.
    let mut seen = Vec::new();
    let mut url = format!("/accounts/{p}?per_page=25");
    let mut numbers = Vec::new();
    loop {
        let html = op.get(&url).await.text().await.unwrap();
        seen.extend(row_ids(&html, "account-list", "data-account-id"));
        let rows = html
            .split("id=\"account-list-rows\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        numbers.push(rows);
        match link(&html, "next-page") {
            Some(next) => {
                assert!(
                    numbers.len() == 1 || next.contains("after="),
                    "Next by cursor: {next}"
                );
                url = next;
            }
            None => break,
        }
        assert!(numbers.len() < 10);
    }
    let by_name: Vec<i64> = {
        let mut k = kids.clone();
        k.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        k.iter().map(|k| k.0).collect()
    };
    assert_eq!(
        seen, by_name,
        "the page's Next links walk every child once, by name"
    );
    assert_eq!(numbers[0], "Rows 1–25 of 130");
    assert_eq!(numbers[5], "Rows 126–130 of 130");
    // Previous from a cursor page goes back by cursor, to the same rows.
    let html = op.get(&url).await.text().await.unwrap();
    let prev = link(&html, "prev-page").unwrap();
    assert!(prev.contains("before="), "{prev}");
    let html = op.get(&prev).await.text().await.unwrap();
    assert_eq!(
        row_ids(&html, "account-list", "data-account-id"),
        by_name[100..125]
    );

    // A malformed cursor, or one of another sort, is refused with its own code.
    let good = pages[0]["next_after"].as_str().unwrap().to_string();
    for q in [
        "after=%%%".to_string(),
        "after=bm90IGEgY3Vyc29y".to_string(),
        format!("after={good}&sort=created"),
        format!("after={good}&dir=desc"),
        format!("before={good}&after={good}"),
    ] {
        let (status, code, field, _) =
            error_of(op.get(&format!("/api/v1/accounts/{p}/children?{q}")).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "cursor_invalid"),
            "{q}"
        );
        assert!(
            matches!(field.as_deref(), Some("after") | Some("before")),
            "{q}"
        );
    }
    // The page falls back to its first page for one (an old or edited link), and says so.
    let first = op
        .get(&format!("/accounts/{p}"))
        .await
        .text()
        .await
        .unwrap();
    for q in ["after=bm90IGEgY3Vyc29y", "before=%%%", "page=7&after=xyz"] {
        let r = op.get(&format!("/accounts/{p}?{q}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{q}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"list-notice\"") && html.contains("the first page is shown"),
            "{q}: no notice"
        );
        let shown = row_ids(&html, "account-list", "data-account-id");
        assert!(!shown.is_empty(), "{q}: no rows");
        assert_eq!(
            shown,
            row_ids(&first, "account-list", "data-account-id"),
            "{q}: not the first page's rows"
        );
    }

    // Every sort of a cursor page reads an index in its order: no sort of the rows.
    let account = accounts::get(&app.state.db, AccountId(p))
        .await
        .unwrap()
        .unwrap();
    let sizes = accounts::tree_sizes(&app.state.db, &account).await.unwrap();
    let pg = app.state.db.backend_name() == "PostgreSQL";
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    if pg {
        // A table this small is read whole by choice; forbid that to see which index serves.
        sqlx::raw_sql("SET enable_seqscan = off; SET enable_sort = off")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    for (key, index) in [
        ("name", "accounts_parent_name"),
        ("created", "accounts_parent_created"),
        ("kind", "accounts_parent"),
        ("status", "accounts_parent_status"),
    ] {
        for dir in ["asc", "desc"] {
            let first = accounts::plan_list(
                app.state.db.backend,
                &account,
                true,
                &ListFilter {
                    sort: Some(key.into()),
                    dir: Some(dir.into()),
                    per_page: Some(25),
                    ..Default::default()
                },
                sizes.clone(),
            )
            .unwrap();
            let cursor = accounts::run_listed(&app.state.db, &first)
                .await
                .unwrap()
                .next_after
                .unwrap();
            let plan = accounts::plan_list(
                app.state.db.backend,
                &account,
                true,
                &ListFilter {
                    sort: Some(key.into()),
                    dir: Some(dir.into()),
                    per_page: Some(25),
                    after: Some(cursor),
                    ..Default::default()
                },
                sizes.clone(),
            )
            .unwrap();
            let text = plan_text(&mut conn, pg, &plan.items).await;
            println!("{key} {dir}:\n{text}");
            assert!(
                text.contains(&format!("INDEX {index} "))
                    || text.contains(&format!("using {index} "))
                    || text.contains(&format!("Using {index} ")),
                "{key} {dir}: {text}"
            );
            assert!(
                !text.contains("TEMP B-TREE") && !text.contains("Sort"),
                "{key} {dir}: sorts: {text}"
            );
            // The cursor bounds the index range (no walk from the start).
            assert!(
                text.contains(">?") || text.contains("<?") || text.contains("ROW("),
                "{key} {dir}: the cursor is not an index bound: {text}"
            );
            // A page by number skips its rows in the same index, reading only the index.
            let numbered = accounts::plan_list(
                app.state.db.backend,
                &account,
                true,
                &ListFilter {
                    sort: Some(key.into()),
                    dir: Some(dir.into()),
                    per_page: Some(25),
                    page: Some(4),
                    ..Default::default()
                },
                sizes.clone(),
            )
            .unwrap();
            let text = plan_text(&mut conn, pg, &numbered.items).await;
            println!("{key} {dir}, page 4:\n{text}");
            assert!(
                text.contains(&format!("COVERING INDEX {index} "))
                    || text.contains(&format!("Index Only Scan using {index} "))
                    || text.contains(&format!("Index Only Scan Backward using {index} ")),
                "{key} {dir}, page 4: the skipped rows are read from the table: {text}"
            );
        }
    }
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_with_thirty_logins_pages_them_on_the_page_and_the_api() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let p = create(&op, 1, "partner", "Elm Partner").await;
    for n in 0..30 {
        create(&op, p, "customer", &format!("cust-{n:02}")).await;
    }
    // Thirty logins; by email they are l-00 … l-29.
    let mut ids = Vec::new();
    for n in 0..30 {
        ids.push(add_login(&op, p, &format!("l-{n:02}@elm.test"), "member").await);
    }
    // The API: 25 unless asked, the total, page 2 the rest; every login once, in order.
    let v = ok(op
        .get(&format!("/api/v1/accounts/{p}/logins?sort=email"))
        .await)
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 25);
    assert_eq!(
        (v["total"].as_i64(), v["page"].as_i64()),
        (Some(30), Some(1))
    );
    assert_eq!(v["per_page"], 25);
    let mut seen = Vec::new();
    for page in 1..=4 {
        let v = ok(op
            .get(&format!(
                "/api/v1/accounts/{p}/logins?sort=email&per_page=8&page={page}"
            ))
            .await)
        .await;
        seen.extend(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_i64().unwrap()),
        );
    }
    assert_eq!(seen, ids, "pages of 8 by email: every login once, in order");
    for (q, field) in [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("page=-2", "page"),
    ] {
        let (status, code, f, _) =
            error_of(op.get(&format!("/api/v1/accounts/{p}/logins?{q}")).await).await;
        assert_eq!(
            (status, code.as_str(), f.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some(field)
            ),
            "{q}"
        );
    }

    // The page: 25 logins and a pager of their own, beside the children's (by `page`).
    let html = op
        .get(&format!("/accounts/{p}?lsort=email&per_page=10&page=2"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(row_ids(&html, "login-list", "data-login-id"), ids[..25]);
    assert!(html.contains("Rows 1–25 of 30"), "the logins' pager");
    assert!(html.contains("Rows 11–20 of 30"), "the children's pager");
    // The logins' Next keeps the children's page and comes back to the logins.
    let next = link(&html, "login-list-next").expect("the logins' Next link");
    assert_eq!(
        next,
        format!("/accounts/{p}?per_page=10&page=2&lsort=email&ldir=asc&lpage=2#logins")
    );
    let html = op.get(&next).await.text().await.unwrap();
    assert_eq!(row_ids(&html, "login-list", "data-login-id"), ids[25..]);
    assert!(html.contains("Rows 26–30 of 30"));
    let children = row_ids(&html, "account-list", "data-account-id");
    assert_eq!(children.len(), 10, "the children stay on their page 2");
    // The children's Next keeps the logins' page.
    let child_next = link(&html, "next-page").expect("the children's Next link");
    assert!(
        child_next.contains("lpage=2") && child_next.contains("lsort=email"),
        "{child_next}"
    );
    // The logins' page size.
    let html = op
        .get(&format!("/accounts/{p}?lper_page=50"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(row_ids(&html, "login-list", "data-login-id").len(), 30);
    app.stop().await;
}
