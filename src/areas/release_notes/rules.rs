//! Release notes: writing, publishing and unpublishing (operator admins), reading them in a
//! panel (published, meant for the kind of the account in view) and the read state per login.

use super::format;
use crate::areas::release_notes::ReleaseNoteId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::enums::Kind;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::query::Sql;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

pub const MAX_TITLE: usize = 150;
pub const MAX_BODY: usize = 20_000;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReleaseNote {
    #[schema(value_type = i64)]
    pub id: ReleaseNoteId,
    pub title: String,
    /// The text as written (simple formatting: paragraphs, "- " lists, **bold**, [text](https://…)).
    pub body: String,
    /// The text as safe HTML: everything else escaped.
    pub html: String,
    /// Kinds of account that see it; empty: everyone.
    pub audience: Vec<String>,
    pub published: bool,
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    /// Whether the signed-in login has opened it.
    pub read: bool,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A note as written: title, text, audience (absent or empty: everyone), and whether to
/// publish it at once.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct NoteInput {
    #[serde(default)]
    #[schema(required = true, max_length = 150)]
    pub title: String,
    #[serde(default)]
    #[schema(required = true, max_length = 20000)]
    pub body: String,
    /// Kinds of account: operator, partner, reseller, dealer, customer; empty: everyone.
    #[serde(default)]
    pub audience: Vec<String>,
    #[serde(default)]
    pub publish: bool,
}

const COLUMNS: &str = "n.id, n.title, n.body, n.audience, n.published_at, n.updated_at, \
    CASE WHEN r.login_id IS NULL THEN 0 ELSE 1 END AS is_read";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
fn from_row(r: &crate::kernel::db::Row) -> Result<ReleaseNote, sqlx::Error> {
    let body: String = r.try_get("body")?;
    let audience: String = r.try_get("audience")?;
    let published: Option<i64> = r.try_get("published_at")?;
    Ok(ReleaseNote {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        html: format::render(&body),
        body,
        audience: audience
            .split(',')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        published: published.is_some(),
        published_at: published.map(crate::clock::rfc3339),
        read: r.try_get::<i64, _>("is_read")? == 1,
        updated_at: crate::clock::rfc3339(r.try_get("updated_at")?),
    })
}

async fn view_kind(state: &AppState, who: &Identity) -> AppResult<Kind> {
    Ok(access::account(state, who, who.view_account_id, Need::Read)
        .await?
        .kind)
}

/// What a panel of this kind shows: the operator's every note, the others' published notes
/// meant for everyone or their kind. The kind is written into the text (see `Sql::literal`).
fn for_kind(kind: Kind) -> String {
    if kind == Kind::Operator {
        return " 1 = 1".to_string();
    }
    let mut sql = Sql::new(
        " n.published_at IS NOT NULL AND (n.audience = '' OR (',' || n.audience || ',') LIKE ",
    );
    sql.literal(&kind_like(kind)).push(")");
    sql.text
}

fn kind_like(k: Kind) -> String {
    format!("%,{},%", k.as_str())
}

/// The notes of the caller's panel, newest first; the operator's list holds drafts too.
pub async fn list(state: &AppState, who: &Identity) -> AppResult<Vec<ReleaseNote>> {
    let kind = view_kind(state, who).await?;
    let filter = for_kind(kind);
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM release_notes n LEFT JOIN release_note_reads r \
         ON r.note_id = n.id AND r.login_id = $1 WHERE{filter} \
         ORDER BY CASE WHEN n.published_at IS NULL THEN 0 ELSE 1 END, n.published_at DESC, n.id DESC"
    ))
    .bind(who.login.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Published notes of the caller's panel the login has not opened.
/// The count of the menu's badge: published notes for the kind in view the login has not read,
/// as a subquery.
pub fn unread(scope: &crate::kernel::http::menu::BadgeScope<'_>) -> Sql {
    let mut sql = Sql::new(
        "SELECT COUNT(*) FROM release_notes n WHERE n.published_at IS NOT NULL AND \
         (n.audience = '' OR (',' || n.audience || ',') LIKE ",
    );
    sql.literal(&kind_like(scope.kind))
        .push(") AND NOT EXISTS (SELECT 1 FROM release_note_reads r WHERE r.note_id = n.id AND r.login_id = ")
        .int(scope.who.login.id)
        .push(")");
    sql
}

async fn get_for(state: &AppState, who: &Identity, id: ReleaseNoteId) -> AppResult<ReleaseNote> {
    let kind = view_kind(state, who).await?;
    let filter = for_kind(kind);
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM release_notes n LEFT JOIN release_note_reads r \
         ON r.note_id = n.id AND r.login_id = $1 WHERE{filter} AND n.id = $2"
    ))
    .bind(who.login.id)
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(from_row(&r)?)
}

/// Opens a note: it counts as read for this login from now on. A draft, or a note meant for
/// other kinds, is not found (the operator reads every note).
pub async fn open(state: &AppState, who: &Identity, id: ReleaseNoteId) -> AppResult<ReleaseNote> {
    let mut n = get_for(state, who, id).await?;
    if n.published && !n.read {
        sqlx::query(
            "INSERT INTO release_note_reads (note_id, login_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (note_id, login_id) DO NOTHING",
        )
        .bind(id)
        .bind(who.login.id)
        .bind(state.now_ms())
        .execute(&state.db.pool)
        .await?;
        n.read = true;
    }
    Ok(n)
}

fn check(input: &NoteInput) -> AppResult<(String, String, String)> {
    let mut errors = Vec::new();
    let title = validate::name("title", &input.title, MAX_TITLE)
        .map_err(|e| errors.extend(e.field_errors()))
        .ok();
    let body = validate::text("body", &input.body, MAX_BODY, true)
        .map_err(|e| errors.extend(e.field_errors()))
        .ok();
    let mut kinds = Vec::new();
    for a in &input.audience {
        match Kind::parse(a.trim()) {
            Some(k) => {
                if !kinds.contains(&k.as_str()) {
                    kinds.push(k.as_str());
                }
            }
            None => errors.push(crate::kernel::error::FieldError {
                field: "audience".into(),
                message: "Audience kinds are operator, partner, reseller, dealer or customer"
                    .into(),
            }),
        }
    }
    match (title, body) {
        (Some(t), Some(b)) if errors.is_empty() => Ok((t, b, kinds.join(","))),
        _ => Err(AppError::Fields(errors)),
    }
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    who: &Identity,
    now: i64,
    action: &'static str,
    id: ReleaseNoteId,
    title: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action,
            target_type: Some("release_note"),
            target_id: Some(id.to_string()),
            detail: Some(format!("“{title}”")),
        },
    )
    .await?;
    Ok(())
}

/// Writes a note (operator admins): a draft, or published at once.
pub async fn create(state: &AppState, who: &Identity, input: &NoteInput) -> AppResult<ReleaseNote> {
    access::operator(state, who, Need::Admin).await?;
    let (title, body, audience) = check(input)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO release_notes (title, body, audience, published_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&title)
    .bind(&body)
    .bind(&audience)
    .bind(input.publish.then_some(now))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    record(
        &mut tx,
        who,
        now,
        "release_note.create",
        ReleaseNoteId(id),
        &title,
    )
    .await?;
    if input.publish {
        record(
            &mut tx,
            who,
            now,
            "release_note.publish",
            ReleaseNoteId(id),
            &title,
        )
        .await?;
    }
    tx.commit().await?;
    get_for(state, who, ReleaseNoteId(id)).await
}

/// Edits a note (operator admins); `publish` publishes a draft (a published note stays so).
pub async fn update(
    state: &AppState,
    who: &Identity,
    id: ReleaseNoteId,
    input: &NoteInput,
) -> AppResult<ReleaseNote> {
    access::operator(state, who, Need::Admin).await?;
    let (title, body, audience) = check(input)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE release_notes SET title = $1, body = $2, audience = $3, updated_at = $4, \
         published_at = CASE WHEN published_at IS NULL AND $5 = 1 THEN $4 ELSE published_at END \
         WHERE id = $6",
    )
    .bind(&title)
    .bind(&body)
    .bind(&audience)
    .bind(now)
    .bind(i64::from(input.publish))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    record(&mut tx, who, now, "release_note.update", id, &title).await?;
    tx.commit().await?;
    get_for(state, who, id).await
}

/// Publishes (now) or unpublishes a note (operator admins).
pub async fn set_published(
    state: &AppState,
    who: &Identity,
    id: ReleaseNoteId,
    publish: bool,
) -> AppResult<ReleaseNote> {
    access::operator(state, who, Need::Admin).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let title: Option<String> = sqlx::query_scalar(
        "UPDATE release_notes SET published_at = $1, updated_at = $2 WHERE id = $3 RETURNING title",
    )
    .bind(publish.then_some(now))
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let title = title.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        who,
        now,
        if publish {
            "release_note.publish"
        } else {
            "release_note.unpublish"
        },
        id,
        &title,
    )
    .await?;
    tx.commit().await?;
    get_for(state, who, id).await
}
