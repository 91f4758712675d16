//! The per-company search indexes of this node. Each is derived from the database and tagged with the company's
//! revision; a search first reads the revision (one indexed row) and rebuilds the index when another node (or
//! this one) has written since, so every node answers as the database stands.

use kaeru_domain::CompanyId;
use kaeru_search::{MatchIndex, SearchIndex};
use kaeru_store::{Db, Scope, StoreResult, companies, openings};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub struct CachedIndex {
    pub revision: i64,
    pub index: SearchIndex,
}

/// A matching index, tagged with the revision and the day it was built for (an offer's window is read
/// against the day).
pub struct CachedMatch {
    pub revision: i64,
    pub day: chrono::NaiveDate,
    pub index: MatchIndex,
}

/// Held while one request rebuilds an index.
type BuildLock = Arc<tokio::sync::Mutex<()>>;

#[derive(Default)]
pub struct SearchCache {
    indexes: RwLock<HashMap<CompanyId, Arc<CachedIndex>>>,
    matches: RwLock<HashMap<CompanyId, Arc<CachedMatch>>>,
    /// One rebuild at a time per company and kind: concurrent requests wait for it instead of each rebuilding.
    building: std::sync::Mutex<HashMap<(CompanyId, bool), BuildLock>>,
    /// The analytics figures, cached by the same revision.
    pub analytics: crate::analytics::AnalyticsCache,
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

    /// The company's index, current with the database.
    pub async fn index_for(&self, db: &Db, scope: &Scope) -> StoreResult<Arc<CachedIndex>> {
        let revision = companies::revision(db, scope).await?;
        if let Some(c) = self
            .cached(scope.company_id())
            .filter(|c| c.revision == revision)
        {
            return Ok(c);
        }
        let lock = self.build_lock(scope.company_id(), false);
        let _building = lock.lock().await;
        // Another request may have rebuilt it while this one waited.
        if let Some(c) = self
            .cached(scope.company_id())
            .filter(|c| c.revision >= revision)
        {
            return Ok(c);
        }
        let started = std::time::Instant::now();
        let (revision, docs) = kaeru_store::search_docs::search_docs(db, scope).await?;
        let loaded = started.elapsed();
        let index = tokio::task::spawn_blocking(move || SearchIndex::build(docs))
            .await
            .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
        let fresh = Arc::new(CachedIndex { revision, index });
        tracing::info!(company = %scope.company_id(), revision, people = fresh.index.len(), load_ms = loaded.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "search index rebuilt");
        if let Ok(mut m) = self.indexes.write() {
            // Keep whichever is newer if two requests rebuilt at once.
            let keep = m
                .get(&scope.company_id())
                .is_none_or(|old| old.revision <= revision);
            if keep {
                m.insert(scope.company_id(), fresh.clone());
            }
        }
        Ok(fresh)
    }

    /// The company's matching index, current with the database and built for `today`.
    pub async fn match_index_for(
        &self,
        db: &Db,
        scope: &Scope,
        today: chrono::NaiveDate,
    ) -> StoreResult<Arc<CachedMatch>> {
        let revision = companies::revision(db, scope).await?;
        let cached = self
            .matches
            .read()
            .ok()
            .and_then(|m| m.get(&scope.company_id()).cloned());
        if let Some(c) = cached.filter(|c| c.revision == revision && c.day == today) {
            return Ok(c);
        }
        let lock = self.build_lock(scope.company_id(), true);
        let _building = lock.lock().await;
        let cached = self
            .matches
            .read()
            .ok()
            .and_then(|m| m.get(&scope.company_id()).cloned());
        if let Some(c) = cached.filter(|c| c.revision >= revision && c.day == today) {
            return Ok(c);
        }
        let started = std::time::Instant::now();
        let (revision, docs) = openings::match_docs(db, scope, today).await?;
        let loaded = started.elapsed();
        let index = tokio::task::spawn_blocking(move || MatchIndex::build(docs, today))
            .await
            .map_err(|e| kaeru_store::StoreError::Other(e.into()))?;
        let fresh = Arc::new(CachedMatch {
            revision,
            day: today,
            index,
        });
        tracing::info!(company = %scope.company_id(), revision, alumni = fresh.index.len(), load_ms = loaded.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "match index rebuilt");
        if let Ok(mut m) = self.matches.write() {
            let keep = m
                .get(&scope.company_id())
                .is_none_or(|old| old.revision <= revision);
            if keep {
                m.insert(scope.company_id(), fresh.clone());
            }
        }
        Ok(fresh)
    }
}
