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

/// A map by company that forgets the least recently used company past [`COMPANIES_KEPT`].
pub struct Recent<V> {
    clock: u64,
    entries: HashMap<CompanyId, (u64, V)>,
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
        let (used, v) = self.entries.get_mut(&company)?;
        *used = now;
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
                .min_by_key(|(_, (used, _))| *used)
                .map(|(c, _)| *c)
        {
            self.entries.remove(&oldest);
        }
        let now = (self.clock, value);
        match self.entries.entry(company) {
            std::collections::hash_map::Entry::Occupied(mut o) => {
                *o.get_mut() = now;
                &mut o.into_mut().1
            }
            std::collections::hash_map::Entry::Vacant(v) => &mut v.insert(now).1,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A value read from a company's data, kept with the revision and the day it was read for.
pub type Dated<T> = (i64, NaiveDate, T);

/// A value read from a company's data that holds until the company's next write or the next day (a list that
/// reads every former employee, figures of a whole company): kept for the most recently used companies, read
/// by one request of the node while the others wait for it.
pub struct ByRevisionAndDay<T> {
    kept: std::sync::Mutex<Recent<Arc<Dated<T>>>>,
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
    fn kept(&self, company: CompanyId, revision: i64, today: NaiveDate) -> Option<Arc<Dated<T>>> {
        self.kept
            .lock()
            .ok()
            .and_then(|mut m| m.get_mut(company).cloned())
            .filter(|c| c.0 == revision && c.1 == today)
    }

    /// The value as the database stands today: the kept one while the company's revision and the day are
    /// the same, else `read` (by one request at a time).
    pub async fn get<F, Fut>(
        &self,
        db: &Db,
        scope: &Scope,
        today: NaiveDate,
        read: F,
    ) -> Result<Arc<Dated<T>>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let company = scope.company_id();
        let revision = kaeru_store::companies::revision(db, scope).await?;
        if let Some(c) = self.kept(company, revision, today) {
            return Ok(c);
        }
        let _building = self.building.lock().await;
        if let Some(c) = self.kept(company, revision, today) {
            return Ok(c);
        }
        let fresh = Arc::new((revision, today, read().await?));
        if let Ok(mut m) = self.kept.lock() {
            m.insert(company, fresh.clone());
        }
        Ok(fresh)
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
}
