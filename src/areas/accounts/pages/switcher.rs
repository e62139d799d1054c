//! The account switcher: the accounts a login may act as, by name.

use super::*;

#[derive(Template)]
#[template(path = "accounts/switcher.html")]
struct SwitcherTpl {
    items: Vec<Account>,
    csrf: String,
    q: String,
}

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
    let f = ListFilter {
        q: q.q.clone(),
        kind: q.kind.clone().filter(|k| !k.is_empty()),
        per_page: Some(10),
        ..Default::default()
    };
    // An HTML fragment for htmx: an error is a fragment too, not the error page.
    match accounts::list(&state, &who, who.home_account_id, false, &f).await {
        Ok(page) => {
            let t = SwitcherTpl {
                items: page.page.items,
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
