//! What a node keeps per company beside the indexes (analytics facts, the reconnect list): only for the
//! companies used most recently, so a node serving a thousand companies does not hold a thousand companies'
//! figures.

use kaeru_domain::CompanyId;
use std::collections::HashMap;

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
