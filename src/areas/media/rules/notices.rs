//! The operator's notices about players, in the panel and by email.

use super::*;

// ---- the operator's notifications ----

#[derive(Template)]
#[template(path = "email/media/notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    subject: &'a str,
    text: &'a str,
    link: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/media/notice.html")]
struct NoticeHtml<'a> {
    name: &'a str,
    subject: &'a str,
    text: &'a str,
    link: &'a str,
    base_url: &'a str,
}

fn tpl(e: askama::Error) -> AppError {
    AppError::Internal(format!("template: {e}"))
}

/// A notice on the operator's Players page, and an email to its owners and admins.
pub(super) async fn tell_operator(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    player: Option<i64>,
    subject: &str,
    text: &str,
    link: &str,
) -> AppResult<()> {
    let Some(op) = accounts::operator(&state.db).await? else {
        return Ok(());
    };
    let now = state.now_ms();
    store::insert_notice(conn, now, op.id, player, text).await?;
    let base_url = &state.config.base_url;
    for (to, name) in store::managers(conn, op.id).await? {
        let t = NoticeText {
            name: &name,
            subject,
            text,
            link,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let h = NoticeHtml {
            name: &name,
            subject,
            text,
            link,
            base_url,
        }
        .render()
        .map_err(tpl)?;
        let (subject, text) = crate::kernel::notify::split_subject(t);
        crate::kernel::notify::enqueue_rendered(
            state,
            conn,
            &crate::kernel::notify::Rendered {
                template: "media_notice",
                to,
                subject,
                text,
                html: h,
            },
        )
        .await?;
    }
    Ok(())
}

/// The operator's notices about players (newest first).
pub async fn notices(state: &AppState, who: &Identity) -> AppResult<Vec<PlayerNotice>> {
    let view = access::operator(state, who, Need::Read).await?;
    Ok(store::notices(&state.db.pool, view.id, 50).await?)
}

/// Unread notices of the account in view (the operator's), for the menu badge.
pub async fn unread_notices(state: &AppState, who: &Identity) -> AppResult<i64> {
    Ok(store::unread_notices(&state.db.pool, who.view_account_id).await?)
}

/// Marks every notice read.
pub async fn read_notices(state: &AppState, who: &Identity) -> AppResult<u64> {
    let view = access::operator(state, who, Need::Write).await?;
    let mut tx = state.db.begin().await?;
    let n = store::mark_notices_read(&mut tx, view.id, state.now_ms()).await?;
    tx.commit().await?;
    Ok(n)
}
