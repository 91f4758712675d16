//! Passwords: argon2id on a few threads of their own, with the same cost for a known and an unknown address.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString, rand_core::OsRng};

/// Threads that hash passwords: a few long-lived ones. Each argon2id hash takes 19 MiB and a core for
/// about 20 ms; on the shared blocking pool every new thread kept its own 19 MiB in its allocator arena
/// (100 simultaneous sign-ins took 0.7–2.3 GB), so hashing has threads of its own and further requests wait.
const HASHERS: usize = 4;

type HashJob = Box<dyn FnOnce() + Send>;

/// A hashing thread keeps its argon2 memory while checks keep coming (a burst of sign-ins), and gives it
/// back after this long without one, so an idle node does not hold 19–76 MiB for passwords.
const KEEP_MEMORY_WHILE_BUSY: std::time::Duration = std::time::Duration::from_secs(5);

/// The checks waiting for a hashing thread. Each thread waits on the condition variable with its own timeout
/// (the lock is not held while waiting), so a thread that hashed and then sees no check for
/// [`KEEP_MEMORY_WHILE_BUSY`] gives its memory back, whatever the other threads do. (With one receiver behind
/// a mutex, an idle thread waited for the lock, not with a timeout, and could keep its 19 MiB for ever.)
struct HashQueue {
    jobs: std::sync::Mutex<std::collections::VecDeque<HashJob>>,
    ready: std::sync::Condvar,
    /// How long a thread waits for a check before it gives its memory back.
    keep: std::time::Duration,
}

impl HashQueue {
    fn new(keep: std::time::Duration) -> Self {
        Self {
            jobs: Default::default(),
            ready: Default::default(),
            keep,
        }
    }

    /// The next check, or `None` after `keep` without one.
    fn next(&self) -> Option<HashJob> {
        let mut jobs = self
            .jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            if let Some(job) = jobs.pop_front() {
                return Some(job);
            }
            let (guard, waited) = self
                .ready
                .wait_timeout(jobs, self.keep)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            jobs = guard;
            if waited.timed_out() && jobs.is_empty() {
                return None;
            }
        }
    }

    fn push(&self, job: HashJob) {
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push_back(job);
        self.ready.notify_one();
    }
}

fn hashers() -> &'static HashQueue {
    static QUEUE: std::sync::OnceLock<HashQueue> = std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        for n in 0..HASHERS {
            let _ = std::thread::Builder::new()
                .name(format!("kaeru-hash-{n}"))
                .spawn(move || {
                    let queue = hashers();
                    loop {
                        match queue.next() {
                            Some(job) => job(),
                            // Quiet: give the kept 19 MiB back (mimalloc returns a block this large to the
                            // system at once); the next check allocates it again (about a millisecond).
                            None => HASH_MEMORY.with(|m| *m.borrow_mut() = Vec::new()),
                        }
                    }
                });
        }
        HashQueue::new(KEEP_MEMORY_WHILE_BUSY)
    })
}

/// Runs `work` on a hashing thread and waits for it without blocking the async runtime.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = tx.send(work());
    });
    hashers().push(job);
    rx.await.ok()
}

/// Larger than any hash Kaeru makes (19 MiB); a stored hash asking for more is refused, not computed.
const MAX_HASH_BLOCKS: usize = 64 * 1024;

thread_local! {
    /// The hashing thread's argon2 memory, kept between checks of a burst: allocated once per thread instead
    /// of 19 MiB per check, which glibc's allocator kept around (RSS grew by about 19 MiB a sign-in up to half
    /// a GB); given back when the thread has been idle for [`KEEP_MEMORY_WHILE_BUSY`].
    static HASH_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks `password` against a PHC string (`$argon2id$v=19$m=…`) in the thread's kept memory; the
/// comparison of the outputs is constant-time.
fn verify_in_kept_memory(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_HASH_BLOCKS {
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = HASH_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
            .is_ok()
    });
    computed && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// Hashes a password with argon2id on a hashing thread, off the async runtime.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    on_hasher(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await
    .ok_or_else(|| anyhow::anyhow!("the hashing threads stopped"))?
}

/// How long a password check takes here (microseconds, a moving average), so that an answer that needs no
/// check (a sign-in refused by the rate limit) can take as long without using a core.
static HASH_MICROS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(20_000);

/// Checks a password against a stored hash on a hashing thread.
pub async fn verify_password(password: String, hash: String) -> bool {
    let (ok, took) = on_hasher(move || {
        let started = std::time::Instant::now();
        let ok = verify_in_kept_memory(password.as_bytes(), &hash);
        (ok, started.elapsed())
    })
    .await
    .unwrap_or((false, std::time::Duration::ZERO));
    // The check's own time, not the wait for a thread, is what a refused sign-in spends.
    let took = took.as_micros().min(1_000_000) as u64;
    let old = HASH_MICROS.load(std::sync::atomic::Ordering::Relaxed);
    HASH_MICROS.store((old * 7 + took) / 8, std::sync::atomic::Ordering::Relaxed);
    ok
}

/// Waits as long as a password check takes, without doing one: a refused sign-in answers in the same time
/// as a checked one, so neither the limit nor the check tells which addresses have accounts.
pub async fn spend_check_time() {
    let micros = HASH_MICROS.load(std::sync::atomic::Ordering::Relaxed);
    tokio::time::sleep(std::time::Duration::from_micros(micros)).await;
}

/// A real hash of a random password, made once, so that a sign-in for an unknown address costs as much
/// time as one for a known address.
pub async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash_password(kaeru_store::sessions::random_token())
                .await
                .unwrap_or_default()
        })
        .await
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Every idle hashing thread hears its own timeout while the others wait too (before, an idle thread
    /// could wait for the queue's lock instead, and keep its 19 MiB for as long as the others kept polling).
    #[test]
    fn every_idle_thread_times_out_while_others_wait() {
        let queue = Arc::new(HashQueue::new(Duration::from_millis(50)));
        let started = Instant::now();
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let q = queue.clone();
                std::thread::spawn(move || q.next().is_none())
            })
            .collect();
        for w in waiters {
            assert!(w.join().unwrap(), "an idle thread got a check from nowhere");
        }
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    /// A check pushed while threads wait is taken by one of them, at once.
    #[test]
    fn a_check_reaches_a_waiting_thread() {
        let queue = Arc::new(HashQueue::new(Duration::from_secs(30)));
        let q = queue.clone();
        let waiter = std::thread::spawn(move || q.next().map(|job| job()).is_some());
        let (tx, rx) = std::sync::mpsc::channel();
        queue.push(Box::new(move || tx.send(7).unwrap()));
        assert!(waiter.join().unwrap());
        assert_eq!(rx.recv().unwrap(), 7);
    }
}
