//! Front-end assets vendored from npm packages into `static/` and compiled into the binary.

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "pico.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../static/pico.min.css"),
    ),
    (
        "kaeru.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../static/kaeru.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../static/htmx.min.js"),
    ),
    (
        "kaeru.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../static/kaeru.js"),
    ),
    (
        "kaeru.svg",
        "image/svg+xml",
        include_bytes!("../../../static/kaeru.svg"),
    ),
];

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, body)) => (
            [
                (header::CONTENT_TYPE, *ty),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{name}", get(asset))
}
