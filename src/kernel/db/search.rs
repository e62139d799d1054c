//! Name search: the one place that knows how each database finds names containing a fragment.
//!
//! Names are searched in `accounts.name_folded`, the name folded to lower case in Rust
//! ([`fold`]), so "ÉCOLE" finds "école" on SQLite and PostgreSQL alike (SQLite's own `LOWER`
//! folds ASCII only). A fragment of three characters or more is looked up in a trigram index:
//! SQLite's FTS5 table `account_names` (trigram tokenizer, kept by triggers on `accounts` in the
//! same transaction as every insert, rename and delete), PostgreSQL's `pg_trgm` GIN index on
//! `name_folded`. Shorter fragments have no trigram: they are matched with `LIKE` on the folded
//! name while a list walks its own index.

use super::Backend;
use crate::kernel::query::Sql;

/// Fragments shorter than this are not looked up in the trigram index.
pub const MIN_TRIGRAM_CHARS: usize = 3;

/// A name as it is searched: lower case, beyond ASCII (Unicode's lower case mapping, as Rust's
/// `to_lowercase`). The dot above that Turkish "İ" keeps in lower case ("i̇") is dropped, so
/// "izmir" and "İZMİR" both find "İzmir"; "ß" stays "ß" (and "ẞ" becomes "ß").
pub fn fold(name: &str) -> String {
    let lower = name.to_lowercase();
    if lower.contains('\u{307}') {
        lower.replace("i\u{307}", "i")
    } else {
        lower
    }
}

/// The trigram index of each backend (part of migration 6).
pub fn index_ddl(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "CREATE VIRTUAL TABLE account_names USING fts5(name_folded, content='accounts', \
               content_rowid='id', tokenize='trigram case_sensitive 1', detail='none');\n\
             CREATE TRIGGER account_names_insert AFTER INSERT ON accounts BEGIN \
               INSERT INTO account_names (rowid, name_folded) VALUES (new.id, new.name_folded); END;\n\
             CREATE TRIGGER account_names_delete AFTER DELETE ON accounts BEGIN \
               INSERT INTO account_names (account_names, rowid, name_folded) VALUES ('delete', old.id, old.name_folded); END;\n\
             CREATE TRIGGER account_names_rename AFTER UPDATE OF name_folded ON accounts BEGIN \
               INSERT INTO account_names (account_names, rowid, name_folded) VALUES ('delete', old.id, old.name_folded); \
               INSERT INTO account_names (rowid, name_folded) VALUES (new.id, new.name_folded); END;"
        }
        Backend::Postgres => {
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n\
             CREATE INDEX accounts_name_trgm ON accounts USING gin (name_folded gin_trgm_ops);"
        }
    }
}

/// Fills `name_folded` and `tenant_id` of the accounts that exist when migration 6 runs, and
/// builds the trigram index over them.
pub async fn backfill(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    use sqlx::Row as _;
    let rows = sqlx::query("SELECT id, name, path FROM accounts")
        .fetch_all(&mut *conn)
        .await?;
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let name: String = r.try_get("name")?;
        let path: String = r.try_get("path")?;
        sqlx::query("UPDATE accounts SET name_folded = $1, tenant_id = $2 WHERE id = $3")
            .bind(fold(&name))
            .bind(tenant_of_path(&path))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    if backend == Backend::Sqlite {
        sqlx::query("INSERT INTO account_names (account_names) VALUES ('rebuild')")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The tenant of an account from its path (`/1/2/325/` -> 2; the operator's `/1/` -> none).
pub fn tenant_of_path(path: &str) -> Option<i64> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .nth(1)
        .and_then(|s| s.parse().ok())
}

/// `%fragment%` for LIKE on a folded name, LIKE's wildcards taken literally (ESCAPE '\').
pub fn like_pattern(folded: &str) -> String {
    let mut s = String::from("%");
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// Appends ` AND <alias>.name_folded LIKE '%fragment%'` (the check of a row already found).
pub fn push_contains(sql: &mut Sql, alias: &str, folded: &str) {
    sql.push(&format!(" AND {alias}.name_folded LIKE "))
        .str(&like_pattern(folded))
        .push(" ESCAPE '\\'");
}

/// Appends the check that `<alias>.name_folded` holds a search text `q` (trimmed; nothing when
/// empty), for lists small enough to test each row (the children of one account); a text longer
/// than 100 characters is refused.
pub fn push_name_filter(
    sql: &mut Sql,
    alias: &str,
    q: Option<&str>,
) -> Result<(), crate::kernel::error::AppError> {
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 100 {
            return Err(crate::kernel::error::AppError::validation(
                "q",
                "Search text must be at most 100 characters",
            ));
        }
        push_contains(sql, alias, &fold(q));
    }
    Ok(())
}

/// Appends a query that selects `id` of every account whose folded name contains `folded`
/// (at least [`MIN_TRIGRAM_CHARS`] characters), through the trigram index. The ids include
/// accounts marked deleted and, on SQLite, names holding every trigram of the fragment but not
/// the fragment itself: the caller filters (`push_contains`).
pub fn push_candidates(sql: &mut Sql, backend: Backend, folded: &str) {
    match backend {
        Backend::Sqlite => {
            // Every trigram of the fragment (the index keeps no positions, `detail=none`, so it
            // is small): a superset of the names holding the fragment, which the caller checks
            // with LIKE on the row.
            sql.push("SELECT rowid AS id FROM account_names WHERE account_names MATCH ")
                .str(&fts_trigrams(folded));
        }
        Backend::Postgres => {
            sql.push("SELECT id FROM accounts WHERE name_folded LIKE ")
                .str(&like_pattern(folded))
                .push(" ESCAPE '\\'");
        }
    }
}

/// Appends `<from> WHERE <match>` for the accounts (alias `a`) that type-to-search reads first
/// for `folded` below the account at `path`, and gives the column of their order: a caller that
/// orders by it and stops at a few rows reads no more than it needs, and never more than
/// `budget`. What is read may hold names without the fragment: the caller adds `push_contains`,
/// the path range and its own filters after it.
/// - SQLite: the first `budget` candidates of the trigram index for the whole panel, by id.
/// - PostgreSQL: the first `budget` live accounts of the subtree by path (`accounts_path`). Its trigram
///   index gives matches in no order, and reading all of a common fragment's (tens of thousands
///   at 1,000,000 accounts) takes 40–140 ms.
pub fn push_first_candidates(
    sql: &mut Sql,
    backend: Backend,
    folded: &str,
    path: &str,
    budget: i64,
) -> &'static str {
    match backend {
        Backend::Sqlite => {
            let m = fts_trigrams(folded);
            // The rowid bound lets FTS5 stop at the budget's last candidate; the scalar subquery
            // that finds it reads only the index (and runs once).
            sql.push("account_names JOIN accounts a ON a.id = account_names.rowid WHERE account_names MATCH ")
                .str(&m)
                .push(" AND account_names.rowid <= COALESCE((SELECT rowid FROM account_names WHERE account_names MATCH ")
                .str(&m)
                .push(&format!(
                    " ORDER BY rowid LIMIT 1 OFFSET {}), 9223372036854775807)",
                    budget.max(1) - 1
                ));
            "account_names.rowid"
        }
        Backend::Postgres => {
            let upper = format!("{}0", path.trim_end_matches('/'));
            // Live accounts only, so that a read that stops short of the budget has seen the
            // whole subtree as its rollups count it.
            sql.push("(SELECT * FROM accounts WHERE path > ")
                .str(path)
                .push(" AND path < ")
                .str(&upper)
                .push(" AND status <> 'deleted' ORDER BY path LIMIT ")
                .int(budget)
                .push(") a WHERE a.name_folded LIKE ")
                .str(&like_pattern(folded))
                .push(" ESCAPE '\\'");
            "a.path"
        }
    }
}

/// The FTS5 query `"har" AND "bor" AND …` of the trigrams that cover a fragment without
/// overlapping (at 0, 3, 6… and the last one). Names holding them all are a superset of those
/// holding the fragment, which the caller tests with LIKE on each row. With `detail=none` FTS5
/// merges every term's whole list of names, so each common trigram left out saves reading it:
/// "harbor caf" took 93 ms with all eight at 1,000,000 accounts and 8 ms with these four, for the
/// same 3,871 names.
fn fts_trigrams(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let windows: Vec<&[char]> = chars.windows(MIN_TRIGRAM_CHARS).collect();
    let last = windows.len().saturating_sub(1);
    let mut seen = std::collections::HashSet::new();
    let mut parts = Vec::new();
    for (i, w) in windows.iter().enumerate() {
        if i % MIN_TRIGRAM_CHARS != 0 && i != last {
            continue;
        }
        let t: String = w.iter().collect();
        if seen.insert(t.clone()) {
            parts.push(format!("\"{}\"", t.replace('"', "\"\"")));
        }
    }
    parts.join(" AND ")
}

/// True when a fragment is long enough for the trigram index.
pub fn uses_trigrams(folded: &str) -> bool {
    folded.chars().count() >= MIN_TRIGRAM_CHARS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_beyond_ascii() {
        assert_eq!(fold("ÉCOLE STRAẞE İstanbul"), "école straße istanbul");
        assert_eq!(fold("ΣΟΦΙΑ"), "σοφια");
    }

    #[test]
    fn tenant_from_path() {
        assert_eq!(tenant_of_path("/1/"), None);
        assert_eq!(tenant_of_path("/1/2/"), Some(2));
        assert_eq!(tenant_of_path("/1/2/325/"), Some(2));
    }

    #[test]
    fn fts_query_of_trigrams() {
        assert_eq!(fts_trigrams("abcd"), "\"abc\" AND \"bcd\"");
        assert_eq!(fts_trigrams("a\"bc"), "\"a\"\"b\" AND \"\"\"bc\"");
        assert_eq!(fts_trigrams("aaaa"), "\"aaa\"");
        assert_eq!(fts_trigrams("abc"), "\"abc\"");
        // Every third one and the last: the fragment is covered, without overlaps.
        assert_eq!(
            fts_trigrams("harbor caf"),
            "\"har\" AND \"bor\" AND \" ca\" AND \"caf\""
        );
        assert_eq!(fts_trigrams("harbor"), "\"har\" AND \"bor\"");
    }

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
