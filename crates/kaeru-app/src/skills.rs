//! The skill catalogue's figures: how many people hold each skill.

use kaeru_domain::SkillId;
use kaeru_store::{Db, Scope, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

/// How many people hold each skill, kept for the company's revision and the day: counting them reads every
/// holding of the company (0.36 s at 100,000 people), and the catalogue page asks on every visit.
#[derive(Default)]
pub struct HoldersCache(pub(crate) crate::recent::ByRevisionAndDay<HashMap<SkillId, u64>>);

impl HoldersCache {
    /// The counts as the database stands. `revision`: the company's, if the caller has just read it.
    pub async fn counts(
        &self,
        db: &Db,
        scope: &Scope,
        revision: Option<i64>,
        today: chrono::NaiveDate,
    ) -> Result<Arc<crate::recent::Dated<HashMap<SkillId, u64>>>, StoreError> {
        self.0
            .get(db, scope, revision, today, || {
                kaeru_store::skills::holder_counts(db, scope)
            })
            .await
    }
}
