//! Demo data: a small channel under the operator, with logins that share one password.

use crate::areas::accounts;
use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "demo-password-1";

pub struct DemoSummary {
    pub accounts: usize,
    pub logins: Vec<String>,
}

mod screens;
mod support;
mod world;
pub use world::load;

// ---- a realistic tree of about N accounts, fast ----

/// What `scale` made.
pub struct ScaleSummary {
    pub accounts: usize,
    pub closure_rows: usize,
    pub logins: usize,
    /// Licenses made (one per account, every type and state its kind may hold).
    pub licenses: i64,
    /// The partner holding the biggest subtree (for benchmarks).
    pub largest_partner: i64,
}

struct Gen {
    next_id: i64,
    rng: u64,
    now: i64,
    /// (id, parent, kind, name, depth, created_at)
    accounts: Vec<(i64, i64, &'static str, String, i64, i64)>,
    /// ancestors of each generated account, nearest first (not including itself)
    ancestors: std::collections::HashMap<i64, Vec<i64>>,
}

const ADJ: [&str; 16] = [
    "Blue", "North", "Silver", "Green", "Bright", "Urban", "Coastal", "Golden", "Alpine", "Harbor",
    "Summit", "River", "Prime", "Nova", "Cedar", "Metro",
];
const NOUN: [&str; 16] = [
    "Media",
    "Signage",
    "Screens",
    "Vision",
    "Retail",
    "Networks",
    "Displays",
    "Channel",
    "Systems",
    "Studio",
    "Solutions",
    "Labs",
    "Works",
    "Group",
    "Partners",
    "Digital",
];
const PLACE: [&str; 16] = [
    "Café", "Bakery", "Hotel", "Gym", "Dental", "Pharmacy", "Bistro", "Salon", "Clinic", "Market",
    "Bookshop", "Garage", "Florist", "Bar", "Cinema", "School",
];

impl Gen {
    fn rand(&mut self) -> u64 {
        // xorshift64*: deterministic, so every run builds the same tree.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick(&mut self, words: &[&'static str; 16]) -> &'static str {
        words[(self.rand() % 16) as usize]
    }

    fn add(&mut self, parent: i64, parent_depth: i64, kind: &'static str) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let name = match kind {
            "customer" => format!("{} {} {}", self.pick(&ADJ), self.pick(&PLACE), id),
            "dealer" => format!("{} {} Dealer {}", self.pick(&ADJ), self.pick(&NOUN), id),
            "reseller" => format!("{} {} Resellers {}", self.pick(&ADJ), self.pick(&NOUN), id),
            _ => format!("{} {} {}", self.pick(&ADJ), self.pick(&NOUN), id),
        };
        let created = self.now - (self.rand() % (3 * 365 * 86_400_000)) as i64;
        let mut anc = vec![parent];
        if let Some(up) = self.ancestors.get(&parent) {
            anc.extend_from_slice(up);
        }
        self.ancestors.insert(id, anc);
        self.accounts
            .push((id, parent, kind, name, parent_depth + 1, created));
        id
    }

    /// A partner with about `budget` accounts below it: dealers with customers, own customers,
    /// and (for big ones) partners of its own.
    fn partner_tree(&mut self, partner: i64, depth: i64, budget: usize) {
        let mut left = budget;
        if depth == 1 && budget > 2000 {
            let subs = (budget / 2000).min(50);
            for _ in 0..subs {
                let share = budget / (subs * 3);
                let p = self.add(partner, depth, "partner");
                left = left.saturating_sub(share + 1);
                self.partner_tree(p, depth + 1, share);
            }
        }
        let dealers = (left / 120).max(if left > 10 { 1 } else { 0 });
        for _ in 0..dealers {
            let d = self.add(partner, depth, "dealer");
            left = left.saturating_sub(1);
            let n = (left.min(budget) / (dealers * 2).max(1)).min(left);
            for _ in 0..n {
                self.add(d, depth + 1, "customer");
            }
            left -= n;
        }
        for _ in 0..left {
            self.add(partner, depth, "customer");
        }
    }
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Adds a tree of about `n` accounts under the operator: partners (one holding about a fifth of
/// everything), their partners, dealers and customers, resellers with customers, and owner logins
/// for every partner, reseller and dealer plus a viewer login for one customer in twenty. All
/// demo logins share the password `DEMO_PASSWORD`. Runs in batches of bulk inserts.
pub async fn scale(state: &AppState, n: usize) -> Result<ScaleSummary, AppError> {
    let op = accounts::operator(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let start_id: i64 = sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM accounts")
        .fetch_one(&state.db.pool)
        .await?
        + 1;
    let mut g = Gen {
        next_id: start_id,
        rng: 0x9E37_79B9_7F4A_7C15 ^ n as u64,
        now: state.now_ms(),
        accounts: Vec::with_capacity(n + 16),
        ancestors: Default::default(),
    };
    g.ancestors.insert(op.id.get(), Vec::new());
    let n = n.max(10);
    let big = g.add(op.id.get(), 0, "partner");
    g.partner_tree(big, 1, n / 5);
    let resellers = (n / 2000).max(1);
    for _ in 0..resellers {
        let r = g.add(op.id.get(), 0, "reseller");
        let p = g.add(r, 1, "partner");
        for _ in 0..20 {
            g.add(r, 1, "customer");
        }
        g.partner_tree(p, 2, 40);
    }
    let per_partner = 400;
    while g.accounts.len() + 1 < n {
        let p = g.add(op.id.get(), 0, "partner");
        let budget = per_partner.min(n - g.accounts.len()).saturating_sub(1);
        g.partner_tree(p, 1, budget);
    }

    let hash = state.hasher.hash(DEMO_PASSWORD).await?;
    let mut rollup: std::collections::HashMap<(i64, &'static str), (i64, i64)> = Default::default();
    let mut closure_rows = 0usize;
    let mut logins = 0usize;
    let now = state.now_ms();
    for chunk in g.accounts.chunks(5000) {
        let mut tx = state.db.begin().await?;
        let mut sql = String::from(
            "INSERT INTO accounts (id, parent_id, kind, name, name_folded, tenant_id, status, depth, path, created_at, updated_at) VALUES ",
        );
        for (i, (id, parent, kind, name, depth, created)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let mut path = String::from("/");
            for a in g.ancestors[id].iter().rev() {
                path.push_str(&format!("{a}/"));
            }
            path.push_str(&format!("{id}/"));
            let tenant = crate::kernel::db::search::tenant_of_path(&path).unwrap_or(*id);
            sql.push_str(&format!(
                "({id},{parent},'{kind}',{},{},{tenant},'active',{depth},'{path}',{created},{created})",
                lit(name),
                lit(&crate::kernel::db::search::fold(name))
            ));
        }
        sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        let mut sql =
            String::from("INSERT INTO account_closure (ancestor_id, descendant_id, depth) VALUES ");
        let mut first = true;
        for (id, _, kind, _, _, _) in chunk {
            let anc = &g.ancestors[id];
            let mut push = |a: i64, d: usize| {
                if !first {
                    sql.push(',');
                }
                first = false;
                sql.push_str(&format!("({a},{id},{d})"));
            };
            push(*id, 0);
            for (d, a) in anc.iter().enumerate() {
                push(*a, d + 1);
                let e = rollup.entry((*a, *kind)).or_default();
                e.1 += 1;
                if d == 0 {
                    e.0 += 1;
                }
            }
            closure_rows += anc.len() + 1;
        }
        sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        let mut sql = String::from(
            "INSERT INTO logins (account_id, email, name, password_hash, role, created_at, updated_at, password_changed_at) VALUES ",
        );
        let mut any = false;
        for (id, _, kind, name, _, _) in chunk {
            let role = match *kind {
                "customer" if id % 20 == 0 => "viewer",
                "customer" => continue,
                _ => "owner",
            };
            if any {
                sql.push(',');
            }
            any = true;
            logins += 1;
            sql.push_str(&format!(
                "({id},'{role}{id}@scale.example',{},{},'{role}',{now},{now},{now})",
                lit(&format!("{} {role}", name)),
                lit(&hash)
            ));
        }
        if any {
            sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let entries: Vec<_> = rollup.into_iter().collect();
    for chunk in entries.chunks(5000) {
        let mut tx = state.db.begin().await?;
        let mut sql =
            String::from("INSERT INTO account_rollup (account_id, kind, direct, total) VALUES ");
        for (i, ((a, k), (direct, total))) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("({a},'{k}',{direct},{total})"));
        }
        sql.push_str(
            " ON CONFLICT (account_id, kind) DO UPDATE SET direct = account_rollup.direct + excluded.direct, \
             total = account_rollup.total + excluded.total",
        );
        sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        tx.commit().await?;
    }
    let licenses = scale_licenses(state, start_id).await?;
    if state.db.backend == crate::kernel::db::Backend::Postgres {
        let mut tx = state.db.begin().await?;
        for t in ["accounts", "logins", "licenses"] {
            sqlx::raw_sql(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        sqlx::raw_sql("ANALYZE").execute(&state.db.pool).await?;
    } else {
        // One segment per trigram after a bulk load, so a search reads each posting list once.
        sqlx::raw_sql("INSERT INTO account_names (account_names) VALUES ('optimize')")
            .execute(&state.db.pool)
            .await?;
        sqlx::raw_sql("ANALYZE").execute(&state.db.pool).await?;
    }
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        now,
        &audit::Actor::system(),
        audit::Entry {
            subject_account_id: Some(op.id),
            action: "demo.scale",
            target_type: None,
            target_id: None,
            detail: Some(format!(
                "{} accounts, {logins} logins, {licenses} licenses",
                g.accounts.len()
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ScaleSummary {
        accounts: g.accounts.len(),
        closure_rows,
        logins,
        licenses,
        largest_partner: big,
    })
}

/// The license type of an account in the scale tree: one its kind may hold (see
/// `licenses::holder_kinds`), in turn over the accounts of each kind (`rn`, their number in
/// id order), so every type its kind may hold occurs in every state.
const SCALE_TYPE: &str = "CASE a.kind \
    WHEN 'partner' THEN CASE (a.rn / 4) % 4 WHEN 0 THEN 'development' WHEN 1 THEN 'partner' \
                        WHEN 2 THEN 'agent' ELSE 'login' END \
    WHEN 'reseller' THEN CASE (a.rn / 4) % 3 WHEN 0 THEN 'development' WHEN 1 THEN 'agent' ELSE 'login' END \
    ELSE CASE (a.rn / 4) % 3 WHEN 0 THEN 'agent' WHEN 1 THEN 'login' ELSE 'player' END END";
const SCALE_STATE: &str = "CASE a.rn % 4 WHEN 0 THEN 'active' WHEN 1 THEN 'pending' \
    WHEN 2 THEN 'inactive' ELSE 'expired' END";

/// One license for every account from `first_id` on, of a type its kind may hold and in every
/// state in turn (a partner license bound to its partner, seats on login and agent licenses,
/// expired ones ended in the past), issued by the account above; and their counts added to
/// the totals of every account above the holders, in one transaction, so the totals equal a
/// live count. Returns how many it wrote.
pub async fn scale_licenses(state: &AppState, first_id: i64) -> Result<i64, AppError> {
    let now = state.now_ms();
    let day = 86_400_000i64;
    // Computed here: PostgreSQL reads `30 * 86400000` as a 32-bit product and overflows.
    let start = now - 30 * day;
    let mut tx = state.db.begin().await?;
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM licenses")
        .fetch_one(&mut *tx)
        .await?;
    let written = sqlx::query(&format!(
        "INSERT INTO licenses (tenant_id, license_type, state, holder_id, holder_path, issuer_id, \
         bound_account_id, seats, starts_at, ends_at, created_at, updated_at) \
         SELECT x.tenant_id, x.t, x.s, x.id, x.path, x.issuer, \
           CASE WHEN x.t = 'partner' THEN x.id ELSE NULL END, \
           CASE WHEN x.t IN ('agent', 'login') THEN 1 + x.id % 9 ELSE NULL END, \
           {start}, \
           CASE WHEN x.s = 'expired' THEN {now} - (1 + x.id % 20) * {day} \
                WHEN x.id % 7 = 0 THEN NULL ELSE {now} + (1 + x.id % 400) * {day} END, \
           {now}, {now} \
         FROM (SELECT a.id, a.tenant_id, a.path, a.issuer, {SCALE_TYPE} AS t, {SCALE_STATE} AS s \
               FROM (SELECT id, tenant_id, path, kind, COALESCE(parent_id, id) AS issuer, \
                     ROW_NUMBER() OVER (PARTITION BY kind ORDER BY id) - 1 AS rn \
                     FROM accounts WHERE id >= $1 AND depth > 0) a) x"
    ))
    .bind(first_id)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    sqlx::query(
        "INSERT INTO license_totals (account_id, license_type, state, n) \
         SELECT c.ancestor_id, l.license_type, l.state, COUNT(*) FROM licenses l \
         JOIN account_closure c ON c.descendant_id = l.holder_id WHERE l.id > $1 \
         GROUP BY c.ancestor_id, l.license_type, l.state \
         ON CONFLICT (account_id, license_type, state) DO UPDATE SET n = license_totals.n + excluded.n",
    )
    .bind(before)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(written)
}
