//! The escalation settings (operator): the response time of each priority, in business minutes,
//! and the calendar they are counted in. Changing them recomputes the due time of every ticket
//! whose clock runs.

use super::hours::{Calendar, Hours};
use super::Priority;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};

pub const SETTING: &str = "ticket_settings";

/// Business minutes a ticket may wait for an answer, per priority (1 to 10080 each).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResponseMinutes {
    pub low: i64,
    pub normal: i64,
    pub high: i64,
    pub urgent: i64,
}

impl Default for ResponseMinutes {
    fn default() -> Self {
        ResponseMinutes {
            low: 960,
            normal: 480,
            high: 240,
            urgent: 60,
        }
    }
}

impl ResponseMinutes {
    pub fn of(&self, p: Priority) -> i64 {
        match p {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
            Priority::Urgent => self.urgent,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketSettings {
    pub response_minutes: ResponseMinutes,
    pub calendar: Calendar,
}

impl TicketSettings {
    pub fn check(&self) -> AppResult<Hours> {
        let r = &self.response_minutes;
        for (f, v) in [
            ("response_minutes.low", r.low),
            ("response_minutes.normal", r.normal),
            ("response_minutes.high", r.high),
            ("response_minutes.urgent", r.urgent),
        ] {
            if !(1..=10_080).contains(&v) {
                return Err(AppError::validation(
                    f,
                    "A response time is 1 to 10080 business minutes",
                ));
            }
        }
        Hours::new(&self.calendar)
    }
    pub fn response_ms(&self, p: Priority) -> i64 {
        self.response_minutes.of(p) * 60_000
    }
}

/// The settings in force (the defaults until the operator saves some).
pub async fn current(state: &AppState) -> AppResult<(TicketSettings, Hours)> {
    let v = crate::areas::onboarding::setting(state, SETTING).await?;
    let s: TicketSettings = v
        .and_then(|v| serde_json::from_str(&v).ok())
        .filter(|s: &TicketSettings| s.check().is_ok())
        .unwrap_or_default();
    let h = s.check()?;
    Ok((s, h))
}

pub async fn settings(state: &AppState, who: &Identity) -> AppResult<TicketSettings> {
    access::operator(state, who, Need::Read).await?;
    Ok(current(state).await?.0)
}

/// Saves the settings (operator admins) and moves the due time of every running clock.
pub async fn set_settings(
    state: &AppState,
    who: &Identity,
    s: &TicketSettings,
) -> AppResult<TicketSettings> {
    access::operator(state, who, Need::Admin).await?;
    let hours = s.check()?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(SETTING)
        .bind(serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?)
        .execute(&mut *tx)
        .await?;
    let running: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, priority, counted_ms, clock_from FROM tickets WHERE due_at IS NOT NULL",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (id, p, counted, from) in running {
        let p = Priority::parse(&p).unwrap_or(Priority::Normal);
        let due = hours.add(from, s.response_ms(p) - counted);
        sqlx::query("UPDATE tickets SET due_at = $1 WHERE id = $2")
            .bind(due)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "settings.tickets",
            target_type: None,
            target_id: None,
            detail: Some(format!(
                "response minutes low {}, normal {}, high {}, urgent {}; days {:?} {}–{} {}",
                s.response_minutes.low,
                s.response_minutes.normal,
                s.response_minutes.high,
                s.response_minutes.urgent,
                s.calendar.days,
                s.calendar.opens,
                s.calendar.closes,
                s.calendar.time_zone
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(s.clone())
}
