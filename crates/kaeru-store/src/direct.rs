//! The one read every signed-in page makes, done on the request's own thread on SQLite.
//!
//! sqlx runs each SQLite connection on a thread of its own: a query is handed to that thread over a channel
//! and its rows come back the same way. For a read by primary key that takes microseconds, the two hand-offs
//! cost more than the read: at 64 connections on two cores, 45 % of the node's time was in the kernel,
//! switching between the request threads and the connections' threads (docs/PERFORMANCE.md, fifth pass).
//! So the session read (and the company's revision in it) goes through a few connections of our own, opened
//! with rusqlite on the same SQLite library sqlx links, and runs where the request runs. It reads only, on a
//! connection that cannot write (`query_only`), and when SQLite cannot answer at once (the file is busy,
//! missing or unreadable) the caller reads through sqlx as before. Every other query goes through sqlx.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How many idle connections are kept: one per request thread is enough on the machines Kaeru runs on; a
/// burst beyond that opens connections that are closed after use.
const KEEP_IDLE: usize = 8;

/// How long a direct read may wait for a lock before the caller reads through sqlx instead. Readers in WAL mode
/// wait only while a checkpoint truncates the log; the request thread must not wait long.
const BUSY_WAIT: Duration = Duration::from_millis(20);

/// Each connection's page cache, in KiB: it holds the sessions, users and companies, not people.
const PAGE_CACHE_KIB: i64 = 256;

pub(crate) struct DirectReader {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    reads: AtomicU64,
    fallbacks: AtomicU64,
}

/// How many reads a node made directly and how many went through sqlx because SQLite could not answer at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectReads {
    pub direct: u64,
    pub fallen_back: u64,
}

impl DirectReader {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
            reads: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
        }
    }

    pub(crate) fn counts(&self) -> DirectReads {
        DirectReads {
            direct: self.reads.load(Ordering::Relaxed),
            fallen_back: self.fallbacks.load(Ordering::Relaxed),
        }
    }

    /// Runs `read` on one of the reader's connections. `None` when it could not (the caller then reads
    /// through sqlx); the reason goes to the log.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T, DirectError>,
    ) -> Option<T> {
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match taken.map_or_else(|| self.open(), Ok) {
            Ok(conn) => conn,
            Err(e) => {
                self.fallbacks.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, path = %self.path.display(), "direct SQLite read: cannot open; reading through the pool");
                return None;
            }
        };
        let result = read(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEEP_IDLE
        {
            idle.push(conn);
        }
        match result {
            Ok(value) => {
                self.reads.fetch_add(1, Ordering::Relaxed);
                Some(value)
            }
            Err(e) => {
                self.fallbacks.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "direct SQLite read failed; reading through the pool");
                None
            }
        }
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        // Never creates the file: the pools made it and ran the migrations before the first request.
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_WAIT)?;
        conn.pragma_update(None, "query_only", true)?;
        conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        Ok(conn)
    }
}

/// Why a direct read gave up: SQLite's error, or a value stored in a form this reader does not decode (sqlx
/// then decodes it, and the log says which column).
#[derive(Debug, thiserror::Error)]
pub(crate) enum DirectError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("column {0} holds a value this reader does not decode")]
    Undecodable(&'static str),
}

/// A UUID as sqlx stores it in SQLite: 16 bytes.
pub(crate) fn uuid(
    row: &rusqlite::Row<'_>,
    index: usize,
    name: &'static str,
) -> Result<uuid::Uuid, DirectError> {
    let bytes: Vec<u8> = row.get(index)?;
    uuid::Uuid::from_slice(&bytes).map_err(|_| DirectError::Undecodable(name))
}

/// A time as sqlx stores it in SQLite: RFC 3339 text (`2026-12-07T20:24:09.123456+00:00`).
pub(crate) fn time(
    row: &rusqlite::Row<'_>,
    index: usize,
    name: &'static str,
) -> Result<chrono::DateTime<chrono::Utc>, DirectError> {
    let text: String = row.get(index)?;
    chrono::DateTime::parse_from_rfc3339(&text)
        .or_else(|_| chrono::DateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| DirectError::Undecodable(name))
}
