//! The writer of due check-ins: a group commit. A check-in that is due (its probe's last one
//! written is an interval old) is handed to one writer task per panel process, which writes
//! every check-in waiting at that moment in one transaction and one statement, and answers each
//! whether it was recorded. Alone, a check-in is written at once (a group of one); under load,
//! those arriving while a group commits form the next group, so the cost of a transaction (on
//! SQLite the one writer slot, its commit and the pages it rewrites) is shared instead of paid
//! per probe. Each probe's row is still written at most once per interval, with the same
//! condition in the statement as before: two check-ins of one probe racing write once.

use crate::areas::sites::ProbeId;
use crate::kernel::db::Db;
use crate::kernel::error::{AppError, AppResult};
use sqlx::Row as _;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most check-ins one statement writes (five parameters each).
const MAX_GROUP: usize = 256;

/// A check-in to write: the probe, when it was seen, and the version and host it sent.
#[derive(Clone, Debug)]
pub struct DueCheckIn {
    pub probe_id: ProbeId,
    pub seen_at: i64,
    /// Written only while the last check-in written is at or before this (an interval ago).
    pub last_before: i64,
    pub version: Option<String>,
    pub host: Option<String>,
}

type Job = (DueCheckIn, oneshot::Sender<Result<bool, String>>);

/// The handle of the writer task of this panel (started with the first due check-in).
#[derive(Clone, Default)]
pub struct CheckInWriter {
    queue: Arc<OnceLock<mpsc::UnboundedSender<Job>>>,
}

/// Write transactions of check-ins begun in this process (the benchmark reads it).
pub static WRITE_TRANSACTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl CheckInWriter {
    /// Writes a due check-in with those waiting beside it; true when it was recorded (false:
    /// another check-in of the same probe was written first, or the probe was disabled).
    pub async fn write(&self, db: &Db, due: DueCheckIn) -> AppResult<bool> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(run(db.clone(), rx));
            tx
        });
        let (done, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((due, _))) = queue.send((due, done)) {
            // The writer is gone (its runtime ended): write this one here.
            return Ok(write_group(db, std::slice::from_ref(&due))
                .await?
                .contains(&due.probe_id.get()));
        }
        match answer.await {
            Ok(Ok(recorded)) => Ok(recorded),
            Ok(Err(e)) => Err(AppError::Internal(format!("writing check-ins: {e}"))),
            Err(_) => Err(AppError::Internal(
                "the check-in writer stopped before answering".into(),
            )),
        }
    }
}

async fn run(db: Db, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut jobs, MAX_GROUP).await > 0 {
        let dues: Vec<DueCheckIn> = jobs.iter().map(|(d, _)| d.clone()).collect();
        let result = write_group(&db, &dues).await;
        // A probe twice in the group: its first check-in is the one recorded.
        let mut answered = HashSet::new();
        for (d, done) in jobs.drain(..) {
            let _ = done.send(match &result {
                Ok(written) => {
                    Ok(written.contains(&d.probe_id.get()) && answered.insert(d.probe_id))
                }
                Err(e) => Err(e.to_string()),
            });
        }
    }
}

/// Writes a group in one transaction; the probes written. A probe twice in the group is
/// written for its first check-in only (the second is within the interval of the first).
async fn write_group(db: &Db, dues: &[DueCheckIn]) -> Result<HashSet<i64>, sqlx::Error> {
    let mut seen = HashSet::new();
    let first: Vec<&DueCheckIn> = dues.iter().filter(|d| seen.insert(d.probe_id)).collect();
    WRITE_TRANSACTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut written = HashSet::with_capacity(first.len());
    let mut tx = db.begin().await?;
    for chunk in first.chunks(MAX_GROUP) {
        // Portable: UPDATE … FROM (VALUES …) names the columns column1… on both databases.
        let mut text = String::from(
            "UPDATE probes SET last_seen_at = v.column2, version = COALESCE(v.column3, probes.version), \
             host = COALESCE(v.column4, probes.host) FROM (VALUES ",
        );
        for i in 0..chunk.len() {
            let n = i * 5;
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!(
                "(CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS TEXT), CAST(${} AS TEXT), CAST(${} AS BIGINT))",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5
            ));
        }
        text.push_str(
            ") AS v WHERE probes.id = v.column1 AND probes.enabled = 1 \
             AND (probes.last_seen_at IS NULL OR probes.last_seen_at <= v.column5) RETURNING id",
        );
        let mut q = sqlx::query(&text).persistent(false);
        for d in chunk {
            q = q
                .bind(d.probe_id)
                .bind(d.seen_at)
                .bind(d.version.as_deref())
                .bind(d.host.as_deref())
                .bind(d.last_before);
        }
        for r in q.fetch_all(&mut *tx).await? {
            written.insert(r.try_get::<i64, _>("id")?);
        }
    }
    tx.commit().await?;
    Ok(written)
}
