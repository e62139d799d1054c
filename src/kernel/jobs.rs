//! The job table and its worker. Jobs are claimed with a lease in one UPDATE, so two instances
//! sharing a database never run one job at once; failures are retried with backoff.

use crate::state::AppState;
use sqlx::Row as _;

pub const SEND_EMAIL: &str = "send_email";

/// What runs a job of one kind: its payload in, done or an error to retry with.
pub type Run =
    for<'a> fn(&'a AppState, &'a Job) -> futures_util::future::BoxFuture<'a, Result<(), String>>;

/// One kind of job, as an area declares it: the worker looks kinds up here.
pub struct JobKind {
    pub kind: &'static str,
    pub run: Run,
    /// For a periodic job: how often it is scheduled (once per period, by whichever instance
    /// gets there first).
    pub every_ms: Option<i64>,
}

/// The kernel's own jobs: delivering the outbox.
pub const JOBS: &[JobKind] = &[JobKind {
    kind: SEND_EMAIL,
    run: |state, job| {
        Box::pin(async move {
            let v: serde_json::Value =
                serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            let id = v["outbox_id"].as_i64().ok_or("payload has no outbox_id")?;
            crate::kernel::notify::mail::deliver(state, id, job.attempts >= job.max_attempts).await
        })
    },
    every_ms: None,
}];

/// Every kind of job: the kernel's and each area's.
pub fn registry() -> impl Iterator<Item = &'static JobKind> {
    JOBS.iter().chain(crate::areas::jobs())
}

/// The number in a job's JSON payload under `key`.
pub fn payload_id(job: &Job, key: &str) -> Result<i64, String> {
    let v: serde_json::Value = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
    v[key]
        .as_i64()
        .ok_or_else(|| format!("payload has no {key}"))
}

const LEASE_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Adds a job in the caller's transaction. With a `dedupe_key`, a second job of that key is
/// silently not added.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    now_ms: i64,
    kind: &str,
    payload: &str,
    run_at: i64,
    dedupe_key: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO jobs (kind, payload, dedupe_key, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(kind)
    .bind(payload)
    .bind(dedupe_key)
    .bind(run_at)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

const DUE: &str =
    "((status = 'pending' AND run_at <= $3) OR (status = 'running' AND lease_until < $3))";

/// Claims one due job (or one whose lease ran out), or `None`.
pub async fn claim(state: &AppState) -> Result<Option<Job>, sqlx::Error> {
    let now = state.now_ms();
    let q = format!(
        "UPDATE jobs SET status = 'running', lease_until = $1, lease_owner = $2, \
         attempts = attempts + 1, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs WHERE {DUE} ORDER BY run_at, id LIMIT 1) AND {DUE} \
         RETURNING id, kind, payload, attempts, max_attempts"
    );
    let mut tx = state.db.begin().await?;
    let row = sqlx::query(&q)
        .bind(now + LEASE_MS)
        .bind(&state.instance_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    // Read by hand, as every row of the panel: see `kernel::db::Row`.
    row.map(|r| {
        Ok(Job {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
        })
    })
    .transpose()
}

async fn finish(
    state: &AppState,
    job: &Job,
    result: Result<(), String>,
) -> Result<(), sqlx::Error> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    match result {
        Ok(()) => {
            sqlx::query(
                "UPDATE jobs SET status = 'done', lease_until = NULL, updated_at = $1 \
                 WHERE id = $2 AND lease_owner = $3",
            )
            .bind(now)
            .bind(job.id)
            .bind(&state.instance_id)
            .execute(&mut *tx)
            .await?;
        }
        Err(e) => {
            let failed = job.attempts >= job.max_attempts;
            // 10 s, 20 s, 40 s … at most an hour.
            let backoff = (10_000i64 << (job.attempts - 1).clamp(0, 20)).min(3_600_000);
            tracing::warn!(job_id = job.id, kind = %job.kind, attempts = job.attempts, error = %e, "job failed");
            sqlx::query(
                "UPDATE jobs SET status = $1, run_at = $2, lease_until = NULL, last_error = $3, \
                 updated_at = $4 WHERE id = $5 AND lease_owner = $6",
            )
            .bind(if failed { "failed" } else { "pending" })
            .bind(now + backoff)
            .bind(e.chars().take(1000).collect::<String>())
            .bind(now)
            .bind(job.id)
            .bind(&state.instance_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await
}

async fn execute(state: &AppState, job: &Job) -> Result<(), String> {
    match registry().find(|k| k.kind == job.kind) {
        Some(k) => (k.run)(state, job).await,
        None => Err(format!("unknown job kind {}", job.kind)),
    }
}

/// Runs every due job now, one after another; returns how many ran. Tests call this.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut n = 0;
    while let Some(job) = claim(state).await? {
        let r = execute(state, &job).await;
        finish(state, &job, r).await?;
        n += 1;
    }
    Ok(n)
}

/// Schedules the periodic housekeeping once per hour, whichever instance gets there first.
async fn schedule_periodic(state: &AppState) -> Result<(), sqlx::Error> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    for k in registry() {
        if let Some(every) = k.every_ms {
            let slot = now / every;
            enqueue(
                &mut tx,
                now,
                k.kind,
                "{}",
                now,
                Some(&format!("{}:{slot}", k.kind)),
            )
            .await?;
        }
    }
    tx.commit().await
}

/// Gives back the leases this instance holds, so another instance takes the jobs at once.
pub async fn release_leases(state: &AppState) -> Result<u64, sqlx::Error> {
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE jobs SET status = 'pending', lease_until = NULL, attempts = attempts - 1 \
         WHERE status = 'running' AND lease_owner = $1",
    )
    .bind(&state.instance_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// The worker loop: runs due jobs until `shutdown` resolves.
pub async fn worker(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        crate::kernel::test_clock::sync_test_clock(&state).await;
        if let Err(e) = schedule_periodic(&state).await {
            tracing::warn!(error = %e, "could not schedule periodic jobs");
        }
        loop {
            if *shutdown.borrow() {
                break;
            }
            match claim(&state).await {
                Ok(Some(job)) => {
                    let r = execute(&state, &job).await;
                    if let Err(e) = finish(&state, &job, r).await {
                        tracing::warn!(error = %e, "could not record job result");
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim a job");
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(state.config.worker_poll) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
    match release_leases(&state).await {
        Ok(n) if n > 0 => tracing::info!(released = n, "released job leases"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not release job leases"),
    }
}

/// Counts for the metrics page.
pub async fn gauges(state: &AppState) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let mut out = Vec::new();
    for (table, col) in [("jobs", "status"), ("outbox", "status")] {
        let q = format!("SELECT {col} AS s, COUNT(*) AS n FROM {table} GROUP BY {col}");
        for r in sqlx::query(&q).fetch_all(&state.db.pool).await? {
            out.push((table.to_string(), r.try_get("s")?, r.try_get("n")?));
        }
    }
    Ok(out)
}
