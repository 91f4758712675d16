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
