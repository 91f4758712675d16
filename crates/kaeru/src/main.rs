//! `kaeru`: the command line. Parses the arguments, sets up logging and runs the command (see `cli`).

mod cli;

use clap::Parser;

/// mimalloc gives freed memory back to the system in the background; glibc's malloc kept the per-thread
/// arenas an index rebuild or a burst of large pages had grown (1.5–2.5 GB resident at 100,000 people).
/// With the `override` feature it also serves C's `malloc`, so SQLite's page caches, sorters and statements
/// (bundled C, nine connection threads) no longer pin glibc arenas: at 100,000 people that was 150–200 MB of
/// the node's resident memory, and SQLite's threads contended on glibc's locks (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    cli::init_logging(&cli.log_format);
    cli::run(cli).await
}
