//! The comeback pipeline (復帰までの流れ): 関心あり → 面談 → 条件提示 → 入社決定 → 復職, or 見送り with a reason.

use crate::ids::{OfferId, PersonId};
use crate::stint::{EmploymentStint, EmploymentType};
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum!(
    ComebackStage {
        /// 関心あり
        Interested = "interested",
        /// 面談
        Interview = "interview",
        /// 条件提示
        TermsOffered = "terms_offered",
        /// 入社決定
        Hired = "hired",
        /// 復職: back at work; creates the new stint.
        Returned = "returned",
        /// 見送り
        Dropped = "dropped",
    }
);

impl ComebackStage {
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Returned | Self::Dropped)
    }

    /// The stages shown as columns of the board, in order.
    pub const BOARD: [ComebackStage; 6] = [
        Self::Interested,
        Self::Interview,
        Self::TermsOffered,
        Self::Hired,
        Self::Returned,
        Self::Dropped,
    ];
}

/// Identifies a comeback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ComebackId(pub uuid::Uuid);

impl ComebackId {
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl Default for ComebackId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for ComebackId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ComebackId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Self)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comeback {
    pub id: ComebackId,
    pub person_id: PersonId,
    pub offer_id: Option<OfferId>,
    pub stage: ComebackStage,
    pub opened_on: NaiveDate,
    pub note: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub skills_gained: Option<String>,
    /// Days between the end of the last stint and the new start.
    pub days_away: Option<i64>,
    pub dropped_reason: Option<String>,
    pub stage_changed_at: chrono::DateTime<chrono::Utc>,
    /// The opening it started from, when it came from the job board.
    pub opening_id: Option<crate::OpeningId>,
    /// The interest or application it came from.
    pub response_id: Option<crate::ResponseId>,
}

/// A checked move to another stage, with what that stage needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ComebackMove {
    To(ComebackStage),
    Returned {
        start_date: NaiveDate,
        department: Option<String>,
        job_title: Option<String>,
        employment_type: EmploymentType,
        skills_gained: Option<String>,
    },
    Dropped {
        reason: String,
    },
}

impl ComebackMove {
    pub fn stage(&self) -> ComebackStage {
        match self {
            Self::To(s) => *s,
            Self::Returned { .. } => ComebackStage::Returned,
            Self::Dropped { .. } => ComebackStage::Dropped,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MoveInput {
    pub stage: String,
    pub start_date: String,
    pub department: String,
    pub job_title: String,
    pub employment_type: String,
    pub skills_gained: String,
    pub reason: String,
}

impl MoveInput {
    /// Checks a move from `from`. 復職 needs a start date after the last stint ended and a person who is not
    /// employed now; 見送り needs a reason; a finished comeback does not move.
    pub fn parse(
        &self,
        from: ComebackStage,
        stints: &[EmploymentStint],
        today: NaiveDate,
    ) -> Result<ComebackMove, FieldErrors> {
        let mut e = FieldErrors::new();
        let Some(to) = ComebackStage::parse(&self.stage) else {
            e.add("stage", Invalid::new("error.choice"));
            return Err(e);
        };
        if !from.is_open() {
            e.add("stage", Invalid::new("error.comeback_closed"));
            return Err(e);
        }
        if to == from {
            e.add("stage", Invalid::new("error.comeback_same_stage"));
            return Err(e);
        }
        match to {
            ComebackStage::Returned => {
                let start_date = e.check("start_date", v::required_date(&self.start_date));
                let last_end = stints.iter().filter_map(|s| s.end_date).max();
                if let (Some(start), Some(end)) = (start_date, last_end)
                    && start <= end
                {
                    e.add(
                        "start_date",
                        Invalid::new("error.comeback_start_after_leaving"),
                    );
                }
                if stints.iter().any(|s| {
                    s.end_date.is_none()
                        || s.end_date
                            .is_some_and(|d| d >= today && s.start_date <= today)
                }) {
                    e.add("start_date", Invalid::new("error.comeback_still_employed"));
                }
                let department = e
                    .check("department", v::optional_line(&self.department, 100))
                    .flatten();
                let job_title = e
                    .check("job_title", v::optional_line(&self.job_title, 100))
                    .flatten();
                let employment_type = if self.employment_type.trim().is_empty() {
                    Some(EmploymentType::FullTime)
                } else {
                    let t = EmploymentType::parse(&self.employment_type);
                    if t.is_none() {
                        e.add("employment_type", Invalid::new("error.choice"));
                    }
                    t
                };
                let skills_gained = e
                    .check("skills_gained", v::optional_text(&self.skills_gained, 2000))
                    .flatten();
                match (start_date, employment_type) {
                    (Some(start_date), Some(employment_type)) if e.is_empty() => {
                        Ok(ComebackMove::Returned {
                            start_date,
                            department,
                            job_title,
                            employment_type,
                            skills_gained,
                        })
                    }
                    _ => Err(e),
                }
            }
            ComebackStage::Dropped => {
                let reason = e.check("reason", v::required_text(&self.reason, 2000));
                match reason {
                    Some(reason) if e.is_empty() => Ok(ComebackMove::Dropped { reason }),
                    _ => Err(e),
                }
            }
            other => Ok(ComebackMove::To(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StintId;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn left(end: &str) -> EmploymentStint {
        EmploymentStint {
            id: StintId::new(),
            person_id: PersonId::new(),
            start_date: d("2015-04-01"),
            end_date: Some(d(end)),
            department: None,
            job_title: None,
            employment_type: EmploymentType::FullTime,
            leave_reason: None,
            leave_reason_detail: None,
            exit_interview_notes: None,
            rehire_eligibility: None,
            rehire_reason: None,
        }
    }

    #[test]
    fn returning_needs_a_start_date_after_leaving() {
        let stints = [left("2020-03-31")];
        let today = d("2026-11-29");
        let mut i = MoveInput {
            stage: "returned".into(),
            ..Default::default()
        };
        assert_eq!(
            i.parse(ComebackStage::Hired, &stints, today)
                .unwrap_err()
                .get("start_date")
                .unwrap()
                .key,
            "error.required"
        );
        i.start_date = "2019-01-01".into();
        assert_eq!(
            i.parse(ComebackStage::Hired, &stints, today)
                .unwrap_err()
                .get("start_date")
                .unwrap()
                .key,
            "error.comeback_start_after_leaving"
        );
        i.start_date = "2027-01-04".into();
        assert!(matches!(
            i.parse(ComebackStage::Interview, &stints, today),
            Ok(ComebackMove::Returned { .. })
        ));
    }

    #[test]
    fn dropping_needs_a_reason_and_closed_comebacks_stay_closed() {
        let today = d("2026-11-29");
        let i = MoveInput {
            stage: "dropped".into(),
            ..Default::default()
        };
        assert_eq!(
            i.parse(ComebackStage::Interview, &[], today)
                .unwrap_err()
                .get("reason")
                .unwrap()
                .key,
            "error.required"
        );
        let i = MoveInput {
            stage: "interview".into(),
            ..Default::default()
        };
        assert_eq!(
            i.parse(ComebackStage::Dropped, &[], today)
                .unwrap_err()
                .get("stage")
                .unwrap()
                .key,
            "error.comeback_closed"
        );
        assert_eq!(
            i.parse(ComebackStage::Interested, &[], today).unwrap(),
            ComebackMove::To(ComebackStage::Interview)
        );
    }
}
