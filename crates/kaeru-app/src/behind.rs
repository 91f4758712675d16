//! Work done behind the pages: a list or figures read again after a write while the page shows the earlier
//! ones (`recent::soon`, the home page's figures), a worn index rebuilt while the old one answers. At 100,000
//! people one such read is up to a second of CPU (decoding a company's rows, grouping them), which on the
//! requests' worker threads delays every request that thread would have served. They run on a runtime of their
//! own with one thread, so the requests keep their workers: with a write and a home page every 0.5 s at 100,000
//! people, `/people` beside them answered with p99 41–45 ms instead of 51–69 ms, and the home page after each
//! write with p99 273–297 ms instead of 355–442 ms (docs/PERFORMANCE.md).

use std::future::Future;
use std::sync::OnceLock;
use tokio::task::JoinHandle;

static BEHIND: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();

/// Runs `work` on the behind-the-pages thread (on the caller's runtime if that thread could not be started).
pub fn spawn<F>(work: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = BEHIND.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kaeru-behind")
            .enable_all()
            .build()
            .inspect_err(|e| tracing::warn!(error = %e, "no thread for the work behind the pages"))
            .ok()
    });
    match runtime {
        Some(r) => r.spawn(work),
        None => tokio::spawn(work),
    }
}
