//! The decision history: its filter, its table and its CSV export.

use super::*;

#[derive(Template)]
#[template(path = "approvals/decisions.html")]
struct DecisionsTpl {
    layout: Layout,
    f: requests::HistoryFilter,
    list: Page<requests::Decision>,
    base_query: String,
    operator: bool,
    table: crate::kernel::http::table::Table,
}

impl DecisionsTpl {
    fn decision_is(&self, v: &str) -> bool {
        self.f.decision.as_deref() == Some(v)
    }
    fn type_is(&self, v: &str) -> bool {
        self.f.kind.as_deref() == Some(v)
    }
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        if self.operator {
            v.push(("partnership", "Partnership"));
        }
        v.extend(requests::KINDS);
        v
    }
}

fn decisions_query(f: &requests::HistoryFilter) -> String {
    crate::kernel::http::layout::query_string(&[
        ("q", &f.q),
        ("type", &f.kind),
        ("decision", &f.decision),
        ("from", &f.from),
        ("to", &f.to),
    ])
}

/// The shared table of the decision history: sortable headers keeping the filters, pages.
fn decisions_table(
    f: &requests::HistoryFilter,
    list: &Page<requests::Decision>,
) -> Result<crate::kernel::http::table::Table, AppError> {
    use crate::kernel::http::table::{plain, sortable, Table};
    Ok(Table::new(
        "history-list",
        "/inbox/history",
        &[
            ("q", f.q.as_deref()),
            ("type", f.kind.as_deref()),
            ("decision", f.decision.as_deref()),
            ("from", f.from.as_deref()),
            ("to", f.to.as_deref()),
        ],
        vec![
            plain("Title"),
            sortable("Partner", "partner"),
            sortable("Type", "type"),
            sortable("Decision", "decision"),
            sortable("Date", "date"),
            plain("Decided by"),
            plain("Reason"),
        ],
        &f.order()?,
        list,
    ))
}

pub async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<requests::HistoryFilter>,
) -> PageResult {
    // A filter that breaks a rule goes back to the unfiltered history with the reason.
    let list = match requests::history(&state, &who, &f).await {
        Ok(list) => list,
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => {
            return Ok(redirect_with_flash(
                "/inbox/history",
                &format!("!{}", e.public_message()),
                state.config.secure_cookies,
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let table = decisions_table(&f, &list)?;
    let t = DecisionsTpl {
        layout: Layout::for_user(&state, &who, &headers, "Decision history", "inbox").await?,
        table,
        base_query: decisions_query(&f),
        operator: access::operator(&state, &who, Need::Read).await.is_ok(),
        f,
        list,
    };
    show(&state, &t, &t.layout)
}

pub async fn history_csv(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<requests::HistoryFilter>,
) -> PageResult {
    let rx = requests::history_csv(&state, &who, &f).await?;
    Ok(crate::kernel::http::csv_stream_response(
        "decision-history.csv",
        rx,
    ))
}
