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

/// How long mimalloc waits before giving freed memory back to the system, in milliseconds, unless
/// `MIMALLOC_PURGE_DELAY` says otherwise. Its default, 1,000 ms, kept what a burst had freed for a second: at
/// 100,000 people the node held 150 MB under mixed load (233 MB right after visiting every page); with 50 ms,
/// 141 MB (154 MB), at the same throughput within this machine's noise (docs/PERFORMANCE.md).
const PURGE_DELAY_MS: std::ffi::c_long = 50;

/// `mi_option_purge_delay`, the 16th option of `mi_option_e` in mimalloc.h (v2 and v3 alike); the sys crate
/// names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the allocator's options that the environment has not set.
fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option of the allocator; mimalloc allows it at any time, from any thread,
        // and reads it at each purge.
        #[allow(unsafe_code)]
        unsafe {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tune_allocator();
    let cli = cli::Cli::parse();
    cli::init_logging(&cli.log_format);
    cli::run(cli).await
}

#[cfg(test)]
mod tests {
    /// The option set is mimalloc's purge delay: before it is set it holds mimalloc 3's default for that
    /// option, 1,000 ms, which no neighbouring option has.
    #[test]
    #[allow(unsafe_code)]
    fn the_option_set_is_the_purge_delay() {
        // SAFETY: reads one integer option of the allocator.
        let get = || unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(), 1000);
            super::tune_allocator();
            assert_eq!(get(), super::PURGE_DELAY_MS);
        }
    }
}
