//! Type-to-search: the first accounts found below an account whose name holds a text, for the
//! Current view switcher and the dashboard's "Login as" box, which show a few names and no total.
//!
//! A list sorted by name must read every match of a fragment before it knows the first ten by
//! name: for a fragment found in tens of thousands of names ("sum" in every "Summit …") it walks
//! the name index from "A" to the first "Summit" (105 ms over 1,000,000 accounts). Type-to-search
//! instead takes the matches in an order it can read them in (SQLite: the trigram index's, by
//! id; PostgreSQL: the subtree's, by path), stops at the tenth, and shows those ten by name.

use super::*;

/// What type-to-search reads at most before a subtree in which the fragment is rare is searched
/// the way a list is (see `found_below`): on SQLite, candidates of the trigram index; on
/// PostgreSQL, accounts of the subtree (see `search::push_first_candidates`).
const QUICK_CANDIDATES: i64 = 4000;
const QUICK_ROWS_PG: i64 = 10_000;

/// What type-to-search is asked: `GET /api/v1/accounts/{id}/found`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FoundQuery {
    /// Part of the name, any case (empty: the first accounts below by name).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only this kind.
    #[param(schema_with = kind_values)]
    pub kind: Option<String>,
    /// How many at most (default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

/// Type-to-search's answer: the accounts found, by name.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FoundAccounts {
    pub items: Vec<Account>,
    /// As many as asked were found: there may be more (type more of the name to narrow them).
    pub more: bool,
}

/// Up to `limit` accounts below `root` whose name holds `q` (any case), of kind `kind` when
/// given, ordered by name. With a fragment of three characters or more over a subtree that is
/// not read whole (over `SEARCH_SCAN_UP_TO` accounts), these are the first found, not the first
/// by name: the first `limit` matches in the order `search::push_first_candidates` reads them.
/// Otherwise, and when what it reads within its budget holds fewer than `limit` of the
/// subtree's matches while there is more to read, they are the first by name, as the list
/// gives them.
pub async fn found_below(
    state: &AppState,
    who: &Identity,
    root: AccountId,
    q: Option<&str>,
    kind: Option<&str>,
    limit: i64,
) -> AppResult<Vec<Account>> {
    // The API holds `limit` to 1–50 before this; kept in range here too.
    let limit = limit.clamp(1, 50);
    let f = ListFilter {
        q: q.map(str::to_string),
        kind: kind.filter(|k| !k.is_empty()).map(str::to_string),
        per_page: Some(limit),
        ..Default::default()
    };
    let (root, sizes) = reached_root(state, who, root).await?;
    // Checks the filter (the text's length, the kind) before anything is read.
    plan_list(state.db.backend, &root, false, &f, sizes.clone())?;
    let folded =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| search::uses_trigrams(q))
            .map(search::fold);
    if let Some(fq) = folded.filter(|_| sizes.below > SEARCH_SCAN_UP_TO) {
        let budget = match state.db.backend {
            Backend::Sqlite => QUICK_CANDIDATES,
            Backend::Postgres => QUICK_ROWS_PG,
        };
        let found =
            first_found(&state.db, &root.path, &fq, f.kind.as_deref(), limit, budget).await?;
        // Fewer than asked: all there is, unless the read stopped at its budget.
        let complete = found.len() as i64 >= limit
            || match state.db.backend {
                Backend::Sqlite => !more_candidates(&state.db, &fq).await?,
                Backend::Postgres => sizes.below <= budget,
            };
        if complete {
            return Ok(found);
        }
    }
    let plan = plan_with_candidates(&state.db, &root, false, &f, sizes).await?;
    Ok(run_list(&state.db, &plan).await?.items)
}

/// The first `limit` matches below `path` among what type-to-search reads first (at most
/// `budget`; see `search::push_first_candidates`), then shown by name. It is read lazily: a
/// fragment common in the subtree stops after a few dozen.
async fn first_found(
    db: &Db,
    path: &str,
    folded: &str,
    kind: Option<&str>,
    limit: i64,
    budget: i64,
) -> Result<Vec<Account>, sqlx::Error> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS).push(" FROM ");
    let order = search::push_first_candidates(&mut sql, db.backend, folded, path, budget);
    // The path range is tested on each candidate, never looked up (see `plan_list`).
    let upper = format!("{}0", path.trim_end_matches('/'));
    let col = match db.backend {
        Backend::Sqlite => "+a.path",
        Backend::Postgres => "a.path",
    };
    sql.push(&format!(" AND {col} > "))
        .str(path)
        .push(&format!(" AND {col} < "))
        .str(&upper)
        .push(" AND a.status <> 'deleted'");
    if let Some(k) = kind {
        sql.push(" AND a.kind = ").str(k);
    }
    search::push_contains(&mut sql, "a", folded);
    sql.push(&format!(" ORDER BY {order} LIMIT ")).int(limit);
    // Shown by name in the database's order of names, as the list sorts them.
    let sql = Sql {
        text: format!(
            "SELECT * FROM ({}) first_found ORDER BY first_found.name, first_found.id",
            sql.text
        ),
        args: sql.args,
    };
    let rows = sql.query().fetch_all(&db.pool).await?;
    rows.iter().map(from_row).collect()
}

/// True when the trigram index holds more than `QUICK_CANDIDATES` candidates for a fragment.
async fn more_candidates(db: &Db, folded: &str) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM (");
    search::push_candidates(&mut sql, db.backend, folded);
    sql.push(&format!(" LIMIT {}) x", QUICK_CANDIDATES + 1));
    Ok(sql.scalar::<i64>().fetch_one(&db.pool).await? > QUICK_CANDIDATES)
}
