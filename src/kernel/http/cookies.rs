//! Cookies: the session, the pre-sign-in CSRF value, and one-shot flash messages.

use axum::http::{header, HeaderMap, HeaderValue};

pub const SESSION: &str = "pp_session";

pub const PRE_CSRF: &str = "pp_csrf";

pub const FLASH: &str = "pp_flash";

/// A sign-in waiting for its second step (two-factor): the challenge token, five minutes.
pub const SIGN_IN_STEP: &str = "pp_2fa";

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn set(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", Some(0), secure)
}

/// A flash message for the next page, percent-encoded into a cookie.
pub fn flash(message: &str, secure: bool) -> HeaderValue {
    set(
        FLASH,
        &crate::kernel::http::layout::url_encode(message),
        Some(60),
        secure,
    )
}

pub fn read_flash(headers: &HeaderMap) -> Option<String> {
    get(headers, FLASH)
        .map(|v| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("m={v}"))
                .ok()
                .and_then(|mut p| p.pop())
                .map(|(_, m)| m)
                .unwrap_or_default()
        })
        .filter(|m| !m.is_empty())
        .map(|m| m.chars().take(300).collect())
}
