//! Benchmark of the account tree at scale: each endpoint over HTTP beside the bare SQL query
//! that produces the same result on the same database (the floor).
//!
//!   cargo bench --bench tree                          # 1,000,000 accounts on SQLite
//!   BENCH_ACCOUNTS=200000 cargo bench --bench tree    # another size
//!   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench cargo bench --bench tree
//!   BENCH_ONLY=children cargo bench --bench tree      # only the children pages, deep ones too
//!   BENCH_ONLY=search cargo bench --bench tree        # only type-to-search: each fragment, then 8 clients
//!
//! The tree is built once with `demo::scale` and kept (SQLite: target/bench-data/) for later runs.

use std::time::{Duration, Instant};

use partner_panel::areas::accounts::AccountId;
use partner_panel::{
    areas::accounts::{self, ListFilter},
    clock::Clock,
    config::{Config, Secret},
};
use serde_json::json;

const ADMIN: &str = "bench-operator@panel.test";
const ADMIN_PW: &str = "bench-password-1";

/// (operation, endpoint p50/p95 ms, floor p50/p95 ms)
type Row = (String, (f64, f64), (f64, f64));

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
    )
}

async fn time_n<F, Fut>(n: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..5 {
        f().await;
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        out.push(t.elapsed());
    }
    out
}

/// Searches measured for each account: a word, two words, a fragment inside a word, a rare one.
const SEARCHES: [&str; 4] = ["harbor caf", "har", "ake", "bakery 12"];
/// What people type into the Current view switcher, in turn (throughput).
const TYPED: [&str; 12] = [
    "har", "harb", "harbor", "blu", "blue b", "caf", "café 1", "sum", "summit", "nov", "nova s",
    "der",
];

use partner_panel::kernel::http::layout::url_encode as enc;

/// A client signed in as `email`.
async fn session(base: &str, email: &str, password: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "sign in as {email}: {}",
        r.status()
    );
    c
}

/// The audit log's first page (and count) for the tree of `view`, as bare SQL.
async fn audit_floor(state: &partner_panel::state::AppState, view: i64) {
    let base = "FROM audit_log l LEFT JOIN accounts aa ON aa.id = l.acting_as_account_id \
         LEFT JOIN accounts sa ON sa.id = l.subject_account_id WHERE (EXISTS (SELECT 1 FROM account_closure c \
         WHERE c.ancestor_id = $1 AND c.descendant_id = l.subject_account_id) OR ($1 = 1 AND l.subject_account_id IS NULL))";
    let _: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {base}"))
        .bind(view)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    sqlx::query(&format!(
        "SELECT l.id, l.at, l.login_id, l.login_email, l.acting_as_account_id, l.subject_account_id, l.action, \
         l.target_type, l.target_id, l.ip, l.detail, aa.name AS acting_as_name, sa.name AS subject_name {base} \
         ORDER BY l.at DESC, l.id DESC LIMIT 50"
    ))
    .bind(view)
    .fetch_all(&state.db.pool)
    .await
    .unwrap();
}

/// The decision history's first page (and count), as the endpoint's own SQL without the rest.
async fn history_floor(state: &partner_panel::state::AppState, operator: bool, view: i64) {
    use partner_panel::areas::approvals;
    let f = approvals::HistoryFilter::default();
    let sql = approvals::history_sql(operator, AccountId(view), &f).unwrap();
    let count = partner_panel::kernel::query::Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let _: i64 = count
        .scalar::<i64>()
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    let mut page = sql.clone();
    page.push(approvals::HISTORY_ORDER).push(" LIMIT 25");
    page.query().fetch_all(&state.db.pool).await.unwrap();
}

/// How a subtree search ran before the trigram index: a range of paths, LOWER(name) LIKE, a full
/// sort for the page and a full count.
async fn old_scan(state: &partner_panel::state::AppState, path: &str, q: &str) {
    let upper = format!("{}0", path.trim_end_matches('/'));
    let like = partner_panel::kernel::query::like_contains(q);
    let cond = "FROM accounts a WHERE a.path > $1 AND a.path < $2 AND a.status <> 'deleted' \
                AND LOWER(a.name) LIKE $3 ESCAPE '\\'";
    let _: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {cond}"))
        .bind(path)
        .bind(&upper)
        .bind(&like)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    sqlx::query(&format!(
        "SELECT a.id, a.parent_id, a.kind, a.name, a.status, a.email, a.phone, a.created_at, a.path {cond} \
         ORDER BY a.name, a.id LIMIT 50"
    ))
    .bind(path)
    .bind(&upper)
    .bind(&like)
    .fetch_all(&state.db.pool)
    .await
    .unwrap();
}

/// The table of endpoints beside their floors.
fn print_rows(rows: &[Row]) {
    println!(
        "\n{:<52} {:>12} {:>12} {:>12} {:>12} {:>7}",
        "operation", "endpoint p50", "endpoint p95", "floor p50", "floor p95", "ratio"
    );
    for (name, (ep50, ep95), (fp50, fp95)) in rows {
        // The goal: within 2x of the bare SQL, or at most 1 ms above it.
        let ok = *ep50 <= 2.0 * fp50 || *ep50 <= fp50 + 1.0;
        println!(
            "{name:<52} {ep50:>10.3}ms {ep95:>10.3}ms {fp50:>10.3}ms {fp95:>10.3}ms {:>6.2}x{}",
            ep50 / fp50,
            if ok { "" } else { "  (over 2x and 1 ms)" }
        );
    }
}

/// Clients typing into the Current view switcher at once.
const TYPING_CLIENTS: usize = 8;

/// Where a client types: the Current view switcher (its first 10 found, by name) or the API's
/// subtree search (the first 10 by name, with the total).
fn typed_url(base: &str, switcher: bool, root: i64, q: &str) -> String {
    if switcher {
        format!("{base}/switcher?q={}", enc(q))
    } else {
        format!(
            "{base}/api/v1/accounts/{root}/subtree?q={}&per_page=10",
            enc(q)
        )
    }
}

/// Each typed fragment once at a time, for the operator over every account and for the largest
/// partner over its tree, in the switcher and through the API: p50/p95 of each.
async fn typed_each(base: &str, big: i64, iters: usize) {
    let op = session(base, ADMIN, ADMIN_PW).await;
    let partner = session(
        base,
        &format!("owner{big}@scale.example"),
        partner_panel::demo::DEMO_PASSWORD,
    )
    .await;
    println!(
        "\n{:<16} {:>18} {:>18} {:>18} {:>18}",
        "typed, p50/p95",
        "switcher: operator",
        "switcher: largest",
        "API: operator",
        "API: largest"
    );
    for q in TYPED {
        let mut line = format!("{:<16}", format!("q=\"{q}\""));
        for switcher in [true, false] {
            for (who, root) in [(&op, 1), (&partner, big)] {
                let url = typed_url(base, switcher, root, q);
                let lat = time_n(iters, || async {
                    let r = who.get(&url).send().await.unwrap();
                    assert!(r.status().is_success(), "{url}: {}", r.status());
                    let _ = r.bytes().await.unwrap();
                })
                .await;
                let (p50, p95) = stats(lat);
                line.push_str(&format!(" {p50:>8.2}/{p95:<6.2}ms"));
            }
        }
        println!("{line}");
    }
}

/// `TYPING_CLIENTS` clients type-to-search at once for five seconds (the operator over every
/// account and the largest partner over its tree, alternately), in the switcher or through the
/// API: searches done, seconds, p50 and p95 in ms.
async fn typing(base: &str, big: i64, switcher: bool) -> (usize, f64, f64, f64) {
    let secs = 5.0;
    let mut tasks = Vec::new();
    let mut signed_in = Vec::new();
    for c in 0..TYPING_CLIENTS {
        signed_in.push(if c % 2 == 0 {
            (session(base, ADMIN, ADMIN_PW).await, 1)
        } else {
            (
                session(
                    base,
                    &format!("owner{big}@scale.example"),
                    partner_panel::demo::DEMO_PASSWORD,
                )
                .await,
                big,
            )
        });
    }
    let t0 = Instant::now();
    for (c, (who, root_id)) in signed_in.into_iter().enumerate() {
        let base = base.to_string();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = c;
            while t0.elapsed().as_secs_f64() < secs {
                let q = TYPED[i % TYPED.len()];
                i += 1;
                let t = Instant::now();
                let r = who
                    .get(typed_url(&base, switcher, root_id, q))
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
                let _ = r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let done = lat.len();
    let (p50, p95) = stats(lat);
    (done, elapsed, p50, p95)
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let iters: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    // BENCH_ONLY=children: only the children pages of each partner (by number and by cursor).
    let only_children = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "children");
    // BENCH_ONLY=search: only type-to-search, each fragment alone and then clients at once.
    let only_search = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "search");
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}/tree-{n}.db", dir.display())
    });
    if url.starts_with("postgres") {
        // A database of its own, made on first use.
        use sqlx::Connection;
        let (base, name) = url.rsplit_once('/').unwrap();
        let mut c = sqlx::PgConnection::connect(&format!("{base}/postgres"))
            .await
            .expect("connect to PostgreSQL");
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_optional(&mut c)
                .await
                .unwrap();
        if exists.is_none() {
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
    let mut config = Config::for_database(&url);
    config.admin_email = Some(ADMIN.into());
    config.admin_password = Some(Secret::new(ADMIN_PW));
    config.run_worker = false;
    let state = partner_panel::build(config, Clock::default())
        .await
        .expect("build");
    partner_panel::bootstrap(&state).await.expect("bootstrap");
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    if (have as usize) < n / 2 {
        let t = Instant::now();
        let s = partner_panel::demo::scale(&state, n)
            .await
            .expect("build the tree");
        println!(
            "built {} accounts, {} closure rows, {} logins in {:.1} s",
            s.accounts,
            s.closure_rows,
            s.logins,
            t.elapsed().as_secs_f64()
        );
    }
    let big: i64 = sqlx::query_scalar(
        "SELECT r.account_id FROM account_rollup r JOIN accounts a ON a.id = r.account_id \
         WHERE a.kind = 'partner' AND a.depth = 1 GROUP BY r.account_id ORDER BY SUM(r.total) DESC LIMIT 1",
    )
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    let big_account = accounts::get(&state.db, AccountId(big))
        .await
        .unwrap()
        .unwrap();
    let sizes = accounts::tree_sizes(&state.db, &big_account).await.unwrap();
    let below = sizes.below;
    let deep: i64 = sqlx::query_scalar(
        "SELECT descendant_id FROM account_closure WHERE ancestor_id = $1 ORDER BY depth DESC, descendant_id DESC LIMIT 1",
    )
    .bind(big)
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    println!("database: {} · {total} accounts · largest partner {big} with {below} accounts below · deep account {deep}", state.db.backend_name());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(partner_panel::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": format!("owner{big}@scale.example"), "password": partner_panel::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "sign in as the partner's owner: {}",
        r.status()
    );

    if only_search {
        typed_each(&base, big, iters).await;
        for (switcher, what) in [(true, "switcher"), (false, "API")] {
            let (done, elapsed, p50, p95) = typing(&base, big, switcher).await;
            println!(
                "throughput ({what}): {TYPING_CLIENTS} clients typing for {elapsed:.1} s: {done} searches, {:.0} per second, p50 {p50:.2} ms, p95 {p95:.2} ms",
                done as f64 / elapsed
            );
        }
        let _ = stop.send(());
        let _ = server.await;
        return;
    }

    let mut rows: Vec<Row> = Vec::new();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let r = client.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            let _ = r.bytes().await.unwrap();
        }
    };

    // 1. The subtree listing page of the large partner (first page, by name).
    let f = ListFilter {
        per_page: Some(50),
        ..Default::default()
    };
    let plan =
        accounts::plan_list(state.db.backend, &big_account, false, &f, sizes.clone()).unwrap();
    let floor = time_n(iters, || async {
        accounts::run_list(&state.db, &plan).await.unwrap();
    })
    .await;
    let page = time_n(iters, || get("/accounts?per_page=50".to_string())).await;
    rows.push((
        "subtree listing, HTML page (largest)".into(),
        stats(page),
        stats(floor),
    ));

    // 2. The descendant check: is the deep account below the partner?
    let floor = time_n(iters, || async {
        let _: Option<i64> = sqlx::query_scalar(
            "SELECT c.depth FROM account_closure c JOIN accounts a ON a.id = c.descendant_id \
             WHERE c.ancestor_id = $1 AND c.descendant_id = $2 AND a.status <> 'deleted'",
        )
        .bind(big)
        .bind(deep)
        .fetch_optional(&state.db.pool)
        .await
        .unwrap();
    })
    .await;
    let api = time_n(iters, || get(format!("/api/v1/accounts/{deep}"))).await;
    rows.push((
        "descendant check (GET a deep account)".into(),
        stats(api),
        stats(floor),
    ));

    // 3. Every list endpoint for a small, a large and the largest partner, each signed in as
    //    that partner's owner, beside the bare SQL of the same page.
    let small: i64 = sqlx::query_scalar(
        "SELECT r.account_id FROM account_rollup r JOIN accounts a ON a.id = r.account_id \
         WHERE a.kind = 'partner' AND a.depth = 1 GROUP BY r.account_id HAVING SUM(r.total) > 100 \
         ORDER BY SUM(r.total), r.account_id LIMIT 1",
    )
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    let large: i64 = sqlx::query_scalar(
        "SELECT r.account_id FROM account_rollup r JOIN accounts a ON a.id = r.account_id \
         WHERE a.kind = 'partner' AND a.parent_id = $1 GROUP BY r.account_id ORDER BY SUM(r.total) DESC, r.account_id LIMIT 1",
    )
    .bind(big)
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    let search_iters = (iters / 4).max(10);
    for (label, id) in [("small", small), ("large", large), ("largest", big)] {
        let acct = accounts::get(&state.db, AccountId(id))
            .await
            .unwrap()
            .unwrap();
        let sizes = accounts::tree_sizes(&state.db, &acct).await.unwrap();
        let who = session(
            &base,
            &format!("owner{id}@scale.example"),
            partner_panel::demo::DEMO_PASSWORD,
        )
        .await;
        let get = |path: String| {
            let client = who.clone();
            let url = format!("{base}{path}");
            async move {
                let r = client.get(&url).send().await.unwrap();
                assert!(r.status().is_success(), "{url}: {}", r.status());
                let _ = r.bytes().await.unwrap();
            }
        };
        let children: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE parent_id = $1")
                .bind(id)
                .fetch_one(&state.db.pool)
                .await
                .unwrap();
        println!(
            "{label}: account {id}, {} below, {children} direct children",
            sizes.below
        );
        for (what, children_only) in [("children", true), ("subtree", false)] {
            let plan =
                accounts::plan_list(state.db.backend, &acct, children_only, &f, sizes.clone())
                    .unwrap();
            let floor = time_n(iters, || async {
                accounts::run_list(&state.db, &plan).await.unwrap();
            })
            .await;
            let api = time_n(iters, || {
                get(format!("/api/v1/accounts/{id}/{what}?per_page=50"))
            })
            .await;
            rows.push((
                format!("{what} page 1, 50 by name ({label})"),
                stats(api),
                stats(floor),
            ));
        }
        let plan = accounts::plan_list(
            state.db.backend,
            &acct,
            true,
            &ListFilter {
                per_page: Some(50),
                page: Some(((children / 50) / 2).max(1)),
                ..Default::default()
            },
            sizes.clone(),
        )
        .unwrap();
        let mid = ((children / 50) / 2).max(1);
        let floor = time_n(iters, || async {
            accounts::run_list(&state.db, &plan).await.unwrap();
        })
        .await;
        let api = time_n(iters, || {
            get(format!(
                "/api/v1/accounts/{id}/children?per_page=50&page={mid}"
            ))
        })
        .await;
        rows.push((
            format!("children page {mid} ({label})"),
            stats(api),
            stats(floor),
        ));
        // A deep page (the one before the last), by number (OFFSET: every row before it is
        // read and dropped) and by cursor (the rows after the previous page's last one, found
        // in the index), through the API and the account page, beside the bare SQL of each.
        let last = (children + 49) / 50;
        if last >= 3 {
            let deep = last - 1;
            let numbered = |page: i64, after: Option<String>| ListFilter {
                per_page: Some(50),
                page: Some(page),
                after,
                ..Default::default()
            };
            let plan_of = |f: &ListFilter| {
                accounts::plan_list(state.db.backend, &acct, true, f, sizes.clone()).unwrap()
            };
            let before = accounts::run_listed(&state.db, &plan_of(&numbered(deep - 1, None)))
                .await
                .unwrap();
            let cursor = before.next_after.expect("a page follows");
            for (how, f, query) in [
                (
                    "by number",
                    numbered(deep, None),
                    format!("per_page=50&page={deep}"),
                ),
                (
                    "by cursor",
                    numbered(deep, Some(cursor.clone())),
                    format!("per_page=50&page={deep}&after={cursor}"),
                ),
            ] {
                let plan = plan_of(&f);
                let floor = stats(
                    time_n(iters, || async {
                        accounts::run_list(&state.db, &plan).await.unwrap();
                    })
                    .await,
                );
                let api = time_n(iters, || {
                    get(format!("/api/v1/accounts/{id}/children?{query}"))
                })
                .await;
                if how == "by number" {
                    // What a page by number read before 0025: every row before it, from the
                    // table, past an OFFSET.
                    let offset_floor = stats(
                        time_n(iters, || async {
                            sqlx::query(&format!(
                                "SELECT {} FROM accounts a WHERE a.parent_id = $1 AND a.status <> 'deleted' \
                                 ORDER BY a.name ASC, a.id ASC LIMIT 51 OFFSET $2",
                                accounts::COLUMNS
                            ))
                            .bind(id)
                            .bind((deep - 1) * 50)
                            .fetch_all(&state.db.pool)
                            .await
                            .unwrap();
                        })
                        .await,
                    );
                    rows.push((
                        format!("children page {deep}/{last} by number, the OFFSET read before ({label})"),
                        offset_floor,
                        floor,
                    ));
                }
                rows.push((
                    format!("children page {deep}/{last} {how}, API ({label})"),
                    stats(api),
                    floor,
                ));
                let page = time_n(iters, || get(format!("/accounts/{id}?{query}"))).await;
                rows.push((
                    format!("children page {deep}/{last} {how}, page ({label})"),
                    stats(page),
                    floor,
                ));
            }
        }
        if only_children {
            continue;
        }
        for q in SEARCHES {
            let fq = ListFilter {
                q: Some(q.to_string()),
                per_page: Some(50),
                ..Default::default()
            };
            let floor = time_n(search_iters, || async {
                let mut sz = sizes.clone();
                if sz.below > accounts::SEARCH_SCAN_UP_TO {
                    sz.candidates = accounts::search_candidates(&state.db, Some(q))
                        .await
                        .unwrap();
                }
                let plan = accounts::plan_list(state.db.backend, &acct, false, &fq, sz).unwrap();
                accounts::run_list(&state.db, &plan).await.unwrap();
            })
            .await;
            let api = time_n(search_iters, || {
                get(format!(
                    "/api/v1/accounts/{id}/subtree?q={}&per_page=50",
                    enc(q)
                ))
            })
            .await;
            rows.push((
                format!("search q=\"{q}\" ({label})"),
                stats(api),
                stats(floor),
            ));
        }
        // My dealers (the partner in view).
        let floor = time_n(iters, || async {
            let _: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT a.id FROM accounts a WHERE a.parent_id = $1 AND a.kind = 'dealer' AND a.status <> 'deleted') x",
            )
            .bind(id)
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
            sqlx::query(
                "SELECT a.id, a.name, a.status, a.email, a.phone, COALESCE(a.contact_name, '') AS contact_name, a.created_at, \
                 COALESCE((SELECT r.total FROM account_rollup r WHERE r.account_id = a.id AND r.kind = 'customer'), 0) AS subscribers, \
                 (SELECT MIN(l.email) FROM logins l WHERE l.account_id = a.id AND l.role = 'owner') AS username \
                 FROM accounts a WHERE a.parent_id = $1 AND a.kind = 'dealer' AND a.status <> 'deleted' ORDER BY a.name, a.id LIMIT 25",
            )
            .bind(id)
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
        })
        .await;
        let api = time_n(iters, || get("/api/v1/dealers".to_string())).await;
        rows.push((format!("my dealers ({label})"), stats(api), stats(floor)));
        // The audit log of the partner's tree.
        let floor = time_n(iters, || async { audit_floor(&state, id).await }).await;
        let api = time_n(iters, || get("/api/v1/audit?per_page=50".to_string())).await;
        rows.push((
            format!("audit log page ({label})"),
            stats(api),
            stats(floor),
        ));
        // Its decision history.
        let floor = time_n(iters, || async { history_floor(&state, false, id).await }).await;
        let api = time_n(iters, || get("/api/v1/inbox/history".to_string())).await;
        rows.push((
            format!("decision history ({label})"),
            stats(api),
            stats(floor),
        ));
    }

    if only_children {
        print_rows(&rows);
        println!("iterations: {iters}, after 5 warm-up calls each");
        let _ = stop.send(());
        let _ = server.await;
        return;
    }

    // 4. The operator: search over every account, My partners, audit log, history, dashboard.
    let op = session(&base, ADMIN, ADMIN_PW).await;
    let op_get = |path: String| {
        let client = op.clone();
        let url = format!("{base}{path}");
        async move {
            let r = client.get(&url).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
            let _ = r.bytes().await.unwrap();
        }
    };
    let root = accounts::get(&state.db, AccountId(1))
        .await
        .unwrap()
        .unwrap();
    let root_sizes = accounts::tree_sizes(&state.db, &root).await.unwrap();
    for q in SEARCHES {
        let fq = ListFilter {
            q: Some(q.to_string()),
            per_page: Some(50),
            ..Default::default()
        };
        let floor = time_n(search_iters, || async {
            let mut sz = root_sizes.clone();
            sz.candidates = accounts::search_candidates(&state.db, Some(q))
                .await
                .unwrap();
            let plan = accounts::plan_list(state.db.backend, &root, false, &fq, sz).unwrap();
            accounts::run_list(&state.db, &plan).await.unwrap();
        })
        .await;
        let api = time_n(search_iters, || {
            op_get(format!(
                "/api/v1/accounts/1/subtree?q={}&per_page=50",
                enc(q)
            ))
        })
        .await;
        rows.push((
            format!("search q=\"{q}\" (operator, all)"),
            stats(api),
            stats(floor),
        ));
    }
    let floor = time_n(search_iters, || async {
        sqlx::query(
            "SELECT a.id, a.parent_id, a.kind, a.name, a.status, a.email, a.phone, a.created_at, a.path, \
             p.name AS package_name, s.status AS sub_status, s.period_end, COALESCE(s.external_invoice_id, '') AS ext \
             FROM accounts a LEFT JOIN subscriptions s ON s.account_id = a.id LEFT JOIN packages p ON p.id = s.package_id \
             WHERE a.parent_id = 1 AND a.kind = 'partner' AND a.status <> 'deleted' ORDER BY a.name, a.id LIMIT 500",
        )
        .fetch_all(&state.db.pool)
        .await
        .unwrap();
    })
    .await;
    let api = time_n(search_iters, || op_get("/api/v1/partners".to_string())).await;
    rows.push((
        "my partners (operator, 500 rows)".into(),
        stats(api),
        stats(floor),
    ));
    let floor = time_n(iters, || async { audit_floor(&state, 1).await }).await;
    let api = time_n(iters, || op_get("/api/v1/audit?per_page=50".to_string())).await;
    rows.push(("audit log page (operator)".into(), stats(api), stats(floor)));
    let floor = time_n(iters, || async { history_floor(&state, true, 1).await }).await;
    let api = time_n(iters, || op_get("/api/v1/inbox/history".to_string())).await;
    rows.push((
        "decision history (operator)".into(),
        stats(api),
        stats(floor),
    ));
    let floor = time_n(search_iters, || async {
        accounts::counts_below(&state.db, AccountId(1))
            .await
            .unwrap();
    })
    .await;
    let api = time_n(search_iters, || op_get("/api/v1/dashboard".to_string())).await;
    rows.push((
        "operator dashboard (rollups)".into(),
        stats(api),
        stats(floor),
    ));
    let live = time_n(3, || async {
        accounts::counts_below_live(&state.db, 1).await.unwrap();
    })
    .await;
    let (lm, _) = stats(live);

    // 5. Today's scan beside the index: the same search read as a range of paths with LOWER LIKE
    //    and a full sort and count (how every search ran before the trigram index).
    let mut scans: Vec<Row> = Vec::new();
    for (label, acct) in [
        ("largest", big_account.clone()),
        ("operator, all", root.clone()),
    ] {
        let sz = accounts::tree_sizes(&state.db, &acct).await.unwrap();
        for q in SEARCHES {
            let fq = ListFilter {
                q: Some(q.to_string()),
                per_page: Some(50),
                ..Default::default()
            };
            let index = time_n(5, || async {
                let mut sz = sz.clone();
                sz.candidates = accounts::search_candidates(&state.db, Some(q))
                    .await
                    .unwrap();
                let plan = accounts::plan_list(state.db.backend, &acct, false, &fq, sz).unwrap();
                accounts::run_list(&state.db, &plan).await.unwrap();
            })
            .await;
            let scan = time_n(5, || async { old_scan(&state, &acct.path, q).await }).await;
            scans.push((format!("q=\"{q}\" ({label})"), stats(scan), stats(index)));
        }
    }

    // 6. Throughput: several clients type-to-search at once.
    let typed = [
        (typing(&base, big, true).await, "switcher"),
        (typing(&base, big, false).await, "API"),
    ];

    print_rows(&rows);
    println!(
        "(for comparison: the operator's counts computed live instead of from rollups: {lm:.1} ms)"
    );
    println!(
        "\n{:<42} {:>12} {:>12} {:>12} {:>12} {:>7}",
        "search: today's scan vs the index",
        "scan p50",
        "scan p95",
        "index p50",
        "index p95",
        "faster"
    );
    for (name, (sp50, sp95), (ip50, ip95)) in &scans {
        println!(
            "{name:<42} {sp50:>10.3}ms {sp95:>10.3}ms {ip50:>10.3}ms {ip95:>10.3}ms {:>6.1}x",
            sp50 / ip50
        );
    }
    println!();
    for ((done, elapsed, p50, p95), what) in typed {
        println!(
            "throughput ({what}): {TYPING_CLIENTS} clients typing for {elapsed:.1} s: {done} searches, {:.0} per second, p50 {p50:.2} ms, p95 {p95:.2} ms",
            done as f64 / elapsed
        );
    }
    println!(
        "iterations: {iters} (search and dashboard: {search_iters}), after 5 warm-up calls each"
    );
    let _ = stop.send(());
    let _ = server.await;
}
