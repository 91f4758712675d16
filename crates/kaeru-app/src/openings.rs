//! Openings: the alumni ranked for an opening, and the reasons in words a 社長 can read.

use crate::search::SearchCache;
use kaeru_domain::{Opening, SkillId, WorkStyle};
use kaeru_i18n::Catalog;
use kaeru_search::matching::{Detail, MatchError};
use kaeru_store::{Db, Scope, StoreError, openings};
use std::collections::HashMap;

/// The words of a catalogue, as the match explanations use them (the page's shell, or the API's language).
pub struct Words {
    pub t: &'static Catalog,
}

impl Words {
    fn t(&self, key: &str) -> &'static str {
        self.t.lookup(key).unwrap_or("⚠")
    }

    fn tf(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.t.format(key, &[(name, value.to_string())])
    }
}

pub fn work_label(s: &Words, style: WorkStyle, days: Option<i32>) -> String {
    match (style, days) {
        (WorkStyle::PartWeek, Some(d)) => s.tf("work.days", "n", d),
        _ => s.t.label("work", style.code()),
    }
}

pub fn detail_text(s: &Words, names: &HashMap<SkillId, String>, d: &Detail) -> String {
    let name = |k: &SkillId| names.get(k).cloned().unwrap_or_default();
    let args = |pairs: &[(&'static str, String)]| pairs.to_vec();
    match d {
        Detail::SkillMet {
            skill,
            level,
            min,
            years,
            after_leaving,
        } => {
            let mut t = s.t.format(
                "match.skill_met",
                &args(&[
                    ("skill", name(skill)),
                    ("level", level.to_string()),
                    ("min", min.to_string()),
                ]),
            );
            if *after_leaving {
                t.push_str(s.t("match.after_leaving"));
            }
            if *years >= 2 {
                t.push_str(&s.tf("match.years_ago", "n", years));
            }
            t
        }
        Detail::SkillBelow { skill, level, min } => s.t.format(
            "match.skill_below",
            &args(&[
                ("skill", name(skill)),
                ("level", level.to_string()),
                ("min", min.to_string()),
            ]),
        ),
        Detail::SkillMissing { skill } => s.tf("match.skill_missing", "skill", name(skill)),
        Detail::NiceHeld {
            skill,
            level,
            after_leaving,
        } => {
            let mut t = s.t.format(
                "match.nice_held",
                &args(&[("skill", name(skill)), ("level", level.to_string())]),
            );
            if *after_leaving {
                t.push_str(s.t("match.after_leaving"));
            }
            t
        }
        Detail::Intent(i) => match i {
            Some(i) => s.tf("match.intent", "intent", s.t.label("intent", i.code())),
            None => s.t("match.intent_unknown").into(),
        },
        Detail::Offer(true) => s.t("match.offer_yes").into(),
        Detail::Offer(false) => s.t("match.offer_no").into(),
        Detail::Mission(true) => s.t("match.mission_yes").into(),
        Detail::Mission(false) => s.t("match.mission_no").into(),
        Detail::Rehire(r, exception) => match (r, exception) {
            (Some(kaeru_domain::RehireEligibility::NotEligible), true) => {
                s.t("match.rehire_exception").into()
            }
            (Some(r), _) => s.tf("match.rehire", "value", s.t.label("rehire", r.code())),
            (None, _) => s.t("match.rehire_unknown").into(),
        },
        Detail::Contact(Some(days)) => s.tf("match.contact_days", "n", days),
        Detail::Contact(None) => s.t("match.contact_none").into(),
        Detail::Work(Some(w), days) => s.tf("match.work", "work", work_label(s, *w, *days)),
        Detail::Work(None, _) => s.t("match.work_unknown").into(),
    }
}

/// Ranks the company's alumni for an opening (the same index and weights for the page and the API);
/// `None` when the opening names no skill to match on.
pub async fn rank(
    db: &Db,
    indexes: &SearchCache,
    scope: &Scope,
    o: &Opening,
    today: chrono::NaiveDate,
    limit: usize,
) -> Result<Option<kaeru_search::matching::MatchResult>, StoreError> {
    let weights = openings::weights(db, scope).await?;
    let index = indexes.match_index_for(db, scope, today).await?;
    let query = crate::job_board::query_for(o, weights, today, limit);
    match index.read().rank(&query) {
        Ok(r) => Ok(Some(r)),
        Err(MatchError::NoSkills) => Ok(None),
    }
}
