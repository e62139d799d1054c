//! Rebranding (PRODUCT.md §7): a partner, a reseller or a customer (and the operator, for every
//! login without a brand nearer to it) may carry rebrand information: a display name, a logo
//! (PNG, JPEG or SVG, at most 512 KiB, checked by its bytes; an SVG with scripts, event handlers
//! or outside references is refused), a primary and an accent colour, a support email, phone and
//! link, and a footer text. What a login sees follows its own account, then the nearest account
//! above it with rebrand information, then the operator's: the page header, the brand's own
//! sign-in page and every email sent to it.

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
    pub account_id: i64,
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

/// A logo sent through the API: its bytes in base64.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct LogoUpload {
    /// The file's name (informative only: the type is read from the bytes).
    #[serde(default)]
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// The bytes, base64 (at most 512 KiB decoded).
    #[serde(default)]
    #[schema(required = true)]
    pub data: String,
}

/// Rebrand information to set. Empty texts mean "none"; a logo left out keeps the one there is
/// (`remove_logo` drops it).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct BrandInput {
    /// The name shown instead of "Partner Panel", at most 60 characters.
    #[serde(default)]
    #[schema(required = true)]
    pub display_name: String,
    /// `#rgb` or `#rrggbb` (empty: the panel's own).
    #[schema(nullable = false, pattern = r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6})?$")]
    pub primary_color: Option<String>,
    /// `#rgb` or `#rrggbb` (empty: the panel's own).
    #[schema(nullable = false, pattern = r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6})?$")]
    pub accent_color: Option<String>,
    #[schema(nullable = false)]
    pub support_email: Option<String>,
    /// Digits, spaces and + - ( ) . / only, at most 40.
    #[schema(nullable = false, max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub support_phone: Option<String>,
    /// An http:// or https:// address.
    #[schema(nullable = false, max_length = 300)]
    pub support_url: Option<String>,
    /// A line or two shown at the foot of pages and emails, at most 300 characters.
    #[schema(nullable = false)]
    pub footer: Option<String>,
    /// PNG, JPEG or SVG (without scripts), at most 512 KiB.
    #[schema(nullable = false)]
    pub logo: Option<LogoUpload>,
    /// True: the logo there is goes.
    #[schema(nullable = false)]
    pub remove_logo: Option<bool>,
}

/// What happens to the logo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LogoChange {
    #[default]
    Keep,
    Remove,
    /// The type read from the bytes, and the bytes.
    Set(&'static str, Vec<u8>),
}

/// Rebrand information checked and ready to store.
#[derive(Clone, Debug, Default)]
pub struct CheckedBrand {
    pub display_name: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
    pub support_url: Option<String>,
    pub footer: Option<String>,
    pub logo: LogoChange,
}

/// The fields of a brand form, as a page or the API sends them (the logo's bytes decoded).
#[derive(Clone, Debug, Default)]
pub struct BrandFields {
    pub display_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: String,
    pub support_phone: String,
    pub support_url: String,
    pub footer: String,
    /// The logo's bytes when one was sent.
    pub logo: Option<Vec<u8>>,
    pub remove_logo: bool,
}

impl BrandFields {
    /// True when nothing was filled in (the wizard's step 2 left empty: no rebrand).
    pub fn is_empty(&self) -> bool {
        [
            &self.display_name,
            &self.primary_color,
            &self.accent_color,
            &self.support_email,
            &self.support_phone,
            &self.support_url,
            &self.footer,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
            && self.logo.is_none()
    }

    /// The fields of an API body; a logo that is not base64 is refused on `logo`.
    pub fn from_input(b: &BrandInput) -> AppResult<BrandFields> {
        let logo = match &b.logo {
            Some(l) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(l.data.trim().as_bytes())
                    .map_err(|_| AppError::validation("logo", "The logo must be sent as base64"))?,
            ),
            None => None,
        };
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok(BrandFields {
            display_name: b.display_name.clone(),
            primary_color: s(&b.primary_color),
            accent_color: s(&b.accent_color),
            support_email: s(&b.support_email),
            support_phone: s(&b.support_phone),
            support_url: s(&b.support_url),
            footer: s(&b.footer),
            logo,
            remove_logo: b.remove_logo.unwrap_or(false),
        })
    }
}

/// Counts characters as a person does (grapheme clusters).
pub fn person_length(s: &str) -> usize {
    unicode_segmentation::UnicodeSegmentation::graphemes(s, true).count()
}

/// A trimmed, non-empty, printable text of at most `max` characters as a person counts them.
pub fn person_text(field: &str, label: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::validation(field, format!("{label} is required")));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(AppError::validation(
            field,
            format!("{label} must not contain control characters"),
        ));
    }
    let n = person_length(v);
    if n > max {
        return Err(AppError::validation(
            field,
            format!("{label} must be at most {max} characters (this one has {n})"),
        ));
    }
    Ok(v.to_string())
}

/// `#rgb` or `#rrggbb` as `#rrggbb` (lower case); empty is none.
pub fn color(field: &str, value: &str) -> AppResult<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let hex = v.strip_prefix('#').unwrap_or("");
    if !(hex.len() == 3 || hex.len() == 6) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::field_code(
            ErrorCode::ColorInvalid,
            field,
            format!("{v:?} is not a colour: write it as #rrggbb (e.g. #1f4e79) or #rgb"),
        ));
    }
    let hex = hex.to_ascii_lowercase();
    Ok(Some(if hex.len() == 3 {
        hex.chars()
            .flat_map(|c| [c, c])
            .fold(String::from("#"), |mut s, c| {
                s.push(c);
                s
            })
    } else {
        format!("#{hex}")
    }))
}

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

/// Checks every field of a brand form at once (a coded error, a logo's or a colour's, stands
/// alone when it is the only one, so that the API answers its own code).
pub fn check(f: &BrandFields) -> AppResult<CheckedBrand> {
    let mut c = validate::Collect::new();
    let mut coded: Vec<AppError> = Vec::new();
    let mut keep = |r: AppResult<Option<String>>, c: &mut validate::Collect| match r {
        Ok(v) => v,
        Err(e @ AppError::Field { .. }) => {
            if let Some(field) = e.field() {
                c.add(field, e.to_string());
            }
            coded.push(e);
            None
        }
        Err(e) => {
            for fe in e.field_errors() {
                c.add(&fe.field, fe.message);
            }
            None
        }
    };
    let display_name = c
        .take(person_text(
            "display_name",
            "Display name",
            &f.display_name,
            MAX_DISPLAY_NAME,
        ))
        .unwrap_or_default();
    let primary_color = keep(color("primary_color", &f.primary_color), &mut c);
    let accent_color = keep(color("accent_color", &f.accent_color), &mut c);
    let support_email = keep(
        match f.support_email.trim() {
            "" => Ok(None),
            e => validate::email("support_email", e).map(Some),
        },
        &mut c,
    );
    let support_phone = keep(phone(&f.support_phone), &mut c);
    let support_url = keep(url(&f.support_url), &mut c);
    let footer = keep(footer(&f.footer), &mut c);
    let logo = match &f.logo {
        Some(bytes) => match check_logo(bytes) {
            Ok(t) => LogoChange::Set(t, bytes.clone()),
            Err(e) => {
                c.add("logo", e.to_string());
                coded.push(e);
                LogoChange::Keep
            }
        },
        None if f.remove_logo => LogoChange::Remove,
        None => LogoChange::Keep,
    };
    if coded.len() == 1 && c.len() == 1 {
        return Err(coded.remove(0));
    }
    c.finish()?;
    Ok(CheckedBrand {
        display_name,
        primary_color,
        accent_color,
        support_email,
        support_phone,
        support_url,
        footer,
        logo,
    })
}

fn phone(v: &str) -> AppResult<Option<String>> {
    let p = v.trim();
    if p.is_empty() {
        return Ok(None);
    }
    if p.len() > 40
        || !p
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
    {
        return Err(AppError::validation(
            "support_phone",
            "Support phone may hold digits, spaces and + - ( ) . / only, at most 40",
        ));
    }
    Ok(Some(p.to_string()))
}

fn url(v: &str) -> AppResult<Option<String>> {
    let u = v.trim();
    if u.is_empty() {
        return Ok(None);
    }
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"));
    match rest {
        Some(r)
            if u.len() <= 300
                && !r.is_empty()
                && !r.starts_with(['/', '.'])
                && !u.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') =>
        {
            Ok(Some(u.to_string()))
        }
        _ => Err(AppError::validation(
            "support_url",
            "Support link must be an address starting with https:// or http://, at most 300 characters",
        )),
    }
}

fn footer(v: &str) -> AppResult<Option<String>> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(AppError::validation(
            "footer",
            "Footer must not contain control characters",
        ));
    }
    if person_length(t) > MAX_FOOTER {
        return Err(AppError::validation(
            "footer",
            format!("Footer must be at most {MAX_FOOTER} characters"),
        ));
    }
    Ok(Some(t.replace("\r\n", "\n")))
}

/// The key of a new brand's sign-in link: its name in plain letters, and the account id.
fn sign_in_key(display_name: &str, account_id: i64) -> String {
    let mut slug = String::new();
    for c in crate::kernel::db::search::fold(display_name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 30 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("brand-{account_id}")
    } else {
        format!("{slug}-{account_id}")
    }
}

/// The rebrand information an account carries itself.
pub async fn own_brand(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
) -> Result<Option<Brand>, sqlx::Error> {
    let q = format!("SELECT {BRAND_COLUMNS} FROM brands b WHERE b.account_id = $1");
    let row = sqlx::query(&q)
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(brand_from_row).transpose()
}

/// The brand a login of `account_id` sees: its account's own, else the nearest account above
/// with one (the operator's last); none when nobody on the way carries one.
pub async fn brand_seen_from(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
) -> Result<Option<Brand>, sqlx::Error> {
    let sql = seen_from_sql(account_id);
    let row = sql.query().fetch_optional(&mut *conn).await?;
    row.as_ref().map(brand_from_row).transpose()
}

/// The query of `brand_seen_from`: one row of `BRAND_COLUMNS`, or none.
pub fn seen_from_sql(account_id: i64) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {BRAND_COLUMNS} FROM account_closure c JOIN brands b ON b.account_id = c.ancestor_id \
         WHERE c.descendant_id = "
    ));
    sql.int(account_id).push(" ORDER BY c.depth LIMIT 1");
    sql
}

/// The brand of a row that joined `seen_from_sql` from the left: none when it found none.
pub fn brand_from_joined_row(r: &Row) -> Result<Option<Brand>, sqlx::Error> {
    match r.try_get::<Option<i64>, _>("account_id")? {
        Some(_) => brand_from_row(r).map(Some),
        None => Ok(None),
    }
}

/// The brand of a sign-in link's key.
pub async fn brand_by_key(
    conn: &mut sqlx::AnyConnection,
    key: &str,
) -> Result<Option<Brand>, sqlx::Error> {
    let q = format!(
        "SELECT {BRAND_COLUMNS} FROM brands b JOIN accounts a ON a.id = b.account_id \
         WHERE b.sign_in_key = $1 AND a.status <> 'deleted'"
    );
    let row = sqlx::query(&q).bind(key).fetch_optional(&mut *conn).await?;
    row.as_ref().map(brand_from_row).transpose()
}

/// The logo of a sign-in link's key: its type and bytes.
pub async fn logo_by_key(
    conn: &mut sqlx::AnyConnection,
    key: &str,
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT b.logo_type, b.logo FROM brands b JOIN accounts a ON a.id = b.account_id \
         WHERE b.sign_in_key = $1 AND a.status <> 'deleted' AND b.logo IS NOT NULL",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(Some((r.try_get("logo_type")?, r.try_get("logo")?))),
        None => Ok(None),
    }
}

/// Sets an account's rebrand information in `tx` (the caller checked access), audited on the
/// account.
pub async fn save_in(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    actor: &audit::Actor,
    account_id: i64,
    b: &CheckedBrand,
) -> AppResult<()> {
    let existing = own_brand(&mut *tx, account_id).await?;
    let tenant: Option<i64> = sqlx::query_scalar("SELECT tenant_id FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
    if existing.is_none() {
        sqlx::query(
            "INSERT INTO brands (account_id, tenant_id, sign_in_key, display_name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(account_id)
        .bind(tenant)
        .bind(sign_in_key(&b.display_name, account_id))
        .bind(&b.display_name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE brands SET display_name = $1, primary_color = $2, accent_color = $3, support_email = $4, \
         support_phone = $5, support_url = $6, footer = $7, updated_at = $8 WHERE account_id = $9",
    )
    .bind(&b.display_name)
    .bind(&b.primary_color)
    .bind(&b.accent_color)
    .bind(&b.support_email)
    .bind(&b.support_phone)
    .bind(&b.support_url)
    .bind(&b.footer)
    .bind(now)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    match &b.logo {
        LogoChange::Keep => {}
        LogoChange::Remove => {
            sqlx::query(
                "UPDATE brands SET logo = NULL, logo_type = NULL, logo_size = 0 WHERE account_id = $1",
            )
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        }
        LogoChange::Set(t, bytes) => {
            sqlx::query(
                "UPDATE brands SET logo = $1, logo_type = $2, logo_size = $3 WHERE account_id = $4",
            )
            .bind(bytes.clone())
            .bind(*t)
            .bind(bytes.len() as i64)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let mut detail = format!("display name {}", b.display_name);
    for (label, v) in [
        ("primary colour", &b.primary_color),
        ("accent colour", &b.accent_color),
        ("support email", &b.support_email),
        ("support phone", &b.support_phone),
        ("support link", &b.support_url),
    ] {
        if let Some(v) = v {
            detail.push_str(&format!(", {label} {v}"));
        }
    }
    match &b.logo {
        LogoChange::Set(t, bytes) => {
            detail.push_str(&format!(", logo {t} of {} bytes", bytes.len()))
        }
        LogoChange::Remove => detail.push_str(", logo removed"),
        LogoChange::Keep => {}
    }
    audit::record(
        &mut *tx,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(account_id),
            action: "brand.update",
            target_type: Some("account"),
            target_id: Some(account_id.to_string()),
            detail: Some(detail),
        },
    )
    .await?;
    Ok(())
}

/// Removes an account's rebrand information in `tx`, audited; false when it had none.
pub async fn remove_in(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    actor: &audit::Actor,
    account_id: i64,
) -> AppResult<bool> {
    let gone = sqlx::query("DELETE FROM brands WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone > 0 {
        audit::record(
            &mut *tx,
            now,
            actor,
            audit::Entry {
                subject_account_id: Some(account_id),
                action: "brand.remove",
                target_type: Some("account"),
                target_id: Some(account_id.to_string()),
                detail: None,
            },
        )
        .await?;
    }
    Ok(gone > 0)
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
