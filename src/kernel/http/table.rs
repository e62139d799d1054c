//! The one table component every list page uses: sortable column headers (links that keep the
//! filters), a page size choice, page numbers with a jump to a page, and the query parameters
//! they send. Templates include `layout/table_head.html` and `layout/table_pager.html` with a
//! `table: Table` in scope.

use crate::kernel::error::AppError;
use crate::kernel::http::layout::url_encode;
use crate::kernel::query::Page;
use serde::Deserialize;

/// The page sizes offered under every table.
pub const PAGE_SIZES: [i64; 4] = [10, 25, 50, 100];

/// The page size when none is chosen.
pub const DEFAULT_PER_PAGE: i64 = 25;

/// The sort and page parameters of a list (API and pages alike).
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Sort key: one of the columns the list documents (unknown keys: 422 `validation_failed`
    /// with `field` = `sort`).
    pub sort: Option<String>,
    /// asc (default) or desc.
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 25, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

/// A sort checked against a list's whitelist: the SQL expression and its direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sort {
    pub key: &'static str,
    pub column: &'static str,
    pub desc: bool,
}

impl Sort {
    /// ` ORDER BY column dir` (ties broken by `tie` in the same direction).
    pub fn order_by(&self, tie: &str) -> String {
        let d = if self.desc { "DESC" } else { "ASC" };
        format!(" ORDER BY {} {d}, {tie} {d}", self.column)
    }
}

impl ListParams {
    /// Checks `sort` against `allowed` (key → SQL column; the first is the default, with
    /// `default_desc`) and `dir`. Unknown values are a 422 naming the field and the keys.
    pub fn sort(
        &self,
        allowed: &[(&'static str, &'static str)],
        default_desc: bool,
    ) -> Result<Sort, AppError> {
        let key = self.sort.as_deref().map(str::trim).unwrap_or("");
        let (key, column) = if key.is_empty() {
            allowed[0]
        } else {
            *allowed.iter().find(|(k, _)| *k == key).ok_or_else(|| {
                AppError::validation(
                    "sort",
                    format!(
                        "Sort by {}",
                        allowed
                            .iter()
                            .map(|(k, _)| *k)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?
        };
        let desc = match self.dir.as_deref().map(str::trim) {
            None | Some("") => default_desc && self.sort.as_deref().unwrap_or("").is_empty(),
            Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(AppError::validation("dir", "Direction must be asc or desc")),
        };
        Ok(Sort { key, column, desc })
    }

    /// `(page, per_page)` within bounds.
    pub fn paging(&self) -> (i64, i64) {
        crate::kernel::query::paging(self.page, self.per_page)
    }

    /// The same parameters without an unknown sort (pages: ignore it, show a message).
    pub fn without_sort(&self) -> ListParams {
        ListParams {
            sort: None,
            dir: None,
            ..self.clone()
        }
    }
}

/// One column header.
#[derive(Clone, Debug)]
pub struct Column {
    pub label: &'static str,
    /// The sort key, when the column sorts.
    pub sort: Option<&'static str>,
}

/// A column that sorts by `key`.
pub const fn sortable(label: &'static str, key: &'static str) -> Column {
    Column {
        label,
        sort: Some(key),
    }
}

/// A column that does not sort.
pub const fn plain(label: &'static str) -> Column {
    Column { label, sort: None }
}

/// What the table templates need: where the list lives, the filters to keep, the columns, the
/// sort in force and the page.
#[derive(Clone, Debug)]
pub struct Table {
    /// The list's path, e.g. `/accounts`.
    pub path: String,
    /// The filters (`k`, `v`) to keep in every link, without sort, dir, page and per_page.
    pub filters: Vec<(String, String)>,
    pub columns: Vec<Column>,
    pub sort: String,
    pub desc: bool,
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
    /// The list's page size when none is asked for (left out of links).
    pub default_per_page: i64,
    pub total: i64,
    /// The total as shown: "1,234", or "1,000+" when counting stopped at a cap.
    pub total_text: String,
    /// A first column of row checkboxes (bulk actions).
    pub select: bool,
    /// The id of the `<table>` (also names the controls: `{id}-page-3`, `{id}-jump`…).
    pub id: &'static str,
    /// The query parameters of the sort and its direction: `sort` and `dir`, or others when two
    /// tables share a page (the logins of an account use `lsort` and `ldir`).
    pub sort_param: &'static str,
    pub dir_param: &'static str,
    /// The query parameters of the page number and size: `page` and `per_page`, or others
    /// for a second table on a page (`lpage`, `lper_page`).
    pub page_param: &'static str,
    pub per_page_param: &'static str,
    /// A fragment every link ends with (`#logins`), so a click keeps the table in sight.
    pub anchor: Option<&'static str>,
    /// Cursors of the rows around this page, when the list pages by keyset: the Next link asks
    /// for the rows `after` the last one, the Previous link for those `before` the first one.
    pub next_after: Option<String>,
    pub prev_before: Option<String>,
    /// With cursors: whether a next page exists (the last page has no Next link).
    pub has_more: Option<bool>,
}

impl Table {
    pub fn new<T>(
        id: &'static str,
        path: &str,
        filters: &[(&str, Option<&str>)],
        columns: Vec<Column>,
        sort: &Sort,
        page: &Page<T>,
    ) -> Table {
        Table {
            path: path.to_string(),
            filters: filters
                .iter()
                .filter_map(|(k, v)| {
                    v.map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| (k.to_string(), v.to_string()))
                })
                .collect(),
            columns,
            sort: sort.key.to_string(),
            desc: sort.desc,
            page: page.page,
            pages: page.pages(),
            per_page: page.per_page,
            default_per_page: DEFAULT_PER_PAGE,
            total: page.total,
            total_text: page.total_label(),
            select: false,
            id,
            sort_param: "sort",
            dir_param: "dir",
            page_param: "page",
            per_page_param: "per_page",
            anchor: None,
            next_after: None,
            prev_before: None,
            has_more: None,
        }
    }

    /// Names the sort and direction parameters (two tables on one page, each its own).
    pub fn with_sort_params(mut self, sort: &'static str, dir: &'static str) -> Table {
        self.sort_param = sort;
        self.dir_param = dir;
        self
    }

    /// Names the page and page size parameters (two tables on one page, each its own).
    pub fn with_page_params(mut self, page: &'static str, per_page: &'static str) -> Table {
        self.page_param = page;
        self.per_page_param = per_page;
        self
    }

    /// The ids of the Previous and Next links: `prev-page` and `next-page` for a page's main
    /// table, `{id}-prev` and `{id}-next` for a second one.
    pub fn prev_id(&self) -> String {
        if self.page_param == "page" {
            "prev-page".into()
        } else {
            format!("{}-prev", self.id)
        }
    }

    pub fn next_id(&self) -> String {
        if self.page_param == "page" {
            "next-page".into()
        } else {
            format!("{}-next", self.id)
        }
    }

    /// Ends every link with `#anchor`.
    pub fn with_anchor(mut self, anchor: &'static str) -> Table {
        self.anchor = Some(anchor);
        self
    }

    /// Pages by keyset: Next asks for the rows after `next` (none: this is the last page),
    /// Previous for the rows before `prev` (none: page 1 by number).
    pub fn with_cursors(mut self, next: Option<String>, prev: Option<String>) -> Table {
        self.has_more = Some(next.is_some());
        self.next_after = next;
        self.prev_before = prev;
        self
    }

    pub fn with_default_per_page(mut self, n: i64) -> Table {
        self.default_per_page = n;
        self
    }

    pub fn with_select(mut self, select: bool) -> Table {
        self.select = select;
        self
    }

    fn href(&self, sort: &str, desc: bool, page: i64, per_page: i64) -> String {
        let mut parts: Vec<String> = self
            .filters
            .iter()
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect();
        parts.push(format!("{}={}", self.sort_param, url_encode(sort)));
        parts.push(format!(
            "{}={}",
            self.dir_param,
            if desc { "desc" } else { "asc" }
        ));
        if per_page != self.default_per_page {
            parts.push(format!("{}={per_page}", self.per_page_param));
        }
        if page > 1 {
            parts.push(format!("{}={page}", self.page_param));
        }
        let anchor = self.anchor.map(|a| format!("#{a}")).unwrap_or_default();
        format!("{}?{}{anchor}", self.path, parts.join("&"))
    }

    /// The Next link: by cursor when the list pages by keyset, else by number.
    pub fn next_href(&self) -> String {
        match &self.next_after {
            Some(c) => self.cursor_href("after", c, self.page + 1),
            None => self.page_href(self.page + 1),
        }
    }

    /// The Previous link: by cursor when the list pages by keyset and the page before is not
    /// the first, else by number.
    pub fn prev_href(&self) -> String {
        match &self.prev_before {
            Some(c) if self.page > 2 => self.cursor_href("before", c, self.page - 1),
            _ => self.page_href(self.page - 1),
        }
    }

    /// Whether there is a page after this one.
    pub fn has_next(&self) -> bool {
        self.has_more.unwrap_or(self.page < self.pages)
    }

    /// A link to the rows `after`/`before` a cursor, numbered `page` (the number only labels
    /// the page; the cursor finds its rows).
    fn cursor_href(&self, which: &str, cursor: &str, page: i64) -> String {
        let base = self.href(&self.sort, self.desc, page, self.per_page);
        let (base, anchor) = match base.split_once('#') {
            Some((b, a)) => (b.to_string(), format!("#{a}")),
            None => (base, String::new()),
        };
        format!("{base}&{which}={}{anchor}", url_encode(cursor))
    }

    /// The link of a header: sorts by it (the other way round when it is the sort in force),
    /// back on page 1.
    pub fn sort_href(&self, key: &str) -> String {
        let desc = key == self.sort && !self.desc;
        self.href(key, desc, 1, self.per_page)
    }

    /// `aria-sort` of a header.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (key == self.sort, self.desc) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    pub fn arrow(&self, key: &str) -> &'static str {
        match (key == self.sort, self.desc) {
            (false, _) => "↕",
            (true, false) => "▲",
            (true, true) => "▼",
        }
    }

    pub fn page_href(&self, page: i64) -> String {
        self.href(&self.sort, self.desc, page, self.per_page)
    }

    /// The link of the page shown (to come back to after a bulk action).
    pub fn here(&self) -> String {
        self.page_href(self.page)
    }

    /// The page numbers to offer: the first, the last and two around the current one; 0 stands
    /// for a gap.
    pub fn page_numbers(&self) -> Vec<i64> {
        let mut out = Vec::new();
        for n in 1..=self.pages {
            if n == 1 || n == self.pages || (n - self.page).abs() <= 2 {
                out.push(n);
            } else if out.last() != Some(&0) {
                out.push(0);
            }
        }
        out
    }

    /// The hidden inputs of the page size and jump forms: the filters and the sort.
    pub fn hidden(&self) -> Vec<(String, String)> {
        let mut h = self.filters.clone();
        h.push((self.sort_param.into(), self.sort.clone()));
        h.push((
            self.dir_param.into(),
            if self.desc { "desc" } else { "asc" }.to_string(),
        ));
        h
    }

    pub fn sizes(&self) -> Vec<i64> {
        PAGE_SIZES.to_vec()
    }

    /// The first and last row shown (1-based), for "Rows 26–50 of 120".
    pub fn first_row(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            (self.page - 1) * self.per_page + 1
        }
    }

    pub fn last_row(&self) -> i64 {
        (self.page * self.per_page).min(self.total)
    }
}

/// The ids of a bulk form (`ids` repeated, or one `ids` with commas), at most 500, each a
/// positive integer.
pub fn form_ids(pairs: &[(String, String)]) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for (k, v) in pairs {
        if k != "ids" {
            continue;
        }
        for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<i64>() {
                Ok(n) if n > 0 => ids.push(n),
                _ => return Err(AppError::validation("ids", "Ids must be whole numbers")),
            }
        }
    }
    check_ids(ids)
}

/// At least one id, at most 500, without repeats (kept in order).
pub fn check_ids(ids: Vec<i64>) -> Result<Vec<i64>, AppError> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<i64> = ids.into_iter().filter(|i| seen.insert(*i)).collect();
    if ids.is_empty() {
        return Err(AppError::validation("ids", "Select at least one row"));
    }
    if ids.len() > 500 {
        return Err(AppError::validation(
            "ids",
            "At most 500 rows can be changed at once",
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(page: i64, pages: i64) -> Table {
        Table {
            path: "/accounts".into(),
            filters: vec![("q".into(), "a b".into())],
            columns: vec![],
            sort: "name".into(),
            desc: false,
            page,
            pages,
            per_page: 50,
            default_per_page: DEFAULT_PER_PAGE,
            total: pages * 50,
            total_text: String::new(),
            select: false,
            id: "t",
            sort_param: "sort",
            dir_param: "dir",
            page_param: "page",
            per_page_param: "per_page",
            anchor: None,
            next_after: None,
            prev_before: None,
            has_more: None,
        }
    }

    #[test]
    fn links_keep_filters_and_toggle_direction() {
        let t = table(3, 10);
        assert_eq!(
            t.sort_href("name"),
            "/accounts?q=a%20b&sort=name&dir=desc&per_page=50"
        );
        assert_eq!(
            t.sort_href("created"),
            "/accounts?q=a%20b&sort=created&dir=asc&per_page=50"
        );
        assert_eq!(
            t.page_href(4),
            "/accounts?q=a%20b&sort=name&dir=asc&per_page=50&page=4"
        );
        assert_eq!(t.page_numbers(), vec![1, 2, 3, 4, 5, 0, 10]);
        assert_eq!(table(1, 1).page_numbers(), vec![1]);
    }

    #[test]
    fn a_second_table_has_its_own_parameters_and_cursors() {
        let t = table(3, 10)
            .with_sort_params("lsort", "ldir")
            .with_anchor("logins");
        assert_eq!(
            t.sort_href("email"),
            "/accounts?q=a%20b&lsort=email&ldir=asc&per_page=50#logins"
        );
        // A second table on the page pages by its own parameters, with its own link ids.
        let t = table(3, 10)
            .with_sort_params("lsort", "ldir")
            .with_page_params("lpage", "lper_page");
        assert_eq!(
            t.page_href(4),
            "/accounts?q=a%20b&lsort=name&ldir=asc&lper_page=50&lpage=4"
        );
        assert_eq!(
            (t.prev_id().as_str(), t.next_id().as_str()),
            ("t-prev", "t-next")
        );
        assert_eq!(table(3, 10).next_id(), "next-page");
        let t = table(3, 10).with_cursors(Some("abc".into()), Some("xyz".into()));
        assert_eq!(
            t.next_href(),
            "/accounts?q=a%20b&sort=name&dir=asc&per_page=50&page=4&after=abc"
        );
        assert_eq!(
            t.prev_href(),
            "/accounts?q=a%20b&sort=name&dir=asc&per_page=50&page=2&before=xyz"
        );
        assert!(t.has_next());
        let last = table(3, 10).with_cursors(None, Some("xyz".into()));
        assert!(!last.has_next());
        let second = table(2, 10).with_cursors(Some("abc".into()), Some("xyz".into()));
        assert_eq!(
            second.prev_href(),
            "/accounts?q=a%20b&sort=name&dir=asc&per_page=50"
        );
    }

    #[test]
    fn sorts_are_whitelisted() {
        let allowed = [("name", "a.name"), ("created", "a.created_at")];
        let p = ListParams {
            sort: Some("created".into()),
            dir: Some("desc".into()),
            ..Default::default()
        };
        assert_eq!(p.sort(&allowed, false).unwrap().column, "a.created_at");
        let bad = ListParams {
            sort: Some("password; --".into()),
            ..Default::default()
        };
        assert_eq!(bad.sort(&allowed, false).unwrap_err().field(), Some("sort"));
        assert!(form_ids(&[("ids".into(), "1,x".into())]).is_err());
        assert_eq!(
            form_ids(&[("ids".into(), "3".into()), ("ids".into(), "3,4".into())]).unwrap(),
            vec![3, 4]
        );
    }
}
