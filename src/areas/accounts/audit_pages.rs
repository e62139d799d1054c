//! The audit log page and its CSV export: the shared table (sortable headers, page size, page
//! numbers and a jump), the filters kept in every link.

use crate::kernel::audit;
use crate::kernel::error::AppError;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::url_encode;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{plain, sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageQuery;
use crate::kernel::query::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;

#[derive(Template)]
#[template(path = "accounts/audit.html")]
struct AuditTpl {
    layout: Layout,
    f: audit::AuditFilter,
    list: Page<audit::AuditRecord>,
    table: Table,
    base_query: String,
    notice: Option<String>,
}

impl AuditTpl {
    fn filtered(&self) -> bool {
        [&self.f.q, &self.f.action, &self.f.from, &self.f.to]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
    }
}

fn filters(f: &audit::AuditFilter) -> [(&'static str, Option<&str>); 4] {
    [
        ("q", f.q.as_deref()),
        ("action", f.action.as_deref()),
        ("from", f.from.as_deref()),
        ("to", f.to.as_deref()),
    ]
}

fn audit_query(f: &audit::AuditFilter) -> String {
    filters(f)
        .iter()
        .filter_map(|(k, v)| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", url_encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn audit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(mut f): PageQuery<audit::AuditFilter>,
) -> PageResult {
    // A sort not understood: newest first, and a word about it.
    let notice = match f.order() {
        Err(AppError::Validation { message, .. }) => {
            f.sort = None;
            f.dir = None;
            Some(format!("{message}: the log is shown newest first instead."))
        }
        _ => None,
    };
    let order = f.order()?;
    let (layout, list) = tokio::try_join!(
        Layout::for_user(&state, &who, &headers, "Audit log", "audit"),
        audit::search(&state, &who, &f)
    )?;
    let table = Table::new(
        "audit-list",
        "/audit",
        &filters(&f),
        vec![
            sortable("When", "when"),
            sortable("Who", "who"),
            plain("Acting as"),
            sortable("Account", "account"),
            sortable("Action", "action"),
            plain("Target"),
            plain("Detail"),
            plain("From"),
        ],
        &order,
        &list,
    )
    .with_default_per_page(50);
    let t = AuditTpl {
        layout,
        base_query: audit_query(&f),
        table,
        notice,
        f,
        list,
    };
    show(&state, &t, &t.layout)
}

pub async fn audit_csv(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<audit::AuditFilter>,
) -> PageResult {
    let body = audit::export_csv(&state, &who, &f).await?;
    Ok(crate::kernel::http::csv_response("audit.csv", body))
}
