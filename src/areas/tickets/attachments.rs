//! Attachments of a ticket's messages: checked on the way in (at most `MAX_FILES` per message,
//! each at most `MAX_BYTES`, its type read from its first bytes against an allow list: PNG,
//! JPEG, PDF, plain text), stored in the database beside the message, listed in the thread of
//! whoever may read that message (an internal note's files never reach the customer) and
//! downloaded only by those who reach the ticket.

use super::model::{side_of, Side};
use crate::areas::accounts::AccountId;
use crate::areas::tickets::AttachmentId;
use crate::areas::tickets::TicketId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::{AppError, AppResult, ErrorCode};
use crate::kernel::Identity;
use crate::state::AppState;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// The largest file one may attach (5 MiB).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most files one message may carry.
pub const MAX_FILES: usize = 5;
/// The longest file name kept.
const MAX_NAME: usize = 150;

/// A file as the API takes it: its name and its bytes in base64 (standard alphabet, padding
/// optional). Its type is read from the bytes, never from the name.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
#[schema(as = TicketAttachmentUpload)]
pub struct AttachmentUpload {
    #[serde(default)]
    #[schema(required = true, max_length = 150, example = "screenshot.png")]
    pub name: String,
    /// The file's bytes, base64 (at most 5 MiB decoded).
    #[serde(default)]
    #[schema(required = true)]
    pub data: String,
}

/// A file as it arrived (from a form or decoded from the API).
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub name: String,
    pub data: Vec<u8>,
}

/// A file that passed the checks, with the type its bytes showed.
#[derive(Clone, Debug)]
pub struct Checked {
    pub name: String,
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

/// An attachment as the thread lists it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = TicketAttachment)]
pub struct Attachment {
    #[schema(value_type = i64)]
    pub id: AttachmentId,
    pub name: String,
    /// What its bytes are: image/png, image/jpeg, application/pdf or text/plain.
    pub content_type: String,
    pub size_bytes: i64,
    /// Where it downloads (under /api/v1 for the API, without it for the panel).
    pub download: String,
    #[serde(skip)]
    pub message_id: i64,
}

impl Attachment {
    /// The size for people ("12 KB", "1.4 MB").
    pub fn size_label(&self) -> String {
        let b = self.size_bytes as f64;
        if b < 1024.0 {
            format!("{} bytes", self.size_bytes)
        } else if b < 1024.0 * 1024.0 {
            format!("{:.0} KB", b / 1024.0)
        } else {
            format!("{:.1} MB", b / 1024.0 / 1024.0)
        }
    }
}

/// The type of a file by its first bytes, or None when it is none of the allowed ones.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if is_plain_text(data) {
        Some("text/plain")
    } else {
        None
    }
}

/// UTF-8 text (a byte-order mark allowed) without control characters but tab, line feed,
/// carriage return and form feed.
fn is_plain_text(data: &[u8]) -> bool {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    match std::str::from_utf8(data) {
        Ok(t) => !t
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')),
        Err(_) => false,
    }
}

/// The name kept for a file: its last path part, without control characters, at most
/// `MAX_NAME` characters; "attachment" when nothing is left.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let n: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_NAME)
        .collect();
    if n.is_empty() || n == "." || n == ".." {
        "attachment".to_string()
    } else {
        n
    }
}

/// Checks every file; the first one at fault is the error (field `attachments`).
pub fn check(files: &[Upload]) -> AppResult<Vec<Checked>> {
    if files.len() > MAX_FILES {
        return Err(AppError::validation(
            "attachments",
            format!("Attach at most {MAX_FILES} files to one message"),
        ));
    }
    files
        .iter()
        .map(|f| {
            let name = clean_name(&f.name);
            if f.data.is_empty() {
                return Err(AppError::validation(
                    "attachments",
                    format!("“{name}” is empty"),
                ));
            }
            if f.data.len() > MAX_BYTES {
                return Err(AppError::field_code(
                    ErrorCode::AttachmentTooLarge,
                    "attachments",
                    format!(
                        "“{name}” is {:.1} MB; a file may be at most {} MB",
                        f.data.len() as f64 / 1024.0 / 1024.0,
                        MAX_BYTES / 1024 / 1024
                    ),
                ));
            }
            let content_type = sniff(&f.data).ok_or_else(|| {
                AppError::field_code(
                    ErrorCode::AttachmentTypeRefused,
                    "attachments",
                    format!(
                        "“{name}” is not a PNG, JPEG, PDF or plain text file (its contents were checked, not its name)"
                    ),
                )
            })?;
            Ok(Checked {
                name,
                content_type,
                data: f.data.clone(),
            })
        })
        .collect()
}

/// The files of an API body decoded and checked, with those a page gave.
pub fn collect(api: &[AttachmentUpload], page: &[Upload]) -> AppResult<Vec<Checked>> {
    let mut all = page.to_vec();
    for (i, a) in api.iter().enumerate() {
        let compact: String = a.data.chars().filter(|c| !c.is_whitespace()).collect();
        let data = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.as_bytes())
            })
            .map_err(|_| {
                AppError::validation(
                    &format!("attachments[{i}].data"),
                    "The file's data must be base64",
                )
            })?;
        all.push(Upload {
            name: a.name.clone(),
            data,
        });
    }
    check(&all)
}

/// Stores the checked files of a message (in the caller's transaction).
pub async fn store(
    conn: &mut sqlx::AnyConnection,
    ticket: TicketId,
    message: i64,
    files: &[Checked],
    now: i64,
) -> AppResult<()> {
    for f in files {
        sqlx::query(
            "INSERT INTO ticket_attachments (ticket_id, message_id, name, content_type, size_bytes, \
             data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(ticket)
        .bind(message)
        .bind(&f.name)
        .bind(f.content_type)
        .bind(f.data.len() as i64)
        .bind(f.data.clone())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The attachments of a ticket that `side` may read (an internal note's only for the staff),
/// without their bytes.
pub async fn listed(state: &AppState, ticket: TicketId, side: Side) -> AppResult<Vec<Attachment>> {
    let rows = sqlx::query(
        "SELECT a.id, a.message_id, a.name, a.content_type, a.size_bytes FROM ticket_attachments a \
         JOIN ticket_messages m ON m.id = a.message_id \
         WHERE a.ticket_id = $1 AND (m.internal = 0 OR $2 = 1) ORDER BY a.id",
    )
    .bind(ticket)
    .bind(i64::from(side == Side::Staff))
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(Attachment {
                id: AttachmentId(id),
                name: r.try_get("name")?,
                content_type: r.try_get("content_type")?,
                size_bytes: r.try_get("size_bytes")?,
                download: format!("/ticket-attachments/{id}"),
                message_id: r.try_get("message_id")?,
            })
        })
        .collect()
}

/// A file to download: its name, type and bytes.
pub struct Download {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// An attachment for one who reaches its ticket; the customer's side gets 404 for the files of
/// internal notes, as for anything it may not know exists.
pub async fn download(state: &AppState, who: &Identity, id: AttachmentId) -> AppResult<Download> {
    let r = sqlx::query(
        "SELECT a.name, a.content_type, a.data, m.internal, t.customer_id FROM ticket_attachments a \
         JOIN ticket_messages m ON m.id = a.message_id JOIN tickets t ON t.id = a.ticket_id \
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let customer: i64 = r.try_get("customer_id")?;
    access::account(state, who, AccountId(customer), Need::Read).await?;
    if side_of(who, AccountId(customer)) == Side::Customer && r.try_get::<i64, _>("internal")? == 1
    {
        return Err(AppError::NotFound);
    }
    Ok(Download {
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        data: r.try_get("data")?,
    })
}

/// The answer of a download: always as an attachment, its checked type, never sniffed by the
/// browser, never cached by others.
pub fn response(d: Download) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ascii: String = d
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in d.name.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            encoded.push(*b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let ct = if d.content_type == "text/plain" {
        "text/plain; charset=utf-8".to_string()
    } else {
        d.content_type
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        d.data,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff("héllo\nworld\t".as_bytes()), Some("text/plain"));
        assert_eq!(sniff(b"PK\x03\x04zip"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(clean_name("C:\\x\\..\\evil.png"), "evil.png");
        assert_eq!(clean_name("../"), "attachment");
    }
}
