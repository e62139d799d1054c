//! Planning a page of the accounts list: the SQL for the filter, sort and cursor given.

use super::*;

/// Checks a list filter and builds its SQL. The subtree's size (from the rollups) picks the
/// plan: a page sorted by name walks the name index, checking each account against the closure,
/// when the subtree is big (at least `WALK_INDEX_FROM`) and holds at least 1% of all accounts, so
/// that a page is found within a few thousand index entries; otherwise the subtree is read as a
/// range of paths and sorted.
pub fn plan_list(
    backend: Backend,
    root: &Account,
    children_only: bool,
    f: &ListFilter,
    sizes: TreeSizes,
) -> AppResult<ListPlan> {
    let TreeSizes {
        below: total_below,
        all: all_accounts,
        path: root_path,
        candidates,
    } = sizes;
    let root_id = root.id;
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::validation(
            "q",
            "Search text must be at most 100 characters",
        ));
    }
    let kind = f.kind.as_deref().filter(|k| !k.is_empty());
    if kind.is_some_and(|k| !KINDS.contains(&k)) {
        return Err(AppError::validation(
            "kind",
            "Kind must be operator, partner, reseller, dealer or customer",
        ));
    }
    let status = f.status.as_deref().filter(|s| !s.is_empty());
    if status.is_some_and(|s| s != "active" && s != "inactive") {
        return Err(AppError::validation(
            "status",
            "Status must be active or inactive",
        ));
    }
    let (key, sort) = match f.sort.as_deref().unwrap_or("name") {
        "name" | "" => ("name", "a.name"),
        "created" => ("created", "a.created_at"),
        "kind" => ("kind", "a.kind"),
        "status" => ("status", "a.status"),
        _ => {
            return Err(AppError::validation(
                "sort",
                "Sort by name, created, kind or status",
            ))
        }
    };
    let dir = match f.dir.as_deref().unwrap_or("asc") {
        "asc" | "" => "ASC",
        "desc" => "DESC",
        _ => return Err(AppError::validation("dir", "Direction must be asc or desc")),
    };
    let desc = dir == "DESC";
    let nonempty = |c: &Option<String>| c.clone().filter(|c| !c.trim().is_empty());
    let cursor = match (nonempty(&f.after), nonempty(&f.before)) {
        (Some(_), Some(_)) => {
            return Err(AppError::field_code(
                ErrorCode::CursorInvalid,
                "before",
                "Send after or before, not both",
            ))
        }
        (Some(c), None) => Some((false, Cursor::decode(&c, key, desc, "after")?)),
        (None, Some(c)) => Some((true, Cursor::decode(&c, key, desc, "before")?)),
        (None, None) => None,
    };
    let (page, per_page) = paging(f.page, f.per_page);
    let folded = q.map(search::fold);
    let by_name = sort == "a.name";
    let walk_index = !children_only
        && by_name
        && q.is_none()
        && total_below >= WALK_INDEX_FROM
        && total_below * 100 >= all_accounts;
    // How a name search finds its rows (see `SearchPlan`).
    let search_plan = match &folded {
        None => None,
        Some(_) if children_only => Some(SearchPlan::Scan),
        Some(_) if total_below <= SEARCH_SCAN_UP_TO => Some(SearchPlan::Scan),
        Some(fq)
            if search::uses_trigrams(fq) && candidates.is_some_and(|c| c < SEARCH_CANDIDATES) =>
        {
            Some(SearchPlan::Candidates)
        }
        Some(_) if by_name => Some(SearchPlan::Walk),
        Some(fq) if search::uses_trigrams(fq) => Some(SearchPlan::Candidates),
        Some(_) => Some(SearchPlan::Scan),
    };

    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM "));
    if children_only {
        // Walks the index (parent_id, name, id) when sorted by name.
        sql.push("accounts a WHERE a.parent_id = ").int(root_id);
    } else if walk_index {
        sql.push("accounts a WHERE EXISTS (SELECT 1 FROM account_closure c WHERE c.ancestor_id = ")
            .int(root_id)
            .push(" AND c.descendant_id = a.id AND c.depth > 0)");
    } else {
        sql.push("accounts a WHERE ");
        match (search_plan, search::tenant_of_path(&root_path)) {
            (Some(SearchPlan::Candidates), _) => {
                sql.push("a.id IN (");
                search::push_candidates(&mut sql, backend, folded.as_deref().unwrap_or(""));
                sql.push(") AND ");
            }
            // Walks the tree's accounts by name in the index (tenant_id, name, id, name_folded).
            (Some(SearchPlan::Walk), Some(t)) => {
                sql.push("a.tenant_id = ").int(t).push(" AND ");
            }
            _ => {}
        }
        // Everything below is one range of paths: after `/1/2/`, before `/1/20`.
        let upper = format!("{}0", root_path.trim_end_matches('/'));
        // A search that walks a name index or takes the trigram index's candidates tests the
        // range on each row found. SQLite, which keeps no histogram of paths (built without
        // STAT4), takes any range of them for a small part of the table and would read the whole
        // subtree by path and sort it (the operator's "har": 640 ms instead of 16 at 1,000,000
        // accounts); the `+` keeps the path index out of its choice. PostgreSQL knows the range's
        // size from its statistics.
        let path = match (backend, search_plan) {
            (Backend::Sqlite, Some(SearchPlan::Walk | SearchPlan::Candidates)) => "+a.path",
            _ => "a.path",
        };
        sql.push(&format!("{path} > "))
            .str(&root_path)
            .push(&format!(" AND {path} < "))
            .str(&upper);
    }
    sql.push(" AND a.status <> 'deleted'");
    if let Some(k) = kind {
        sql.push(" AND a.kind = ").str(k);
    }
    if let Some(s) = status {
        sql.push(" AND a.status = ").str(s);
    }
    if let Some(fq) = &folded {
        search::push_contains(&mut sql, "a", fq);
    }
    let order = format!(" ORDER BY {sort} {dir}, a.id {dir}");
    let mut total_cap = None;
    let total = if q.is_none() && status.is_none() && kind.is_none() && !children_only {
        Ok(total_below)
    } else if q.is_none() && status.is_none() {
        let col = if children_only { "direct" } else { "total" };
        let mut t = Sql::new(&format!(
            "SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM account_rollup WHERE account_id = "
        ));
        t.int(root_id);
        if let Some(k) = kind {
            t.push(" AND kind = ").str(k);
        }
        Err(t)
    } else {
        let ids = sql
            .text
            .replacen(&format!("SELECT {COLUMNS} FROM "), "SELECT a.id FROM ", 1);
        let text = if search_plan == Some(SearchPlan::Walk) {
            // Counted while walking the same index as the page, up to the cap.
            total_cap = Some(SEARCH_TOTAL_CAP);
            format!(
                "SELECT COUNT(*) FROM ({ids}{order} LIMIT {}) x",
                SEARCH_TOTAL_CAP + 1
            )
        } else {
            format!("SELECT COUNT(*) FROM ({ids}) x")
        };
        Err(Sql {
            text,
            args: sql.args.clone(),
        })
    };
    // One row more than a page tells whether a page follows (or, backwards, comes before).
    let backwards = cursor.as_ref().is_some_and(|(b, _)| *b);
    if let Some((_, c)) = &cursor {
        // A keyset page: the rows past the cursor's (value, id), found in the index that gives
        // the order ((parent_id, name, id) and its siblings for the other sorts).
        let op = if desc != backwards { "<" } else { ">" };
        sql.push(&format!(" AND ({sort}, a.id) {op} ("));
        match &c.value {
            CursorValue::Int(n) => sql.int(*n),
            CursorValue::Text(t) => sql.str(t),
        };
        sql.push(", ").int(c.id).push(")");
        let order = if backwards {
            let rev = if desc { "ASC" } else { "DESC" };
            format!(" ORDER BY {sort} {rev}, a.id {rev}")
        } else {
            order
        };
        sql.push(&format!("{order} LIMIT ")).int(per_page + 1);
    } else if children_only && page > 1 {
        // A page number past the first: the rows before it are skipped in the index of the
        // sort (which holds the id, the status and, by name, the kind), so no skipped account's
        // row is read; then the page's rows are read by id.
        let ids = sql
            .text
            .replacen(&format!("SELECT {COLUMNS} FROM "), "SELECT a.id FROM ", 1);
        sql = Sql {
            text: format!("SELECT {COLUMNS} FROM accounts a WHERE a.id IN ({ids}"),
            args: sql.args,
        };
        sql.push(&format!("{order} LIMIT "))
            .int(per_page + 1)
            .push(" OFFSET ")
            .int((page - 1) * per_page)
            .push(&format!("){order}"));
    } else {
        sql.push(&format!("{order} LIMIT "))
            .int(per_page + 1)
            .push(" OFFSET ")
            .int((page - 1) * per_page);
    }
    Ok(ListPlan {
        items: sql,
        total,
        total_cap,
        page,
        per_page,
        sort: key,
        desc,
        backwards,
        by_cursor: cursor.is_some(),
    })
}

/// The cursor of a row of a list sorted by `sort`.
pub(super) fn cursor_of(row: &Row, sort: &str, desc: bool) -> Result<String, sqlx::Error> {
    let value = match sort {
        "created" => CursorValue::Int(row.try_get("created_at")?),
        "kind" => CursorValue::Text(row.try_get("kind")?),
        "status" => CursorValue::Text(row.try_get("status")?),
        _ => CursorValue::Text(row.try_get("name")?),
    };
    Ok(Cursor {
        sort: sort.to_string(),
        desc,
        id: row.try_get("id")?,
        value,
    }
    .encode())
}
