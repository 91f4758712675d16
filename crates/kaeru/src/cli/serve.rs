//! `kaeru serve`: the web pages, the JSON API and the background worker, until Ctrl-C or SIGTERM.

use super::{DbArgs, MailArgs, config, setup};
use kaeru::Application;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

pub(super) async fn run(
    config_file: &Option<PathBuf>,
    listen: Option<String>,
    db: DbArgs,
    with_demo: bool,
    secure_cookies: Option<bool>,
    trust_proxy: Option<bool>,
    mail: MailArgs,
) -> anyhow::Result<()> {
    let config = config(config_file, db, listen, secure_cookies, trust_proxy, mail)?;
    tracing::info!(?config, "starting");
    let app = Application::build(config.clone()).await?;
    if with_demo {
        setup::seed_demo(app.db(), 2026).await?;
        setup::print_login();
    }
    let addr = app.local_addr();
    println!(
        "Kaeru is running at http://{addr}/  (database: {})",
        config.database_target()?
    );
    let (links, configured) = config.link_base(addr);
    if configured {
        println!("Links in e-mails start with {links}");
    } else {
        println!(
            "Links in e-mails start with {links} (the listen address; set KAERU_PUBLIC_URL or --public-url to the address people reach Kaeru at)"
        );
    }
    tracing::info!(links = %links, configured, "address for links in e-mails");
    let stop = CancellationToken::new();
    tokio::spawn(shutdown_signal(stop.clone()));
    app.run_until(stop).await
}

async fn shutdown_signal(stop: CancellationToken) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
    stop.cancel();
}
