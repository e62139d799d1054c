//! Rendering a message from its text and HTML templates.

use super::*;

#[derive(Template)]
#[template(path = "email/request_decided.txt")]
struct RequestDecidedText<'a> {
    name: &'a str,
    kind: &'a str,
    title: &'a str,
    approved: bool,
    reason: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/request_decided.html")]
struct RequestDecidedHtml<'a> {
    name: &'a str,
    kind: &'a str,
    title: &'a str,
    approved: bool,
    reason: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/license_ending.txt")]
struct LicenseEndingText<'a> {
    name: &'a str,
    license_type: &'a str,
    holder: &'a str,
    days: i64,
    ends_at: &'a str,
    license_id: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/license_ending.html")]
struct LicenseEndingHtml<'a> {
    name: &'a str,
    license_type: &'a str,
    holder: &'a str,
    days: i64,
    ends_at: &'a str,
    license_id: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    subject: &'a str,
    text: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/notice.html")]
struct NoticeHtml<'a> {
    name: &'a str,
    text: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/payment_reminder.txt")]
struct PaymentReminderText<'a> {
    name: &'a str,
    days: i64,
    period_end: &'a str,
    invoice_number: &'a str,
    invoice_id: i64,
    amount: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/payment_reminder.html")]
struct PaymentReminderHtml<'a> {
    name: &'a str,
    days: i64,
    period_end: &'a str,
    invoice_number: &'a str,
    invoice_id: i64,
    amount: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/access_suspended.txt")]
struct AccessSuspendedText<'a> {
    name: &'a str,
    invoice_id: i64,
    purge_at: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/access_suspended.html")]
struct AccessSuspendedHtml<'a> {
    name: &'a str,
    invoice_id: i64,
    purge_at: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/partner_approved.txt")]
struct PartnerApprovedText<'a> {
    name: &'a str,
    company: &'a str,
    package: &'a str,
    trial_days: i64,
    email: &'a str,
    password: &'a str,
    link: Option<&'a str>,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/partner_approved.html")]
struct PartnerApprovedHtml<'a> {
    name: &'a str,
    company: &'a str,
    package: &'a str,
    trial_days: i64,
    email: &'a str,
    password: &'a str,
    link: Option<&'a str>,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/partner_rejected.txt")]
struct PartnerRejectedText<'a> {
    name: &'a str,
    company: &'a str,
    reason: &'a str,
}

#[derive(Template)]
#[template(path = "email/partner_rejected.html")]
struct PartnerRejectedHtml<'a> {
    name: &'a str,
    company: &'a str,
    reason: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct PasswordResetText<'a> {
    name: &'a str,
    token: &'a str,
    minutes: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct PasswordResetHtml<'a> {
    name: &'a str,
    token: &'a str,
    minutes: i64,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_changed.txt")]
struct PasswordChangedText<'a> {
    name: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_changed.html")]
struct PasswordChangedHtml<'a> {
    name: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/email_changed.txt")]
struct EmailChangedText<'a> {
    name: &'a str,
    new_email: &'a str,
    base_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/email_changed.html")]
struct EmailChangedHtml<'a> {
    name: &'a str,
    new_email: &'a str,
    base_url: &'a str,
}

pub struct Rendered {
    pub template: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn split_subject(text: String) -> (String, String) {
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let subject = first.trim_start_matches("Subject:").trim().to_string();
    (subject, rest.trim_start_matches('\n').to_string())
}

pub fn render(base_url: &str, m: &Message) -> Result<Rendered, askama::Error> {
    let (template, to, text, html) = match m {
        Message::PasswordReset {
            to,
            name,
            token,
            minutes,
        } => (
            "password_reset",
            to,
            PasswordResetText {
                name,
                token,
                minutes: *minutes,
                base_url,
            }
            .render()?,
            PasswordResetHtml {
                name,
                token,
                minutes: *minutes,
                base_url,
            }
            .render()?,
        ),
        Message::PasswordChanged { to, name } => (
            "password_changed",
            to,
            PasswordChangedText { name, base_url }.render()?,
            PasswordChangedHtml { name, base_url }.render()?,
        ),
        Message::EmailChanged {
            to,
            name,
            new_email,
        } => (
            "email_changed",
            to,
            EmailChangedText {
                name,
                new_email,
                base_url,
            }
            .render()?,
            EmailChangedHtml {
                name,
                new_email,
                base_url,
            }
            .render()?,
        ),
        Message::PartnerApproved {
            to,
            name,
            company,
            package,
            trial_days,
            password,
            set_password_link,
        } => (
            "partner_approved",
            to,
            PartnerApprovedText {
                name,
                company,
                package,
                trial_days: *trial_days,
                email: to,
                password,
                link: set_password_link.as_deref(),
                base_url,
            }
            .render()?,
            PartnerApprovedHtml {
                name,
                company,
                package,
                trial_days: *trial_days,
                email: to,
                password,
                link: set_password_link.as_deref(),
                base_url,
            }
            .render()?,
        ),
        Message::PartnerRejected {
            to,
            name,
            company,
            reason,
        } => (
            "partner_rejected",
            to,
            PartnerRejectedText {
                name,
                company,
                reason,
            }
            .render()?,
            PartnerRejectedHtml {
                name,
                company,
                reason,
            }
            .render()?,
        ),
        Message::PaymentReminder {
            to,
            name,
            days,
            period_end,
            invoice_number,
            invoice_id,
            amount,
        } => (
            "payment_reminder",
            to,
            PaymentReminderText {
                name,
                days: *days,
                period_end,
                invoice_number,
                invoice_id: *invoice_id,
                amount,
                base_url,
            }
            .render()?,
            PaymentReminderHtml {
                name,
                days: *days,
                period_end,
                invoice_number,
                invoice_id: *invoice_id,
                amount,
                base_url,
            }
            .render()?,
        ),
        Message::AccessSuspended {
            to,
            name,
            invoice_id,
            purge_at,
        } => (
            "access_suspended",
            to,
            AccessSuspendedText {
                name,
                invoice_id: *invoice_id,
                purge_at,
                base_url,
            }
            .render()?,
            AccessSuspendedHtml {
                name,
                invoice_id: *invoice_id,
                purge_at,
                base_url,
            }
            .render()?,
        ),
        Message::RequestDecided {
            to,
            name,
            kind,
            title,
            approved,
            reason,
        } => (
            "request_decided",
            to,
            RequestDecidedText {
                name,
                kind,
                title,
                approved: *approved,
                reason,
                base_url,
            }
            .render()?,
            RequestDecidedHtml {
                name,
                kind,
                title,
                approved: *approved,
                reason,
                base_url,
            }
            .render()?,
        ),
        Message::LicenseEnding {
            to,
            name,
            license_type,
            holder,
            days,
            ends_at,
            license_id,
        } => (
            "license_ending",
            to,
            LicenseEndingText {
                name,
                license_type,
                holder,
                days: *days,
                ends_at,
                license_id: *license_id,
                base_url,
            }
            .render()?,
            LicenseEndingHtml {
                name,
                license_type,
                holder,
                days: *days,
                ends_at,
                license_id: *license_id,
                base_url,
            }
            .render()?,
        ),
        Message::Notice {
            to,
            name,
            subject,
            text,
        }
        | Message::Welcome {
            to,
            name,
            subject,
            text,
        } => (
            if matches!(m, Message::Welcome { .. }) {
                "welcome_login"
            } else {
                "notice"
            },
            to,
            NoticeText {
                name,
                subject,
                text,
                base_url,
            }
            .render()?,
            NoticeHtml {
                name,
                text,
                base_url,
            }
            .render()?,
        ),
    };
    let (subject, text) = split_subject(text);
    Ok(Rendered {
        template,
        to: to.clone(),
        subject,
        text,
        html,
    })
}
