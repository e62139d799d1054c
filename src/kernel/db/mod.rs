//! The database: one pool (SQLite or PostgreSQL, chosen by the URL) and the same SQL for both.
//!
//! Ids are 64-bit integers and times are integer milliseconds, so sqlx's `Any` driver carries
//! every value we store on both backends and no query is written twice.

pub mod backup;
pub mod migrate;
pub mod search;

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, Executor,
};
use std::{str::FromStr, sync::Arc, time::Duration};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// A row as read through sqlx's `Any` driver.
///
/// Rows are mapped to their types by hand (`from_row` beside each type), not with
/// `#[derive(sqlx::FromRow)]`: sqlx's `derive` feature builds its macro crate with both database
/// drivers (and SQLite's C library) a second time, and most mappers convert as they read (stored
/// milliseconds to RFC 3339 text, integer flags to booleans, fields that follow from the clock or
/// from the side reading the row), which a derive would need a wrapper type for each. Typed
/// fields (ids, kinds, statuses) decode directly: `r.try_get("id")?` gives an `AccountId`.
pub type Row = sqlx::any::AnyRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer: writers in this process queue here instead of failing busy.
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction. On SQLite it also holds this process's writer slot.
pub struct Tx {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite: or postgres:".into(),
            ));
        };
        let url = if backend == Backend::Sqlite {
            prepare_sqlite_url(url)?
        } else {
            url.to_string()
        };
        let opts = AnyConnectOptions::from_str(&url)?;
        // No ping before each acquire (sqlx's default): it was a round trip of its own before
        // every statement (to SQLite's worker thread, to the PostgreSQL server). A connection
        // that broke fails its statement once and is dropped from the pool.
        let pool_opts = AnyPoolOptions::new()
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 });
        let pool = if backend == Backend::Sqlite {
            pool_opts
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(opts)
                .await?
        } else {
            pool_opts.connect_with(opts).await?
        };
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        Ok(Db {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        })
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(Tx { tx, _guard: guard })
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await
    }
}

/// Adds `mode=rwc` and creates the folder of a SQLite file so the first start just works.
fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or("");
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    sqlx::Error::Configuration(
                        format!("cannot create {}: {e}", dir.display()).into(),
                    )
                })?;
            }
        }
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// True when the error is a unique-constraint violation (on either backend).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.code().as_deref() == Some("23505")
                || d.code().as_deref() == Some("2067")
                || d.code().as_deref() == Some("1555")
                || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
