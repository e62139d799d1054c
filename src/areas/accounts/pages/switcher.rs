//! The account switcher: the accounts a login may act as, by name.

use super::*;

#[derive(Template)]
#[template(path = "accounts/switcher.html")]
struct SwitcherTpl {
    items: Vec<Account>,
    /// As many as are shown were found: there may be more.
    more: bool,
    csrf: String,
    q: String,
}

/// Accounts the switcher shows at most.
const SHOWN: i64 = 10;

#[derive(Deserialize)]
pub struct SwitcherQuery {
    q: Option<String>,
    /// Only this kind (the dashboard's "Login as partner" box).
    kind: Option<String>,
}

/// The "Current view" switcher's results (an HTML fragment for htmx).
pub async fn switcher(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(q): PageQuery<SwitcherQuery>,
) -> PageResult {
    if who.acting_as.is_some() || !access::allows(who.login.role, Need::Admin) {
        return Ok(Html(
            "<p class=\"muted small\">Only owners and admins may act as another account.</p>",
        )
        .into_response());
    }
    // An HTML fragment for htmx: an error is a fragment too, not the error page.
    let found = accounts::found_below(
        &state,
        &who,
        who.home_account_id,
        q.q.as_deref(),
        q.kind.as_deref(),
        SHOWN,
    )
    .await;
    match found {
        Ok(items) => {
            let t = SwitcherTpl {
                more: items.len() as i64 >= SHOWN,
                items,
                csrf: who.csrf_token().to_string(),
                q: q.q.unwrap_or_default(),
            };
            let html = t
                .render()
                .map_err(|e| AppError::Internal(format!("template: {e}")))?;
            Ok(Html(html).into_response())
        }
        Err(e) => Ok((
            e.status(),
            Html(format!(
                "<p class=\"error\">{}</p>",
                askama_escape(&e.public_message())
            )),
        )
            .into_response()),
    }
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
