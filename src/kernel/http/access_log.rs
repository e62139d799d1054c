//! One log line per request, as the operator chose (PANEL_ACCESS_LOG: off, all, or one in N),
//! and always for server errors and slow requests.

use crate::config::{AccessLog, Config};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Requests seen by this process, for sampling.
static SEEN: AtomicU64 = AtomicU64::new(0);

pub fn log(config: &Config, id: &str, method: &str, path: &str, status: u16, elapsed: Duration) {
    let ms = elapsed.as_millis() as u64;
    if status >= 500 {
        tracing::error!(request_id = %id, method = %method, path = %path, status, ms, "request failed");
    } else if elapsed >= config.slow_request {
        tracing::warn!(request_id = %id, method = %method, path = %path, status, ms, "slow request");
    } else {
        match config.access_log {
            AccessLog::Off => {}
            AccessLog::All => {
                tracing::info!(request_id = %id, method = %method, path = %path, status, ms, "request")
            }
            AccessLog::Sample(n) => {
                if SEEN.fetch_add(1, Ordering::Relaxed).is_multiple_of(n) {
                    tracing::info!(request_id = %id, method = %method, path = %path, status, ms, sampled = n, "request");
                }
            }
        }
    }
}
