//! Work done behind the pages: a list or figures read again after a write while the page shows the earlier
//! ones (`recent::soon`, the home page's figures), a worn index rebuilt while the old one answers. At 100,000
//! people one such read is a second of CPU (decoding a company's rows, grouping them); on the requests' worker
//! threads two of them held both of a 2-core node's workers, and the page that had started them waited for a
//! thread to finish (the first home page after a write: 0.3–0.6 s, of which 0.1 s was its own work). They run
//! on a runtime of their own with one thread: however many there are, the requests keep their workers.

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
