//! Skills: the company's catalogue (with categories and aliases), the skills people hold, the skills the
//! company needs, openings, a person's outlook on coming back, and the weights of matching.

use crate::ids::{OpeningId, PersonId, PersonSkillId, SkillId};
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
    /// 復帰の意向
    ReturnIntent {
        /// 今すぐ
        Now = "now",
        /// 1年以内
        WithinYear = "within_year",
        /// いずれ
        Someday = "someday",
        /// 今は考えていない
        NotNow = "not_now",
    }
);

coded_enum!(
    /// Way of working, of an opening or preferred by a person.
    WorkStyle {
        /// 正社員（フルタイム）
        FullTime = "full_time",
        /// 週N日
        PartWeek = "part_week",
        /// 業務委託
        Contract = "contract",
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

coded_enum!(
    OpeningStatus {
        Open = "open",
        Closed = "closed",
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

/// What a person has said about coming back, recorded by HR (or by the person through the portal).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Outlook {
    pub intent: Option<ReturnIntent>,
    pub work_style: Option<WorkStyle>,
    /// For 週N日: how many days a week.
    pub days_per_week: Option<i32>,
    pub last_contact_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutlookInput {
    pub intent: String,
    pub work_style: String,
    pub days_per_week: String,
    pub last_contact_on: String,
}

fn optional_choice<T>(
    input: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Invalid> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    parse(input)
        .map(Some)
        .ok_or_else(|| Invalid::new("error.choice"))
}

fn days_per_week(input: &str) -> Result<Option<i32>, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => Ok(Some(n)),
        _ => Err(Invalid::new("error.days_per_week")),
    }
}

impl OutlookInput {
    pub fn from_outlook(o: &Outlook) -> Self {
        Self {
            intent: o.intent.map(|x| x.code().to_string()).unwrap_or_default(),
            work_style: o
                .work_style
                .map(|x| x.code().to_string())
                .unwrap_or_default(),
            days_per_week: o.days_per_week.map(|d| d.to_string()).unwrap_or_default(),
            last_contact_on: o
                .last_contact_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        }
    }

    pub fn parse(&self, today: NaiveDate) -> Result<Outlook, FieldErrors> {
        let mut e = FieldErrors::new();
        let intent = e.check("intent", optional_choice(&self.intent, ReturnIntent::parse));
        let work_style = e.check(
            "work_style",
            optional_choice(&self.work_style, WorkStyle::parse),
        );
        let days = e.check("days_per_week", days_per_week(&self.days_per_week));
        let last = match v::optional_date(&self.last_contact_on) {
            Ok(Some(d)) if d > today => {
                e.add("last_contact_on", Invalid::new("error.date_future"));
                None
            }
            Ok(d) => Some(d),
            Err(x) => {
                e.add("last_contact_on", x);
                None
            }
        };
        e.into_result()?;
        let work_style = work_style.flatten();
        Ok(Outlook {
            intent: intent.flatten(),
            work_style,
            days_per_week: days
                .flatten()
                .filter(|_| work_style == Some(WorkStyle::PartWeek)),
            last_contact_on: last.flatten(),
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

/// One skill an opening asks for: required with a minimum level, or nice to have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub skill_id: SkillId,
    pub required: bool,
    pub min_level: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Opening {
    pub id: OpeningId,
    pub title: String,
    pub department: Option<String>,
    pub work_style: WorkStyle,
    pub days_per_week: Option<i32>,
    pub place: Option<String>,
    pub description: Option<String>,
    pub is_public: bool,
    pub status: OpeningStatus,
    pub requirements: Vec<Requirement>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpeningDraft {
    pub title: String,
    pub department: Option<String>,
    pub work_style: WorkStyle,
    pub days_per_week: Option<i32>,
    pub place: Option<String>,
    pub description: Option<String>,
    pub is_public: bool,
    pub status: OpeningStatus,
    pub requirements: Vec<Requirement>,
}

/// The raw opening form. Required skills come as parallel lists (`req_skill`, `req_level`); nice-to-have
/// skills as a list of ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpeningInput {
    pub title: String,
    pub department: String,
    pub work_style: String,
    pub days_per_week: String,
    pub place: String,
    pub description: String,
    pub is_public: String,
    pub status: String,
    #[serde(deserialize_with = "v::one_or_many")]
    pub req_skill: Vec<String>,
    #[serde(deserialize_with = "v::one_or_many")]
    pub req_level: Vec<String>,
    #[serde(deserialize_with = "v::one_or_many")]
    pub nice_skill: Vec<String>,
}

impl OpeningInput {
    pub fn from_opening(o: &Opening) -> Self {
        let req: Vec<&Requirement> = o.requirements.iter().filter(|r| r.required).collect();
        Self {
            title: o.title.clone(),
            department: o.department.clone().unwrap_or_default(),
            work_style: o.work_style.code().into(),
            days_per_week: o.days_per_week.map(|d| d.to_string()).unwrap_or_default(),
            place: o.place.clone().unwrap_or_default(),
            description: o.description.clone().unwrap_or_default(),
            is_public: if o.is_public {
                "on".into()
            } else {
                String::new()
            },
            status: o.status.code().into(),
            req_skill: req.iter().map(|r| r.skill_id.to_string()).collect(),
            req_level: req.iter().map(|r| r.min_level.to_string()).collect(),
            nice_skill: o
                .requirements
                .iter()
                .filter(|r| !r.required)
                .map(|r| r.skill_id.to_string())
                .collect(),
        }
    }

    pub fn parse(&self, known: impl Fn(SkillId) -> bool) -> Result<OpeningDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", v::required_line(&self.title, 100));
        let department = e.check("department", v::optional_line(&self.department, 60));
        let work_style = e.check(
            "work_style",
            WorkStyle::parse(&self.work_style).ok_or_else(|| Invalid::new("error.choice")),
        );
        let days = e.check("days_per_week", days_per_week(&self.days_per_week));
        if work_style == Some(WorkStyle::PartWeek) && days == Some(None) {
            e.add("days_per_week", Invalid::new("error.required"));
        }
        let place = e.check("place", v::optional_line(&self.place, 100));
        let description = e.check("description", v::optional_text(&self.description, 4000));
        let status = OpeningStatus::parse(&self.status).unwrap_or(OpeningStatus::Open);
        let mut requirements: Vec<Requirement> = Vec::new();
        for (i, s) in self.req_skill.iter().enumerate() {
            if s.trim().is_empty() {
                continue;
            }
            let Some(id) = s.trim().parse::<SkillId>().ok().filter(|id| known(*id)) else {
                e.add("requirements", Invalid::new("error.skill_unknown"));
                continue;
            };
            let lv = self.req_level.get(i).map(String::as_str).unwrap_or("");
            let min_level = if lv.trim().is_empty() {
                1
            } else {
                match level(lv) {
                    Ok(n) => n,
                    Err(x) => {
                        e.add("requirements", x);
                        continue;
                    }
                }
            };
            if requirements.iter().any(|r| r.skill_id == id) {
                e.add("requirements", Invalid::new("error.skill_twice"));
                continue;
            }
            requirements.push(Requirement {
                skill_id: id,
                required: true,
                min_level,
            });
        }
        for s in &self.nice_skill {
            if s.trim().is_empty() {
                continue;
            }
            let Some(id) = s.trim().parse::<SkillId>().ok().filter(|id| known(*id)) else {
                e.add("nice_skill", Invalid::new("error.skill_unknown"));
                continue;
            };
            if !requirements.iter().any(|r| r.skill_id == id) {
                requirements.push(Requirement {
                    skill_id: id,
                    required: false,
                    min_level: 1,
                });
            }
        }
        if requirements.len() > 20 {
            e.add(
                "requirements",
                Invalid::new("error.too_many").with("max", 20),
            );
        }
        e.into_result()?;
        let work_style = work_style.unwrap_or(WorkStyle::FullTime);
        Ok(OpeningDraft {
            title: title.unwrap_or_default(),
            department: department.flatten(),
            work_style,
            days_per_week: days.flatten().filter(|_| work_style == WorkStyle::PartWeek),
            place: place.flatten(),
            description: description.flatten(),
            is_public: matches!(self.is_public.as_str(), "on" | "true" | "1"),
            status,
            requirements,
        })
    }
}

/// How much each part of a match counts, 0–100 each. Not all zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchWeights {
    pub skill: u8,
    pub intent: u8,
    pub offer: u8,
    pub mission: u8,
    pub rehire: u8,
    pub contact: u8,
    pub work_style: u8,
}

impl Default for MatchWeights {
    fn default() -> Self {
        Self {
            skill: 40,
            intent: 15,
            offer: 10,
            mission: 5,
            rehire: 10,
            contact: 10,
            work_style: 10,
        }
    }
}

impl MatchWeights {
    pub const FIELDS: [&'static str; 7] = [
        "skill",
        "intent",
        "offer",
        "mission",
        "rehire",
        "contact",
        "work_style",
    ];

    pub fn get(&self, field: &str) -> u8 {
        match field {
            "skill" => self.skill,
            "intent" => self.intent,
            "offer" => self.offer,
            "mission" => self.mission,
            "rehire" => self.rehire,
            "contact" => self.contact,
            "work_style" => self.work_style,
            _ => 0,
        }
    }

    pub fn total(&self) -> u32 {
        Self::FIELDS.iter().map(|f| u32::from(self.get(f))).sum()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeightsInput {
    pub skill: String,
    pub intent: String,
    pub offer: String,
    pub mission: String,
    pub rehire: String,
    pub contact: String,
    pub work_style: String,
}

impl WeightsInput {
    pub fn from_weights(w: &MatchWeights) -> Self {
        Self {
            skill: w.skill.to_string(),
            intent: w.intent.to_string(),
            offer: w.offer.to_string(),
            mission: w.mission.to_string(),
            rehire: w.rehire.to_string(),
            contact: w.contact.to_string(),
            work_style: w.work_style.to_string(),
        }
    }

    pub fn get(&self, field: &str) -> &str {
        match field {
            "skill" => &self.skill,
            "intent" => &self.intent,
            "offer" => &self.offer,
            "mission" => &self.mission,
            "rehire" => &self.rehire,
            "contact" => &self.contact,
            "work_style" => &self.work_style,
            _ => "",
        }
    }

    pub fn parse(&self) -> Result<MatchWeights, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut one = |field: &'static str, s: &str| -> u8 {
            let t = s.trim();
            if t.is_empty() {
                return 0;
            }
            match t.parse::<u8>() {
                Ok(n) if n <= 100 => n,
                _ => {
                    e.add(field, Invalid::new("error.weight"));
                    0
                }
            }
        };
        let w = MatchWeights {
            skill: one("skill", &self.skill),
            intent: one("intent", &self.intent),
            offer: one("offer", &self.offer),
            mission: one("mission", &self.mission),
            rehire: one("rehire", &self.rehire),
            contact: one("contact", &self.contact),
            work_style: one("work_style", &self.work_style),
        };
        if e.is_empty() && w.total() == 0 {
            e.add("skill", Invalid::new("error.weights_all_zero"));
        }
        e.into_result()?;
        Ok(w)
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

    #[test]
    fn opening_requirements_come_from_parallel_lists() {
        let a = SkillId::new();
        let b = SkillId::new();
        let input = OpeningInput {
            title: "Web担当".into(),
            work_style: "part_week".into(),
            days_per_week: "2".into(),
            req_skill: vec![a.to_string(), String::new()],
            req_level: vec!["3".into(), String::new()],
            nice_skill: vec![b.to_string(), a.to_string()],
            ..Default::default()
        };
        let d = input.parse(|_| true).unwrap();
        assert_eq!(d.days_per_week, Some(2));
        assert_eq!(
            d.requirements,
            [
                Requirement {
                    skill_id: a,
                    required: true,
                    min_level: 3
                },
                Requirement {
                    skill_id: b,
                    required: false,
                    min_level: 1
                },
            ]
        );
        let no_days = OpeningInput {
            title: "x".into(),
            work_style: "part_week".into(),
            ..Default::default()
        };
        assert!(
            no_days
                .parse(|_| true)
                .unwrap_err()
                .get("days_per_week")
                .is_some()
        );
        let twice = OpeningInput {
            title: "x".into(),
            work_style: "full_time".into(),
            req_skill: vec![a.to_string(), a.to_string()],
            ..Default::default()
        };
        assert!(
            twice
                .parse(|_| true)
                .unwrap_err()
                .get("requirements")
                .is_some()
        );
    }

    #[test]
    fn weights_cannot_all_be_zero_or_above_100() {
        let zero = WeightsInput::from_weights(&MatchWeights {
            skill: 0,
            intent: 0,
            offer: 0,
            mission: 0,
            rehire: 0,
            contact: 0,
            work_style: 0,
        });
        assert_eq!(
            zero.parse().unwrap_err().get("skill").unwrap().key,
            "error.weights_all_zero"
        );
        let mut big = WeightsInput::from_weights(&MatchWeights::default());
        big.intent = "101".into();
        assert!(big.parse().unwrap_err().get("intent").is_some());
        assert_eq!(
            WeightsInput::from_weights(&MatchWeights::default())
                .parse()
                .unwrap(),
            MatchWeights::default()
        );
    }

    #[test]
    fn outlook_drops_days_unless_part_week() {
        let o = OutlookInput {
            intent: "now".into(),
            work_style: "full_time".into(),
            days_per_week: "3".into(),
            last_contact_on: "2026-11-01".into(),
        }
        .parse(today())
        .unwrap();
        assert_eq!(o.days_per_week, None);
        assert_eq!(o.intent, Some(ReturnIntent::Now));
        let bad = OutlookInput {
            days_per_week: "9".into(),
            last_contact_on: "2027-01-01".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        assert!(bad.get("days_per_week").is_some() && bad.get("last_contact_on").is_some());
    }
}
