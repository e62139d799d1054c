//! Field checks shared by every form and API call.

use crate::kernel::error::AppError;
use crate::kernel::error::FieldError;

/// Collects every field's error of a form, so that all are answered at once.
#[derive(Default, Debug)]
pub struct Collect {
    errors: Vec<FieldError>,
}

impl Collect {
    pub fn new() -> Collect {
        Collect::default()
    }

    /// The value of a check; a field error is kept (and a default value given back), any other
    /// error goes on.
    pub fn take<T: Default>(&mut self, r: Result<T, AppError>) -> Result<T, AppError> {
        match r {
            Ok(v) => Ok(v),
            Err(e @ (AppError::Validation { .. } | AppError::Fields(_))) => {
                for f in e.field_errors() {
                    self.add(&f.field, f.message);
                }
                Ok(T::default())
            }
            Err(e) => Err(e),
        }
    }

    /// A field error found by the caller (one per field: the first is kept).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.errors.iter().any(|e| e.field == field) {
            self.errors.push(FieldError {
                field: field.to_string(),
                message: message.into(),
            });
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many fields are at fault.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Nothing wrong: Ok; one field: that error; several: all of them.
    pub fn finish(mut self) -> Result<(), AppError> {
        match self.errors.len() {
            0 => Ok(()),
            1 => {
                let e = self.errors.remove(0);
                Err(AppError::Validation {
                    field: e.field,
                    message: e.message,
                })
            }
            _ => Err(AppError::Fields(self.errors)),
        }
    }
}

pub const MAX_NAME: usize = 100;

pub const MIN_PASSWORD: usize = 10;

pub const MAX_PASSWORD: usize = 256;

/// A trimmed, non-empty, printable name of at most `max` characters.
pub fn name(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::validation(
            field,
            format!("{} is required", label(field)),
        ));
    }
    if v.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("{} must be at most {max} characters", label(field)),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(AppError::validation(
            field,
            format!("{} must not contain control characters", label(field)),
        ));
    }
    Ok(v.to_string())
}

/// A plausible email address, lower-cased.
pub fn email(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim().to_lowercase();
    if v.is_empty() {
        return Err(AppError::validation(field, "Email is required"));
    }
    let bad = || AppError::validation(field, "Email must look like name@example.com");
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = v.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.len() > 64
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
        || v.contains(['<', '>', '"', ',', ';', '(', ')', '[', ']', '\\'])
    {
        return Err(bad());
    }
    Ok(v)
}

pub fn new_password(field: &str, value: &str) -> Result<(), AppError> {
    let n = value.chars().count();
    if n < MIN_PASSWORD {
        return Err(AppError::validation(
            field,
            format!("Password must be at least {MIN_PASSWORD} characters"),
        ));
    }
    if value.len() > MAX_PASSWORD {
        return Err(AppError::validation(
            field,
            format!("Password must be at most {MAX_PASSWORD} bytes"),
        ));
    }
    if value.trim().is_empty() {
        return Err(AppError::validation(field, "Password must not be blank"));
    }
    Ok(())
}

fn label(field: &str) -> String {
    let s = field.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// A sign-in name: an email address, or a username of 3 to 40 letters, digits, dots, dashes and
/// underscores, starting with a letter or digit; lower-cased.
pub fn login_name(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim().to_lowercase();
    if v.contains('@') {
        return email(field, value);
    }
    let ok = (3..=40).contains(&v.len())
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(v)
    } else {
        Err(AppError::validation(
            field,
            "A username has 3 to 40 letters, digits, dots, dashes or underscores (or use an email address)",
        ))
    }
}

/// Free text of at most `max` characters (line breaks allowed), trimmed; `required` refuses empty.
pub fn text(field: &str, v: &str, max: usize, required: bool) -> Result<String, AppError> {
    let t = v.trim();
    if required && t.is_empty() {
        return Err(AppError::validation(
            field,
            format!("{} is required", label(field)),
        ));
    }
    if t.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("At most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(AppError::validation(
            field,
            "Text must not contain control characters",
        ));
    }
    Ok(t.to_string())
}

/// An absolute http(s) URL of at most 500 characters, without spaces; empty when not `required`.
pub fn url(field: &str, v: &str, required: bool) -> Result<String, AppError> {
    let t = text(field, v, 500, required)?;
    if t.is_empty() {
        return Ok(t);
    }
    let lower = t.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty() && !host.starts_with('/') && !t.contains(char::is_whitespace) =>
        {
            Ok(t)
        }
        _ => Err(AppError::validation(
            field,
            "Write a full address starting with https:// or http://",
        )),
    }
}

/// A point in time: RFC 3339 (`2026-12-01T09:00:00Z`) or a browser's `2026-12-01T09:00` (UTC).
pub fn time(field: &str, v: &str) -> Result<i64, AppError> {
    let t = v.trim();
    let bad = || {
        AppError::validation(
            field,
            format!(
                "{} must be a date and time like 2026-12-01T09:00 (UTC)",
                label(field)
            ),
        )
    };
    if t.is_empty() {
        return Err(AppError::validation(
            field,
            format!("{} is required", label(field)),
        ));
    }
    if t.len() > 40 {
        return Err(bad());
    }
    if let Ok(d) = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
        return i64::try_from(d.unix_timestamp_nanos() / 1_000_000).map_err(|_| bad());
    }
    let fmts = [
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    for f in fmts {
        if let Ok(d) = time::PrimitiveDateTime::parse(t, &f) {
            return Ok((d.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64);
        }
    }
    Err(bad())
}

/// A calendar day `YYYY-MM-DD`: its first millisecond (UTC).
pub fn day(field: &str, v: &str) -> Result<i64, AppError> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(v.trim(), &f)
        .map(|d| (d.midnight().assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| AppError::validation(field, "Write the day like 2026-12-01"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("email", " A@B.example ").unwrap(), "a@b.example");
        for bad in [
            "", "a", "a@b", "@b.c", "a@@b.c", "a b@c.d", "a@b..c", "<a@b.c>", "a@.b",
        ] {
            assert!(email("email", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn names_and_passwords() {
        assert_eq!(name("name", "  Ann ", 10).unwrap(), "Ann");
        assert!(name("name", "   ", 10).is_err());
        assert!(name("name", "a\u{0}b", 10).is_err());
        assert!(name("name", &"x".repeat(11), 10).is_err());
        assert!(new_password("password", "short").is_err());
        assert!(new_password("password", &"x".repeat(300)).is_err());
        assert!(new_password("password", "long enough pw").is_ok());
    }
}
