//! What a node keeps per company beside the indexes (analytics facts, the reconnect list, the contracts'
//! week): only for the companies used most recently, so a node serving a thousand companies does not hold a
//! thousand companies' figures.

use chrono::NaiveDate;
use kaeru_domain::CompanyId;
use kaeru_store::{Db, Scope, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

/// How many companies' entries a node keeps in each such cache.
pub const COMPANIES_KEPT: usize = 16;

/// A map by company that forgets the least recently used company past [`COMPANIES_KEPT`], and any company not
/// used for a while when asked to ([`Recent::forget_unused_for`]).
pub struct Recent<V> {
    clock: u64,
    /// Each company's value with when it was last used: by count (the order of use) and by the clock.
    entries: HashMap<CompanyId, (u64, std::time::Instant, V)>,
}

impl<V> Default for Recent<V> {
    fn default() -> Self {
        Self {
            clock: 0,
            entries: HashMap::new(),
        }
    }
}

impl<V> Recent<V> {
    /// The company's entry, marked as used.
    pub fn get_mut(&mut self, company: CompanyId) -> Option<&mut V> {
        self.clock += 1;
        let now = self.clock;
        let (used, at, v) = self.entries.get_mut(&company)?;
        *used = now;
        *at = std::time::Instant::now();
        Some(v)
    }

    /// Keeps `value` for the company, forgetting the least recently used other company when full.
    pub fn insert(&mut self, company: CompanyId, value: V) -> &mut V {
        self.clock += 1;
        if !self.entries.contains_key(&company)
            && self.entries.len() >= COMPANIES_KEPT
            && let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (used, _, _))| *used)
                .map(|(c, _)| *c)
        {
            self.entries.remove(&oldest);
        }
        let now = (self.clock, std::time::Instant::now(), value);
        match self.entries.entry(company) {
            std::collections::hash_map::Entry::Occupied(mut o) => {
                *o.get_mut() = now;
                &mut o.into_mut().2
            }
            std::collections::hash_map::Entry::Vacant(v) => &mut v.insert(now).2,
        }
    }

    /// Forgets every company not used for `idle` or longer; returns how many.
    pub fn forget_unused_for(&mut self, idle: std::time::Duration) -> usize {
        let before = self.entries.len();
        self.entries.retain(|_, (_, at, _)| at.elapsed() < idle);
        before - self.entries.len()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every company's value, without marking any as used.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|(_, _, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A value read from a company's data, kept with the revision and the day it was read for.
pub type Dated<T> = (i64, NaiveDate, T);

/// The company's revision: `known` when the caller has just read it (the signed-in session's query reads it with
/// the company), else read now.
pub async fn revision_or_read(
    db: &Db,
    scope: &Scope,
    known: Option<i64>,
) -> Result<i64, StoreError> {
    match known {
        Some(r) => Ok(r),
        None => kaeru_store::companies::revision(db, scope).await,
    }
}

/// A value read from a company's data that holds until the company's next write or the next day (a list that
/// reads every former employee, figures of a whole company): kept for the most recently used companies, read
/// by one request of the node while the others wait for it.
pub struct ByRevisionAndDay<T> {
    /// Each company's value, with how long reading it took.
    kept: std::sync::Mutex<Recent<(Arc<Dated<T>>, std::time::Duration)>>,
    building: tokio::sync::Mutex<()>,
}

impl<T> Default for ByRevisionAndDay<T> {
    fn default() -> Self {
        Self {
            kept: std::sync::Mutex::new(Recent::default()),
            building: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T> ByRevisionAndDay<T> {
    /// Forgets the companies not asked for in `idle`; returns how many.
    pub fn forget_unused_for(&self, idle: std::time::Duration) -> usize {
        self.kept
            .lock()
            .map(|mut m| m.forget_unused_for(idle))
            .unwrap_or(0)
    }

    fn kept(&self, company: CompanyId, revision: i64, today: NaiveDate) -> Option<Arc<Dated<T>>> {
        self.kept
            .lock()
            .ok()
            .and_then(|mut m| m.get_mut(company).map(|(v, _)| v.clone()))
            .filter(|c| c.0 == revision && c.1 == today)
    }

    /// The value kept today, whatever revision it was read for, with how long reading it took.
    pub fn latest(
        &self,
        company: CompanyId,
        today: NaiveDate,
    ) -> Option<(Arc<Dated<T>>, std::time::Duration)> {
        self.kept
            .lock()
            .ok()
            .and_then(|mut m| m.get_mut(company).cloned())
            .filter(|(c, _)| c.1 == today)
    }

    /// The value as the database stands today: the kept one while the company's revision and the day are
    /// the same, else `read` (by one request at a time).
    ///
    /// `revision`: the company's revision if the caller has just read it (the session's), else `None`.
    pub async fn get<F, Fut>(
        &self,
        db: &Db,
        scope: &Scope,
        revision: Option<i64>,
        today: NaiveDate,
        read: F,
    ) -> Result<Arc<Dated<T>>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let company = scope.company_id();
        let revision = revision_or_read(db, scope, revision).await?;
        if let Some(c) = self.kept(company, revision, today) {
            return Ok(c);
        }
        let _building = self.building.lock().await;
        if let Some(c) = self.kept(company, revision, today) {
            return Ok(c);
        }
        let started = std::time::Instant::now();
        let fresh = Arc::new((revision, today, read().await?));
        if let Ok(mut m) = self.kept.lock() {
            m.insert(company, (fresh.clone(), started.elapsed()));
        }
        Ok(fresh)
    }
}

/// A read that took this long is slow: [`soon`] shows the value before it while it reads again. At 100,000
/// people the reconnect list takes about 0.5 s; a company of a thousand reads it in a few milliseconds, far from
/// this even on a busy node, so what it sees is always current.
pub const SLOW_READ: std::time::Duration = std::time::Duration::from_millis(250);

/// Reads `pick(cache)` for the company's `revision`. When what is kept is from an earlier revision of today and
/// took [`SLOW_READ`] or longer to read, returns it at once and reads the new one behind the page
/// ([`crate::behind`]), for the next request. For figures a page shows beside others (the home page's reconnect
/// count), where a value a write behind beats half a second's wait after every write at 100,000 people (waiting
/// a little for it was tried: a read that took 0.5 s last time does not take 0.1 s the next). A company whose
/// read is quicker always gets the current value.
pub async fn soon<T, F, Fut>(
    cache: &Arc<crate::search::SearchCache>,
    pick: fn(&crate::search::SearchCache) -> &ByRevisionAndDay<T>,
    db: &Db,
    scope: &Scope,
    revision: Option<i64>,
    today: NaiveDate,
    read: F,
) -> Result<Arc<Dated<T>>, StoreError>
where
    T: Send + Sync + 'static,
    F: FnOnce(Db, Scope) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, StoreError>> + Send,
{
    let revision = revision_or_read(db, scope, revision).await?;
    let kept = pick(cache)
        .latest(scope.company_id(), today)
        .filter(|(kept, took)| kept.0 == revision || *took >= SLOW_READ);
    let Some((kept, _)) = kept else {
        return pick(cache)
            .get(db, scope, Some(revision), today, || {
                read(db.clone(), *scope)
            })
            .await;
    };
    if kept.0 == revision {
        return Ok(kept);
    }
    let (c, d, s) = (cache.clone(), db.clone(), *scope);
    crate::behind::spawn(async move {
        let fresh = pick(&c)
            .get(&d, &s, Some(revision), today, || read(d.clone(), s))
            .await;
        if let Err(e) = &fresh {
            tracing::warn!(error = ?e, "reading a company's list behind a page");
        }
    });
    Ok(kept)
}

/// More pages than this kept per company and list: all are forgotten and read again.
pub const PAGES_KEPT: usize = 64;

/// The pages of one list for each company, as read at one revision: between two writes a page is read from the
/// database once by a node, not once per request (a list whose rows depend on the day has the day in its key).
/// The caller says which revision it read (the session's query reads it with the signed-in user), so a page kept
/// costs no query at all; what is read is read after that revision was, so nothing older than the revision is
/// ever kept under it.
pub struct Pages<K, V> {
    kept: std::sync::Mutex<Recent<KeptPages<K, V>>>,
    /// One read at a time per company: a burst of requests for a page not kept (right after a write, or a deep
    /// page by number) reads it once while the others wait for it.
    reading: std::sync::Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<()>>>>,
}

struct KeptPages<K, V> {
    revision: i64,
    pages: HashMap<K, Arc<V>>,
}

impl<K, V> Default for Pages<K, V> {
    fn default() -> Self {
        Self {
            kept: std::sync::Mutex::new(Recent::default()),
            reading: std::sync::Mutex::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq, V> Pages<K, V> {
    fn kept(&self, company: CompanyId, revision: i64, key: &K) -> Option<Arc<V>> {
        self.kept.lock().ok().and_then(|mut m| {
            m.get_mut(company)
                .filter(|k| k.revision == revision)
                .and_then(|k| k.pages.get(key).cloned())
        })
    }

    /// Keeps a page just read at `revision`, unless a newer revision's pages are kept already (a request that
    /// read an older revision does not replace them).
    fn keep(&self, company: CompanyId, revision: i64, key: K, page: Arc<V>) -> Arc<V> {
        if let Ok(mut m) = self.kept.lock() {
            match m.get_mut(company) {
                Some(k) if k.revision == revision => {
                    if k.pages.len() >= PAGES_KEPT {
                        k.pages.clear();
                    }
                    k.pages.insert(key, page.clone());
                }
                Some(k) if k.revision > revision => {}
                _ => {
                    m.insert(
                        company,
                        KeptPages {
                            revision,
                            pages: HashMap::from([(key, page.clone())]),
                        },
                    );
                }
            }
        }
        page
    }

    /// Forgets the pages of the companies not asked for in `idle`; returns how many companies.
    pub fn forget_unused_for(&self, idle: std::time::Duration) -> usize {
        self.kept
            .lock()
            .map(|mut m| m.forget_unused_for(idle))
            .unwrap_or(0)
    }

    /// The page `key` of the company at `revision`: the kept one, else `read` and kept.
    pub async fn get<F, Fut>(
        &self,
        scope: &Scope,
        revision: i64,
        key: K,
        read: F,
    ) -> Result<Arc<V>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, StoreError>>,
    {
        let company = scope.company_id();
        if let Some(page) = self.kept(company, revision, &key) {
            return Ok(page);
        }
        let gate = self
            .reading
            .lock()
            .map(|mut r| r.entry(company).or_default().clone())
            .unwrap_or_default();
        let turn = gate.lock().await;
        let read = match self.kept(company, revision, &key) {
            Some(page) => Ok(page),
            None => read()
                .await
                .map(|v| self.keep(company, revision, key, Arc::new(v))),
        };
        drop(turn);
        if let Ok(mut r) = self.reading.lock()
            && r.get(&company).is_some_and(|g| Arc::strong_count(g) <= 2)
        {
            // No one else waits at this company's gate: it goes, so the map does not grow with companies.
            r.remove(&company);
        }
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_company_is_forgotten_first() {
        let ids: Vec<CompanyId> = (0..=COMPANIES_KEPT as u128)
            .map(|n| CompanyId(uuid::Uuid::from_u128(n + 1)))
            .collect();
        let mut r = Recent::default();
        for (n, c) in ids.iter().take(COMPANIES_KEPT).enumerate() {
            r.insert(*c, n);
        }
        // The first company is used again, so the second is now the oldest.
        assert_eq!(r.get_mut(ids[0]).copied(), Some(0));
        r.insert(ids[COMPANIES_KEPT], COMPANIES_KEPT);
        assert_eq!(r.len(), COMPANIES_KEPT);
        assert!(r.get_mut(ids[1]).is_none());
        assert_eq!(r.get_mut(ids[0]).copied(), Some(0));
        // Inserting for a company already kept replaces its value and nothing else.
        r.insert(ids[0], 99);
        assert_eq!(r.get_mut(ids[0]).copied(), Some(99));
        assert_eq!(r.len(), COMPANIES_KEPT);
    }

    #[test]
    fn companies_not_used_for_a_while_are_forgotten() {
        let (a, b) = (
            CompanyId(uuid::Uuid::from_u128(1)),
            CompanyId(uuid::Uuid::from_u128(2)),
        );
        let mut r = Recent::default();
        r.insert(a, "a");
        r.insert(b, "b");
        assert_eq!(r.forget_unused_for(std::time::Duration::from_secs(3600)), 0);
        assert_eq!(r.len(), 2);
        assert_eq!(r.forget_unused_for(std::time::Duration::ZERO), 2);
        assert!(r.is_empty() && r.get_mut(a).is_none());
    }

    #[tokio::test]
    async fn a_page_is_read_once_per_revision_and_never_kept_older() {
        let scope = Scope::for_company(CompanyId(uuid::Uuid::from_u128(7)));
        let pages: Pages<u32, String> = Pages::default();
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let read = |text: &'static str| {
            reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            async move { Ok::<_, StoreError>(text.to_string()) }
        };
        let got = |p: Result<Arc<String>, StoreError>| p.map(|s| s.to_string()).unwrap_or_default();
        assert_eq!(got(pages.get(&scope, 5, 1, || read("r5")).await), "r5");
        assert_eq!(got(pages.get(&scope, 5, 1, || read("again")).await), "r5");
        assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), 1);
        // A new revision reads again; a request that read an older revision is answered but its page is not
        // kept over the newer one.
        assert_eq!(got(pages.get(&scope, 6, 1, || read("r6")).await), "r6");
        assert_eq!(got(pages.get(&scope, 5, 2, || read("old")).await), "old");
        assert_eq!(
            got(pages.get(&scope, 6, 2, || read("r6 two")).await),
            "r6 two"
        );
        assert_eq!(got(pages.get(&scope, 6, 1, || read("no")).await), "r6");
        // A read that fails keeps nothing.
        let failed = pages
            .get(&scope, 6, 3, || async {
                Err::<String, _>(StoreError::NotFound)
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(
            got(pages.get(&scope, 6, 3, || read("three")).await),
            "three"
        );
        assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), 5);
        // Past the limit, a company's pages are forgotten and read again.
        for n in 10..10 + PAGES_KEPT as u32 {
            let _ = pages.get(&scope, 6, n, || read("filler")).await;
        }
        assert_eq!(
            got(pages.get(&scope, 6, 1, || read("r6 again")).await),
            "r6 again"
        );
    }

    #[tokio::test]
    async fn a_burst_for_a_page_not_kept_reads_it_once() {
        let scope = Scope::for_company(CompanyId(uuid::Uuid::from_u128(8)));
        let pages: Arc<Pages<u32, u32>> = Arc::default();
        let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let burst: Vec<_> = (0..20)
            .map(|_| {
                let (pages, reads, scope) = (pages.clone(), reads.clone(), scope);
                tokio::spawn(async move {
                    pages
                        .get(&scope, 1, 7, || async {
                            reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                            Ok(42)
                        })
                        .await
                        .map(|v| *v)
                })
            })
            .collect();
        for b in burst {
            assert_eq!(b.await.ok().and_then(Result::ok), Some(42));
        }
        assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), 1);
        // The company's gate is gone once no one waits at it.
        assert!(pages.reading.lock().map(|r| r.is_empty()).unwrap_or(false));
    }
}
