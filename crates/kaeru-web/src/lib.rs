//! Kaeru's web layer: server-rendered pages, sign-in, CSRF, and the health endpoints.
//! Handlers translate HTTP to calls on the repository layer and back; they hold no business rules.

pub mod api;
mod assets;
mod auth;
mod charts;
mod error;
mod forms;
mod metrics;
mod path;
use kaeru_i18n as i18n;
mod routes;
mod shell;

use axum::Router;
use kaeru_store::Db;
use std::sync::Arc;

/// Settings the web layer needs.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Send cookies with `Secure` (Kaeru runs behind HTTPS). Also turned on per request by
    /// `X-Forwarded-Proto: https` when `trust_proxy` is set.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    pub trust_proxy: bool,
    /// How long a sign-in lasts.
    pub session_hours: i64,
    /// The address links in e-mails start with (e.g. `https://kaeru.example.jp`), decided from configuration
    /// only: `public_url`, else the address Kaeru listens on. Never taken from a request's `Host` header, which
    /// anyone can forge.
    pub public_url: String,
    /// Whether `public_url` was configured (or falls back to the listen address); shown in 設定.
    pub public_url_configured: bool,
    /// Whether the worker delivers the outbox (the outbox page says so when not).
    pub smtp_configured: bool,
    /// The LINE Messaging API's base URL.
    pub line_api_url: String,
    /// Where a person confirms a LINE account link.
    pub line_access_url: String,
    /// The bearer token `/metrics` asks for; without one, `/metrics` answers the machine itself only.
    pub metrics_token: Option<String>,
    /// The most memory this node's search and matching indexes may hold together, in bytes (`None`: no
    /// limit); past it the least recently used companies' indexes are dropped.
    pub index_budget_bytes: Option<usize>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_proxy: false,
            session_hours: 12,
            public_url: "http://127.0.0.1:8080".into(),
            public_url_configured: false,
            line_api_url: "https://api.line.me".into(),
            line_access_url: "https://access.line.me".into(),
            smtp_configured: false,
            metrics_token: None,
            index_budget_bytes: None,
        }
    }
}

/// The one application state, cloned into every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    /// This node's search indexes, kept in step with the database by revision.
    pub search: Arc<kaeru_app::search::SearchCache>,
    /// Requests this node answered, for `/metrics`.
    pub requests: Arc<metrics::Requests>,
}

impl AppState {
    /// Where LINE's API is and where Kaeru is reached, for sending and for links in messages.
    pub fn delivery(&self) -> kaeru_app::announcements::Delivery {
        kaeru_app::announcements::Delivery {
            line_api: self.config.line_api_url.clone(),
            public_url: self.config.public_url.clone(),
        }
    }
}

/// Every minute, forgets the lists and figures no request asked for in
/// [`kaeru_app::search::FORGET_UNUSED_AFTER`]; stops when the router is dropped.
fn forget_unused_lists(search: &Arc<kaeru_app::search::SearchCache>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let search = Arc::downgrade(search);
    runtime.spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            let Some(search) = search.upgrade() else {
                return;
            };
            let n = search.forget_unused_for(kaeru_app::search::FORGET_UNUSED_AFTER);
            if n > 0 {
                tracing::debug!(
                    forgotten = n,
                    "lists and figures no one asked for forgotten"
                );
            }
        }
    });
}

/// All routes of the application.
pub fn router(db: Db, config: WebConfig) -> Router {
    let search = Arc::new(kaeru_app::search::SearchCache::with_budget(
        config.index_budget_bytes,
    ));
    forget_unused_lists(&search);
    let state = AppState {
        db,
        config: Arc::new(config),
        search,
        requests: Arc::new(metrics::Requests::default()),
    };
    routes::router()
        .merge(api::router())
        .merge(assets::router())
        .route("/metrics", axum::routing::get(metrics::metrics))
        .layer(axum::middleware::from_fn(error::finish))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            shell::security_headers,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}
