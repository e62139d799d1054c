//! The rebrand form's input and its checks: names, colours, phone, web address, footer.

use super::*;

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
