//! Rebranding (PRODUCT.md §7): a partner, a reseller or a customer (and the operator, for every
//! login without a brand nearer to it) may carry rebrand information: a display name, a logo
//! (PNG, JPEG or SVG, at most 512 KiB, checked by its bytes; an SVG with scripts, event handlers
//! or outside references is refused), a primary and an accent colour, a support email, phone and
//! link, and a footer text. What a login sees follows its own account, then the nearest account
//! above it with rebrand information, then the operator's: the page header, the brand's own
//! sign-in page and every email sent to it.

use crate::areas::accounts::AccountId;
use crate::kernel::audit;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::query::Sql;
use crate::kernel::validate;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

mod check;
mod logo;
mod save;
mod seen;
pub use check::*;
pub use logo::*;
pub use save::*;
pub use seen::*;

/// The largest logo, in bytes.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// The most characters of a display name (as a person counts them).
pub const MAX_DISPLAY_NAME: usize = 60;
/// The most characters of a footer text.
pub const MAX_FOOTER: usize = 300;

/// Rebrand information as the API and the pages show it (the logo is fetched from `logo_url`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Brand {
    /// The account that carries it.
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    pub display_name: String,
    /// `#rrggbb`, or null for the panel's own.
    pub primary_color: Option<String>,
    /// `#rrggbb`, or null for the panel's own.
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
    pub support_url: Option<String>,
    pub footer: Option<String>,
    /// `image/png`, `image/jpeg` or `image/svg+xml`; null without a logo.
    pub logo_type: Option<String>,
    /// Where the logo is served (public, as sign-in pages and emails show it); null without one.
    pub logo_url: Option<String>,
    /// The brand's own sign-in page: its logins sign in there under this brand.
    pub sign_in_url: String,
    /// The key of the brand's sign-in link.
    pub sign_in_key: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

pub(crate) const BRAND_COLUMNS: &str =
    "b.account_id, b.sign_in_key, b.display_name, b.primary_color, b.accent_color, \
     b.support_email, b.support_phone, b.support_url, b.footer, b.logo_type, b.updated_at";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text.
pub(crate) fn brand_from_row(r: &Row) -> Result<Brand, sqlx::Error> {
    let key: String = r.try_get("sign_in_key")?;
    let updated: i64 = r.try_get("updated_at")?;
    let logo_type: Option<String> = r.try_get("logo_type")?;
    Ok(Brand {
        account_id: r.try_get("account_id")?,
        display_name: r.try_get("display_name")?,
        primary_color: r.try_get("primary_color")?,
        accent_color: r.try_get("accent_color")?,
        support_email: r.try_get("support_email")?,
        support_phone: r.try_get("support_phone")?,
        support_url: r.try_get("support_url")?,
        footer: r.try_get("footer")?,
        logo_url: logo_type
            .as_ref()
            .map(|_| format!("/brand/{key}/logo?v={updated}")),
        logo_type,
        sign_in_url: format!("/login?brand={key}"),
        sign_in_key: key,
        updated_at: crate::clock::rfc3339(updated),
    })
}

impl Brand {
    /// The header's colour, or the panel's own.
    pub fn primary(&self) -> &str {
        self.primary_color.as_deref().unwrap_or("#1f4e79")
    }
    /// The accent (links, buttons), or the panel's own.
    pub fn accent(&self) -> &str {
        self.accent_color.as_deref().unwrap_or("#2563eb")
    }
    /// The support contact in one line ("help@x.example · +1 555 · https://…"), empty when none.
    pub fn support_line(&self) -> String {
        [&self.support_email, &self.support_phone, &self.support_url]
            .iter()
            .filter_map(|v| v.as_deref())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_count_as_people_count() {
        assert_eq!(person_length("Café"), 4);
        assert_eq!(person_length("e\u{301}"), 1);
        assert_eq!(person_length("👍🏽"), 1);
        assert_eq!(person_length("👨‍👩‍👧‍👦"), 1);
        assert_eq!(person_length("🇩🇪🇫🇷"), 2);
        assert!(person_text("name", "Name", &"é".repeat(50), 50).is_ok());
        assert!(person_text("name", "Name", &"😀".repeat(51), 50).is_err());
    }

    #[test]
    fn colours_and_logos_are_checked() {
        assert_eq!(color("c", "#ABC").unwrap().as_deref(), Some("#aabbcc"));
        assert_eq!(color("c", "#1f4e79").unwrap().as_deref(), Some("#1f4e79"));
        assert_eq!(color("c", "").unwrap(), None);
        for bad in ["red", "#12", "#ggg", "1f4e79", "#1f4e7"] {
            assert_eq!(color("c", bad).unwrap_err().code(), ErrorCode::ColorInvalid);
        }
        assert_eq!(check_logo(b"\x89PNG\r\n\x1a\nxx").unwrap(), "image/png");
        assert_eq!(check_logo(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(), "image/jpeg");
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect fill="url(#g)" width="10" height="10"/></svg>"##;
        assert_eq!(check_logo(svg).unwrap(), "image/svg+xml");
        for bad in [
            &br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#[..],
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="javascript:alert(1)"><rect/></a></svg>"#,
            br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg></svg>"#,
        ] {
            assert_eq!(check_logo(bad).unwrap_err().code(), ErrorCode::LogoUnsafe, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(
            check_logo(b"GIF89a....").unwrap_err().code(),
            ErrorCode::LogoTypeRefused
        );
        assert_eq!(
            check_logo(b"hello").unwrap_err().code(),
            ErrorCode::LogoTypeRefused
        );
        let big = [b"\x89PNG\r\n\x1a\n".to_vec(), vec![0; MAX_LOGO_BYTES]].concat();
        assert_eq!(
            check_logo(&big).unwrap_err().code(),
            ErrorCode::LogoTooLarge
        );
        let exactly = [b"\x89PNG\r\n\x1a\n".to_vec(), vec![0; MAX_LOGO_BYTES - 8]].concat();
        assert!(check_logo(&exactly).is_ok());
    }
}
