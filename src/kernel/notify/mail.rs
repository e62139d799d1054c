//! Delivers one outbox message over SMTP, or logs it when no SMTP server is configured.

use crate::config::SmtpTls;
use crate::state::AppState;
use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    transport::smtp::authentication::Credentials,
    transport::smtp::client::{Certificate, Tls, TlsParameters},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sqlx::Row as _;

pub async fn deliver(state: &AppState, outbox_id: i64, last_try: bool) -> Result<(), String> {
    let row = sqlx::query(
        "SELECT channel, recipient, subject, body_text, body_html, status, sender_name FROM outbox WHERE id = $1",
    )
    .bind(outbox_id)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| e.to_string())?;
    let Some(r) = row else { return Ok(()) };
    let status: String = r.try_get("status").map_err(|e| e.to_string())?;
    if status == "sent" || status == "logged" {
        return Ok(());
    }
    let to: String = r.try_get("recipient").map_err(|e| e.to_string())?;
    let subject: String = r.try_get("subject").map_err(|e| e.to_string())?;
    let text: String = r.try_get("body_text").map_err(|e| e.to_string())?;
    let html: Option<String> = r.try_get("body_html").map_err(|e| e.to_string())?;
    let sender_name: Option<String> = r.try_get("sender_name").map_err(|e| e.to_string())?;

    let channel: String = r.try_get("channel").map_err(|e| e.to_string())?;
    let result = match (&state.config.smtp, channel.as_str()) {
        (_, "sms") => match &state.config.sms_gateway_url {
            Some(url) => send_sms(url, state.config.sms_ca_pem.as_deref(), &to, &text)
                .await
                .map(|_| "sent"),
            None => {
                tracing::info!(
                    outbox_id,
                    "no SMS gateway configured: message kept in the outbox"
                );
                Ok("logged")
            }
        },
        (None, _) => {
            tracing::info!(outbox_id, to = %to, subject = %subject, "SMTP not configured: mail kept in the outbox");
            Ok("logged")
        }
        (Some(smtp), _) => send(state, smtp, &to, &subject, text, html, sender_name)
            .await
            .map(|_| "sent"),
    };
    let now = state.now_ms();
    let (new_status, err) = match &result {
        Ok(s) => (*s, None),
        Err(e) => (if last_try { "failed" } else { "pending" }, Some(e.clone())),
    };
    let mut tx = state.db.begin().await.map_err(|e| e.to_string())?;
    sqlx::query(
        "UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, \
         sent_at = CASE WHEN $1 IN ('sent', 'logged') THEN $3 ELSE sent_at END WHERE id = $4",
    )
    .bind(new_status)
    .bind(err)
    .bind(now)
    .bind(outbox_id)
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    if new_status == "sent" {
        // A secret link is in the recipient's mailbox now: not readable here any more.
        for template in super::SCRUBBED_AFTER_SENDING {
            sqlx::query(
                "UPDATE outbox SET body_text = '(removed after sending: it held a single-use link)', \
                 body_html = NULL WHERE id = $1 AND template = $2",
            )
            .bind(outbox_id)
            .bind(*template)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    result.map(|_| ())
}

async fn send(
    state: &AppState,
    smtp: &crate::config::SmtpConfig,
    to: &str,
    subject: &str,
    text: String,
    html: Option<String>,
    sender_name: Option<String>,
) -> Result<(), String> {
    let mut from: Mailbox = state
        .config
        .mail_from
        .parse()
        .map_err(|e| format!("PANEL_MAIL_FROM: {e}"))?;
    // The recipient's brand names the sender; the address stays the panel's.
    if let Some(name) = sender_name.filter(|n| !n.trim().is_empty()) {
        from = Mailbox::new(Some(name), from.email);
    }
    let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
    let builder = Message::builder().from(from).to(to).subject(subject);
    let msg = match html {
        Some(h) => builder.multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(h)),
        ),
        None => builder.header(ContentType::TEXT_PLAIN).body(text),
    }
    .map_err(|e| e.to_string())?;
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .timeout(Some(std::time::Duration::from_secs(20)));
    if smtp.tls != SmtpTls::None {
        // The certificate is verified against the public roots and PANEL_SMTP_CA_FILE; there is
        // deliberately no setting to skip the check.
        let mut params = TlsParameters::builder(smtp.host.clone());
        if let Some(pem) = &smtp.ca_pem {
            let cert = Certificate::from_pem(pem)
                .map_err(|e| format!("PANEL_SMTP_CA_FILE is not a PEM certificate: {e}"))?;
            params = params.add_root_certificate(cert);
        }
        let params = params.build().map_err(|e| format!("TLS: {e}"))?;
        transport = transport.tls(match smtp.tls {
            SmtpTls::StartTls => Tls::Required(params),
            _ => Tls::Wrapper(params),
        });
    }
    if let (Some(u), Some(p)) = (&smtp.username, &smtp.password) {
        transport = transport.credentials(Credentials::new(u.clone(), p.expose().to_string()));
    }
    transport
        .build()
        .send(msg)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The TLS client of an https:// SMS gateway: the public roots (webpki), plus `extra_ca` (PEM).
fn sms_tls(extra_ca: Option<&[u8]>) -> Result<tokio_rustls::TlsConnector, String> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_ca {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("PANEL_SMS_CA_FILE: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("PANEL_SMS_CA_FILE: {e}"))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(std::sync::Arc::new(
        config,
    )))
}

/// POSTs `{"to", "text"}` as JSON to the SMS gateway (http:// or https://, the certificate
/// verified); any 2xx answer is success. Hand-written: one POST does not justify an HTTP client
/// crate, and the response's status line is all that is read.
pub async fn send_sms(
    url: &str,
    extra_ca: Option<&[u8]>,
    to: &str,
    text: &str,
) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("the SMS gateway URL must start with https:// or http://".into());
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = hostport.split(':').next().unwrap_or(hostport).to_string();
    let addr = if hostport.contains(':') {
        hostport.to_string()
    } else {
        format!("{hostport}:{}", if tls { 443 } else { 80 })
    };
    let body = serde_json::json!({ "to": to, "text": text }).to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let io = async {
        let tcp = tokio::net::TcpStream::connect(&addr)
            .await
            .map_err(|e| e.to_string())?;
        let mut s: Box<dyn Stream> = if tls {
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|e| format!("SMS gateway host {host}: {e}"))?;
            Box::new(
                sms_tls(extra_ca)?
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS with the SMS gateway: {e}"))?,
            )
        } else {
            Box::new(tcp)
        };
        s.write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        // Only the status line matters: read at most 64 KiB of the answer.
        (&mut s)
            .take(65_536)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(buf)
    };
    let buf = tokio::time::timeout(std::time::Duration::from_secs(20), io)
        .await
        .map_err(|_| "the SMS gateway did not answer in 20 s".to_string())??;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(200)]).to_string();
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status.starts_with('2') {
        Ok(())
    } else {
        Err(format!(
            "the SMS gateway answered {}",
            head.lines().next().unwrap_or("nothing")
        ))
    }
}

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}
