//! JSON API of billing: a partner's package and invoices, payments (operator and webhook), the
//! data export, and the opt-in test clock.

use crate::kernel::error::AppResult;
use crate::state::AppState;

/// The test clock's offset is kept in the database too, so every instance sharing it moves.
pub const TEST_CLOCK_SETTING: &str = "test_clock_offset_ms";

pub(crate) async fn share_test_clock(state: &AppState) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(TEST_CLOCK_SETTING)
        .bind(state.clock.offset_ms().to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// With the test clock on: catches this instance's clock up with the shared offset.
pub async fn sync_test_clock(state: &AppState) {
    if !state.config.test_clock {
        return;
    }
    let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(TEST_CLOCK_SETTING)
        .fetch_optional(&state.db.pool)
        .await
        .ok()
        .flatten();
    if let Some(ms) = v.and_then(|v| v.parse::<i64>().ok()) {
        state.clock.catch_up_to(ms);
    }
}
