//! A position a person held elsewhere after leaving: where, what, in which industry, from when to when.

use crate::ids::{CareerId, PersonId};
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CareerEntry {
    pub id: CareerId,
    pub person_id: PersonId,
    pub employer: String,
    pub role: Option<String>,
    pub industry: Option<String>,
    pub from_date: Option<NaiveDate>,
    /// `None`: still there.
    pub to_date: Option<NaiveDate>,
}

impl CareerEntry {
    pub fn is_current(&self) -> bool {
        self.to_date.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CareerDraft {
    pub employer: String,
    pub role: Option<String>,
    pub industry: Option<String>,
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CareerInput {
    pub employer: String,
    pub role: String,
    pub industry: String,
    pub from_date: String,
    pub to_date: String,
}

impl CareerInput {
    pub fn parse(&self, today: NaiveDate) -> Result<CareerDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let employer = e.check("employer", v::required_line(&self.employer, 100));
        let role = e.check("role", v::optional_line(&self.role, 60));
        let industry = e.check("industry", v::optional_line(&self.industry, 60));
        let from = e
            .check("from_date", v::optional_date(&self.from_date))
            .flatten();
        let to = e
            .check("to_date", v::optional_date(&self.to_date))
            .flatten();
        if from.is_some_and(|d| d > today) {
            e.add("from_date", Invalid::new("error.date_future"));
        }
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            e.add("to_date", Invalid::new("error.career_end_before_start"));
        }
        e.into_result()?;
        Ok(CareerDraft {
            employer: employer.unwrap_or_default(),
            role: role.flatten(),
            industry: industry.flatten(),
            from_date: from,
            to_date: to,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_career_needs_an_employer_and_ends_after_it_starts() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let ok = CareerInput {
            employer: "株式会社みらいデジタル".into(),
            role: "Web広告運用".into(),
            from_date: "2022-04-01".into(),
            ..Default::default()
        }
        .parse(today)
        .unwrap();
        assert_eq!(ok.to_date, None);
        let bad = CareerInput {
            from_date: "2024-04-01".into(),
            to_date: "2023-01-01".into(),
            ..Default::default()
        }
        .parse(today)
        .unwrap_err();
        assert!(bad.get("employer").is_some() && bad.get("to_date").is_some());
    }
}
