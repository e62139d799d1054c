//! The Players list: own players and clients', the counts, the operator's notices.

use super::*;

// ---- the Players list ----

#[derive(Template)]
#[template(path = "media/players.html")]
struct PlayersTpl {
    layout: Layout,
    f: PlayerFilter,
    clients: bool,
    has_clients: bool,
    list: Page<Player>,
    table: Table,
    counts: media::PlayerCounts,
    notice: Option<String>,
    can_add: bool,
    can_write: bool,
    operator: bool,
    notices: Vec<media::PlayerNotice>,
}

impl PlayersTpl {
    fn show(&self) -> &'static str {
        if self.clients {
            "clients"
        } else {
            "own"
        }
    }
    fn online_here(&self) -> i64 {
        if self.clients {
            self.counts.clients_online
        } else {
            self.counts.own_online
        }
    }
    fn offline_here(&self) -> i64 {
        if self.clients {
            self.counts.clients_offline
        } else {
            self.counts.own_offline
        }
    }
    fn state_is(&self, s: &str) -> bool {
        self.f.state.as_deref().unwrap_or("") == s
    }
    fn state_href(&self, s: &str) -> String {
        let mut q = vec![format!("show={}", self.show())];
        if !s.is_empty() {
            q.push(format!("state={s}"));
        }
        if let Some(v) = self.f.q.as_deref().filter(|v| !v.trim().is_empty()) {
            q.push(format!("q={}", crate::kernel::http::layout::url_encode(v)));
        }
        format!("/players?{}", q.join("&"))
    }
}

async fn players_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    mut f: PlayerFilter,
) -> Result<PlayersTpl, AppError> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    let operator = view.kind == Kind::Operator;
    let mut notice = None;
    let list = match media::list(state, who, &f).await {
        Ok(l) => l,
        Err(e @ AppError::Validation { .. }) => {
            notice = Some(format!(
                "{}: showing the default list instead.",
                e.public_message()
            ));
            f = PlayerFilter {
                show: f
                    .show
                    .clone()
                    .filter(|s| media::SHOWS.contains(&s.as_str())),
                ..PlayerFilter::default()
            };
            media::list(state, who, &f).await?
        }
        Err(e) => return Err(e),
    };
    let clients = f.clients(operator)?;
    let sort = f.sort()?;
    let show = if clients { "clients" } else { "own" };
    let filters: Vec<(&str, Option<&str>)> = vec![
        ("show", Some(show)),
        ("state", f.state.as_deref()),
        ("q", f.q.as_deref()),
    ];
    let mut columns = vec![
        sortable("Name", "name"),
        plain("Player ID / MAC"),
        sortable("Model", "model"),
    ];
    if clients {
        columns.push(sortable("Client", "owner"));
    }
    columns.extend([
        plain("Status"),
        sortable("Last seen", "last_seen"),
        plain("Shows"),
        plain(""),
    ]);
    let table = Table::new("player-list", "/players", &filters, columns, &sort, &list);
    let has_clients = view.kind != Kind::Customer;
    Ok(PlayersTpl {
        layout: Layout::for_user(state, who, headers, "Players", "players").await?,
        clients,
        has_clients,
        list,
        table,
        counts: media::counts(state, who).await?,
        notice,
        can_add: media::may_add_for_clients(state, who).await?,
        can_write: access::allows(access::effective_role(who), Need::Write),
        notices: if operator {
            media::notices(state, who)
                .await?
                .into_iter()
                .take(10)
                .collect()
        } else {
            Vec::new()
        },
        operator,
        f,
    })
}

pub async fn players_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<PlayerFilter>,
) -> PageResult {
    let t = players_view(&state, &who, &headers, f).await?;
    show(&state, &t, &t.layout)
}

pub async fn notices_read_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
) -> PageResult {
    let r = media::read_notices(&state, &who).await;
    after(&state, r, "/players", |n| {
        format!("{n} notice(s) marked read.")
    })
}
