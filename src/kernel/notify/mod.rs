//! Notifications: every email is rendered from a text and an HTML template (the subject is the
//! text template's first line), stored in the outbox, and delivered later by a job. Mails that
//! carry a single-use secret (`SCRUBBED_AFTER_SENDING`) lose their body once sent.

/// Templates whose body holds a secret (a single-use link or a generated password): emptied in
/// the outbox once delivered.
pub const SCRUBBED_AFTER_SENDING: &[&str] =
    &["password_reset", "partner_approved", "welcome_login"];

pub mod mail;
mod render;
pub use render::*;

use crate::areas::accounts::AccountId;
use crate::kernel::error::AppResult;
use crate::kernel::jobs;
use crate::state::AppState;
use askama::Template;

pub enum Message {
    /// A single-use link to choose a new password (its token is only in this mail).
    PasswordReset {
        to: String,
        name: String,
        token: String,
        minutes: i64,
    },
    PasswordChanged {
        to: String,
        name: String,
    },
    EmailChanged {
        to: String,
        name: String,
        new_email: String,
    },
    PartnerApproved {
        to: String,
        name: String,
        company: String,
        package: String,
        trial_days: i64,
        /// A generated password, or (when `set_password_link` is given) empty.
        password: String,
        /// A single-use link to choose the password, instead of a password.
        set_password_link: Option<String>,
    },
    PartnerRejected {
        to: String,
        name: String,
        company: String,
        reason: String,
    },
    PaymentReminder {
        to: String,
        name: String,
        days: i64,
        period_end: String,
        invoice_number: String,
        invoice_id: i64,
        amount: String,
    },
    AccessSuspended {
        to: String,
        name: String,
        invoice_id: i64,
        purge_at: String,
    },
    /// A request (add-on, broadcast, advertising, reseller link) was decided.
    RequestDecided {
        to: String,
        name: String,
        kind: String,
        title: String,
        approved: bool,
        reason: String,
    },
    /// A license ends in a few days (to the holder's owners).
    LicenseEnding {
        to: String,
        name: String,
        license_type: String,
        holder: String,
        days: i64,
        ends_at: String,
        license_id: i64,
    },
    /// A free-form notice (e.g. a reseller link ended), subject and text given.
    Notice {
        to: String,
        name: String,
        subject: String,
        text: String,
    },
    /// A notice to a new login that carries its password or set-password link: like `Notice`,
    /// but removed from the outbox once sent.
    Welcome {
        to: String,
        name: String,
        subject: String,
        text: String,
    },
}

/// Stores a message in the outbox and schedules its delivery, in the caller's transaction.
pub async fn enqueue(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    m: &Message,
) -> AppResult<i64> {
    let r = render(&state.config.base_url, m)
        .map_err(|e| crate::kernel::error::AppError::Internal(format!("template: {e}")))?;
    enqueue_rendered(state, conn, &r).await
}

/// Stores an email an area rendered from its own templates (text and HTML, subject in the
/// text's first line) in the outbox and schedules its delivery, in the caller's transaction.
pub async fn enqueue_rendered(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    r: &Rendered,
) -> AppResult<i64> {
    // A login that signs in with a username (a dealer's) has no mailbox: nothing to send.
    if !r.to.contains('@') {
        return Ok(0);
    }
    let now = state.now_ms();
    // A mail to a login wears the brand that login sees: sender name, logo, colours, support.
    let account: Option<i64> = sqlx::query_scalar("SELECT account_id FROM logins WHERE email = $1")
        .bind(&r.to)
        .fetch_optional(&mut *conn)
        .await?;
    let brand = match account {
        Some(a) => {
            crate::areas::customers::brand::brand_seen_from(&mut *conn, AccountId(a)).await?
        }
        None => None,
    };
    let (text, html) = match &brand {
        Some(b) => {
            crate::areas::customers::mail::dress_mail(b, &state.config.base_url, &r.text, &r.html)
        }
        None => (r.text.clone(), r.html.clone()),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (recipient, subject, body_text, body_html, template, created_at, sender_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&r.to)
    .bind(&r.subject)
    .bind(&text)
    .bind(&html)
    .bind(r.template)
    .bind(now)
    .bind(brand.as_ref().map(|b| b.display_name.clone()))
    .fetch_one(&mut *conn)
    .await?;
    jobs::enqueue(
        conn,
        now,
        jobs::SEND_EMAIL,
        &serde_json::json!({ "outbox_id": id }).to_string(),
        now,
        Some(&format!("outbox:{id}")),
    )
    .await?;
    Ok(id)
}

/// Stores a text message for a phone and schedules its delivery through the SMS gateway, in the
/// caller's transaction.
pub async fn enqueue_sms(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    phone: &str,
    text: &str,
    template: &str,
) -> AppResult<i64> {
    let now = state.now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (channel, recipient, subject, body_text, template, created_at) \
         VALUES ('sms', $1, '', $2, $3, $4) RETURNING id",
    )
    .bind(phone)
    .bind(text)
    .bind(template)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    jobs::enqueue(
        conn,
        now,
        jobs::SEND_EMAIL,
        &serde_json::json!({ "outbox_id": id }).to_string(),
        now,
        Some(&format!("outbox:{id}")),
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_comes_from_the_template_and_html_is_escaped() {
        let r = render(
            "http://x",
            &Message::EmailChanged {
                to: "a@b.c".into(),
                name: "<b>Ann</b>".into(),
                new_email: "n@b.c".into(),
            },
        )
        .unwrap();
        assert_eq!(r.subject, "Your Partner Panel email address was changed");
        assert!(!r.text.starts_with("Subject"));
        assert!(
            r.html.contains("&#60;b&#62;Ann") || r.html.contains("&lt;b&gt;Ann"),
            "{}",
            r.html
        );
    }
}
