//! The `kaeru` binary's library: configuration, the application (web server and worker together) and demo data.
//! `main.rs` is only the command line.

pub mod config;
pub mod demo;
mod demo_portal;
mod demo_revolving;
mod demo_skills;
pub use kaeru_app::exchange;

use anyhow::Context;
use config::Config;
use kaeru_store::{DatabaseTarget, Db};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// A bound, migrated, ready-to-run Kaeru: the web pages and the worker over one database.
pub struct Application {
    listener: TcpListener,
    db: Db,
    config: Config,
}

impl Application {
    /// Opens the database, runs migrations and binds the address (port 0 picks a free port, for tests).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let target = config.database_target()?;
        Self::build_with_target(config, target).await
    }

    /// Like [`Application::build`] with an explicit database (tests use a PostgreSQL schema of their own).
    pub async fn build_with_target(config: Config, target: DatabaseTarget) -> anyhow::Result<Self> {
        let db = open_database(&target).await?;
        let listener = TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        Ok(Self {
            listener,
            db,
            config,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until `stop` is cancelled, then finishes the requests in flight and stops the worker.
    pub async fn run_until(self, stop: CancellationToken) -> anyhow::Result<()> {
        let router = kaeru_web::router(self.db.clone(), self.config.web(self.local_addr()));
        let worker = if self.config.worker {
            let node = format!("{}-{}", hostname(), std::process::id());
            let mailer = match &self.config.smtp {
                Some(s) => Some(kaeru_worker::Mailer::new(s)?),
                None => None,
            };
            Some(tokio::spawn(kaeru_worker::run(
                self.db.clone(),
                node,
                mailer,
                self.config.delivery(self.local_addr()),
                stop.clone(),
            )))
        } else {
            None
        };
        let shutdown = stop.clone();
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await?;
        stop.cancel();
        if let Some(w) = worker {
            let _ = w.await;
        }
        Ok(())
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "node".into())
}

/// Connects and brings the schema up to date.
pub async fn open_database(target: &DatabaseTarget) -> anyhow::Result<Db> {
    let db = Db::connect(target)
        .await
        .with_context(|| format!("cannot open the database {target}"))?;
    let applied = db.migrate().await.context("database migration failed")?;
    if applied > 0 {
        tracing::info!(applied, database = %target, "migrations applied");
    }
    Ok(db)
}
