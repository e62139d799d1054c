//! What every request and job shares.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::kernel::db::Db;
use crate::kernel::http::metrics::Metrics;
use crate::kernel::secrets::PasswordHasherPool;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub hasher: PasswordHasherPool,
    pub metrics: Arc<Metrics>,
    /// Names this process in job leases.
    pub instance_id: String,
    /// Writes the probes' due check-ins in groups (one writer task per process).
    pub check_ins: crate::areas::sites::check_ins::CheckInWriter,
}

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
