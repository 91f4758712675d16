//! Backups of the embedded SQLite database while Kaeru serves: `VACUUM INTO` copies one consistent snapshot
//! (a read transaction: writers go on, the copy holds what was committed when it began) into a new file,
//! which is then opened on its own and checked. PostgreSQL is backed up with its own tools (`pg_dump`).
//! Restoring puts a checked copy in place of the database file while Kaeru is stopped.

use crate::{DatabaseTarget, Db};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::{Path, PathBuf};

/// What a backup or a restore checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub path: PathBuf,
    pub bytes: u64,
    /// Companies and people in the copy, for the operator to compare.
    pub companies: i64,
    pub people: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("PostgreSQL is backed up with pg_dump (see docs/OPERATIONS.md), not with kaeru backup")]
    Postgres,
    #[error("{0} already exists; choose a new file name")]
    Exists(PathBuf),
    #[error("{0} is not a Kaeru database: {1}")]
    NotKaeru(PathBuf, String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Other(#[from] anyhow::Error),
}

/// Copies the live SQLite database into `to` (which must not exist) and checks the copy.
pub async fn backup(db: &Db, to: &Path) -> Result<Checked, BackupError> {
    if db.backend != DbBackend::Sqlite {
        return Err(BackupError::Postgres);
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let literal = to.to_string_lossy().replace('\'', "''");
    db.read
        .execute_unprepared(&format!("VACUUM INTO '{literal}'"))
        .await?;
    check(to).await
}

/// Opens a copy on its own and checks it: SQLite's integrity check, Kaeru's migrations table, the counts.
pub async fn check(path: &Path) -> Result<Checked, BackupError> {
    let not_kaeru = |why: String| BackupError::NotKaeru(path.to_path_buf(), why);
    if !path.is_file() {
        return Err(not_kaeru("no such file".into()));
    }
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path)?;
        f.read_exact(&mut head)
            .map_err(|_| not_kaeru("too short".into()))?;
    }
    if &head != b"SQLite format 3\0" {
        return Err(not_kaeru("not an SQLite file".into()));
    }
    let copy = Db::connect(&DatabaseTarget::Sqlite(path.to_path_buf())).await?;
    let one = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_string());
    let ok: String = copy
        .read
        .query_one_raw(one("PRAGMA integrity_check"))
        .await?
        .map(|r| r.try_get_by_index::<String>(0))
        .transpose()?
        .unwrap_or_default();
    if ok != "ok" {
        return Err(not_kaeru(format!("integrity check: {ok}")));
    }
    let count = |table: &'static str| {
        let copy = copy.clone();
        async move {
            copy.read
                .query_one_raw(one(&format!("SELECT COUNT(*) FROM {table}")))
                .await
                .ok()
                .flatten()
                .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        }
    };
    let migrations = count("seaql_migrations").await;
    let (Some(_), Some(companies), Some(people)) =
        (migrations, count("companies").await, count("people").await)
    else {
        return Err(not_kaeru("no Kaeru tables".into()));
    };
    copy.read.close_by_ref().await.ok();
    copy.write.close_by_ref().await.ok();
    Ok(Checked {
        path: path.to_path_buf(),
        bytes: std::fs::metadata(path)?.len(),
        companies,
        people,
    })
}

/// Puts a checked backup in place of the SQLite database `target` (Kaeru stopped). An existing database is
/// refused unless `replace`, and then kept beside it as `kaeru.db.before-restore-…`.
pub async fn restore(from: &Path, target: &Path, replace: bool) -> Result<Checked, BackupError> {
    let checked = check(from).await?;
    let mut kept = None;
    if target.exists() {
        if !replace {
            return Err(BackupError::Exists(target.to_path_buf()));
        }
        let to = target.with_extension(format!(
            "db.before-restore-{}",
            chrono::Utc::now().format("%Y%m%d%H%M%S")
        ));
        std::fs::rename(target, &to)?;
        kept = Some(to);
    }
    // The write-ahead log belongs to the file it was written for: it goes with the kept database.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            match &kept {
                Some(k) => std::fs::rename(&side, format!("{}{suffix}", k.display()))?,
                None => std::fs::remove_file(&side)?,
            }
        }
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Copy to a temporary name and rename, so a crash never leaves half a database in place.
    let partial = target.with_extension("db.restoring");
    std::fs::copy(from, &partial)?;
    std::fs::rename(&partial, target)?;
    Ok(Checked {
        path: target.to_path_buf(),
        ..checked
    })
}
