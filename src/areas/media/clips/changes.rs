//! Creating, changing, uploading and deleting clips, each with its audit record.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::media::ClipId;

// ---- changes ----

/// Bumps every playlist holding the clip (its players get the change).
pub(in crate::areas::media) async fn bump_playlists(
    conn: &mut sqlx::AnyConnection,
    clip: ClipId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE playlists SET version = version + 1, updated_at = $2 \
         WHERE id IN (SELECT playlist_id FROM playlist_items WHERE clip_id = $1)",
    )
    .bind(clip)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(in crate::areas::media) async fn record(
    conn: &mut sqlx::AnyConnection,
    who: &Identity,
    now: i64,
    subject: AccountId,
    action: &'static str,
    id: ClipId,
    detail: String,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(subject),
            action,
            target_type: Some("clip"),
            target_id: Some(id.to_string()),
            detail: Some(detail),
        },
    )
    .await
}

/// Composes a slide for the account in view (members and up).
pub async fn create(state: &AppState, who: &Identity, input: &ClipInput) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let f = check(input, None)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clips (tenant_id, owner_id, owner_path, kind, title, body, background, duration_s, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, 'slide', $2, $3, $4, $5, $6, $6 FROM accounts a WHERE a.id = $1 RETURNING id",
    )
    .bind(who.view_account_id)
    .bind(&f.title)
    .bind(&f.text)
    .bind(&f.background)
    .bind(f.duration)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    record(
        &mut tx,
        who,
        now,
        who.view_account_id,
        "clip.create",
        ClipId(id),
        format!("slide “{}”, {} s", f.title, f.duration),
    )
    .await?;
    tx.commit().await?;
    clip(state, who, ClipId(id)).await
}

/// Changes a clip; every playlist holding it gets a new version.
pub async fn update(
    state: &AppState,
    who: &Identity,
    id: ClipId,
    input: &ClipInput,
) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clip(state, who, id).await?;
    let f = check(input, Some(&old))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE clips SET title = $1, body = $2, background = $3, duration_s = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&f.title)
    .bind(&f.text)
    .bind(&f.background)
    .bind(f.duration)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    bump_playlists(&mut tx, id, now).await?;
    let changes = audit::Changes::new()
        .value("title", &old.title, &f.title)
        .field("text", &old.text, &f.text)
        .value("background", &old.background, &f.background)
        .value("duration (s)", &old.duration_s, &f.duration);
    record(
        &mut tx,
        who,
        now,
        old.owner_id,
        "clip.update",
        id,
        changes.detail(),
    )
    .await?;
    tx.commit().await?;
    crate::areas::media::device::changed();
    clip(state, who, id).await
}

/// The file of a clip uploaded in one step (the clip library's Image and Video forms).
pub enum Upload<'a> {
    /// An image shown `duration_s` seconds (the input's, default 10).
    Image(&'a [u8]),
    /// A video, with the seconds entered for a file that does not say how long it lasts.
    Video {
        data: &'a [u8],
        duration_s: Option<i64>,
    },
}

/// Both results, or every field at fault in either (a form shows them all at once).
fn both<A, B>(a: AppResult<A>, b: AppResult<B>) -> AppResult<(A, B)> {
    fn fields(e: &AppError) -> Vec<crate::kernel::error::FieldError> {
        match e {
            AppError::Field { field, message, .. } => vec![crate::kernel::error::FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            e => e.field_errors(),
        }
    }
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(a), Err(b)) => {
            let (fa, fb) = (fields(&a), fields(&b));
            if fa.is_empty() || fb.is_empty() {
                return Err(if fa.is_empty() { a } else { b });
            }
            Err(AppError::Fields(fa.into_iter().chain(fb).collect()))
        }
    }
}

/// Makes a clip of an uploaded image or video for the account in view, in one transaction: a
/// file refused (or a title missing) leaves nothing behind.
pub async fn create_upload(
    state: &AppState,
    who: &Identity,
    input: &ClipInput,
    file: Upload<'_>,
) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    enum Checked<'a> {
        Image(&'a [u8], &'static str),
        Video(&'a [u8], crate::areas::media::video::Checked),
    }
    let (f, file) = match file {
        Upload::Image(data) => {
            let (f, t) = both(check(input, None), check_image(data))?;
            (f, Checked::Image(data, t))
        }
        Upload::Video { data, duration_s } => {
            // The title is checked as for any clip; the seconds are the video's.
            let title = check(
                &ClipInput {
                    duration_s: Some(10),
                    ..input.clone()
                },
                None,
            );
            let (_, v) = both(
                title,
                crate::areas::media::video::check(state, data, duration_s),
            )?;
            let f = check(
                &ClipInput {
                    duration_s: Some(v.duration_s),
                    ..input.clone()
                },
                None,
            )?;
            (f, Checked::Video(data, v))
        }
    };
    let kind = match &file {
        Checked::Image(..) => "image",
        Checked::Video(..) => "video",
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clips (tenant_id, owner_id, owner_path, kind, title, body, background, duration_s, created_at, updated_at) \
         SELECT a.tenant_id, a.id, a.path, $2, $3, '', $4, $5, $6, $6 FROM accounts a WHERE a.id = $1 RETURNING id",
    )
    .bind(who.view_account_id)
    .bind(kind)
    .bind(&f.title)
    .bind(&f.background)
    .bind(f.duration)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let detail = match &file {
        Checked::Video(data, v) => {
            crate::areas::media::video::store(&mut tx, ClipId(id), data, v, now).await?;
            format!(
                "video {}",
                crate::areas::media::video::detail(&f.title, data, v)
            )
        }
        Checked::Image(data, t) => {
            store_image(&mut tx, ClipId(id), data, t, now).await?;
            format!(
                "image “{}”: {t}, {} bytes, {} s",
                f.title,
                data.len(),
                f.duration
            )
        }
    };
    record(
        &mut tx,
        who,
        now,
        who.view_account_id,
        "clip.create",
        ClipId(id),
        detail,
    )
    .await?;
    tx.commit().await?;
    clip(state, who, ClipId(id)).await
}

/// The API's base64 image or video.
pub fn decode(b64: &str) -> AppResult<Vec<u8>> {
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.as_bytes()))
        .map_err(|_| AppError::validation("data", "The file's data must be base64"))
}

/// Deletes a clip; playlists holding it lose it (and get a new version).
pub async fn delete(state: &AppState, who: &Identity, id: ClipId) -> AppResult<Clip> {
    access::require(who, Need::Write)?;
    let old = clip(state, who, id).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    bump_playlists(&mut tx, id, now).await?;
    sqlx::query("DELETE FROM clips WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        who,
        now,
        old.owner_id,
        "clip.delete",
        id,
        format!("“{}”", old.title),
    )
    .await?;
    tx.commit().await?;
    crate::areas::media::device::changed();
    Ok(old)
}
