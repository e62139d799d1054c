//! Checking a logo: its size, its type by its bytes, and an SVG free of scripts.

use super::*;

/// The type of a logo read from its bytes, refusing what is not PNG, JPEG or a safe SVG.
pub fn check_logo(bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.is_empty() {
        return Err(AppError::field_code(
            ErrorCode::LogoTypeRefused,
            "logo",
            "The logo file is empty",
        ));
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(AppError::field_code(
            ErrorCode::LogoTooLarge,
            "logo",
            format!(
                "The logo is {} KiB; at most 512 KiB is accepted",
                bytes.len().div_ceil(1024)
            ),
        ));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    let refused = || {
        AppError::field_code(
            ErrorCode::LogoTypeRefused,
            "logo",
            "The logo must be a PNG, JPEG or SVG image",
        )
    };
    let text = std::str::from_utf8(bytes).map_err(|_| refused())?;
    let lower = text.trim_start_matches('\u{feff}').trim().to_lowercase();
    let starts_like_svg =
        lower.starts_with("<?xml") || lower.starts_with("<svg") || lower.starts_with("<!--");
    if !starts_like_svg || !lower.contains("<svg") || !lower.trim_end().ends_with('>') {
        return Err(refused());
    }
    if let Some(what) = svg_danger(&lower) {
        return Err(AppError::field_code(
            ErrorCode::LogoUnsafe,
            "logo",
            format!("The SVG logo is refused: it carries {what}. Save it without scripts and outside references"),
        ));
    }
    Ok("image/svg+xml")
}

/// What makes an SVG (lower-cased) unsafe to show, if anything.
fn svg_danger(svg: &str) -> Option<&'static str> {
    for (needle, what) in [
        ("<script", "a script"),
        ("javascript:", "a script link"),
        ("vbscript:", "a script link"),
        ("<!doctype", "a document type (entities)"),
        ("<!entity", "an entity"),
        ("<foreignobject", "foreign content"),
        ("<iframe", "a frame"),
        ("<embed", "embedded content"),
        ("<object", "embedded content"),
        ("<animate", "an animation that can change links"),
        ("<set", "an animation that can change links"),
        ("@import", "a style import"),
    ] {
        if svg.contains(needle) {
            return Some(what);
        }
    }
    // Event handlers: an attribute whose name starts with "on".
    let b = svg.as_bytes();
    for i in 0..b.len().saturating_sub(3) {
        if (b[i] == b' ' || b[i] == b'\n' || b[i] == b'\t' || b[i] == b'\r' || b[i] == b'/')
            && b[i + 1] == b'o'
            && b[i + 2] == b'n'
        {
            let rest = &svg[i + 3..];
            let name_len = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
                .unwrap_or(rest.len());
            if name_len > 0 && rest[name_len..].trim_start().starts_with('=') {
                return Some("an event handler");
            }
        }
    }
    // References to anything but the image itself or inline data.
    for attr in ["href=", "href =", "src="] {
        let mut from = 0;
        while let Some(at) = svg[from..].find(attr) {
            let after = svg[from + at + attr.len()..].trim_start();
            let value = after.trim_start_matches(['"', '\'']).trim_start();
            if !(value.starts_with('#')
                || value.starts_with("data:image/png")
                || value.starts_with("data:image/jpeg"))
            {
                return Some("an outside reference");
            }
            from += at + attr.len();
        }
    }
    let mut from = 0;
    while let Some(at) = svg[from..].find("url(") {
        let value = svg[from + at + 4..]
            .trim_start()
            .trim_start_matches(['"', '\'']);
        if !value.starts_with('#') {
            return Some("an outside reference");
        }
        from += at + 4;
    }
    None
}
