//! Business hours: a calendar (working weekdays, opening and closing time, a time zone) and the
//! two sums the response clock needs: a moment plus so many business milliseconds, and the
//! business milliseconds between two moments. Days are walked in the calendar's zone, so a
//! daylight-saving change moves the opening hour with the local clock.

use crate::kernel::error::{AppError, AppResult};
use jiff::{civil::Date, tz::TimeZone, Timestamp};
use serde::{Deserialize, Serialize};

/// The calendar as set and shown: `days` are ISO weekdays (1 Monday … 7 Sunday), `opens` and
/// `closes` local times "HH:MM" (closes after opens), `time_zone` an IANA name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = TicketCalendar)]
pub struct Calendar {
    #[schema(example = "Europe/Amsterdam")]
    pub time_zone: String,
    #[schema(example = json!([1, 2, 3, 4, 5]))]
    pub days: Vec<i64>,
    #[schema(example = "09:00")]
    pub opens: String,
    #[schema(example = "17:00")]
    pub closes: String,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            time_zone: "UTC".into(),
            days: vec![1, 2, 3, 4, 5],
            opens: "09:00".into(),
            closes: "17:00".into(),
        }
    }
}

/// A checked calendar, ready to count with.
#[derive(Clone, Debug)]
pub struct Hours {
    tz: TimeZone,
    /// Index 0 is Monday.
    days: [bool; 7],
    opens: (i8, i8),
    closes: (i8, i8),
}

fn hhmm(field: &str, v: &str) -> AppResult<(i8, i8)> {
    let bad = || AppError::validation(field, "Give a time of day as HH:MM, e.g. 09:00");
    let (h, m) = v.trim().split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok((h, m))
}

impl Hours {
    /// Checks a calendar: a known zone, weekdays 1 to 7, and some working time (at least one
    /// day, closing after opening); a calendar with no working hours is refused.
    pub fn new(c: &Calendar) -> AppResult<Hours> {
        let tz = TimeZone::get(c.time_zone.trim()).map_err(|_| {
            AppError::validation(
                "calendar.time_zone",
                "Choose a time zone by its name, such as Europe/Amsterdam or UTC",
            )
        })?;
        let mut days = [false; 7];
        for d in &c.days {
            if !(1..=7).contains(d) {
                return Err(AppError::validation(
                    "calendar.days",
                    "Weekdays are 1 (Monday) to 7 (Sunday)",
                ));
            }
            days[(*d - 1) as usize] = true;
        }
        let opens = hhmm("calendar.opens", &c.opens)?;
        let closes = hhmm("calendar.closes", &c.closes)?;
        if !days.iter().any(|d| *d) {
            return Err(AppError::field_code(
                crate::kernel::error::ErrorCode::NoWorkingHours,
                "calendar.days",
                "The calendar has no working hours: choose at least one working day",
            ));
        }
        if closes <= opens {
            return Err(AppError::field_code(
                crate::kernel::error::ErrorCode::NoWorkingHours,
                "calendar.closes",
                "The calendar has no working hours: closing must come after opening",
            ));
        }
        Ok(Hours {
            tz,
            days,
            opens,
            closes,
        })
    }

    fn date_of(&self, ms: i64) -> Date {
        Timestamp::from_millisecond(ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(self.tz.clone())
            .date()
    }

    fn at(&self, d: Date, (h, m): (i8, i8)) -> i64 {
        let dt = if h == 24 {
            d.tomorrow().unwrap_or(d).at(0, 0, 0, 0)
        } else {
            d.at(h, m, 0, 0)
        };
        dt.to_zoned_datetime(self.tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    }

    /// The working window of a day (its first and last millisecond), if it is a working day.
    fn window(&self, d: Date) -> Option<(i64, i64)> {
        let wd = d.weekday().to_monday_one_offset() as usize;
        if !self.days[wd - 1] {
            return None;
        }
        Some((self.at(d, self.opens), self.at(d, self.closes)))
    }

    /// The moment `business_ms` of working time after `from` (the clock starts at `from`, or at
    /// the next opening when `from` is outside the hours).
    pub fn add(&self, from: i64, business_ms: i64) -> i64 {
        let mut left = business_ms.max(0);
        let mut day = self.date_of(from);
        // A calendar has a working day every week: 20 years of days is far beyond any setting.
        for _ in 0..7400 {
            if let Some((o, c)) = self.window(day) {
                let s = from.max(o);
                if s < c {
                    let avail = c - s;
                    if left <= avail {
                        return s + left;
                    }
                    left -= avail;
                }
            }
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        i64::MAX / 2
    }

    /// The working milliseconds between `a` and `b`.
    pub fn between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let mut sum = 0;
        let mut day = self.date_of(a);
        let last = self.date_of(b);
        while day <= last {
            if let Some((o, c)) = self.window(day) {
                let s = a.max(o);
                let e = b.min(c);
                if e > s {
                    sum += e - s;
                }
            }
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str, tz: &str) -> i64 {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned_datetime(TimeZone::get(tz).unwrap())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    fn cal(tz: &str) -> Hours {
        Hours::new(&Calendar {
            time_zone: tz.into(),
            ..Calendar::default()
        })
        .unwrap()
    }

    #[test]
    fn adds_business_time_over_nights_and_weekends() {
        let h = cal("Europe/Amsterdam");
        let z = "Europe/Amsterdam";
        // Friday 2026-12-04 16:00 plus 2 hours: Monday 10:00.
        assert_eq!(
            h.add(ms("2026-12-04T16:00", z), 2 * 3_600_000),
            ms("2026-12-07T10:00", z)
        );
        // Saturday plus 1 hour: Monday 10:00.
        assert_eq!(
            h.add(ms("2026-12-05T12:00", z), 3_600_000),
            ms("2026-12-07T10:00", z)
        );
        // Before opening: counts from 09:00.
        assert_eq!(
            h.add(ms("2026-12-07T06:00", z), 30 * 60_000),
            ms("2026-12-07T09:30", z)
        );
        assert_eq!(
            h.between(ms("2026-12-04T16:00", z), ms("2026-12-07T10:00", z)),
            2 * 3_600_000
        );
        assert_eq!(
            h.between(ms("2026-12-05T00:00", z), ms("2026-12-06T23:00", z)),
            0
        );
    }

    #[test]
    fn a_calendar_without_working_hours_is_refused() {
        let none = Calendar {
            days: vec![],
            ..Calendar::default()
        };
        assert!(Hours::new(&none).is_err());
        let shut = Calendar {
            opens: "17:00".into(),
            closes: "09:00".into(),
            ..Calendar::default()
        };
        assert!(Hours::new(&shut).is_err());
        let bad_zone = Calendar {
            time_zone: "Mars/Olympus".into(),
            ..Calendar::default()
        };
        assert!(Hours::new(&bad_zone).is_err());
    }
}
