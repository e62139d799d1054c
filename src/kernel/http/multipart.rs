//! multipart/form-data bodies, read whole: the upload forms of the panel (a ticket with its
//! attachments). Small and strict on purpose: a body this parser cannot read is refused as a
//! form that cannot be read, never guessed at. Written here rather than taken from a crate
//! because the CSRF check needs the same reading before any handler runs, on bytes already
//! buffered.

use crate::kernel::error::{AppError, ErrorCode};

/// The most a multipart body may carry: five files of 5 MiB with their base64 or form framing
/// and the text fields around them.
pub const MAX_UPLOAD_BODY: usize = 40 * 1024 * 1024;

/// One part of the body: a text field, or a file when `filename` is set.
#[derive(Clone, Debug, Default)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The boundary of a `multipart/form-data; boundary=…` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() || needle.is_empty() {
        return None;
    }
    let first = needle[0];
    let mut i = from;
    while i + needle.len() <= hay.len() {
        match hay[i..hay.len() - needle.len() + 1]
            .iter()
            .position(|b| *b == first)
        {
            None => return None,
            Some(p) => {
                i += p;
                if &hay[i..i + needle.len()] == needle {
                    return Some(i);
                }
                i += 1;
            }
        }
    }
    None
}

/// A `key="value"` parameter of a Content-Disposition header.
fn param(header: &str, key: &str) -> Option<String> {
    let mut rest = header;
    while let Some(p) = rest.find(';') {
        rest = rest[p + 1..].trim_start();
        let (k, v) = rest.split_once('=')?;
        let v = v.trim_start();
        let (value, tail) = if let Some(q) = v.strip_prefix('"') {
            let end = q.find('"')?;
            (q[..end].to_string(), &q[end + 1..])
        } else {
            let end = v.find(';').unwrap_or(v.len());
            (v[..end].trim().to_string(), &v[end..])
        };
        if k.trim().eq_ignore_ascii_case(key) {
            return Some(value);
        }
        rest = tail;
    }
    None
}

/// Every part of a body, in order; `None` when it is not a well-formed multipart body.
pub fn parse(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delim = format!("--{boundary}");
    let next_delim = format!("\r\n--{boundary}");
    let mut pos = find(body, delim.as_bytes(), 0)? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        if body.get(pos..pos + 2) != Some(b"\r\n") {
            return None;
        }
        pos += 2;
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let mut part = Part::default();
        let mut named = false;
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(':')?;
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                part.name = param(v, "name")?;
                part.filename = param(v, "filename");
                named = true;
            }
        }
        if !named {
            return None;
        }
        let data_start = head_end + 4;
        let end = find(body, next_delim.as_bytes(), data_start)?;
        part.data = body[data_start..end].to_vec();
        parts.push(part);
        pos = end + next_delim.len();
    }
}

/// Parses a body with its content type, as the error a page or a call shows.
pub fn read(content_type: &str, body: &[u8]) -> Result<Vec<Part>, AppError> {
    let b = boundary(content_type).ok_or_else(|| {
        AppError::bad_request(
            ErrorCode::UnsupportedMediaType,
            "Send the form as multipart/form-data",
        )
    })?;
    parse(body, &b)
        .ok_or_else(|| AppError::bad_request(ErrorCode::InvalidForm, "The form could not be read"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a;b.txt\"\r\nContent-Type: text/plain\r\n\r\nline\r\n--\r\nmore\r\n--XyZ--\r\n";
        let parts = parse(
            body,
            &boundary("multipart/form-data; boundary=XyZ").unwrap(),
        )
        .unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].text().as_str()),
            ("csrf_token", "abc")
        );
        assert_eq!(parts[1].filename.as_deref(), Some("a;b.txt"));
        assert_eq!(parts[1].data, b"line\r\n--\r\nmore");
        assert!(parse(b"--XyZ\r\nno header\r\n\r\n", "XyZ").is_none());
        assert!(boundary("application/json").is_none());
    }
}
