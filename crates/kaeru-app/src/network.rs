//! What alumni bring back: referrals of candidates and business introduced (contributions).

use crate::failure::Outcome;
use chrono::NaiveDate;
use kaeru_domain::network::{Contribution, ContributionInput};
use kaeru_domain::{ContributionId, PersonId};
use kaeru_store::{Actor, Db, Scope, StoreError, network};

pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    input: &ContributionInput,
    today: NaiveDate,
) -> Outcome<Contribution> {
    let d = input.parse(today)?;
    Ok(network::add(db, scope, actor, person, &d).await?)
}

pub async fn remove(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: ContributionId,
) -> Outcome<()> {
    Ok(network::remove(db, scope, actor, person, id).await?)
}

/// The network page's groups (who works where now), kept per company, revision, grouping and search: reading
/// them means every current career and every former employee's name (over a second at 100,000 people), so
/// the page reads them once per write, one request reading while the others wait.
#[derive(Default)]
pub struct NetworkCache {
    /// Each grouping with when it was last asked for.
    groups: std::sync::Mutex<std::collections::HashMap<GroupsKey, (Arc<Groups>, Instant)>>,
    building: tokio::sync::Mutex<()>,
}

type GroupsKey = (kaeru_domain::CompanyId, i64, network::GroupBy, String);
/// Groups of alumni by employer or industry, largest first.
pub type Groups = Vec<(String, Vec<network::Placed>)>;

/// More groupings than this remembered on a node: the oldest are forgotten (searches make new keys).
const MOST_GROUPINGS: usize = 64;

use std::sync::Arc;
use std::time::{Duration, Instant};

impl NetworkCache {
    /// Forgets the groupings not asked for in `idle`; returns how many.
    pub fn forget_unused_for(&self, idle: Duration) -> usize {
        self.groups
            .lock()
            .map(|mut m| {
                let before = m.len();
                m.retain(|_, (_, used)| used.elapsed() < idle);
                before - m.len()
            })
            .unwrap_or(0)
    }

    /// The company's alumni grouped as the page asks, as the database stands.
    pub async fn grouped(
        &self,
        db: &Db,
        scope: &Scope,
        query: &str,
        by: network::GroupBy,
    ) -> Result<Arc<Groups>, StoreError> {
        let revision = kaeru_store::companies::revision(db, scope).await?;
        let key: GroupsKey = (scope.company_id(), revision, by, query.trim().to_string());
        let cached = || {
            self.groups.lock().ok().and_then(|mut m| {
                m.get_mut(&key).map(|(g, used)| {
                    *used = Instant::now();
                    g.clone()
                })
            })
        };
        if let Some(g) = cached() {
            return Ok(g);
        }
        let _building = self.building.lock().await;
        if let Some(g) = cached() {
            return Ok(g);
        }
        let fresh = Arc::new(network::grouped(db, scope, query, by).await?);
        if let Ok(mut m) = self.groups.lock() {
            // Older revisions of the company are of no use any more.
            m.retain(|k, _| k.0 != key.0 || k.1 == revision);
            if m.len() >= MOST_GROUPINGS {
                m.clear();
            }
            m.insert(key, (fresh.clone(), Instant::now()));
        }
        Ok(fresh)
    }
}
