//! Skills: the company's catalogue (with categories and aliases), the skills people hold, the skills the
//! company needs, openings, a person's outlook on coming back, and the weights of matching.

use crate::ids::{PersonId, PersonSkillId, SkillId};
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Skill levels run from 1 (入門) to 5 (第一人者); each has a plain description in the catalogues.
pub const LEVELS: [i32; 5] = [1, 2, 3, 4, 5];

coded_enum!(
    /// When a skill was held: while employed here (assessed by HR) or gained after leaving.
    SkillOrigin {
        Employment = "employment",
        AfterLeaving = "after_leaving",
    }
);

coded_enum!(
    /// Who vouches for a skill: HR, or the person through the portal (self-assessed).
    SkillSource {
        Hr = "hr",
        SelfReported = "self",
    }
);

coded_enum!(
    /// Priority of a company need.
    NeedPriority {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

impl NeedPriority {
    pub fn rank(self) -> u8 {
        match self {
            Self::High => 0,
            Self::Medium => 1,
            Self::Low => 2,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skill {
    pub id: SkillId,
    pub name: String,
    pub category: Option<String>,
    pub aliases: Vec<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkillDraft {
    pub name: String,
    pub category: Option<String>,
    pub aliases: Vec<String>,
    pub description: Option<String>,
}

/// The raw skill form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SkillInput {
    pub name: String,
    pub category: String,
    /// One per line, or separated by commas (、 and ， too).
    pub aliases: String,
    pub description: String,
}

/// Splits a list typed in one box: lines, commas, 、 and ，.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['\n', '\r', ',', '、', '，'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl SkillInput {
    pub fn from_skill(s: &Skill) -> Self {
        Self {
            name: s.name.clone(),
            category: s.category.clone().unwrap_or_default(),
            aliases: s.aliases.join("\n"),
            description: s.description.clone().unwrap_or_default(),
        }
    }

    pub fn parse(&self) -> Result<SkillDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", v::required_line(&self.name, 60));
        let category = e.check("category", v::optional_line(&self.category, 40));
        let description = e.check("description", v::optional_text(&self.description, 500));
        let mut aliases: Vec<String> = Vec::new();
        for a in split_list(&self.aliases) {
            if a.chars().count() > 60 {
                e.add("aliases", Invalid::new("error.too_long").with("max", 60));
                break;
            }
            let same_as_name = name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&a));
            if !same_as_name && !aliases.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                aliases.push(a);
            }
        }
        if aliases.len() > 20 {
            e.add("aliases", Invalid::new("error.too_many").with("max", 20));
        }
        e.into_result()?;
        Ok(SkillDraft {
            name: name.unwrap_or_default(),
            category: category.flatten(),
            aliases,
            description: description.flatten(),
        })
    }
}

/// A skill a person holds, at a level, as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonSkill {
    pub id: PersonSkillId,
    pub person_id: PersonId,
    pub skill_id: SkillId,
    pub level: i32,
    pub origin: SkillOrigin,
    pub source: SkillSource,
    pub assessed_on: NaiveDate,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonSkillDraft {
    pub skill_id: SkillId,
    pub level: i32,
    pub origin: SkillOrigin,
    pub source: SkillSource,
    pub assessed_on: NaiveDate,
    pub note: Option<String>,
}

/// The raw "add a skill to this person" form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonSkillInput {
    pub skill: String,
    pub level: String,
    pub origin: String,
    pub source: String,
    pub assessed_on: String,
    pub note: String,
}

pub fn level(input: &str) -> Result<i32, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Invalid::new("error.required"));
    }
    match s.parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(Invalid::new("error.level")),
    }
}

impl PersonSkillInput {
    /// `known` tells whether a skill id belongs to the company's catalogue.
    pub fn parse(
        &self,
        today: NaiveDate,
        known: impl Fn(SkillId) -> bool,
    ) -> Result<PersonSkillDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let skill = match self.skill.trim().parse::<SkillId>() {
            Ok(id) if known(id) => Some(id),
            _ if self.skill.trim().is_empty() => {
                e.add("skill", Invalid::new("error.required"));
                None
            }
            _ => {
                e.add("skill", Invalid::new("error.skill_unknown"));
                None
            }
        };
        let level = e.check("level", level(&self.level));
        let origin = e.check(
            "origin",
            SkillOrigin::parse(&self.origin).ok_or_else(|| Invalid::new("error.choice")),
        );
        let source = SkillSource::parse(&self.source).unwrap_or(SkillSource::Hr);
        let assessed_on = match v::optional_date(&self.assessed_on) {
            Ok(Some(d)) if d > today => {
                e.add("assessed_on", Invalid::new("error.date_future"));
                None
            }
            Ok(d) => Some(d.unwrap_or(today)),
            Err(x) => {
                e.add("assessed_on", x);
                None
            }
        };
        let note = e.check("note", v::optional_line(&self.note, 200));
        e.into_result()?;
        Ok(PersonSkillDraft {
            skill_id: skill.unwrap_or_default(),
            level: level.unwrap_or(1),
            origin: origin.unwrap_or(SkillOrigin::Employment),
            source,
            assessed_on: assessed_on.unwrap_or(today),
            note: note.flatten(),
        })
    }
}

/// A skill the company wants, with its priority and the level that counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkillNeed {
    pub skill_id: SkillId,
    pub priority: NeedPriority,
    pub min_level: i32,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NeedInput {
    pub skill: String,
    pub priority: String,
    pub min_level: String,
    pub note: String,
}

impl NeedInput {
    pub fn parse(&self, known: impl Fn(SkillId) -> bool) -> Result<SkillNeed, FieldErrors> {
        let mut e = FieldErrors::new();
        let skill = match self.skill.trim().parse::<SkillId>() {
            Ok(id) if known(id) => Some(id),
            _ => {
                e.add("skill", Invalid::new("error.skill_unknown"));
                None
            }
        };
        let priority = e.check(
            "priority",
            NeedPriority::parse(&self.priority).ok_or_else(|| Invalid::new("error.choice")),
        );
        let min_level = e.check("min_level", level(&self.min_level));
        let note = e.check("note", v::optional_line(&self.note, 200));
        e.into_result()?;
        Ok(SkillNeed {
            skill_id: skill.unwrap_or_default(),
            priority: priority.unwrap_or(NeedPriority::Medium),
            min_level: min_level.unwrap_or(1),
            note: note.flatten(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn aliases_are_split_trimmed_and_deduplicated() {
        let d = SkillInput {
            name: "デジタルマーケティング".into(),
            aliases: "Web広告運用、SNSマーケティング\nweb広告運用, デジタルマーケティング".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(d.aliases, ["Web広告運用", "SNSマーケティング"]);
        assert!(
            SkillInput::default()
                .parse()
                .unwrap_err()
                .get("name")
                .is_some()
        );
    }

    #[test]
    fn person_skill_needs_a_known_skill_a_level_and_no_future_date() {
        let id = SkillId::new();
        let ok = PersonSkillInput {
            skill: id.to_string(),
            level: "3".into(),
            origin: "after_leaving".into(),
            ..Default::default()
        }
        .parse(today(), |s| s == id)
        .unwrap();
        assert_eq!(ok.level, 3);
        assert_eq!(ok.assessed_on, today());
        let bad = PersonSkillInput {
            skill: SkillId::new().to_string(),
            level: "6".into(),
            origin: "x".into(),
            assessed_on: "2030-01-01".into(),
            ..Default::default()
        }
        .parse(today(), |s| s == id)
        .unwrap_err();
        for f in ["skill", "level", "origin", "assessed_on"] {
            assert!(bad.get(f).is_some(), "{f}");
        }
    }
}
