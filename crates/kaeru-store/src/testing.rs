//! Test support: every database test runs on SQLite and on PostgreSQL, each with a fresh database.
//! PostgreSQL comes from `KAERU_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`);
//! each test gets its own schema there, dropped when the test ends.

use crate::DatabaseTarget;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn postgres_url() -> String {
    std::env::var("KAERU_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Removes the test's database when dropped.
pub struct Fresh {
    pub target: DatabaseTarget,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Schema(String),
}

impl Fresh {
    pub async fn new(backend: Backend) -> Self {
        let id = uuid::Uuid::now_v7().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("kaeru-test-{id}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                Self {
                    target: DatabaseTarget::Sqlite(dir.join("kaeru.db")),
                    cleanup: Cleanup::Dir(dir),
                }
            }
            Backend::Postgres => {
                let schema = format!("kaeru_t_{id}");
                let url = postgres_url();
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "PostgreSQL for tests is not reachable at {}: {e}",
                            crate::redact(&url)
                        )
                    });
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("create schema");
                Self {
                    target: DatabaseTarget::Postgres {
                        url,
                        schema: Some(schema.clone()),
                    },
                    cleanup: Cleanup::Schema(schema),
                }
            }
        }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(d) => {
                let _ = std::fs::remove_dir_all(d);
            }
            Cleanup::Schema(schema) => {
                let schema = schema.clone();
                // Drop runs inside the test's runtime; a separate thread with its own runtime can block on it.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async move {
                        let mut conn =
                            <sqlx::PgConnection as sqlx::Connection>::connect(&postgres_url())
                                .await
                                .ok()?;
                        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                            "DROP SCHEMA IF EXISTS {schema} CASCADE"
                        )))
                        .execute(&mut conn)
                        .await
                        .ok()
                    })
                })
                .join();
            }
        }
    }
}

/// Turns one async test body into two tests, `<name>::sqlite` and `<name>::postgres`, each with a fresh
/// database; the body sees it as `$target: DatabaseTarget`.
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($target:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($target: $crate::DatabaseTarget) $body

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let fresh = $crate::testing::Fresh::new($crate::testing::Backend::Sqlite).await;
                body(fresh.target.clone()).await;
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let fresh = $crate::testing::Fresh::new($crate::testing::Backend::Postgres).await;
                body(fresh.target.clone()).await;
            }
        }
    };
}

/// Every text column of every table that contains `needle`, as `table.column` (to prove an erasure).
pub async fn traces(db: &crate::Db, needle: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.backend;
    let columns_sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')"
        }
        _ => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND (p.type LIKE '%CHAR%' OR p.type LIKE '%TEXT%' OR p.type = '')"
        }
    };
    let cols = db
        .read
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await
        .expect("list the columns");
    let mut found = Vec::new();
    for r in cols {
        let t: String = r.try_get("", "t").expect("table");
        let c: String = r.try_get("", "c").expect("column");
        let sql = format!(
            "SELECT COUNT(*) AS n FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE '%{}%'",
            needle.replace('\'', "''")
        );
        let n: i64 = db
            .read
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .expect("count")
            .and_then(|r| r.try_get("", "n").ok())
            .unwrap_or(0);
        if n > 0 {
            found.push(format!("{t}.{c}"));
        }
    }
    found
}

/// Runs one SQL statement (tests that need to move time, e.g. expire a link).
pub async fn execute(db: &crate::Db, sql: &str) {
    use sea_orm::ConnectionTrait;
    db.write.execute_unprepared(sql).await.expect("statement");
}

/// The number a `SELECT COUNT(*) AS n …` statement returns (tests only).
pub async fn count(db: &crate::Db, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    db.read
        .query_one_raw(Statement::from_string(db.backend, sql))
        .await
        .expect("count")
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or_default()
}
