//! Times on pages: one readable format ("2 Dec 2026, 14:05") in the login's time zone, with the
//! exact time (ISO 8601 with its offset and zone) on hover. Every page shows times through here.

use crate::kernel::error::{AppError, AppResult};
use jiff::{civil::Date, tz::TimeZone, Timestamp};

/// The longest time zone name accepted (IANA names are far shorter).
const MAX_ZONE: usize = 64;

/// A time zone name checked against the zone database; an empty one clears the setting.
pub fn valid_zone(field: &str, name: &str) -> AppResult<Option<String>> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.len() > MAX_ZONE || TimeZone::get(name).is_err() {
        return Err(AppError::validation(
            field,
            "Choose a time zone by its name, such as Europe/Amsterdam or America/New_York",
        ));
    }
    Ok(Some(name.to_string()))
}

/// The zone a login's pages use: its own, or UTC.
pub fn zone(name: Option<&str>) -> TimeZone {
    name.and_then(|n| TimeZone::get(n).ok())
        .unwrap_or(TimeZone::UTC)
}

/// The names offered on My profile.
pub fn zone_names() -> Vec<String> {
    let mut v: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    v.retain(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"));
    v.push("UTC".to_string());
    v.sort();
    v.dedup();
    v
}

/// Reads what the panel stores or formats: RFC 3339, "YYYY-MM-DD HH:MM UTC", or epoch ms.
fn parse(value: &str) -> Option<Timestamp> {
    let v = value.trim();
    if let Ok(t) = v.parse::<Timestamp>() {
        return Some(t);
    }
    if let Some(rest) = v.strip_suffix(" UTC") {
        let dt: jiff::civil::DateTime = rest.replace(' ', "T").parse().ok()?;
        return dt
            .to_zoned_datetime(TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Timestamp::from_millisecond(v.parse().ok()?).ok();
    }
    None
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `<time>` markup for a time: readable text in `tz`, the exact time on hover. A plain date
/// ("2026-12-15") is shown as a date; what is not a time is shown as it is (escaped).
pub fn html(value: &str, tz: &TimeZone) -> String {
    if let Some(t) = parse(value) {
        let z = t.to_zoned_datetime(tz.clone());
        let zone_name = tz.iana_name().unwrap_or("UTC");
        format!(
            r#"<time datetime="{}" title="{} {}">{}</time>"#,
            t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            z.strftime("%Y-%m-%dT%H:%M:%S%:z"),
            zone_name,
            z.strftime("%-d %b %Y, %H:%M"),
        )
    } else if let Ok(d) = value.trim().parse::<Date>() {
        format!(
            r#"<time datetime="{d}" title="{d}">{}</time>"#,
            d.strftime("%-d %b %Y")
        )
    } else {
        escape(value)
    }
}

/// A time given as epoch milliseconds.
pub fn html_ms(ms: i64, tz: &TimeZone) -> String {
    html(&ms.to_string(), tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_zone_with_the_exact_time_on_hover() {
        let ams = zone(Some("Europe/Amsterdam"));
        assert_eq!(
            html("2026-12-15T20:33:04.977Z", &ams),
            r#"<time datetime="2026-12-15T20:33:04Z" title="2026-12-15T21:33:04+01:00 Europe/Amsterdam">15 Dec 2026, 21:33</time>"#
        );
        assert!(html("2026-12-01 20:30 UTC", &TimeZone::UTC).contains(">1 Dec 2026, 20:30<"));
        assert!(html("2026-12-15", &ams).contains(">15 Dec 2026<"));
        assert_eq!(html("<b>", &ams), "&lt;b&gt;");
        assert!(valid_zone("time_zone", "Mars/Olympus").is_err());
        assert_eq!(
            valid_zone("time_zone", "Asia/Tokyo").unwrap().as_deref(),
            Some("Asia/Tokyo")
        );
        assert_eq!(valid_zone("time_zone", " ").unwrap(), None);
    }
}
