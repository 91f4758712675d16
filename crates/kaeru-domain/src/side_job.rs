//! 副業: side jobs of current employees — the application (where, what, hours a week, period), the
//! conflict-of-interest check against the company's clients and competitors, the decision with its reason,
//! and the renewal before the period ends.

use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// Where an application stands.
    SideJobStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
);

coded_enum!(
    /// What a business relation is to the company.
    RelationKind {
        /// 取引先
        Client = "client",
        /// 競合
        Competitor = "competitor",
    }
);

/// Hours a week of side work, at most (on top of a full-time job).
pub const MAX_SIDE_HOURS: i64 = 40;
/// Reminders to renew start this many days before the period ends.
pub const RENEWAL_NOTICE_DAYS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SideJob {
    pub id: crate::SideJobId,
    pub person_id: crate::PersonId,
    pub employer: String,
    pub industry: Option<String>,
    pub work: String,
    pub hours_per_week: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub note: Option<String>,
    pub status: SideJobStatus,
    pub applied_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reason: Option<String>,
    /// The approved side job this application renews.
    pub renews: Option<crate::SideJobId>,
}

/// Where an approved side job stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    Running,
    /// Running, and the period ends within [`RENEWAL_NOTICE_DAYS`].
    RenewalDue,
    Ended,
}

impl SideJob {
    pub fn phase(&self, today: NaiveDate) -> Phase {
        if self.start_date > today {
            Phase::Upcoming
        } else if self.end_date < today {
            Phase::Ended
        } else if (self.end_date - today).num_days() <= RENEWAL_NOTICE_DAYS {
            Phase::RenewalDue
        } else {
            Phase::Running
        }
    }

    /// A code for the list's badge: the decision, or for an approved one where it is in its period.
    pub fn state_code(&self, today: NaiveDate) -> &'static str {
        match (self.status, self.phase(today)) {
            (SideJobStatus::Approved, Phase::Upcoming) => "upcoming",
            (SideJobStatus::Approved, Phase::Running) => "running",
            (SideJobStatus::Approved, Phase::RenewalDue) => "renewal_due",
            (SideJobStatus::Approved, Phase::Ended) => "ended",
            (s, _) => s.code(),
        }
    }
}

/// A client or competitor of the company, against which side jobs are checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BusinessRelation {
    pub id: crate::RelationId,
    pub name: String,
    pub kind: RelationKind,
    pub industry: Option<String>,
}

/// Why an application is flagged for the approver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Conflict {
    /// The side job is at a client or competitor.
    SameCompany { kind: RelationKind, name: String },
    /// The side job is in the same industry as a client or competitor.
    SameIndustry {
        kind: RelationKind,
        name: String,
        industry: String,
    },
}

/// Company names compared without their legal form: 株式会社, (株), 有限会社, 合同会社, Inc., Co., Ltd.
fn bare_name(folded: &str) -> String {
    let mut s = folded.to_string();
    for form in [
        "株式会社",
        "(株)",
        "㈱",
        "有限会社",
        "(有)",
        "合同会社",
        "一般社団法人",
        "co., ltd.",
        "co.,ltd.",
        "inc.",
        "ltd.",
        "llc",
    ] {
        s = s.replace(form, "");
    }
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks a side job against the company's clients and competitors. `fold` normalises text for
/// comparison (width, kana, case) so ﾛﾎﾞﾃｨｸｽ and ロボティクス meet.
pub fn conflicts(
    employer: &str,
    industry: Option<&str>,
    relations: &[BusinessRelation],
    fold: impl Fn(&str) -> String,
) -> Vec<Conflict> {
    let employer = bare_name(&fold(employer));
    let industry = industry
        .map(|i| fold(i).replace(' ', ""))
        .unwrap_or_default();
    let mut out = Vec::new();
    for r in relations {
        let name = bare_name(&fold(&r.name));
        if !employer.is_empty()
            && !name.is_empty()
            && (employer == name
                || (name.chars().count() >= 2 && employer.contains(&name))
                || (employer.chars().count() >= 2 && name.contains(&employer)))
        {
            out.push(Conflict::SameCompany {
                kind: r.kind,
                name: r.name.clone(),
            });
            continue;
        }
        let theirs = r
            .industry
            .as_deref()
            .map(|i| fold(i).replace(' ', ""))
            .unwrap_or_default();
        if !industry.is_empty() && !theirs.is_empty() && industry == theirs {
            out.push(Conflict::SameIndustry {
                kind: r.kind,
                name: r.name.clone(),
                industry: r.industry.clone().unwrap_or_default(),
            });
        }
    }
    // A competitor matters more than a client, a company more than an industry.
    out.sort_by_key(|c| match c {
        Conflict::SameCompany { kind, .. } => (0, *kind != RelationKind::Competitor),
        Conflict::SameIndustry { kind, .. } => (1, *kind != RelationKind::Competitor),
    });
    out
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SideJobInput {
    pub employer: String,
    pub industry: String,
    pub work: String,
    pub hours_per_week: String,
    pub start_date: String,
    pub end_date: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SideJobDraft {
    pub employer: String,
    pub industry: Option<String>,
    pub work: String,
    pub hours_per_week: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub note: Option<String>,
}

impl SideJobInput {
    /// The form for renewing `j`: the same work for another year from the day after it ends.
    pub fn renewal_of(j: &SideJob) -> Self {
        let start = j.end_date + chrono::Duration::days(1);
        let end = start
            .checked_add_months(chrono::Months::new(12))
            .map(|d| d - chrono::Duration::days(1))
            .unwrap_or(start);
        Self {
            employer: j.employer.clone(),
            industry: j.industry.clone().unwrap_or_default(),
            work: j.work.clone(),
            hours_per_week: j.hours_per_week.to_string(),
            start_date: start.to_string(),
            end_date: end.to_string(),
            note: j.note.clone().unwrap_or_default(),
        }
    }

    pub fn parse(&self) -> Result<SideJobDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let employer = e.check("employer", v::required_line(&self.employer, 120));
        let industry = e
            .check("industry", v::optional_line(&self.industry, 60))
            .flatten();
        let work = e.check("work", v::required_line(&self.work, 200));
        let hours = e
            .check(
                "hours_per_week",
                crate::venture::optional_count(&self.hours_per_week, 1, MAX_SIDE_HOURS),
            )
            .flatten();
        if hours.is_none() && e.get("hours_per_week").is_none() {
            e.add(
                "hours_per_week",
                Invalid::new("error.number_range")
                    .with("min", 1)
                    .with("max", MAX_SIDE_HOURS),
            );
        }
        let start = e.check("start_date", v::required_date(&self.start_date));
        let end = e.check("end_date", v::required_date(&self.end_date));
        if let (Some(s), Some(en)) = (start, end) {
            if en < s {
                e.add("end_date", Invalid::new("error.period_end_before_start"));
            } else if (en - s).num_days() > 3 * 366 {
                e.add("end_date", Invalid::new("error.side_job_too_long"));
            }
        }
        let note = e
            .check("note", v::optional_text(&self.note, 1000))
            .flatten();
        match (employer, work, hours, start, end) {
            (
                Some(employer),
                Some(work),
                Some(hours_per_week),
                Some(start_date),
                Some(end_date),
            ) if e.is_empty() => Ok(SideJobDraft {
                employer,
                industry,
                work,
                hours_per_week,
                start_date,
                end_date,
                note,
            }),
            _ => Err(e),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub decision: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub approve: bool,
    pub reason: Option<String>,
}

impl DecisionInput {
    /// A rejection always says why; so does approving an application flagged for a conflict of interest
    /// (the condition under which it is allowed).
    pub fn parse(&self, flagged: bool) -> Result<Decision, FieldErrors> {
        let mut e = FieldErrors::new();
        let approve = match self.decision.trim() {
            "approve" => Some(true),
            "reject" => Some(false),
            _ => {
                e.add("decision", Invalid::new("error.choice"));
                None
            }
        };
        let reason = e
            .check("reason", v::optional_text(&self.reason, 1000))
            .flatten();
        match approve {
            Some(false) if reason.is_none() && e.get("reason").is_none() => {
                e.add("reason", Invalid::new("error.reject_reason"));
            }
            Some(true) if flagged && reason.is_none() && e.get("reason").is_none() => {
                e.add("reason", Invalid::new("error.conflict_reason"));
            }
            _ => {}
        }
        match approve {
            Some(approve) if e.is_empty() => Ok(Decision { approve, reason }),
            _ => Err(e),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RelationInput {
    pub name: String,
    pub kind: String,
    pub industry: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelationDraft {
    pub name: String,
    pub kind: RelationKind,
    pub industry: Option<String>,
}

impl RelationInput {
    pub fn parse(&self) -> Result<RelationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", v::required_line(&self.name, 120));
        let kind = RelationKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", Invalid::new("error.choice"));
        }
        let industry = e
            .check("industry", v::optional_line(&self.industry, 60))
            .flatten();
        match (name, kind) {
            (Some(name), Some(kind)) if e.is_empty() => Ok(RelationDraft {
                name,
                kind,
                industry,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(s: &str) -> String {
        s.to_lowercase()
    }

    fn rel(name: &str, kind: RelationKind, industry: Option<&str>) -> BusinessRelation {
        BusinessRelation {
            id: crate::RelationId(uuid::Uuid::nil()),
            name: name.into(),
            kind,
            industry: industry.map(String::from),
        }
    }

    #[test]
    fn a_side_job_at_a_competitor_or_in_a_clients_industry_is_flagged() {
        let rs = [
            rel(
                "遠州精密工業株式会社",
                RelationKind::Competitor,
                Some("製造"),
            ),
            rel("浜松ロボティクス", RelationKind::Client, Some("ロボット")),
        ];
        let c = conflicts("遠州精密工業", None, &rs, fold);
        assert_eq!(
            c,
            vec![Conflict::SameCompany {
                kind: RelationKind::Competitor,
                name: "遠州精密工業株式会社".into()
            }]
        );
        let c = conflicts("株式会社カフェ浜名湖", Some("製造"), &rs, fold);
        assert!(matches!(
            c[0],
            Conflict::SameIndustry {
                kind: RelationKind::Competitor,
                ..
            }
        ));
        assert!(conflicts("カフェ浜名湖", Some("飲食"), &rs, fold).is_empty());
    }

    #[test]
    fn an_application_has_a_period_and_sensible_hours() {
        let ok = SideJobInput {
            employer: "カフェ浜名湖".into(),
            work: "週末の焙煎".into(),
            hours_per_week: "８".into(),
            start_date: "2026-12-01".into(),
            end_date: "2027-11-30".into(),
            ..Default::default()
        };
        assert_eq!(ok.parse().unwrap().hours_per_week, 8);
        let e = SideJobInput {
            hours_per_week: "80".into(),
            end_date: "2026-01-01".into(),
            ..ok.clone()
        }
        .parse()
        .unwrap_err();
        assert_eq!(e.get("hours_per_week").unwrap().key, "error.number_range");
        assert_eq!(
            e.get("end_date").unwrap().key,
            "error.period_end_before_start"
        );
        let d = ok.parse().unwrap();
        let job = SideJob {
            id: crate::SideJobId(uuid::Uuid::nil()),
            person_id: crate::PersonId(uuid::Uuid::nil()),
            employer: d.employer,
            industry: None,
            work: d.work,
            hours_per_week: 8,
            start_date: d.start_date,
            end_date: d.end_date,
            note: None,
            status: SideJobStatus::Approved,
            applied_by: "x".into(),
            decided_by: None,
            decided_at: None,
            reason: None,
            renews: None,
        };
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(job.phase(day("2027-06-01")), Phase::Running);
        assert_eq!(job.phase(day("2027-11-01")), Phase::RenewalDue);
        assert_eq!(job.state_code(day("2027-12-01")), "ended");
        let next = SideJobInput::renewal_of(&job);
        assert_eq!(
            (next.start_date.as_str(), next.end_date.as_str()),
            ("2027-12-01", "2028-11-30")
        );
    }

    #[test]
    fn a_rejection_and_a_flagged_approval_need_a_reason() {
        let d = |decision: &str, reason: &str| DecisionInput {
            decision: decision.into(),
            reason: reason.into(),
        };
        assert_eq!(
            d("reject", "")
                .parse(false)
                .unwrap_err()
                .get("reason")
                .unwrap()
                .key,
            "error.reject_reason"
        );
        assert!(d("approve", "").parse(false).unwrap().approve);
        assert_eq!(
            d("approve", " ")
                .parse(true)
                .unwrap_err()
                .get("reason")
                .unwrap()
                .key,
            "error.conflict_reason"
        );
        assert!(d("approve", "顧客情報に触れない条件で").parse(true).is_ok());
        assert!(d("maybe", "").parse(false).is_err());
    }
}
