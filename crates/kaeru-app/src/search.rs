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
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// An index kept in step with the database: the revision it answers for and the index itself, patched in
/// place by the people each write touched (readers hold the lock for one search, a patch for a few
/// milliseconds) or replaced whole by a rebuild.
pub struct Live<T> {
    revision: AtomicI64,
    index: RwLock<T>,
}

impl<T> Live<T> {
    fn new(revision: i64, index: T) -> Self {
        Self {
            revision: AtomicI64::new(revision),
            index: RwLock::new(index),
        }
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
    indexes: RwLock<HashMap<CompanyId, Arc<CachedIndex>>>,
    matches: RwLock<HashMap<CompanyId, Arc<CachedMatch>>>,
    /// One refresh at a time per company and kind: concurrent requests wait for it instead of each doing it.
    building: std::sync::Mutex<HashMap<(CompanyId, bool), BuildLock>>,
    /// The analytics figures, cached by the same revision.
    pub analytics: crate::analytics::AnalyticsCache,
    /// The people list's filter choices and counts, cached by the same revision.
    pub lists: crate::people::ListCache,
    /// How many patches and rebuilds this node made (search, matching).
    pub counts: Counts,
}

/// What the indexes of this node have done since it started.
#[derive(Default)]
pub struct Counts {
    pub search_patches: std::sync::atomic::AtomicU64,
    pub search_rebuilds: std::sync::atomic::AtomicU64,
    pub match_patches: std::sync::atomic::AtomicU64,
    pub match_rebuilds: std::sync::atomic::AtomicU64,
}

impl SearchCache {
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
                && !c.read().worn()
            {
                let docs = kaeru_store::search_docs::search_docs_of(db, scope, &people).await?;
                let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
                c.write().patch(&ids, docs);
                c.revision.store(to, Ordering::Release);
                self.counts.search_patches.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(company = %company, revision = to, people = people.len(), ms = started.elapsed().as_millis() as u64, "search index patched");
                return Ok(c);
            }
        }
        let (revision, docs) = kaeru_store::search_docs::search_docs(db, scope).await?;
        let loaded = started.elapsed();
        let index = tokio::task::spawn_blocking(move || SearchIndex::build(docs))
            .await
            .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
        let fresh = Arc::new(CachedIndex::new(revision, index));
        self.counts.search_rebuilds.fetch_add(1, Ordering::Relaxed);
        tracing::info!(company = %company, revision, people = fresh.read().len(), load_ms = loaded.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "search index rebuilt");
        if let Ok(mut m) = self.indexes.write() {
            m.insert(company, fresh.clone());
        }
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
            return Ok(c);
        }
        let lock = self.build_lock(company, true);
        let _building = lock.lock().await;
        let started = std::time::Instant::now();
        if let Some(c) = self.cached_match(company).filter(current) {
            if c.revision() >= revision {
                return Ok(c);
            }
            if let Changes::People {
                revision: to,
                people,
            } = companies::changes_since(db, scope, c.revision()).await?
                && !c.read().worn()
            {
                let docs = openings::match_docs_of(db, scope, today, &people).await?;
                let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
                c.write().patch(&ids, docs);
                c.revision.store(to, Ordering::Release);
                self.counts.match_patches.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(company = %company, revision = to, people = people.len(), ms = started.elapsed().as_millis() as u64, "match index patched");
                return Ok(c);
            }
        }
        let (revision, docs) = openings::match_docs(db, scope, today).await?;
        let loaded = started.elapsed();
        let index = tokio::task::spawn_blocking(move || MatchIndex::build(docs, today))
            .await
            .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
        let fresh = Arc::new(CachedMatch::new(revision, index));
        self.counts.match_rebuilds.fetch_add(1, Ordering::Relaxed);
        tracing::info!(company = %company, revision, alumni = fresh.read().len(), load_ms = loaded.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "match index rebuilt");
        if let Ok(mut m) = self.matches.write() {
            m.insert(company, fresh.clone());
        }
        Ok(fresh)
    }
}
