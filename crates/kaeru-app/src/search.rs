//! The per-company search indexes of this node. Each is derived from the database and tagged with the company's
//! revision; a search first reads the revision (one indexed row) and, when another node (or this one) has
//! written since, reads the revision log for the people those writes touched and patches the index by them, so
//! every node answers as the database stands at the cost of the write, not of the company. A change the log
//! cannot name by person (a skill renamed, an import), a log gone (older than a day), or an index worn by many
//! patches is rebuilt whole.

use kaeru_domain::CompanyId;
use kaeru_search::{MatchIndex, SearchIndex};
use kaeru_store::companies::Changes;
use kaeru_store::{Db, Scope, StoreResult, companies, openings};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// An index kept in step with the database: the revision it answers for and the index itself, patched in
/// place by the people each write touched (readers hold the lock for one search, a patch for a few
/// milliseconds) or replaced whole by a rebuild.
pub struct Live<T> {
    revision: AtomicI64,
    index: RwLock<T>,
    /// The cache's clock when a request last asked for it (least recently used goes first).
    last_used: AtomicU64,
    /// About how many bytes it holds, measured when built.
    bytes: AtomicUsize,
    /// True while a fresh copy is being built behind it (it was worn by patches).
    rebuilding: AtomicBool,
}

impl<T> Live<T> {
    fn new(revision: i64, index: T, bytes: usize) -> Self {
        Self {
            revision: AtomicI64::new(revision),
            index: RwLock::new(index),
            last_used: AtomicU64::new(0),
            bytes: AtomicUsize::new(bytes),
            rebuilding: AtomicBool::new(false),
        }
    }

    /// Puts a freshly built index in place of this one unless this one already answers for a later revision
    /// (the caller holds the company's build lock): true when it did.
    fn swap_in(&self, index: T, revision: i64, bytes: usize) -> bool {
        if revision < self.revision() {
            return false;
        }
        *self.write() = index;
        self.bytes.store(bytes, Ordering::Relaxed);
        self.revision.store(revision, Ordering::Release);
        true
    }

    /// The revision of the database the index answers for.
    pub fn revision(&self) -> i64 {
        self.revision.load(Ordering::Acquire)
    }

    /// The index, for one search: do not hold it across an `.await`.
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.index.write().unwrap_or_else(PoisonError::into_inner)
    }
}

pub type CachedIndex = Live<SearchIndex>;
pub type CachedMatch = Live<MatchIndex>;

/// Held while one request brings an index up to date.
type BuildLock = Arc<tokio::sync::Mutex<()>>;

#[derive(Default)]
pub struct SearchCache {
    /// The most bytes the indexes of all companies may hold on this node (`None`: no limit). When a rebuilt
    /// index would pass it, the least recently used companies' indexes are dropped (their next request
    /// rebuilds them).
    budget: Option<usize>,
    /// Counts requests, to order indexes by last use.
    clock: AtomicU64,
    indexes: RwLock<HashMap<CompanyId, Arc<CachedIndex>>>,
    matches: RwLock<HashMap<CompanyId, Arc<CachedMatch>>>,
    /// One refresh at a time per company and kind: concurrent requests wait for it instead of each doing it.
    building: std::sync::Mutex<HashMap<(CompanyId, bool), BuildLock>>,
    /// The analytics figures, cached by the same revision.
    pub analytics: crate::analytics::AnalyticsCache,
    /// The people list's filter choices, counts and pages, cached by the same revision.
    pub lists: crate::people::ListCache,
    /// The offers list's pages, cached by the same revision.
    pub offers: crate::offers::ListCache,
    /// The reconnect list, cached by the same revision and the day.
    pub reconnect: crate::people::ReconnectCache,
    /// The home page's reminders of offers, cached by the same revision and the day.
    pub reminders: crate::todo::RemindersCache,
    /// How many people hold each skill, cached by the same revision and the day.
    pub skill_holders: crate::skills::HoldersCache,
    /// The network page's groups, cached by the same revision.
    pub network: crate::network::NetworkCache,
    /// The contracts page's counts and week (by the same revision and the day) and its pages.
    pub contracts: crate::contracts::OverviewCache,
    /// How many patches and rebuilds this node made (search, matching).
    pub counts: Arc<Counts>,
}

/// What the indexes of this node have done since it started.
#[derive(Default)]
pub struct Counts {
    pub search_patches: std::sync::atomic::AtomicU64,
    pub search_rebuilds: std::sync::atomic::AtomicU64,
    pub match_patches: std::sync::atomic::AtomicU64,
    pub match_rebuilds: std::sync::atomic::AtomicU64,
    /// Indexes dropped to stay within the memory budget.
    pub evictions: std::sync::atomic::AtomicU64,
    /// Companies' lists, figures and pages forgotten because no request asked for them for a while.
    pub forgotten: std::sync::atomic::AtomicU64,
}

/// A company's lists, figures and pages kept beside its indexes are forgotten when no request has asked for
/// them for this long: the analytics facts (10 MB at 100,000 people), the reconnect list or the network's groups
/// read once by a page a manager opened in the morning do not stay resident all day.
pub const FORGET_UNUSED_AFTER: std::time::Duration = std::time::Duration::from_secs(300);

/// The least recently used index other than `keep`'s: (its last use, its company).
fn oldest<T>(m: &HashMap<CompanyId, Arc<Live<T>>>, keep: CompanyId) -> Option<(u64, CompanyId)> {
    m.iter()
        .filter(|(c, _)| **c != keep)
        .map(|(c, l)| (l.last_used.load(Ordering::Relaxed), *c))
        .min()
}

fn remove<T>(
    m: &RwLock<HashMap<CompanyId, Arc<Live<T>>>>,
    company: CompanyId,
) -> Option<CompanyId> {
    m.write()
        .ok()
        .and_then(|mut m| m.remove(&company).map(|_| company))
}

impl SearchCache {
    /// Forgets every company's lists, figures and pages that no request asked for in `idle` (the indexes are
    /// kept: they have their memory budget); returns how many were forgotten.
    pub fn forget_unused_for(&self, idle: std::time::Duration) -> usize {
        let forgotten = self.analytics.forget_unused_for(idle)
            + self.lists.pages.forget_unused_for(idle)
            + self.offers.0.forget_unused_for(idle)
            + self.reconnect.0.forget_unused_for(idle)
            + self.reminders.0.forget_unused_for(idle)
            + self.skill_holders.0.forget_unused_for(idle)
            + self.network.forget_unused_for(idle)
            + self.contracts.overview.forget_unused_for(idle)
            + self.contracts.pages.forget_unused_for(idle);
        self.counts
            .forgotten
            .fetch_add(forgotten as u64, Ordering::Relaxed);
        forgotten
    }

    /// A cache whose indexes stay within `budget_bytes` together (the least recently used dropped first).
    pub fn with_budget(budget_bytes: Option<usize>) -> Self {
        Self {
            budget: budget_bytes,
            ..Self::default()
        }
    }

    fn touch<T>(&self, live: &Live<T>) {
        live.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
    }

    /// The bytes held by every index of this node (search, matching).
    pub fn bytes(&self) -> (usize, usize) {
        let search = self
            .indexes
            .read()
            .map(|m| m.values().map(|c| c.bytes.load(Ordering::Relaxed)).sum())
            .unwrap_or(0);
        let matching = self
            .matches
            .read()
            .map(|m| m.values().map(|c| c.bytes.load(Ordering::Relaxed)).sum())
            .unwrap_or(0);
        (search, matching)
    }

    /// Drops the least recently used indexes, other than `keep`, until all fit the budget.
    fn evict(&self, keep: CompanyId) {
        let Some(budget) = self.budget else {
            return;
        };
        loop {
            let (search, matching) = self.bytes();
            if search + matching <= budget {
                return;
            }
            let in_search = self.indexes.read().ok().and_then(|m| oldest(&m, keep));
            let in_matches = self.matches.read().ok().and_then(|m| oldest(&m, keep));
            let dropped = match (in_search, in_matches) {
                (Some(a), Some(b)) if b < a => remove(&self.matches, b.1),
                (Some(a), _) => remove(&self.indexes, a.1),
                (None, Some(b)) => remove(&self.matches, b.1),
                (None, None) => return,
            };
            match dropped {
                Some(company) => {
                    self.counts.evictions.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(company = %company, budget, "index dropped to stay within the memory budget");
                }
                None => return,
            }
        }
    }

    fn build_lock(&self, company: CompanyId, matching: bool) -> BuildLock {
        match self.building.lock() {
            Ok(mut m) => m.entry((company, matching)).or_default().clone(),
            Err(_) => Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn cached(&self, company: CompanyId) -> Option<Arc<CachedIndex>> {
        self.indexes
            .read()
            .ok()
            .and_then(|m| m.get(&company).cloned())
    }

    fn cached_match(&self, company: CompanyId) -> Option<Arc<CachedMatch>> {
        self.matches
            .read()
            .ok()
            .and_then(|m| m.get(&company).cloned())
    }

    /// The people held in each kind of index on this node (search, matching), over all companies.
    pub fn sizes(&self) -> (usize, usize) {
        let search = self
            .indexes
            .read()
            .map(|m| m.values().map(|c| c.read().len()).sum())
            .unwrap_or(0);
        let matching = self
            .matches
            .read()
            .map(|m| m.values().map(|c| c.read().len()).sum())
            .unwrap_or(0);
        (search, matching)
    }

    /// The company's index, current with the database: patched by the people written since it was last
    /// brought up to date when the revision log says who they are, rebuilt otherwise.
    pub async fn index_for(&self, db: &Db, scope: &Scope) -> StoreResult<Arc<CachedIndex>> {
        let revision = companies::revision(db, scope).await?;
        let company = scope.company_id();
        if let Some(c) = self.cached(company).filter(|c| c.revision() == revision) {
            self.touch(&c);
            return Ok(c);
        }
        let lock = self.build_lock(company, false);
        let _building = lock.lock().await;
        let started = std::time::Instant::now();
        // Another request may have brought it up to date while this one waited.
        if let Some(c) = self.cached(company) {
            if c.revision() >= revision {
                return Ok(c);
            }
            if let Changes::People {
                revision: to,
                people,
            } = companies::changes_since(db, scope, c.revision()).await?
            {
                let docs = kaeru_store::search_docs::search_docs_of(db, scope, &people).await?;
                let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
                c.write().patch(&ids, docs);
                c.revision.store(to, Ordering::Release);
                self.counts.search_patches.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(company = %company, revision = to, people = people.len(), ms = started.elapsed().as_millis() as u64, "search index patched");
                if c.read().worn() {
                    self.rebuild_search_behind(&c, db, *scope);
                }
                return Ok(c);
            }
        }
        let (revision, docs) = kaeru_store::search_docs::search_docs(db, scope).await?;
        let loaded = started.elapsed();
        let (index, bytes) = tokio::task::spawn_blocking(move || {
            let index = SearchIndex::build(docs);
            let bytes = index.heap_bytes();
            (index, bytes)
        })
        .await
        .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
        let fresh = Arc::new(CachedIndex::new(revision, index, bytes));
        self.touch(&fresh);
        self.counts.search_rebuilds.fetch_add(1, Ordering::Relaxed);
        tracing::info!(company = %company, revision, people = fresh.read().len(), load_ms = loaded.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "search index rebuilt");
        if let Ok(mut m) = self.indexes.write() {
            m.insert(company, fresh.clone());
        }
        self.evict(company);
        Ok(fresh)
    }

    /// The company's matching index, current with the database and built for `today`: patched like the
    /// search index, rebuilt on a new day (an offer's window is read against the day).
    pub async fn match_index_for(
        &self,
        db: &Db,
        scope: &Scope,
        today: chrono::NaiveDate,
    ) -> StoreResult<Arc<CachedMatch>> {
        let revision = companies::revision(db, scope).await?;
        let company = scope.company_id();
        let current = |c: &Arc<CachedMatch>| c.read().day() == today;
        if let Some(c) = self
            .cached_match(company)
            .filter(|c| c.revision() == revision && current(c))
        {
            self.touch(&c);
            return Ok(c);
        }
        let lock = self.build_lock(company, true);
        let _building = lock.lock().await;
        let started = std::time::Instant::now();
        if let Some(c) = self.cached_match(company).filter(current) {
            self.touch(&c);
            if c.revision() >= revision {
                return Ok(c);
            }
            if let Changes::People {
                revision: to,
                people,
            } = companies::changes_since(db, scope, c.revision()).await?
            {
                let docs = openings::match_docs_of(db, scope, today, &people).await?;
                let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
                c.write().patch(&ids, docs);
                c.revision.store(to, Ordering::Release);
                self.counts.match_patches.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(company = %company, revision = to, people = people.len(), ms = started.elapsed().as_millis() as u64, "match index patched");
                if c.read().worn() {
                    self.rebuild_match_behind(&c, db, *scope, today);
                }
                return Ok(c);
            }
        }
        let (revision, docs) = openings::match_docs(db, scope, today).await?;
        let loaded = started.elapsed();
        let (index, bytes) = tokio::task::spawn_blocking(move || {
            let index = MatchIndex::build(docs, today);
            let bytes = index.heap_bytes();
            (index, bytes)
        })
        .await
        .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
        let fresh = Arc::new(CachedMatch::new(revision, index, bytes));
        self.touch(&fresh);
        self.counts.match_rebuilds.fetch_add(1, Ordering::Relaxed);
        tracing::info!(company = %company, revision, alumni = fresh.read().len(), load_ms = loaded.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "match index rebuilt");
        if let Ok(mut m) = self.matches.write() {
            m.insert(company, fresh.clone());
        }
        self.evict(company);
        Ok(fresh)
    }

    /// Builds a worn search index afresh behind the requests: the worn one, patched and so current, keeps
    /// answering while the fresh one is read and built, brought up to the writes made meanwhile and put in
    /// its place under the company's build lock (so no patch runs between the two).
    fn rebuild_search_behind(&self, live: &Arc<CachedIndex>, db: &Db, scope: Scope) {
        let (db, counts) = (db.clone(), self.counts.clone());
        let lock = self.build_lock(scope.company_id(), false);
        spawn_behind(live, "search", scope, move |live| async move {
            let started = std::time::Instant::now();
            let (mut revision, docs) = kaeru_store::search_docs::search_docs(&db, &scope).await?;
            let mut index = tokio::task::spawn_blocking(move || SearchIndex::build(docs))
                .await
                .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
            let _held = lock.lock().await;
            if live.revision() > revision {
                let Changes::People {
                    revision: to,
                    people,
                } = companies::changes_since(&db, &scope, revision).await?
                else {
                    return Ok(());
                };
                let docs = kaeru_store::search_docs::search_docs_of(&db, &scope, &people).await?;
                let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
                index.patch(&ids, docs);
                revision = to;
            }
            let bytes = index.heap_bytes();
            if live.swap_in(index, revision, bytes) {
                counts.search_rebuilds.fetch_add(1, Ordering::Relaxed);
                tracing::info!(company = %scope.company_id(), revision, ms = started.elapsed().as_millis() as u64, "worn search index rebuilt behind the requests");
            }
            Ok(())
        });
    }

    /// The same for a worn matching index, for `today` (a new day rebuilds on request anyway).
    fn rebuild_match_behind(
        &self,
        live: &Arc<CachedMatch>,
        db: &Db,
        scope: Scope,
        today: chrono::NaiveDate,
    ) {
        let (db, counts) = (db.clone(), self.counts.clone());
        let lock = self.build_lock(scope.company_id(), true);
        spawn_behind(live, "match", scope, move |live| async move {
            let started = std::time::Instant::now();
            let (mut revision, docs) = openings::match_docs(&db, &scope, today).await?;
            let mut index = tokio::task::spawn_blocking(move || MatchIndex::build(docs, today))
                .await
                .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
            let _held = lock.lock().await;
            if live.read().day() != today {
                return Ok(());
            }
            if live.revision() > revision {
                let Changes::People {
                    revision: to,
                    people,
                } = companies::changes_since(&db, &scope, revision).await?
                else {
                    return Ok(());
                };
                let docs = openings::match_docs_of(&db, &scope, today, &people).await?;
                let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
                index.patch(&ids, docs);
                revision = to;
            }
            let bytes = index.heap_bytes();
            if live.swap_in(index, revision, bytes) {
                counts.match_rebuilds.fetch_add(1, Ordering::Relaxed);
                tracing::info!(company = %scope.company_id(), revision, ms = started.elapsed().as_millis() as u64, "worn match index rebuilt behind the requests");
            }
            Ok(())
        });
    }
}

/// Runs `rebuild` for a worn index on a task of its own, at most one at a time per index; a failure is logged
/// and leaves the worn index answering (the next request that finds it worn tries again).
fn spawn_behind<T, F, Fut>(live: &Arc<Live<T>>, kind: &'static str, scope: Scope, rebuild: F)
where
    T: Send + Sync + 'static,
    F: FnOnce(Arc<Live<T>>) -> Fut,
    Fut: std::future::Future<Output = StoreResult<()>> + Send + 'static,
{
    if live.rebuilding.swap(true, Ordering::AcqRel) {
        return;
    }
    let work = rebuild(live.clone());
    let live = live.clone();
    crate::behind::spawn(async move {
        let result = work.await;
        live.rebuilding.store(false, Ordering::Release);
        if let Err(e) = result {
            tracing::warn!(error = ?e, company = %scope.company_id(), kind, "rebuilding a worn index");
        }
    });
}
