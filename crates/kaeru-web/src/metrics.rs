//! `/metrics` in Prometheus's text format: requests and their latency by route, the indexes of this node
//! (people held, patches and rebuilds), the outbox (depth and the age of the oldest waiting message), the
//! scheduled jobs (failing, overdue), the database pools and the process's memory. Open only with the
//! configured token (`Authorization: Bearer …`) or, without one, from the machine itself.

use crate::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Series {
    /// Requests by status class (1xx…5xx).
    by_class: [u64; 5],
    /// Requests at or under each bucket's bound (not cumulative here; summed when written).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Requests seen by this node, by method and route (the route's pattern, never the raw path: ids do not make
/// new series, and an unknown path counts under `unmatched`).
#[derive(Default)]
pub struct Requests {
    series: Mutex<BTreeMap<(String, String), Series>>,
}

impl Requests {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.series.lock() else {
            return;
        };
        let s = m
            .entry((method.to_string(), route.to_string()))
            .or_default();
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        s.by_class[class] += 1;
        if let Some(b) = BUCKETS.iter().position(|b| seconds <= *b) {
            s.buckets[b] += 1;
        }
        s.count += 1;
        s.sum += seconds;
    }

    fn write(&self, out: &mut String) {
        let Ok(m) = self.series.lock() else {
            return;
        };
        out.push_str(
            "# HELP kaeru_http_requests_total Requests answered, by route and status class.\n",
        );
        out.push_str("# TYPE kaeru_http_requests_total counter\n");
        for ((method, route), s) in m.iter() {
            for (i, n) in s.by_class.iter().enumerate() {
                if *n > 0 {
                    let _ = writeln!(
                        out,
                        "kaeru_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{}xx\"}} {n}",
                        label(route),
                        i + 1
                    );
                }
            }
        }
        out.push_str("# HELP kaeru_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE kaeru_http_request_duration_seconds histogram\n");
        for ((method, route), s) in m.iter() {
            let route = label(route);
            let mut cumulative = 0;
            for (b, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "kaeru_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{b}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "kaeru_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "kaeru_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "kaeru_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {}",
                s.count
            );
        }
    }
}

/// A label value as Prometheus reads it (backslash, quote and newline escaped).
fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts and times every request under its route's pattern.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    state.requests.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

fn allowed(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
    match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::auth::constant_time_eq(given.as_bytes(), token.as_bytes())),
        // Without a token, only the machine itself (a forwarded header cannot make a request local: the
        // peer address is the connection's).
        None => peer.is_some_and(|p| p.ip().is_loopback()),
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>, parts: axum::http::request::Parts) -> Response {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !allowed(&state, &parts.headers, peer) {
        return (StatusCode::FORBIDDEN, "metrics: a token is needed\n").into_response();
    }
    let mut out = String::new();
    state.requests.write(&mut out);
    let (search, matching) = state.search.sizes();
    let c = &state.search.counts;
    out.push_str(
        "# HELP kaeru_index_people People held in this node's indexes, over all companies.\n",
    );
    out.push_str("# TYPE kaeru_index_people gauge\n");
    let _ = writeln!(out, "kaeru_index_people{{index=\"search\"}} {search}");
    let _ = writeln!(out, "kaeru_index_people{{index=\"matching\"}} {matching}");
    let (search_bytes, match_bytes) = state.search.bytes();
    out.push_str("# HELP kaeru_index_bytes About how much memory this node's indexes hold.\n");
    out.push_str("# TYPE kaeru_index_bytes gauge\n");
    let _ = writeln!(out, "kaeru_index_bytes{{index=\"search\"}} {search_bytes}");
    let _ = writeln!(out, "kaeru_index_bytes{{index=\"matching\"}} {match_bytes}");
    out.push_str(
        "# HELP kaeru_index_evictions_total Indexes dropped to stay within the memory budget.\n",
    );
    out.push_str("# TYPE kaeru_index_evictions_total counter\n");
    let _ = writeln!(
        out,
        "kaeru_index_evictions_total {}",
        c.evictions.load(Ordering::Relaxed)
    );
    out.push_str("# HELP kaeru_lists_forgotten_total Companies' lists, figures and pages forgotten after minutes unused.\n");
    out.push_str("# TYPE kaeru_lists_forgotten_total counter\n");
    let _ = writeln!(
        out,
        "kaeru_lists_forgotten_total {}",
        c.forgotten.load(Ordering::Relaxed)
    );
    out.push_str("# HELP kaeru_index_refreshes_total Indexes brought up to date: patched by the people a write touched, or rebuilt.\n");
    out.push_str("# TYPE kaeru_index_refreshes_total counter\n");
    for (index, how, n) in [
        ("search", "patch", &c.search_patches),
        ("search", "rebuild", &c.search_rebuilds),
        ("matching", "patch", &c.match_patches),
        ("matching", "rebuild", &c.match_rebuilds),
    ] {
        let _ = writeln!(
            out,
            "kaeru_index_refreshes_total{{index=\"{index}\",how=\"{how}\"}} {}",
            n.load(Ordering::Relaxed)
        );
    }
    match kaeru_store::outbox::health(&state.db).await {
        Ok(h) => {
            out.push_str("# HELP kaeru_outbox_waiting Messages not yet sent (all companies).\n");
            out.push_str("# TYPE kaeru_outbox_waiting gauge\n");
            let _ = writeln!(out, "kaeru_outbox_waiting {}", h.waiting);
            out.push_str("# HELP kaeru_outbox_oldest_waiting_seconds Age of the oldest message not yet sent.\n");
            out.push_str("# TYPE kaeru_outbox_oldest_waiting_seconds gauge\n");
            let _ = writeln!(
                out,
                "kaeru_outbox_oldest_waiting_seconds {}",
                h.oldest_seconds
            );
            out.push_str("# HELP kaeru_outbox_failed Messages given up on.\n");
            out.push_str("# TYPE kaeru_outbox_failed gauge\n");
            let _ = writeln!(out, "kaeru_outbox_failed {}", h.failed);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: outbox not read"),
    }
    match kaeru_store::schedules::health(&state.db).await {
        Ok(h) => {
            out.push_str("# HELP kaeru_jobs Scheduled jobs (one per company and kind).\n");
            out.push_str("# TYPE kaeru_jobs gauge\n");
            let _ = writeln!(out, "kaeru_jobs{{state=\"all\"}} {}", h.all);
            let _ = writeln!(out, "kaeru_jobs{{state=\"failing\"}} {}", h.failing);
            let _ = writeln!(out, "kaeru_jobs{{state=\"overdue\"}} {}", h.overdue);
            out.push_str(
                "# HELP kaeru_job_last_run_seconds Time since any scheduled job last ran.\n",
            );
            out.push_str("# TYPE kaeru_job_last_run_seconds gauge\n");
            if let Some(s) = h.last_run_seconds {
                let _ = writeln!(out, "kaeru_job_last_run_seconds {s}");
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: schedules not read"),
    }
    out.push_str("# HELP kaeru_db_connections Connections of this node's database pools.\n");
    out.push_str("# TYPE kaeru_db_connections gauge\n");
    for p in state.db.pools() {
        let _ = writeln!(
            out,
            "kaeru_db_connections{{pool=\"{}\",state=\"idle\"}} {}",
            p.name, p.idle
        );
        let _ = writeln!(
            out,
            "kaeru_db_connections{{pool=\"{}\",state=\"in_use\"}} {}",
            p.name,
            p.size.saturating_sub(p.idle)
        );
        let _ = writeln!(
            out,
            "kaeru_db_connections{{pool=\"{}\",state=\"max\"}} {}",
            p.name, p.max
        );
    }
    if let Some(d) = state.db.direct_reads() {
        out.push_str("# HELP kaeru_session_reads_total Session reads on SQLite: on the request's thread (direct) or through the pool because SQLite could not answer at once (fallback).\n");
        out.push_str("# TYPE kaeru_session_reads_total counter\n");
        let _ = writeln!(
            out,
            "kaeru_session_reads_total{{way=\"direct\"}} {}",
            d.direct
        );
        let _ = writeln!(
            out,
            "kaeru_session_reads_total{{way=\"fallback\"}} {}",
            d.fallen_back
        );
    }
    if let Some(rss) = resident_bytes() {
        out.push_str(
            "# HELP kaeru_process_resident_memory_bytes Resident memory of this process.\n",
        );
        out.push_str("# TYPE kaeru_process_resident_memory_bytes gauge\n");
        let _ = writeln!(out, "kaeru_process_resident_memory_bytes {rss}");
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// Resident memory from `/proc/self/statm` (Linux); `None` elsewhere.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
