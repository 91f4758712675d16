//! Choosing and opening the database: SQLite by default, PostgreSQL from a `postgres://` URL.

use crate::StoreResult;
use crate::direct::{DirectReader, DirectReads};
use crate::migration::Migrator;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector,
};
use sea_orm_migration::MigratorTrait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Where the data lives. `Display` and `Debug` never show a password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres { url: String, schema: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "unsupported database URL scheme `{0}`: use postgres://… for PostgreSQL, sqlite://PATH, or leave KAERU_DATABASE_URL unset for the embedded SQLite file"
    )]
    UnsupportedScheme(String),
    #[error("the database URL is not a URL: {0}")]
    Malformed(String),
}

impl DatabaseTarget {
    /// From `KAERU_DATABASE_URL` (if set) or the data folder. Anything but SQLite or PostgreSQL is an error,
    /// never a silently created SQLite file.
    pub fn resolve(url: Option<&str>, data_dir: &Path) -> Result<Self, TargetError> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::Sqlite(data_dir.join("kaeru.db")));
        };
        let (scheme, rest) = url
            .split_once(':')
            .ok_or_else(|| TargetError::Malformed(redact(url)))?;
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => {
                url::Url::parse(url).map_err(|_| TargetError::Malformed(redact(url)))?;
                Ok(Self::Postgres {
                    url: url.to_string(),
                    schema: None,
                })
            }
            "sqlite" => {
                let path = rest.trim_start_matches("//");
                if path.is_empty() {
                    return Err(TargetError::Malformed(redact(url)));
                }
                Ok(Self::Sqlite(PathBuf::from(
                    path.split('?').next().unwrap_or(path),
                )))
            }
            other => Err(TargetError::UnsupportedScheme(other.to_string())),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }
}

/// Replaces the password in a URL with `***`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparseable URL>".into(),
    }
}

impl fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            Self::Postgres { url, schema: None } => write!(f, "{}", redact(url)),
            Self::Postgres {
                url,
                schema: Some(s),
            } => write!(f, "{} (schema {s})", redact(url)),
        }
    }
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Two handles to one database: `read` for queries, `write` for changes. On SQLite the writer is a single
/// connection, so writers queue in the pool instead of failing with "database is locked"; readers run
/// beside it thanks to WAL. On PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Db {
    pub(crate) read: DatabaseConnection,
    pub(crate) write: DatabaseConnection,
    pub(crate) backend: DbBackend,
    pg_pool: Option<sqlx::PgPool>,
    /// SQLite only: the session read on the request's own thread (`direct`).
    pub(crate) direct: Option<std::sync::Arc<DirectReader>>,
}

/// How much of one connection pool is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    pub name: &'static str,
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// Read connections to the embedded SQLite file: two per core, at least 4 and at most 8. Each has a thread and
/// a page cache of its own; on two cores, 4 served `/people` as fast as 8 and the node held 147–151 MB instead of
/// 156–164 MB under mixed load at 100,000 people (docs/PERFORMANCE.md).
fn sqlite_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    u32::try_from(cores * 2).unwrap_or(8).clamp(4, 8)
}

/// The page cache of each SQLite reader, in KiB (SQLite's `cache_size` takes a negative number as KiB).
const READER_CACHE_KIB: &str = "-1024";

/// How long a PostgreSQL connection may sit idle in the pool before it is pinged on its next use.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(30);

impl Db {
    pub async fn connect(target: &DatabaseTarget) -> anyhow::Result<Self> {
        match target {
            DatabaseTarget::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    // Deleted personal data is overwritten on disk, not only unlinked (APPI erasure).
                    .pragma("secure_delete", "ON")
                    // Sorts and statement journals in memory: no temporary files of personal data, and a bulk
                    // insert does not write each statement's undo pages to disk.
                    .pragma("temp_store", "MEMORY")
                    .busy_timeout(Duration::from_secs(15));
                // No ping before each use (sqlx's default): a connection to a local file cannot go away, and
                // the ping was a second trip to the connection's thread for every query.
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .test_before_acquire(false)
                    .connect_with(opts.clone())
                    .await?;
                // Each reader keeps 1 MiB of pages instead of SQLite's 2 MiB: what the pages read again and again
                // is kept above the database per revision (lists, counts, indexes), and a read of a whole company
                // passes through any page cache; the node held 2–4 MB less at 100,000 people.
                let read = SqlitePoolOptions::new()
                    .max_connections(sqlite_readers())
                    .test_before_acquire(false)
                    .connect_with(opts.pragma("cache_size", READER_CACHE_KIB))
                    .await?;
                Ok(Self {
                    read: SqlxSqliteConnector::from_sqlx_sqlite_pool(read),
                    write: SqlxSqliteConnector::from_sqlx_sqlite_pool(write),
                    backend: DbBackend::Sqlite,
                    pg_pool: None,
                    direct: Some(std::sync::Arc::new(DirectReader::new(path.clone()))),
                })
            }
            DatabaseTarget::Postgres { url, schema } => {
                let mut opts = PgConnectOptions::from_str(url)?;
                if let Some(schema) = schema {
                    opts = opts.options([("search_path", schema.as_str())]);
                }
                // sqlx pings a connection before every use by default: a second round trip to the server for
                // each query. Only a connection idle for a while is pinged (one the server or a firewall may
                // have dropped); a busy one is used as it is.
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= PING_WHEN_IDLE_FOR {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(opts)
                    .await?;
                let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone());
                Ok(Self {
                    read: conn.clone(),
                    write: conn,
                    backend: DbBackend::Postgres,
                    pg_pool: Some(pool),
                    direct: None,
                })
            }
        }
    }

    /// This node's connection pools (SQLite: a reader pool and the one writer; PostgreSQL: one pool).
    pub fn pools(&self) -> Vec<PoolUse> {
        match self.backend {
            DbBackend::Postgres => self
                .pg_pool
                .iter()
                .map(|p| PoolUse {
                    name: "postgres",
                    size: p.size(),
                    idle: u32::try_from(p.num_idle()).unwrap_or(u32::MAX),
                    max: p.options().get_max_connections(),
                })
                .collect(),
            _ => [("read", &self.read), ("write", &self.write)]
                .into_iter()
                .map(|(name, c)| {
                    let p = c.get_sqlite_connection_pool();
                    PoolUse {
                        name,
                        size: p.size(),
                        idle: u32::try_from(p.num_idle()).unwrap_or(u32::MAX),
                        max: p.options().get_max_connections(),
                    }
                })
                .collect(),
        }
    }

    /// The same database with every read through the pools, to compare the direct reads with (tests only).
    #[cfg(any(test, feature = "testing"))]
    pub fn without_direct_reads(&self) -> Self {
        Self {
            direct: None,
            ..self.clone()
        }
    }

    /// SQLite only: how many session reads this node made on the request's thread, and how many went through
    /// the pool because SQLite could not answer at once.
    pub fn direct_reads(&self) -> Option<DirectReads> {
        self.direct.as_ref().map(|d| d.counts())
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            DbBackend::Postgres => "postgres",
            _ => "sqlite",
        }
    }

    /// On SQLite, copies every committed change from the write-ahead log into the database file and empties
    /// the log (`wal_checkpoint(TRUNCATE)`), so with `secure_delete` a copy of the data folder taken right
    /// after an erasure holds none of the erased text. Retried while a reader still holds an old snapshot.
    /// PostgreSQL frees old row versions at its next VACUUM; nothing to do here.
    pub(crate) async fn checkpoint(&self) -> StoreResult<()> {
        if self.backend != DbBackend::Sqlite {
            return Ok(());
        }
        for attempt in 0..20 {
            let row = self
                .write
                .query_one_raw(sea_orm::Statement::from_string(
                    DbBackend::Sqlite,
                    "PRAGMA wal_checkpoint(TRUNCATE)",
                ))
                .await?;
            let busy: i32 = row
                .as_ref()
                .and_then(|r| r.try_get_by_index(0).ok())
                .unwrap_or(0);
            if busy == 0 {
                return Ok(());
            }
            tracing::debug!(attempt, "wal checkpoint busy; retrying");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tracing::warn!("the SQLite write-ahead log could not be emptied: readers kept it busy");
        Ok(())
    }

    /// Brings the schema up to date. On PostgreSQL an advisory lock makes nodes that start together
    /// take turns; on SQLite the single writer connection does the same.
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        const MIGRATION_LOCK: i64 = 0x006b_6165_7275; // "kaeru"
        let lock = match &self.pg_pool {
            Some(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *conn)
                    .await?;
                Some(conn)
            }
            None => None,
        };
        let pending = Migrator::get_pending_migrations(&self.write).await?.len();
        let result = Migrator::up(&self.write, None).await;
        if let Some(mut conn) = lock {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        result?;
        Ok(pending)
    }

    /// For `/readyz`: the database answers and no migration is pending.
    pub async fn ready(&self) -> anyhow::Result<()> {
        self.read.ping().await?;
        let pending = Migrator::get_pending_migrations(&self.read).await?;
        anyhow::ensure!(pending.is_empty(), "{} migrations pending", pending.len());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_schemes_are_refused() {
        let dir = Path::new("/data");
        assert_eq!(
            DatabaseTarget::resolve(None, dir).unwrap(),
            DatabaseTarget::Sqlite("/data/kaeru.db".into())
        );
        assert!(matches!(
            DatabaseTarget::resolve(Some("postgres://u:p@h/db"), dir),
            Ok(DatabaseTarget::Postgres { .. })
        ));
        assert!(
            matches!(DatabaseTarget::resolve(Some("mysql://h/db"), dir), Err(TargetError::UnsupportedScheme(s)) if s == "mysql")
        );
        assert!(DatabaseTarget::resolve(Some("kaeru.db"), dir).is_err());
    }

    #[test]
    fn passwords_never_show() {
        let t = DatabaseTarget::resolve(
            Some("postgres://kaeru:s3cret@db.example/kaeru"),
            Path::new("."),
        )
        .unwrap();
        assert!(!format!("{t} {t:?}").contains("s3cret"));
    }
}
