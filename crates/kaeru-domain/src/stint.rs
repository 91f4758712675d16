//! Employment stints: one continuous employment at the company, with how and why it ended.

use crate::ids::{PersonId, StintId};
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// 雇用形態
    EmploymentType {
        /// 正社員
        FullTime = "full_time",
        /// 契約社員
        FixedTerm = "fixed_term",
        /// パート・アルバイト
        PartTime = "part_time",
        /// 嘱託
        Reemployed = "reemployed",
        /// 派遣
        Dispatched = "dispatched",
        /// 業務委託
        Contractor = "contractor",
        /// 役員
        Executive = "executive",
    }
);

coded_enum!(
    /// 退職理由の区分
    LeaveReason {
        CareerChange = "career_change",
        StartedBusiness = "started_business",
        Family = "family",
        Caregiving = "caregiving",
        Study = "study",
        SpouseTransfer = "spouse_transfer",
        Health = "health",
        Retirement = "retirement",
        CompanyReasons = "company_reasons",
        Other = "other",
    }
);

coded_enum!(
    /// 再雇用可否
    RehireEligibility {
        Welcome = "welcome",
        CaseByCase = "case_by_case",
        NotEligible = "not_eligible",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EmploymentStint {
    pub id: StintId,
    pub person_id: PersonId,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub employment_type: EmploymentType,
    pub leave_reason: Option<LeaveReason>,
    pub leave_reason_detail: Option<String>,
    pub exit_interview_notes: Option<String>,
    pub rehire_eligibility: Option<RehireEligibility>,
    /// Visible only to owner and hr.
    pub rehire_reason: Option<String>,
}

impl EmploymentStint {
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.start_date <= today && self.end_date.is_none_or(|end| end >= today)
    }

    /// Whole months between start and end (or today), for "3年2か月" style display.
    pub fn months(&self, today: NaiveDate) -> u32 {
        use chrono::Datelike;
        let end = self.end_date.unwrap_or(today).max(self.start_date);
        let m = (end.year() - self.start_date.year()) * 12 + end.month() as i32
            - self.start_date.month() as i32
            - i32::from(end.day() < self.start_date.day());
        m.max(0) as u32
    }
}

/// A checked stint form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StintDraft {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub employment_type: EmploymentType,
    pub leave_reason: Option<LeaveReason>,
    pub leave_reason_detail: Option<String>,
    pub exit_interview_notes: Option<String>,
    pub rehire_eligibility: Option<RehireEligibility>,
    pub rehire_reason: Option<String>,
}

/// The raw text of a stint form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StintInput {
    pub start_date: String,
    pub end_date: String,
    pub department: String,
    pub job_title: String,
    pub employment_type: String,
    pub leave_reason: String,
    pub leave_reason_detail: String,
    pub exit_interview_notes: String,
    pub rehire_eligibility: String,
    pub rehire_reason: String,
}

fn optional_choice<T>(s: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, Invalid> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse(s)
            .map(Some)
            .ok_or_else(|| Invalid::new("error.choice"))
    }
}

impl StintInput {
    /// `others` are the person's other stints, which this one must not overlap.
    pub fn parse(&self, others: &[EmploymentStint]) -> Result<StintDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let start_date = e.check("start_date", v::required_date(&self.start_date));
        let end_date = e
            .check("end_date", v::optional_date(&self.end_date))
            .flatten();
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            e.add("end_date", Invalid::new("error.end_before_start"));
        }
        let department = e
            .check("department", v::optional_line(&self.department, 100))
            .flatten();
        let job_title = e
            .check("job_title", v::optional_line(&self.job_title, 100))
            .flatten();
        let employment_type = e
            .check(
                "employment_type",
                optional_choice(&self.employment_type, EmploymentType::parse),
            )
            .flatten();
        if employment_type.is_none() && !e.0.contains_key("employment_type") {
            e.add("employment_type", Invalid::new("error.required"));
        }
        let leave_reason = e
            .check(
                "leave_reason",
                optional_choice(&self.leave_reason, LeaveReason::parse),
            )
            .flatten();
        let leave_reason_detail = e
            .check(
                "leave_reason_detail",
                v::optional_text(&self.leave_reason_detail, 2000),
            )
            .flatten();
        let exit_interview_notes = e
            .check(
                "exit_interview_notes",
                v::optional_text(&self.exit_interview_notes, 5000),
            )
            .flatten();
        let rehire_eligibility = e
            .check(
                "rehire_eligibility",
                optional_choice(&self.rehire_eligibility, RehireEligibility::parse),
            )
            .flatten();
        let rehire_reason = e
            .check("rehire_reason", v::optional_text(&self.rehire_reason, 2000))
            .flatten();
        if end_date.is_none() {
            // Leaving details belong to a stint that has ended (or has a planned end).
            if leave_reason.is_some() {
                e.add("leave_reason", Invalid::new("error.leave_needs_end"));
            }
            if rehire_eligibility.is_some() {
                e.add("rehire_eligibility", Invalid::new("error.leave_needs_end"));
            }
        }
        if let Some(start) = start_date {
            let end = end_date.unwrap_or(NaiveDate::MAX);
            let overlaps = others
                .iter()
                .any(|o| o.start_date <= end && o.end_date.unwrap_or(NaiveDate::MAX) >= start);
            if overlaps && e.get("start_date").is_none() {
                e.add("start_date", Invalid::new("error.stint_overlap"));
            }
        }
        match (start_date, employment_type) {
            (Some(start_date), Some(employment_type)) if e.is_empty() => Ok(StintDraft {
                start_date,
                end_date,
                department,
                job_title,
                employment_type,
                leave_reason,
                leave_reason_detail,
                exit_interview_notes,
                rehire_eligibility,
                rehire_reason,
            }),
            _ => Err(e),
        }
    }

    pub fn from_stint(s: &EmploymentStint) -> Self {
        let o = |x: &Option<String>| x.clone().unwrap_or_default();
        Self {
            start_date: s.start_date.to_string(),
            end_date: s.end_date.map(|d| d.to_string()).unwrap_or_default(),
            department: o(&s.department),
            job_title: o(&s.job_title),
            employment_type: s.employment_type.code().into(),
            leave_reason: s
                .leave_reason
                .map(|r| r.code().to_string())
                .unwrap_or_default(),
            leave_reason_detail: o(&s.leave_reason_detail),
            exit_interview_notes: o(&s.exit_interview_notes),
            rehire_eligibility: s
                .rehire_eligibility
                .map(|r| r.code().to_string())
                .unwrap_or_default(),
            rehire_reason: o(&s.rehire_reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(start: &str, end: &str) -> StintInput {
        StintInput {
            start_date: start.into(),
            end_date: end.into(),
            employment_type: "full_time".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_stint_cannot_end_before_it_starts() {
        let e = input("2020-04-01", "2019-03-31").parse(&[]).unwrap_err();
        assert_eq!(e.get("end_date").unwrap().key, "error.end_before_start");
        assert!(input("2020-04-01", "2020-04-01").parse(&[]).is_ok());
    }

    #[test]
    fn stints_of_one_person_do_not_overlap() {
        let first = input("2010-04-01", "2015-03-31").parse(&[]).unwrap();
        let existing = EmploymentStint {
            id: StintId::new(),
            person_id: PersonId::new(),
            start_date: first.start_date,
            end_date: first.end_date,
            department: None,
            job_title: None,
            employment_type: first.employment_type,
            leave_reason: None,
            leave_reason_detail: None,
            exit_interview_notes: None,
            rehire_eligibility: None,
            rehire_reason: None,
        };
        let e = input("2014-01-01", "")
            .parse(std::slice::from_ref(&existing))
            .unwrap_err();
        assert_eq!(e.get("start_date").unwrap().key, "error.stint_overlap");
        assert!(input("2018-01-01", "").parse(&[existing]).is_ok());
    }

    #[test]
    fn leave_details_need_an_end_date() {
        let mut i = input("2010-04-01", "");
        i.leave_reason = "career_change".into();
        assert_eq!(
            i.parse(&[]).unwrap_err().get("leave_reason").unwrap().key,
            "error.leave_needs_end"
        );
    }

    #[test]
    fn months_count_whole_months() {
        let s = input("2020-04-15", "2023-06-14").parse(&[]).unwrap();
        let st = EmploymentStint {
            id: StintId::new(),
            person_id: PersonId::new(),
            start_date: s.start_date,
            end_date: s.end_date,
            department: None,
            job_title: None,
            employment_type: s.employment_type,
            leave_reason: None,
            leave_reason_detail: None,
            exit_interview_notes: None,
            rehire_eligibility: None,
            rehire_reason: None,
        };
        assert_eq!(st.months(s.start_date), 37);
    }
}
