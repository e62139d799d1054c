//! `partner-panel backup FILE`: a consistent copy of a live SQLite database, taken with
//! `VACUUM INTO` (one read transaction: the panel goes on writing meanwhile, the copy holds
//! every write committed before it started). PostgreSQL is backed up with pg_dump (README).

use super::{Backend, Db};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: choose a new file name (a backup never overwrites)")]
    Exists(String),
    #[error("cannot write {0}: {1}")]
    Unwritable(String, String),
    #[error("the backup command copies SQLite databases; on PostgreSQL use pg_dump (see README.md, \"Backups\")")]
    NotSqlite,
    #[error("the copy failed: {0}")]
    Copy(String),
}

/// Copies the database to `file` and returns its size in bytes. The copy is written beside
/// the target and renamed into place, so `file` never holds a partial backup.
pub async fn backup_sqlite(db: &Db, file: &Path) -> Result<u64, BackupError> {
    if db.backend != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    let shown = file.display().to_string();
    // Taking the name first (create_new) refuses an existing file and finds an unwritable place.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::Exists(shown))
        }
        Err(e) => return Err(BackupError::Unwritable(shown, e.to_string())),
    }
    let partial = partial_name(file);
    let result = async {
        let _ = std::fs::remove_file(&partial);
        sqlx::query("VACUUM INTO $1")
            .bind(partial.display().to_string())
            .execute(&db.pool)
            .await
            .map_err(|e| BackupError::Copy(e.to_string()))?;
        std::fs::rename(&partial, file)
            .map_err(|e| BackupError::Unwritable(shown.clone(), e.to_string()))?;
        std::fs::metadata(file)
            .map(|m| m.len())
            .map_err(|e| BackupError::Unwritable(shown.clone(), e.to_string()))
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_file(file);
    }
    result
}

fn partial_name(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    file.with_file_name(name)
}
