//! Settings from the environment, with working defaults.

use std::{env, fmt, net::SocketAddr, time::Duration};

/// A secret string that never shows itself in logs or debug output.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// How the connection is encrypted (PANEL_SMTP_TLS).
    pub tls: SmtpTls,
    /// Extra certificate authorities to trust, PEM (PANEL_SMTP_CA_FILE), beside the public ones:
    /// for a relay with a certificate of its own CA.
    pub ca_pem: Option<Vec<u8>>,
}

/// SMTP encryption: none, STARTTLS (upgrade after connecting, usually port 587), or implicit TLS
/// (TLS from the first byte, usually port 465). With TLS the certificate is always verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    StartTls,
    Tls,
}

impl SmtpTls {
    /// The setting's words; unset, port 465 means implicit TLS, 587 STARTTLS, others none.
    fn from_setting(v: Option<&str>, port: u16) -> Result<SmtpTls, ConfigError> {
        match v.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") => Ok(match port {
                465 => SmtpTls::Tls,
                587 => SmtpTls::StartTls,
                _ => SmtpTls::None,
            }),
            Some("none") | Some("off") => Ok(SmtpTls::None),
            Some("starttls") => Ok(SmtpTls::StartTls),
            Some("tls") | Some("implicit") => Ok(SmtpTls::Tls),
            Some(other) => Err(ConfigError {
                name: "PANEL_SMTP_TLS",
                message: format!("{other:?} is not one of none, starttls, tls"),
            }),
        }
    }
}

/// Which requests get a line in the log (PANEL_ACCESS_LOG). Server errors and slow requests are
/// logged whatever this says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessLog {
    Off,
    All,
    /// One request in N.
    Sample(u64),
}

impl std::str::FromStr for AccessLog {
    type Err = String;
    fn from_str(v: &str) -> Result<AccessLog, String> {
        match v.trim().to_ascii_lowercase().as_str() {
            "off" | "none" | "0" => Ok(AccessLog::Off),
            "all" | "on" | "1" => Ok(AccessLog::All),
            s => s
                .strip_prefix("sample:")
                .and_then(|n| n.trim().parse::<u64>().ok())
                .filter(|n| *n >= 1)
                .map(|n| {
                    if n == 1 {
                        AccessLog::All
                    } else {
                        AccessLog::Sample(n)
                    }
                })
                .ok_or_else(|| format!("expected off, all or sample:N (N at least 1), got {v:?}")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: Secret,
    pub bind: SocketAddr,
    pub base_url: String,
    pub smtp: Option<SmtpConfig>,
    pub mail_from: String,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub json_logs: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    /// Failed sign-ins allowed per email (and 4x that per address) inside `lockout_window`.
    pub max_failed_logins: i64,
    pub lockout_window: Duration,
    /// Run the background job worker in this process.
    pub run_worker: bool,
    pub worker_poll: Duration,
    /// PANEL_TEST_CLOCK=1: the operator may move the panel's clock forward (billing tests).
    pub test_clock: bool,
    /// Shared secret of the payment provider's webhook (HMAC-SHA256 over the body).
    pub payment_webhook_secret: Option<Secret>,
    /// An HTTP SMS gateway: messages are POSTed to it as JSON {"to", "text"}.
    pub sms_gateway_url: Option<String>,
    /// Extra certificate authorities (PEM) to trust for an https:// SMS gateway
    /// (PANEL_SMS_CA_FILE), beside the public ones.
    pub sms_ca_pem: Option<Vec<u8>>,
    /// After SIGTERM, how long in-flight requests and jobs may run before what is left is closed.
    pub shutdown_grace: Duration,
    /// Per-request log lines: off, all, or one in N.
    pub access_log: AccessLog,
    /// Requests slower than this are always logged (at WARN).
    pub slow_request: Duration,
    /// /metrics answers only with `Authorization: Bearer <this>`; unset, it answers 404 on the
    /// panel's address.
    pub metrics_token: Option<Secret>,
    /// A separate address (e.g. 127.0.0.1:9090) serving only /metrics.
    pub metrics_bind: Option<SocketAddr>,
    /// What the mail to a new owner login (an approved partner, a partner made with a license)
    /// carries: a single-use "set your password" link, or a generated password
    /// (PANEL_NEW_LOGIN_MAIL).
    pub new_login_mail: NewLoginMail,
    /// The largest video a clip may hold, in bytes (PANEL_MEDIA_MAX_VIDEO_BYTES).
    pub media_max_video_bytes: usize,
}

/// The default of PANEL_MEDIA_MAX_VIDEO_BYTES: 50 MiB.
pub const DEFAULT_MAX_VIDEO_BYTES: usize = 50 * 1024 * 1024;

/// The most PANEL_MEDIA_MAX_VIDEO_BYTES may say: 1 GiB (an upload is read whole).
pub const MAX_VIDEO_BYTES_SETTING: usize = 1024 * 1024 * 1024;

impl Config {
    /// The most an upload body (a multipart form, or JSON carrying base64) may hold: the usual
    /// limit, or a video of the largest size in base64 with room for the fields around it.
    pub fn upload_body_limit(&self) -> usize {
        let video_b64 = self.media_max_video_bytes.div_ceil(3) * 4;
        crate::kernel::http::multipart::MAX_UPLOAD_BODY.max(video_b64 + 1024 * 1024)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewLoginMail {
    /// A single-use link, valid for `SET_PASSWORD_LINK_HOURS`, to choose the password.
    Link,
    /// A generated password in the mail (removed from the outbox once sent).
    Password,
}

#[derive(Debug, thiserror::Error)]
#[error("setting {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| ConfigError {
            name,
            message: format!("cannot read {v:?}"),
        }),
    }
}

fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(ConfigError {
            name,
            message: format!("expected true or false, got {v:?}"),
        }),
    }
}

/// A number of seconds (`20`, `2.5` or `20s`), at most a day.
fn seconds(name: &'static str, default: f64) -> Result<f64, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .trim_end_matches('s')
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && (0.0..=86_400.0).contains(s))
            .ok_or_else(|| ConfigError {
                name,
                message: format!("expected a number of seconds (0 to 86400), got {v:?}"),
            }),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let bind: SocketAddr = parse("PANEL_BIND", "127.0.0.1:8080".parse().unwrap())?;
        let base_url = var("PANEL_BASE_URL").unwrap_or_else(|| format!("http://{bind}"));
        let smtp = match var("PANEL_SMTP_HOST") {
            None => None,
            Some(host) => {
                let port = parse("PANEL_SMTP_PORT", 25u16)?;
                let ca_pem = match var("PANEL_SMTP_CA_FILE") {
                    None => None,
                    Some(path) => Some(std::fs::read(&path).map_err(|e| ConfigError {
                        name: "PANEL_SMTP_CA_FILE",
                        message: format!("cannot read {path}: {e}"),
                    })?),
                };
                Some(SmtpConfig {
                    host,
                    port,
                    username: var("PANEL_SMTP_USERNAME"),
                    password: var("PANEL_SMTP_PASSWORD").map(Secret),
                    tls: SmtpTls::from_setting(var("PANEL_SMTP_TLS").as_deref(), port)?,
                    ca_pem,
                })
            }
        };
        Ok(Config {
            database_url: Secret(
                var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/panel.db".to_string()),
            ),
            bind,
            secure_cookies: flag("PANEL_SECURE_COOKIES", base_url.starts_with("https://"))?,
            base_url: base_url.trim_end_matches('/').to_string(),
            smtp,
            mail_from: var("PANEL_MAIL_FROM")
                .unwrap_or_else(|| "Partner Panel <panel@localhost>".to_string()),
            trust_proxy: flag("PANEL_TRUST_PROXY", false)?,
            json_logs: var("PANEL_LOG_FORMAT").as_deref() == Some("json"),
            session_idle: Duration::from_secs(60 * parse("PANEL_SESSION_IDLE_MINUTES", 120u64)?),
            session_absolute: Duration::from_secs(3600 * parse("PANEL_SESSION_MAX_HOURS", 12u64)?),
            admin_email: var("PANEL_ADMIN_EMAIL"),
            admin_password: var("PANEL_ADMIN_PASSWORD").map(Secret),
            max_failed_logins: parse("PANEL_MAX_FAILED_LOGINS", 5i64)?,
            lockout_window: Duration::from_secs(60 * parse("PANEL_LOCKOUT_MINUTES", 15u64)?),
            run_worker: flag("PANEL_WORKER", true)?,
            worker_poll: Duration::from_millis(parse("PANEL_WORKER_POLL_MS", 1000u64)?),
            test_clock: flag("PANEL_TEST_CLOCK", false)?,
            payment_webhook_secret: var("PANEL_PAYMENT_WEBHOOK_SECRET").map(Secret),
            sms_gateway_url: var("PANEL_SMS_GATEWAY_URL"),
            sms_ca_pem: match var("PANEL_SMS_CA_FILE") {
                None => None,
                Some(path) => Some(std::fs::read(&path).map_err(|e| ConfigError {
                    name: "PANEL_SMS_CA_FILE",
                    message: format!("cannot read {path}: {e}"),
                })?),
            },
            shutdown_grace: Duration::from_secs_f64(seconds("PANEL_SHUTDOWN_GRACE", 20.0)?),
            access_log: match var("PANEL_ACCESS_LOG") {
                None => AccessLog::All,
                Some(v) => v.parse().map_err(|message| ConfigError {
                    name: "PANEL_ACCESS_LOG",
                    message,
                })?,
            },
            slow_request: Duration::from_millis(parse("PANEL_SLOW_REQUEST_MS", 1000u64)?),
            metrics_token: var("PANEL_METRICS_TOKEN").map(Secret),
            new_login_mail: match var("PANEL_NEW_LOGIN_MAIL")
                .map(|v| v.trim().to_ascii_lowercase())
                .as_deref()
            {
                None | Some("password") => NewLoginMail::Password,
                Some("link") => NewLoginMail::Link,
                Some(other) => {
                    return Err(ConfigError {
                        name: "PANEL_NEW_LOGIN_MAIL",
                        message: format!("{other:?} is not one of link, password"),
                    })
                }
            },
            media_max_video_bytes: match var("PANEL_MEDIA_MAX_VIDEO_BYTES") {
                None => DEFAULT_MAX_VIDEO_BYTES,
                Some(v) => v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1024..=MAX_VIDEO_BYTES_SETTING).contains(n))
                    .ok_or_else(|| ConfigError {
                        name: "PANEL_MEDIA_MAX_VIDEO_BYTES",
                        message: format!(
                            "expected a number of bytes from 1024 to {MAX_VIDEO_BYTES_SETTING}, got {v:?}"
                        ),
                    })?,
            },
            metrics_bind: match var("PANEL_METRICS_BIND") {
                None => None,
                Some(v) => Some(v.trim().parse().map_err(|_| ConfigError {
                    name: "PANEL_METRICS_BIND",
                    message: format!("expected an address such as 127.0.0.1:9090, got {v:?}"),
                })?),
            },
        })
    }

    /// A configuration for tests and tools: everything default, the given database.
    pub fn for_database(url: &str) -> Config {
        Config {
            database_url: Secret(url.to_string()),
            bind: "127.0.0.1:0".parse().unwrap(),
            base_url: "http://127.0.0.1".into(),
            smtp: None,
            mail_from: "Partner Panel <panel@localhost>".into(),
            secure_cookies: false,
            trust_proxy: false,
            json_logs: false,
            session_idle: Duration::from_secs(7200),
            session_absolute: Duration::from_secs(12 * 3600),
            admin_email: None,
            admin_password: None,
            max_failed_logins: 5,
            lockout_window: Duration::from_secs(900),
            run_worker: true,
            worker_poll: Duration::from_millis(1000),
            test_clock: false,
            payment_webhook_secret: None,
            sms_gateway_url: None,
            sms_ca_pem: None,
            shutdown_grace: Duration::from_secs(20),
            access_log: AccessLog::All,
            slow_request: Duration::from_secs(1),
            metrics_token: None,
            metrics_bind: None,
            new_login_mail: NewLoginMail::Password,
            media_max_video_bytes: DEFAULT_MAX_VIDEO_BYTES,
        }
    }
}

/// The database URL with any password removed, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact_url("sqlite://data/panel.db"),
            "sqlite://data/panel.db"
        );
        assert_eq!(format!("{:?}", Secret::new("x")), "[redacted]");
    }

    #[test]
    fn reads_the_access_log_setting() {
        assert_eq!("off".parse(), Ok(AccessLog::Off));
        assert_eq!("ALL".parse(), Ok(AccessLog::All));
        assert_eq!("sample:100".parse(), Ok(AccessLog::Sample(100)));
        assert_eq!("sample:1".parse(), Ok(AccessLog::All));
        assert!("sample:0".parse::<AccessLog>().is_err());
        assert!("loud".parse::<AccessLog>().is_err());
    }
}
