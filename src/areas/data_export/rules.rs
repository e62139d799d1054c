//! Building the export of the account in view; the read is audited (who took which data).

use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::areas::tickets::{self, Thread};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;

/// The account as stored.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ExportAccount)]
pub struct AccountData {
    #[schema(value_type = i64)]
    pub id: AccountId,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_name: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A login of the account: no password hash, no session, no token.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ExportLogin)]
pub struct LoginData {
    #[schema(value_type = i64)]
    pub id: LoginId,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub time_zone: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// Everything the export holds.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MyDataExport)]
pub struct DataExport {
    #[schema(format = DateTime)]
    pub exported_at: String,
    pub account: AccountData,
    /// Every login of the account for its owners and admins; the caller's own otherwise.
    pub logins: Vec<LoginData>,
    /// The account's tickets (a customer's), each with its thread as the customer reads it:
    /// answers from "Servicecenter", no internal note, no staff name. Attachments are listed
    /// (name, type, size, download link), not embedded.
    pub tickets: Vec<Thread>,
}

type AccountRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);
type LoginRow = (i64, String, String, String, String, Option<String>, i64);

/// The export of the account in view.
pub async fn export(state: &AppState, who: &Identity) -> AppResult<DataExport> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    let (id, name, kind, status, email, phone, contact_name, created): AccountRow = sqlx::query_as(
        "SELECT id, name, kind, status, email, phone, contact_name, created_at FROM accounts \
             WHERE id = $1",
    )
    .bind(view.id)
    .fetch_one(&state.db.pool)
    .await?;
    let all = access::allows(access::effective_role(who), Need::Admin);
    let logins: Vec<LoginRow> = sqlx::query_as(
        "SELECT id, name, email, role, status, time_zone, created_at FROM logins \
         WHERE account_id = $1 AND ($2 = 1 OR id = $3) ORDER BY id",
    )
    .bind(view.id)
    .bind(i64::from(all))
    .bind(who.login.id)
    .fetch_all(&state.db.pool)
    .await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM tickets WHERE customer_id = $1 ORDER BY id")
            .bind(view.id)
            .fetch_all(&state.db.pool)
            .await?;
    let mut threads = Vec::with_capacity(ids.len());
    for t in ids {
        threads.push(tickets::customer_thread(state, t).await?);
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(view.id),
            action: "account.export",
            target_type: Some("account"),
            target_id: Some(view.id.to_string()),
            detail: Some(format!(
                "{} login(s), {} ticket(s)",
                logins.len(),
                threads.len()
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(DataExport {
        exported_at: crate::clock::rfc3339(now),
        account: AccountData {
            id: AccountId(id),
            name,
            kind,
            status,
            email,
            phone,
            contact_name,
            created_at: crate::clock::rfc3339(created),
        },
        logins: logins
            .into_iter()
            .map(|(id, name, email, role, status, time_zone, at)| LoginData {
                id: LoginId(id),
                name,
                email,
                role,
                status,
                time_zone,
                created_at: crate::clock::rfc3339(at),
            })
            .collect(),
        tickets: threads,
    })
}

/// The export as a download: pretty JSON, named after the account.
pub fn download(e: &DataExport) -> AppResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let body = serde_json::to_vec_pretty(e)
        .map_err(|x| crate::kernel::error::AppError::Internal(format!("export: {x}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"account-{}-export.json\"",
                    e.account.id
                ),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
