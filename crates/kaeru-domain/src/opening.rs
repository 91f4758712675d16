//! Openings (募集): what a position asks for, and its status.

use crate::ids::{OpeningId, SkillId};
use crate::outlook::{WorkStyle, days_per_week};
use crate::skill::level;
use crate::validation::{self as v, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

coded_enum!(
    OpeningStatus {
        Open = "open",
        Closed = "closed",
    }
);

coded_enum!(
    /// Who sees an opening: everyone (the public page and the portal), former employees in the portal, or
    /// only the people HR invited.
    OpeningAudience {
        Public = "public",
        Alumni = "alumni",
        Invited = "invited",
    }
);

coded_enum!(
    /// Where the work is done.
    Remote {
        /// 出社
        Onsite = "onsite",
        /// 一部リモート
        Hybrid = "hybrid",
        /// フルリモート
        Full = "full",
    }
);

coded_enum!(
    /// What a pay figure is per: 時給, 日額, 月額, 年収.
    PayUnit {
        Hour = "hour",
        Day = "day",
        Month = "month",
        Year = "year",
    }
);

/// The largest pay figure accepted (a year's pay of 100 million yen), to catch a slip of the finger.
pub const MAX_PAY_YEN: i64 = 100_000_000;

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
    pub audience: OpeningAudience,
    pub remote: Option<Remote>,
    /// Pay in yen per `pay_unit` (a 業務委託's day rate, a 副業's hourly rate, a full-time year's pay).
    pub pay_yen: Option<i64>,
    pub pay_unit: Option<PayUnit>,
    /// The last day it takes responses; the day after it closes by itself.
    pub closes_on: Option<chrono::NaiveDate>,
    pub status: OpeningStatus,
    pub requirements: Vec<Requirement>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl Opening {
    pub fn is_public(&self) -> bool {
        self.audience == OpeningAudience::Public
    }

    /// Open and not past its closing date (the worker closes it the next morning; until then it reads
    /// as closed all the same).
    pub fn takes_responses(&self, today: chrono::NaiveDate) -> bool {
        self.status == OpeningStatus::Open && self.closes_on.is_none_or(|d| today <= d)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpeningDraft {
    pub title: String,
    pub department: Option<String>,
    pub work_style: WorkStyle,
    pub days_per_week: Option<i32>,
    pub place: Option<String>,
    pub description: Option<String>,
    pub audience: OpeningAudience,
    pub remote: Option<Remote>,
    pub pay_yen: Option<i64>,
    pub pay_unit: Option<PayUnit>,
    pub closes_on: Option<chrono::NaiveDate>,
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
    /// `public`, `alumni` or `invited`; empty reads the older `is_public` tick (public, else alumni).
    pub audience: String,
    pub is_public: String,
    pub remote: String,
    pub pay_yen: String,
    pub pay_unit: String,
    pub closes_on: String,
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
            audience: o.audience.code().into(),
            is_public: String::new(),
            remote: o.remote.map(|r| r.code().to_string()).unwrap_or_default(),
            pay_yen: o.pay_yen.map(|p| p.to_string()).unwrap_or_default(),
            pay_unit: o.pay_unit.map(|p| p.code().to_string()).unwrap_or_default(),
            closes_on: o.closes_on.map(|d| d.to_string()).unwrap_or_default(),
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
        let audience = match self.audience.trim() {
            "" if matches!(self.is_public.as_str(), "on" | "true" | "1") => {
                Some(OpeningAudience::Public)
            }
            "" => Some(OpeningAudience::Alumni),
            a => {
                let parsed = OpeningAudience::parse(a);
                if parsed.is_none() {
                    e.add("audience", Invalid::new("error.choice"));
                }
                parsed
            }
        };
        let remote = match self.remote.trim() {
            "" => None,
            r => {
                let parsed = Remote::parse(r);
                if parsed.is_none() {
                    e.add("remote", Invalid::new("error.choice"));
                }
                parsed
            }
        };
        let pay_yen = e
            .check("pay_yen", v::optional_yen(&self.pay_yen, MAX_PAY_YEN))
            .flatten();
        let pay_unit = match self.pay_unit.trim() {
            "" => None,
            u => {
                let parsed = PayUnit::parse(u);
                if parsed.is_none() {
                    e.add("pay_unit", Invalid::new("error.choice"));
                }
                parsed
            }
        };
        if pay_yen.is_some() && pay_unit.is_none() && e.get("pay_unit").is_none() {
            e.add("pay_unit", Invalid::new("error.required"));
        }
        let closes_on = e
            .check("closes_on", v::optional_date(&self.closes_on))
            .flatten();
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
            days_per_week: days.flatten().filter(|_| work_style != WorkStyle::FullTime),
            place: place.flatten(),
            description: description.flatten(),
            audience: audience.unwrap_or(OpeningAudience::Alumni),
            remote,
            pay_yen,
            pay_unit: pay_unit.filter(|_| pay_yen.is_some()),
            closes_on,
            status,
            requirements,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
