//! The access matrix: every route × the relation of its resource's owner to the caller × every
//! role, pages and API. The routes come from the tables the routers are built from, and every
//! route with an `{id}` names the resource it is (the build refuses one that does not), so a new
//! route is in here with its resource: a fixture below makes an instance owned by an account in
//! each relation (own, below, above, sibling, another tree, missing) and the answer must be what
//! the resource's sides and the route's need say.

use std::collections::HashMap;

use partner_panel::kernel::{
    access::{allows, Need, Reach, Resource},
    http::{all_routes, RouteAccess},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;
use crate::tree::{add_login, create, PW};

#[derive(Debug, PartialEq, Clone, Copy)]
enum Expect {
    Allowed,
    /// Let through by the router; the area's rules may still refuse (403) what this caller is.
    AllowedOrRuled,
    Forbidden,
    NotFound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Rel {
    Own,
    Below,
    Above,
    Sibling,
    OtherTree,
    Missing,
}

const RELS: [Rel; 6] = [
    Rel::Own,
    Rel::Below,
    Rel::Above,
    Rel::Sibling,
    Rel::OtherTree,
    Rel::Missing,
];

const MISSING: i64 = 987_654;

fn is_operator_resource(res: &Resource) -> bool {
    res.sides.iter().any(|s| s.reach == Reach::Operator)
}

/// What a partner's login with `role` gets from a route on a resource whose owner stands in
/// `rel` to its account. Sides found through the other party (an addressee, a linked reseller)
/// do not hold for these fixtures, which own the resource on its main side only.
fn expected_on(res: &Resource, need: Need, rel: Rel, role: &str) -> Expect {
    if is_operator_resource(res) {
        return Expect::Forbidden;
    }
    let mut main: Vec<_> = res.sides.iter().filter(|s| !s.other_party).collect();
    if main.is_empty() {
        main = res.sides.iter().collect();
    }
    for side in main {
        let holds = match side.reach {
            Reach::InView | Reach::Below(_) => matches!(rel, Rel::Own | Rel::Below),
            Reach::View | Reach::OwnLogin => rel == Rel::Own,
            Reach::AboveView => matches!(rel, Rel::Own | Rel::Above),
            Reach::Anyone => rel != Rel::Missing,
            Reach::Operator => unreachable!(),
        };
        if !holds {
            continue;
        }
        if side.refuse.is_some() {
            return Expect::Forbidden;
        }
        if matches!(side.reach, Reach::Below(_)) && rel == Rel::Own {
            return Expect::Forbidden;
        }
        if !allows(role.parse().unwrap(), need) {
            return Expect::Forbidden;
        }
        return if side.reach == Reach::Anyone {
            Expect::AllowedOrRuled
        } else {
            Expect::Allowed
        };
    }
    Expect::NotFound
}

/// A body that passes the access rules but breaks a field rule, so shared accounts and logins
/// stay as they are; other resources are made fresh for every call.
fn harmless_body(method: &str, path: &str) -> Vec<(&'static str, &'static str)> {
    match (method, path) {
        ("patch" | "post", p) if p.ends_with("/accounts/{id}") => vec![("name", "")],
        ("patch" | "post", p) if p.ends_with("/dealers/{id}") => vec![("name", "")],
        (_, p) if p.ends_with("/children") => vec![("kind", "nonsense"), ("name", "x")],
        (_, p) if p.ends_with("/status") => vec![("status", "nonsense")],
        // Who sees a clip: a body that cannot be read (the owner's package decides the rest).
        (_, p) if p.ends_with("/sharing") => vec![("all", "nonsense")],
        (_, p) if p.ends_with("/logins") => vec![
            ("email", "bad"),
            ("name", "x"),
            ("password", "x"),
            ("role", "member"),
        ],
        ("patch", p) | ("post", p) if p.ends_with("/logins/{id}") => vec![("role", "nonsense")],
        _ => vec![],
    }
}

struct World {
    app: TestApp,
    accounts: HashMap<Rel, i64>,
    target_login: HashMap<Rel, i64>,
    own_login: HashMap<String, i64>,
    outsider: i64,
    sibling: i64,
    sibling_dealer: i64,
    op: Session,
    seq: std::sync::atomic::AtomicI64,
}

impl World {
    fn account(&self, rel: Rel) -> i64 {
        self.accounts.get(&rel).copied().unwrap_or(MISSING)
    }

    fn next(&self) -> i64 {
        self.seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    async fn insert(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.app.state.db.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// An instance of `res` owned (on its main side) by the account in relation `rel`, for the
    /// login `role` calling.
    async fn fixture(&self, res: &'static Resource, rel: Rel, role: &str) -> i64 {
        self.instance(res, rel, role)
            .await
            .unwrap_or(self.account(rel))
    }

    /// The same, or `None` when no instance of this kind can stand in that relation (a dealer
    /// that is the partner's own account); then the route must answer 404 for the id given.
    async fn instance(&self, res: &'static Resource, rel: Rel, role: &str) -> Option<i64> {
        use partner_panel::areas::{approvals, networks};
        if rel == Rel::Missing && !is_operator_resource(res) {
            return Some(MISSING);
        }
        let owner = match self.accounts.get(&rel) {
            Some(a) => *a,
            // Operator business: partners are refused whatever the id; make a real one.
            None => self.accounts[&Rel::Own],
        };
        let n = self.next();
        Some(match res.kind {
            "account" | "partner" => owner,
            "directory_partner" => self.sibling,
            "dealer" => match rel {
                Rel::Below => owner,
                Rel::Sibling => self.sibling_dealer,
                _ => return None,
            },
            "login" => self.target_login[&rel],
            // A customer is reached from above it: one below the partner, or one of another tree.
            "customer" => match rel {
                Rel::Below => create(&self.op, owner, "customer", &format!("Matrix customer {n}")).await,
                Rel::Sibling => {
                    create(&self.op, self.sibling, "customer", &format!("Matrix customer {n}")).await
                }
                Rel::OtherTree => {
                    create(&self.op, self.sibling_dealer, "customer", &format!("Matrix customer {n}"))
                        .await
                }
                _ => return None,
            },
            // Dealers carry no brand: below, the fixture is a customer of the dealer.
            "brand" => match rel {
                Rel::Below => create(&self.op, owner, "customer", &format!("Matrix brand {n}")).await,
                _ => owner,
            },
            "api_token" => {
                let login = if rel == Rel::Own {
                    self.own_login[role]
                } else {
                    self.target_login[&rel]
                };
                self.insert(&format!(
                    "INSERT INTO api_tokens (login_id, name, token_hash, prefix, created_at) \
                     VALUES ({login}, 't{n}', 'hash{n}', 'pp_x', 0) RETURNING id"
                ))
                .await
            }
            "session" => {
                let login = if rel == Rel::Own {
                    self.own_login[role]
                } else {
                    self.target_login[&rel]
                };
                self.insert(&format!(
                    "INSERT INTO sessions (token_hash, login_id, csrf_token, created_at, last_seen_at, expires_at) \
                     VALUES ('shash{n}', {login}, 'c', 0, 0, 0) RETURNING id"
                ))
                .await
            }
            "invoice" => {
                self.insert(&format!(
                    "INSERT INTO invoices (number, account_id, period_start, period_end, due_at, currency, total, created_at) \
                     VALUES ('M-{n}', {owner}, {n}, {n}, 0, 'EUR', 0, 0) RETURNING id"
                ))
                .await
            }
            "package" => {
                self.insert(&format!(
                    "INSERT INTO packages (name, monthly_price, currency, created_at, updated_at) \
                     VALUES ('Matrix {n}', 0, 'EUR', 0, 0) RETURNING id"
                ))
                .await
            }
            "addon" => {
                self.insert(&format!(
                    "INSERT INTO addons (name, monthly_price, currency, created_at, updated_at) \
                     VALUES ('Matrix {n}', 0, 'EUR', 0, 0) RETURNING id"
                ))
                .await
            }
            "ad_package" => {
                self.insert(&format!(
                    "INSERT INTO ad_packages (name, impressions, price, currency, created_at, updated_at) \
                     VALUES ('Matrix {n}', 1, 0, 'EUR', 0, 0) RETURNING id"
                ))
                .await
            }
            "partnership_request" => {
                let pkg = self
                    .insert(&format!(
                        "INSERT INTO packages (name, monthly_price, currency, created_at, updated_at) \
                         VALUES ('Matrix p{n}', 0, 'EUR', 0, 0) RETURNING id"
                    ))
                    .await;
                self.insert(&format!(
                    "INSERT INTO partnership_requests (company_name, contact_name, email, package_id, package_name, monthly_price, currency, created_at) \
                     VALUES ('Matrix Co {n}', 'C', 'matrix{n}@example.test', {pkg}, 'P', 0, 'EUR', 0) RETURNING id"
                ))
                .await
            }
            "channel" if *res == networks::MY_PARTNER_CHANNEL => {
                // A channel of a partner that the owner is linked to as a reseller.
                let partner: Option<i64> = sqlx::query_scalar(&format!(
                    "SELECT partner_id FROM reseller_links WHERE reseller_id = {owner}"
                ))
                .fetch_optional(&self.app.state.db.pool)
                .await
                .unwrap();
                let partner = match partner {
                    Some(p) => p,
                    None => {
                        let p = create(&self.op, 1, "partner", &format!("Linked {n}")).await;
                        sqlx::query(&format!(
                            "INSERT INTO reseller_links (reseller_id, partner_id, linked_at) VALUES ({owner}, {p}, 0)"
                        ))
                        .execute(&self.app.state.db.pool)
                        .await
                        .unwrap();
                        p
                    }
                };
                self.channel(partner, n).await
            }
            "channel" => self.channel(owner, n).await,
            "request" if *res == approvals::INBOX_REQUEST => {
                let outsider = self.outsider;
                self.insert(&format!(
                    "INSERT INTO requests (kind, account_id, addressee_id, title, created_at) \
                     VALUES ('ad', {outsider}, {owner}, 'Matrix {n}', 0) RETURNING id"
                ))
                .await
            }
            "request" => {
                self.insert(&format!(
                    "INSERT INTO requests (kind, account_id, addressee_id, title, created_at) \
                     VALUES ('ad', {owner}, {}, 'Matrix {n}', 0) RETURNING id",
                    self.outsider
                ))
                .await
            }
            "reseller" => {
                // A reseller account linked to the owner as its partner.
                let r = create(&self.op, 1, "reseller", &format!("Linked reseller {n}")).await;
                sqlx::query(&format!(
                    "INSERT INTO reseller_links (reseller_id, partner_id, linked_at) VALUES ({r}, {owner}, 0)"
                ))
                .execute(&self.app.state.db.pool)
                .await
                .unwrap();
                r
            }
            "license" => {
                self.insert(&format!(
                    "INSERT INTO licenses (license_type, state, holder_id, holder_path, issuer_id, starts_at, created_at, updated_at) \
                     SELECT 'development', 'active', id, path, id, 0, 0, 0 FROM accounts WHERE id = {owner} RETURNING id"
                ))
                .await
            }
            "player_model" => {
                self.insert(&format!(
                    "INSERT INTO player_models (name, id_prefix, created_at, updated_at) \
                     VALUES ('Matrix model {n}', 'MX{n}-', 0, 0) RETURNING id"
                ))
                .await
            }
            "player" => {
                let model = self
                    .insert(&format!(
                        "INSERT INTO player_models (name, id_prefix, created_at, updated_at) \
                         VALUES ('Matrix model {n}', 'MX{n}-', 0, 0) RETURNING id"
                    ))
                    .await;
                self.insert(&format!(
                    "INSERT INTO players (owner_id, owner_path, model_id, name, created_at, updated_at) \
                     SELECT id, path, {model}, 'Matrix {n}', 0, 0 FROM accounts WHERE id = {owner} RETURNING id"
                ))
                .await
            }
            "clip" => {
                self.insert(&format!(
                    "INSERT INTO clips (owner_id, owner_path, kind, title, duration_s, created_at, updated_at) \
                     SELECT id, path, 'slide', 'Matrix {n}', 10, 0, 0 FROM accounts WHERE id = {owner} RETURNING id"
                ))
                .await
            }
            "playlist" => {
                self.insert(&format!(
                    "INSERT INTO playlists (owner_id, owner_path, name, created_at, updated_at) \
                     SELECT id, path, 'Matrix {n}', 0, 0 FROM accounts WHERE id = {owner} RETURNING id"
                ))
                .await
            }
            "release_note" => {
                self.insert(&format!(
                    "INSERT INTO release_notes (title, body, audience, published_at, created_at, updated_at) \
                     VALUES ('Matrix {n}', 'text', '', 0, 0, 0) RETURNING id"
                ))
                .await
            }
            "ticket" => {
                self.insert(&format!(
                    "INSERT INTO tickets (customer_id, customer_path, served_by_id, subject, category, priority, status, last_message_at, created_at, updated_at) \
                     SELECT id, path, id, 'Matrix {n}', 'other', 'normal', 'open', 0, 0, 0 FROM accounts WHERE id = {owner} RETURNING id"
                ))
                .await
            }
            "ticket_attachment" => {
                let t = self
                    .insert(&format!(
                        "INSERT INTO tickets (customer_id, customer_path, served_by_id, subject, category, priority, status, last_message_at, created_at, updated_at) \
                         SELECT id, path, id, 'Matrix {n}', 'other', 'normal', 'open', 0, 0, 0 FROM accounts WHERE id = {owner} RETURNING id"
                    ))
                    .await;
                let m = self
                    .insert(&format!(
                        "INSERT INTO ticket_messages (ticket_id, from_customer, internal, author_name, body, created_at) \
                         VALUES ({t}, 1, 0, 'Matrix', 'text', 0) RETURNING id"
                    ))
                    .await;
                sqlx::query_scalar(
                    "INSERT INTO ticket_attachments (ticket_id, message_id, name, content_type, size_bytes, data, created_at) \
                     VALUES ($1, $2, 'matrix.txt', 'text/plain', 4, $3, 0) RETURNING id",
                )
                .bind(t)
                .bind(m)
                .bind(b"text".to_vec())
                .fetch_one(&self.app.state.db.pool)
                .await
                .unwrap()
            }
            "site" => self.site(owner, n).await,
            "probe" => {
                let site = self.site(owner, n).await;
                self.insert(&format!(
                    "INSERT INTO probes (customer_id, site_id, name, token_hash, token_prefix, enrolled_at, updated_at) \
                     VALUES ({owner}, {site}, 'Matrix {n}', 'ptok{n}', 'ppp_', 0, 0) RETURNING id"
                ))
                .await
            }
            "probe_enrollment" => {
                let site = self.site(owner, n).await;
                self.insert(&format!(
                    "INSERT INTO probe_enrollments (site_id, customer_id, code_hash, code_prefix, created_at, expires_at) \
                     VALUES ({site}, {owner}, 'pcode{n}', 'ppe_', 0, 4102444800000) RETURNING id"
                ))
                .await
            }
            other => panic!(
                "no fixture for resource kind {other:?}: add one here so its routes are in the matrix"
            ),
        })
    }

    /// A site of `owner` (the router only asks who owns it; the rules may refuse a site of an
    /// account that is not a customer).
    async fn site(&self, owner: i64, n: i64) -> i64 {
        self.insert(&format!(
            "INSERT INTO sites (customer_id, name, name_folded, created_at, updated_at) \
             VALUES ({owner}, 'Matrix {n}', 'matrix {n}', 0, 0) RETURNING id"
        ))
        .await
    }

    async fn channel(&self, owner: i64, n: i64) -> i64 {
        self.insert(&format!(
            "INSERT INTO channels (account_id, name, description, created_at, updated_at) \
             VALUES ({owner}, 'Matrix {n}', '', 0, 0) RETURNING id"
        ))
        .await
    }
}

async fn call(s: &Session, base: &str, method: &str, path: &str, id: i64) -> (StatusCode, String) {
    let is_api = path.starts_with("/api/v1/");
    let url = format!("{base}{}", path.replace("{id}", &id.to_string()));
    let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let body = harmless_body(method, path);
    let mut rb = s
        .client
        .request(m.clone(), url)
        .header("x-csrf-token", &s.csrf);
    if m != Method::GET {
        rb = if is_api {
            rb.json(
                &body
                    .iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect::<serde_json::Map<_, _>>(),
            )
        } else {
            rb.form(&body)
        };
    }
    let r = rb.send().await.unwrap();
    let st = r.status();
    (st, r.text().await.unwrap_or_default())
}

fn judge(want: Expect, st: StatusCode, text: &str, is_api: bool) -> Result<(), String> {
    let good = match want {
        Expect::NotFound => st == StatusCode::NOT_FOUND,
        Expect::Forbidden => st == StatusCode::FORBIDDEN,
        Expect::Allowed => !matches!(st.as_u16(), 401 | 403 | 404 | 405) && st.as_u16() < 500,
        Expect::AllowedOrRuled => !matches!(st.as_u16(), 401 | 404 | 405) && st.as_u16() < 500,
    };
    if !good {
        return Err(format!(
            "want {want:?}, got {st} {}",
            &text[..text.len().min(160)]
        ));
    }
    if is_api && matches!(want, Expect::NotFound | Expect::Forbidden) {
        let code = serde_json::from_str::<Value>(text).unwrap_or_default()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let want_code = if want == Expect::NotFound {
            "not_found"
        } else {
            "forbidden"
        };
        if code != want_code {
            return Err(format!("code {code}, want {want_code}"));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_by_relation_and_role() {
    let app = TestApp::spawn().await;
    let op = app.login_admin().await;
    let home = create(&op, 1, "partner", "Home Partner").await;
    let below = create(&op, home, "dealer", "Below Dealer").await;
    let sibling = create(&op, 1, "partner", "Sibling Partner").await;
    let other = create(&op, sibling, "customer", "Other Tree Customer").await;
    let outsider = create(&op, 1, "reseller", "Outsider Reseller").await;
    // Home is a paying partner, as My partners lists them.
    let pkg: i64 = sqlx::query_scalar(
        "INSERT INTO packages (name, monthly_price, currency, created_at, updated_at) \
         VALUES ('Matrix package', 0, 'EUR', 0, 0) RETURNING id",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    sqlx::query(&format!(
        "INSERT INTO subscriptions (account_id, package_id, status, period_start, period_end, created_at, updated_at) \
         VALUES ({home}, {pkg}, 'active', 0, 4102444800000, 0, 0)"
    ))
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let roles = ["owner", "admin", "member", "viewer"];
    let mut sessions = Vec::new();
    let mut operators = Vec::new();
    let mut own_login = HashMap::new();
    for role in roles {
        let id = add_login(&op, home, &format!("{role}@home.test"), role).await;
        own_login.insert(role.to_string(), id);
        sessions.push((role, app.login(&format!("{role}@home.test"), PW).await));
        add_login(&op, 1, &format!("{role}@operator.test"), role).await;
        operators.push((role, app.login(&format!("{role}@operator.test"), PW).await));
    }
    let accounts: HashMap<Rel, i64> = [
        (Rel::Own, home),
        (Rel::Below, below),
        (Rel::Above, 1),
        (Rel::Sibling, sibling),
        (Rel::OtherTree, other),
    ]
    .into_iter()
    .collect();
    let mut target_login = HashMap::new();
    for (rel, acc) in &accounts {
        target_login.insert(
            *rel,
            add_login(&op, *acc, &format!("target{acc}@t.test"), "member").await,
        );
    }
    target_login.insert(Rel::Missing, MISSING);
    let w = World {
        app,
        accounts,
        target_login,
        own_login,
        outsider,
        sibling,
        sibling_dealer: create(&op, sibling, "dealer", "Sibling Dealer").await,
        op,
        seq: std::sync::atomic::AtomicI64::new(1),
    };

    let routes = all_routes();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut with_id = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for (path, spec) in &routes {
        let is_api = path.starts_with("/api/v1/");
        // Signed out, nothing but public routes answers.
        if spec.access != RouteAccess::Public && spec.access != RouteAccess::TestClock {
            let url = w.app.url(&path.replace("{id}", &home.to_string()));
            let m = Method::from_bytes(spec.method.to_uppercase().as_bytes()).unwrap();
            let r = w
                .app
                .client()
                .request(m, url)
                .header("x-csrf-token", "x")
                .send()
                .await
                .unwrap();
            let ok = if is_api {
                r.status() == StatusCode::UNAUTHORIZED
            } else {
                r.status() == StatusCode::SEE_OTHER || r.status() == StatusCode::FORBIDDEN
            };
            if !ok {
                failures.push(format!("signed out {} {path}: {}", spec.method, r.status()));
            }
        }
        match spec.access {
            RouteAccess::Public | RouteAccess::SignedIn | RouteAccess::TestClock => {
                assert!(!path.contains("{id}"), "{path} has an id and no resource");
            }
            // The actors are logins of a partner: operator business is not theirs.
            RouteAccess::Operator(_) => {
                for (role, s) in &sessions {
                    let (st, text) = call(s, &w.app.base, spec.method, path, home).await;
                    checked += 1;
                    if let Err(e) = judge(Expect::Forbidden, st, &text, is_api) {
                        failures.push(format!("{role} {} {path}: {e}", spec.method));
                    }
                }
            }
            RouteAccess::On(res, need) => {
                with_id += 1;
                kinds.insert(res.kind);
                let state_changing = spec.method != "get";
                if is_operator_resource(res) {
                    // The operator's own logins: an existing item by role, then a missing one.
                    for (role, s) in &operators {
                        for rel in [Rel::Own, Rel::Missing] {
                            let id = if rel == Rel::Missing {
                                MISSING
                            } else {
                                match res.kind {
                                    "partner" => home,
                                    _ => w.fixture(res, rel, role).await,
                                }
                            };
                            let want = match (allows(role.parse().unwrap(), need), rel) {
                                (false, _) => Expect::Forbidden,
                                (true, Rel::Missing) => Expect::NotFound,
                                (true, _) => Expect::Allowed,
                            };
                            let (st, text) = call(s, &w.app.base, spec.method, path, id).await;
                            checked += 1;
                            if let Err(e) = judge(want, st, &text, is_api) {
                                failures.push(format!(
                                    "operator {role} {rel:?} {} {path}: {e}",
                                    spec.method
                                ));
                            }
                        }
                    }
                }
                let mut cached: HashMap<(Rel, &str), Option<i64>> = HashMap::new();
                for rel in RELS {
                    for (role, s) in &sessions {
                        let instance =
                            if state_changing || res.kind == "api_token" || res.kind == "session" {
                                w.instance(res, rel, role).await
                            } else if let Some(id) = cached.get(&(rel, role)) {
                                *id
                            } else {
                                let id = w.instance(res, rel, role).await;
                                cached.insert((rel, role), id);
                                id
                            };
                        let want = match instance {
                            Some(_) => expected_on(res, need, rel, role),
                            None => Expect::NotFound,
                        };
                        let id = instance.unwrap_or(w.account(rel));
                        let (st, text) = call(s, &w.app.base, spec.method, path, id).await;
                        checked += 1;
                        if let Err(e) = judge(want, st, &text, is_api) {
                            failures.push(format!("{role} {rel:?} {} {path}: {e}", spec.method));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(with_id > 70, "only {with_id} routes with an id");
    assert!(checked > 1500, "only {checked} checks ran");
    eprintln!(
        "route access matrix: {checked} checks over {} routes ({with_id} with an id; resources: {})",
        routes.len(),
        kinds.into_iter().collect::<Vec<_>>().join(", ")
    );
    // The shared accounts and logins are as they were: their harmless bodies broke a field rule
    // after access let them through.
    assert_eq!(
        w.app
            .count(&format!(
                "SELECT COUNT(*) FROM accounts WHERE status = 'active' AND id IN ({home}, {below}, {sibling}, {other})"
            ))
            .await,
        4
    );
}
