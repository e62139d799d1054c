//! Field checks shared by every form and API call.

use crate::error::AppError;

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
