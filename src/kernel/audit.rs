//! The audit log: one record per change of state, and for every sign-in, failure and sign-out.

use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::kernel::db::Db;
use crate::kernel::db::Row;
use crate::kernel::enums::Kind;
use serde::Serialize;
use sqlx::Row as _;

/// Who did it: the real login, its home account, the account it acted as, from where.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub login_id: Option<LoginId>,
    pub login_email: Option<String>,
    pub home_account_id: Option<AccountId>,
    pub acting_as_account_id: Option<AccountId>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The system itself (jobs, the command line).
    pub fn system() -> Actor {
        Actor::default()
    }

    /// The actor as the other tree of an event that concerns two sees it: by the name under
    /// which that tree already knows the actor's side (e.g. "the operator", a reseller's
    /// account name), with no login, home account, account acted as, address or request id.
    pub fn known_as(name: impl Into<String>) -> Actor {
        Actor {
            login_email: Some(name.into()),
            ..Actor::default()
        }
    }
}

pub struct Entry<'a> {
    /// The account this record belongs to (whose audit log shows it).
    pub subject_account_id: Option<AccountId>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
}

pub async fn record(
    conn: &mut sqlx::AnyConnection,
    now_ms: i64,
    actor: &Actor,
    e: Entry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, login_id, login_email, home_account_id, acting_as_account_id, \
         subject_account_id, action, target_type, target_id, ip, request_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(now_ms)
    .bind(actor.login_id)
    .bind(actor.login_email.clone())
    .bind(actor.home_account_id)
    .bind(actor.acting_as_account_id)
    .bind(e.subject_account_id)
    .bind(e.action)
    .bind(e.target_type)
    .bind(e.target_id)
    .bind(actor.ip.clone())
    .bind(actor.request_id.clone())
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// The other side of an event that concerns two trees (accounts neither of which reaches the
/// other, or the operator and an account it answers as a party): its record, and the name by
/// which that side knows the actor's side.
pub struct OtherSide<'a> {
    pub entry: Entry<'a>,
    pub actor_known_as: String,
}

/// Records an event that concerns two trees once per side, in the caller's transaction: `own`
/// (filed on the actor's side) with the full actor, and `other` (filed on the other side's
/// account) with the actor named only as that side knows it. Each entry holds only what its
/// side may see: the caller words the other side's detail without logins or accounts below
/// the actor's side.
pub async fn record_across(
    conn: &mut sqlx::AnyConnection,
    now_ms: i64,
    actor: &Actor,
    own: Entry<'_>,
    other: OtherSide<'_>,
) -> Result<(), sqlx::Error> {
    record(&mut *conn, now_ms, actor, own).await?;
    record(
        conn,
        now_ms,
        &Actor::known_as(other.actor_known_as),
        other.entry,
    )
    .await
}

/// What an update changed, for the detail of its audit record: the changes in the order they
/// are noted, joined by "; ", or "no change". Each is noted only when the old and new values
/// differ: by its label alone (`field`, for values the log does not repeat, such as contact
/// details) or with both values (`value`: "name from Old to New").
#[derive(Clone, Debug, Default)]
pub struct Changes(Vec<String>);

impl Changes {
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Notes `label` when `old` and `new` differ.
    pub fn field<T: PartialEq + ?Sized>(mut self, label: &str, old: &T, new: &T) -> Changes {
        if old != new {
            self.0.push(label.to_string());
        }
        self
    }

    /// Notes "`label` from `old` to `new`" when they differ.
    pub fn value<T: PartialEq + std::fmt::Display + ?Sized>(
        mut self,
        label: &str,
        old: &T,
        new: &T,
    ) -> Changes {
        if old != new {
            self.0.push(format!("{label} from {old} to {new}"));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The record's detail: "no change", or the changes joined by "; ".
    pub fn detail(&self) -> String {
        if self.0.is_empty() {
            "no change".into()
        } else {
            self.0.join("; ")
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    #[serde(skip)]
    pub at_ms: i64,
    #[schema(value_type = Option<i64>)]
    pub login_id: Option<LoginId>,
    pub login_email: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub acting_as_account_id: Option<AccountId>,
    #[schema(value_type = Option<i64>)]
    pub subject_account_id: Option<AccountId>,
    pub action: String,
    /// The action in words ("signed in", "registered a payment").
    pub phrase: String,
    /// The name of the login that acted, when the reader's side knows it.
    pub login_name: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    /// Names of the accounts (in the audit log search).
    pub acting_as_name: Option<String>,
    pub subject_name: Option<String>,
}

impl AuditRecord {
    /// "Lara Lake signed in": who (the login's name, else its email or the name the reader
    /// knows the other side by) and the action in words.
    pub fn sentence(&self) -> String {
        crate::kernel::audit_phrases::sentence(
            self.login_name
                .as_deref()
                .filter(|n| !n.is_empty())
                .or(self.login_email.as_deref()),
            &self.action,
        )
    }
}

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; the action is put in words.
fn from_row(r: &Row) -> Result<AuditRecord, sqlx::Error> {
    let at_ms: i64 = r.try_get("at")?;
    Ok(AuditRecord {
        id: r.try_get("id")?,
        at: crate::clock::rfc3339(at_ms),
        at_ms,
        login_id: r.try_get("login_id")?,
        login_email: r.try_get("login_email")?,
        acting_as_account_id: r.try_get("acting_as_account_id")?,
        subject_account_id: r.try_get("subject_account_id")?,
        phrase: crate::kernel::audit_phrases::phrase(&r.try_get::<String, _>("action")?),
        action: r.try_get("action")?,
        login_name: r.try_get("login_name")?,
        target_type: r.try_get("target_type")?,
        target_id: r.try_get("target_id")?,
        ip: r.try_get("ip")?,
        detail: r.try_get("detail")?,
        acting_as_name: r.try_get("acting_as_name")?,
        subject_name: r.try_get("subject_name")?,
    })
}

/// The latest records about one login (its sign-ins, changes it made), newest first.
pub async fn for_login(
    db: &Db,
    login_id: LoginId,
    limit: i64,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.id, l.at, l.login_id, l.login_email, l.acting_as_account_id, l.subject_account_id, l.action, \
         l.target_type, l.target_id, l.ip, l.detail, aa.name AS acting_as_name, sa.name AS subject_name, \
         (SELECT ln.name FROM logins ln WHERE ln.id = l.login_id) AS login_name \
         FROM audit_log l LEFT JOIN accounts aa ON aa.id = l.acting_as_account_id \
         LEFT JOIN accounts sa ON sa.id = l.subject_account_id WHERE l.login_id = $1 \
         ORDER BY l.at DESC, l.id DESC LIMIT $2",
    )
    .bind(login_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

#[derive(Clone, Debug, serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Text in the email, action, target or detail (empty: any).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// An action, or its first part (e.g. `login` or `account.delete`); empty: any.
    #[param(max_length = 60, pattern = r"^[A-Za-z0-9_.]*$")]
    pub action: Option<String>,
    /// First day, YYYY-MM-DD (UTC), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (UTC), inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Sort key: when (default, newest first), who, action or account; ties by record.
    #[param(schema_with = audit_sort_values)]
    pub sort: Option<String>,
    /// asc or desc (default: desc for when, asc for the others).
    #[param(schema_with = audit_dir_values)]
    pub dir: Option<String>,
    /// 1-based page (default 1); pages past 1000000 count as 1000000.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The sort keys of the audit log and the SQL behind each.
pub const AUDIT_SORTS: [(&str, &str); 4] = [
    ("when", "l.at"),
    ("who", "COALESCE(l.login_email, '')"),
    ("action", "l.action"),
    ("account", "COALESCE(sa.name, '')"),
];

fn audit_sort_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["when", "who", "action", "account"])
}

fn audit_dir_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["asc", "desc"])
}

impl AuditFilter {
    /// The sort asked for, checked against `AUDIT_SORTS` (422 naming `sort` or `dir`).
    pub fn order(&self) -> crate::kernel::error::AppResult<crate::kernel::http::table::Sort> {
        let p = crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            ..Default::default()
        };
        let mut s = p.sort(&AUDIT_SORTS, true)?;
        if s.key == "when" && self.dir.as_deref().map(str::trim).unwrap_or("").is_empty() {
            s.desc = true;
        }
        Ok(s)
    }
}

fn day_ms(field: &str, v: &str) -> Result<i64, crate::kernel::error::AppError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(v.trim(), &fmt)
        .map(|d| d.midnight().assume_utc().unix_timestamp() * 1000)
        .map_err(|_| {
            crate::kernel::error::AppError::validation(field, "Dates are written YYYY-MM-DD")
        })
}

/// Builds the filtered query of the audit records visible from the account in view: those about
/// it and every account below it (the operator also sees records about no account).
async fn filtered(
    state: &crate::state::AppState,
    who: &crate::kernel::Identity,
    f: &AuditFilter,
) -> crate::kernel::error::AppResult<crate::kernel::query::Sql> {
    use crate::kernel::query::{like_contains, Sql};
    let view = crate::kernel::access::account(
        state,
        who,
        who.view_account_id,
        crate::kernel::access::Need::Read,
    )
    .await?;
    // The address of someone working from above the account in view (e.g. operator staff acting
    // as a client) is not shown to it; who it was, and as which account, is.
    let mut sql = Sql::new(
        "SELECT l.id, l.at, l.login_id, l.login_email, l.acting_as_account_id, l.subject_account_id, l.action, \
         l.target_type, l.target_id, CASE WHEN l.home_account_id IS NULL OR EXISTS (SELECT 1 FROM account_closure hc \
         WHERE hc.ancestor_id = ",
    );
    sql.int(view.id).push(
        " AND hc.descendant_id = l.home_account_id) THEN l.ip ELSE NULL END AS ip, l.detail, \
         aa.name AS acting_as_name, sa.name AS subject_name, \
         (SELECT ln.name FROM logins ln WHERE ln.id = l.login_id) AS login_name \
         FROM audit_log l LEFT JOIN accounts aa ON aa.id = l.acting_as_account_id \
         LEFT JOIN accounts sa ON sa.id = l.subject_account_id WHERE (EXISTS (SELECT 1 FROM account_closure c \
         WHERE c.ancestor_id = ",
    );
    sql.int(view.id)
        .push(" AND c.descendant_id = l.subject_account_id)");
    if view.kind == Kind::Operator {
        sql.push(" OR l.subject_account_id IS NULL");
    }
    sql.push(")");
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 100 {
            return Err(crate::kernel::error::AppError::validation(
                "q",
                "Search text must be at most 100 characters",
            ));
        }
        let like = like_contains(q);
        sql.push(" AND (LOWER(COALESCE(l.login_email, '')) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\'");
        sql.push(" OR LOWER(l.action) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\'");
        sql.push(" OR LOWER(COALESCE(l.detail, '')) LIKE ")
            .str(&like)
            .push(" ESCAPE '\\'");
        sql.push(" OR COALESCE(l.target_id, '') = ")
            .str(q)
            .push(")");
    }
    if let Some(a) = f.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        if a.len() > 60
            || !a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(crate::kernel::error::AppError::validation(
                "action",
                "Unknown action",
            ));
        }
        sql.push(" AND (l.action = ")
            .str(a)
            .push(" OR l.action LIKE ")
            .str(&format!("{a}.%"))
            .push(")");
    }
    if let Some(from) = f.from.as_deref().filter(|v| !v.trim().is_empty()) {
        sql.push(" AND l.at >= ").int(day_ms("from", from)?);
    }
    if let Some(to) = f.to.as_deref().filter(|v| !v.trim().is_empty()) {
        sql.push(" AND l.at < ").int(day_ms("to", to)? + 86_400_000);
    }
    Ok(sql)
}

pub async fn search(
    state: &crate::state::AppState,
    who: &crate::kernel::Identity,
    f: &AuditFilter,
) -> crate::kernel::error::AppResult<crate::kernel::query::Page<AuditRecord>> {
    let (page, per_page) = crate::kernel::query::paging(f.page, f.per_page.or(Some(50)));
    let order = f.order()?;
    let sql = filtered(state, who, f).await?;
    let count = crate::kernel::query::Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let mut sql = sql;
    sql.push(&order.order_by("l.id"))
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    // The total and the page at once, each on its own connection.
    let (total, rows) = tokio::try_join!(
        count.scalar::<i64>().fetch_one(&state.db.pool),
        sql.query().fetch_all(&state.db.pool)
    )?;
    Ok(crate::kernel::query::Page {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// At most this many rows go into one CSV export.
pub const MAX_EXPORT: i64 = 100_000;

/// The filtered audit log as CSV (UTF-8, RFC 4180), newest first.
pub async fn export_csv(
    state: &crate::state::AppState,
    who: &crate::kernel::Identity,
    f: &AuditFilter,
) -> crate::kernel::error::AppResult<Vec<u8>> {
    let mut sql = filtered(state, who, f).await?;
    sql.push(" ORDER BY l.at DESC, l.id DESC LIMIT ")
        .int(MAX_EXPORT);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    let mut w = crate::kernel::csv::Writer::new();
    w.row(&[
        "time",
        "login",
        "acting_as_account",
        "acting_as_name",
        "account",
        "account_name",
        "action",
        "target_type",
        "target_id",
        "ip",
        "detail",
    ]);
    for r in rows.iter().map(from_row) {
        let r = r?;
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        w.row(&[
            &r.at,
            r.login_email.as_deref().unwrap_or(""),
            &opt(r.acting_as_account_id.map(i64::from)),
            r.acting_as_name.as_deref().unwrap_or(""),
            &opt(r.subject_account_id.map(i64::from)),
            r.subject_name.as_deref().unwrap_or(""),
            &r.action,
            r.target_type.as_deref().unwrap_or(""),
            r.target_id.as_deref().unwrap_or(""),
            r.ip.as_deref().unwrap_or(""),
            r.detail.as_deref().unwrap_or(""),
        ]);
    }
    Ok(w.finish())
}

#[cfg(test)]
mod tests {
    use super::Changes;

    #[test]
    fn changes_name_what_differs_in_order_or_no_change() {
        let (old_email, new_email) = (Some("a@x.test".to_string()), None::<String>);
        let c = Changes::new()
            .value("name", "Old Name", "New Name")
            .field("email", &old_email, &new_email)
            .field("phone", "1", "1")
            .value("role", "admin", "admin");
        assert_eq!(c.detail(), "name from Old Name to New Name; email");
        assert!(!c.is_empty());
        let none = Changes::new()
            .value("name", "Same", "Same")
            .field("email", &1, &1);
        assert!(none.is_empty());
        assert_eq!(none.detail(), "no change");
    }
}
