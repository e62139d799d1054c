//! A small builder for SQL with numbered parameters, the same text for both databases.

use sqlx::any::AnyArguments;

#[derive(Clone, Debug)]
pub enum Arg {
    I64(i64),
    Str(String),
}

#[derive(Default, Clone, Debug)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder bound to `a`.
    pub fn arg(&mut self, a: Arg) -> &mut Self {
        self.args.push(a);
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    pub fn int(&mut self, v: impl Into<i64>) -> &mut Self {
        let v: i64 = v.into();
        self.arg(Arg::I64(v))
    }

    pub fn str(&mut self, v: &str) -> &mut Self {
        self.arg(Arg::Str(v.to_string()))
    }

    /// Appends `'v'` as a text literal, not a placeholder: for a value from a closed set (an
    /// enum's name in a LIKE pattern). SQLite re-prepares a cached statement every time a LIKE
    /// pattern that is a parameter is bound again (the pattern may change its plan), so a badge
    /// in every page's layout statement paid a whole prepare per request; with the value in the
    /// text each value has its own cached statement.
    pub fn literal(&mut self, v: &str) -> &mut Self {
        assert!(
            v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "%,_-".contains(c)),
            "a literal is only for names from a closed set"
        );
        self.text.push('\'');
        self.text.push_str(v);
        self.text.push('\'');
        self
    }

    /// Appends `other`, its placeholders renumbered to follow this one's.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        let offset = self.args.len();
        let mut chars = other.text.chars().peekable();
        while let Some(c) = chars.next() {
            self.text.push(c);
            if c != '$' {
                continue;
            }
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => self.text.push_str(&(n + offset).to_string()),
                Err(_) => self.text.push_str(&digits),
            }
        }
        self.args.extend(other.args.iter().cloned());
        self
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Str(v) => q.bind(v.as_str()),
            };
        }
        q
    }

    pub fn scalar<T>(&self) -> sqlx::query::QueryScalar<'_, sqlx::Any, T, AnyArguments<'_>>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + Unpin,
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_scalar(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Str(v) => q.bind(v.as_str()),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_renumbers_the_placeholders_it_brings() {
        let mut a = Sql::new("SELECT (");
        a.int(7).push(" + 1), (");
        let mut b = Sql::new("SELECT COUNT(*) FROM t WHERE x = ");
        b.int(1).push(" AND y = ").str("z").push(" AND w = $1");
        a.append(&b).push(")");
        assert_eq!(
            a.text,
            "SELECT ($1 + 1), (SELECT COUNT(*) FROM t WHERE x = $2 AND y = $3 AND w = $2)"
        );
        assert_eq!(a.args.len(), 3);
        assert!(matches!(&a.args[2], Arg::Str(s) if s == "z"));
    }

    #[test]
    fn a_literal_is_written_into_the_text_and_takes_no_quote() {
        let mut a = Sql::new("SELECT 1 WHERE x LIKE ");
        a.literal("%,partner,%").push(" AND y = ").int(3);
        assert_eq!(a.text, "SELECT 1 WHERE x LIKE '%,partner,%' AND y = $1");
        assert_eq!(a.args.len(), 1);
        let quoted = std::panic::catch_unwind(|| {
            Sql::new("SELECT ").literal("x' OR '1");
        });
        assert!(quoted.is_err());
    }
}

/// `%text%` for LIKE, with LIKE's own wildcards taken literally (ESCAPE '\').
pub fn like_contains(text: &str) -> String {
    let mut s = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

impl Sql {
    /// ` AND LOWER(column) LIKE '%q%'` for a search text `q` (trimmed; nothing when empty); a text
    /// longer than 100 characters is refused.
    pub fn name_contains(
        &mut self,
        column: &str,
        q: Option<&str>,
    ) -> Result<&mut Self, crate::kernel::error::AppError> {
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            if q.chars().count() > 100 {
                return Err(crate::kernel::error::AppError::validation(
                    "q",
                    "Search text must be at most 100 characters",
                ));
            }
            self.push(&format!(" AND LOWER({column}) LIKE "))
                .str(&like_contains(q))
                .push(" ESCAPE '\\'");
        }
        Ok(self)
    }
}

/// A page of results.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows matching, on all pages; when `total_capped`, at least this many (counting stopped
    /// at this cap, shown as "1,000+").
    pub total: i64,
    /// True when `total` is a cap reached while counting, not the exact number (name searches
    /// over big subtrees stop counting at 1000).
    #[serde(default)]
    pub total_capped: bool,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// The total as people read it: "1,234", or "1,000+" when counting stopped at a cap.
    pub fn total_label(&self) -> String {
        let digits = self.total.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) && c.is_ascii_digit() {
                out.push(',');
            }
            out.push(c);
        }
        if self.total_capped {
            out.push('+');
        }
        out
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}

/// Reads `page` and `per_page` with sane bounds.
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> (i64, i64) {
    let per = per_page.unwrap_or(25).clamp(1, 100);
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    (page, per)
}

/// One page of the rows `sql` selects, in `order` (ties broken by `tie`, a unique column), and
/// how many it selects in all: the count and the page are the same query, so they agree. Lists
/// that page through big tables walk an index instead (the account tree, the audit log).
pub async fn fetch_page(
    pool: &sqlx::AnyPool,
    mut sql: Sql,
    order: &crate::kernel::http::table::Sort,
    tie: &str,
    page: i64,
    per_page: i64,
) -> Result<(i64, Vec<sqlx::any::AnyRow>), sqlx::Error> {
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let total = count.scalar::<i64>().fetch_one(pool).await?;
    sql.push(&order.order_by(tie))
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(pool).await?;
    Ok((total, rows))
}
