//! 業務委託: contracts with people who are not employees (usually alumni) — what, which days of the week, at
//! what rate, for which period, and who is responsible.

use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// A working day of the week.
    Weekday {
        Mon = "mon",
        Tue = "tue",
        Wed = "wed",
        Thu = "thu",
        Fri = "fri",
        Sat = "sat",
    }
);

coded_enum!(
    /// 日額 or 月額
    RateKind {
        Day = "day",
        Month = "month",
    }
);

coded_enum!(
    /// Where an engagement stands on a day.
    EngagementStatus {
        Planned = "planned",
        Active = "active",
        Ended = "ended",
    }
);

/// Nobody works here more than five days a week across engagements.
pub const MAX_DAYS_PER_WEEK: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Engagement {
    pub id: crate::EngagementId,
    pub person_id: crate::PersonId,
    pub title: String,
    pub weekdays: Vec<Weekday>,
    pub rate_kind: RateKind,
    pub rate_yen: i64,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub manager: Option<String>,
    pub note: Option<String>,
}

impl Engagement {
    pub fn status(&self, today: NaiveDate) -> EngagementStatus {
        if self.start_date > today {
            EngagementStatus::Planned
        } else if self.end_date.is_some_and(|e| e < today) {
            EngagementStatus::Ended
        } else {
            EngagementStatus::Active
        }
    }

    /// Whether two periods share at least one day.
    pub fn overlaps(&self, start: NaiveDate, end: Option<NaiveDate>) -> bool {
        let a_end = self.end_date.unwrap_or(NaiveDate::MAX);
        let b_end = end.unwrap_or(NaiveDate::MAX);
        self.start_date <= b_end && start <= a_end
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngagementInput {
    pub title: String,
    #[serde(deserialize_with = "crate::validation::one_or_many")]
    pub weekdays: Vec<String>,
    pub rate_kind: String,
    pub rate_yen: String,
    pub start_date: String,
    pub end_date: String,
    pub manager: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EngagementDraft {
    pub title: String,
    pub weekdays: Vec<Weekday>,
    pub rate_kind: RateKind,
    pub rate_yen: i64,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub manager: Option<String>,
    pub note: Option<String>,
}

impl EngagementInput {
    /// The form filled in from an engagement, for editing it.
    pub fn from_engagement(e: &Engagement) -> Self {
        Self {
            title: e.title.clone(),
            weekdays: e.weekdays.iter().map(|w| w.code().to_string()).collect(),
            rate_kind: e.rate_kind.code().into(),
            rate_yen: e.rate_yen.to_string(),
            start_date: e.start_date.to_string(),
            end_date: e.end_date.map(|d| d.to_string()).unwrap_or_default(),
            manager: e.manager.clone().unwrap_or_default(),
            note: e.note.clone().unwrap_or_default(),
        }
    }

    pub fn parse(&self) -> Result<EngagementDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", v::required_line(&self.title, 120));
        let mut weekdays = Vec::new();
        for w in &self.weekdays {
            match Weekday::parse(w) {
                Some(d) if !weekdays.contains(&d) => weekdays.push(d),
                Some(_) => {}
                None => e.add("weekdays", Invalid::new("error.choice")),
            }
        }
        weekdays.sort_by_key(|d| Weekday::ALL.iter().position(|x| x == d));
        if weekdays.is_empty() && e.get("weekdays").is_none() {
            e.add("weekdays", Invalid::new("error.weekdays_required"));
        }
        if weekdays.len() > MAX_DAYS_PER_WEEK {
            e.add(
                "weekdays",
                Invalid::new("error.engagement_over_five").with("days", weekdays.len()),
            );
        }
        let rate_kind = RateKind::parse(&self.rate_kind);
        if rate_kind.is_none() {
            e.add("rate_kind", Invalid::new("error.choice"));
        }
        let max = match rate_kind {
            Some(RateKind::Month) => 100_000_000,
            _ => 10_000_000,
        };
        let rate = e
            .check("rate_yen", v::optional_yen(&self.rate_yen, max))
            .flatten();
        if rate.is_none() && e.get("rate_yen").is_none() {
            e.add("rate_yen", Invalid::new("error.required"));
        }
        let start = e.check("start_date", v::required_date(&self.start_date));
        let end = e
            .check("end_date", v::optional_date(&self.end_date))
            .flatten();
        if let (Some(s), Some(en)) = (start, end)
            && en < s
        {
            e.add("end_date", Invalid::new("error.period_end_before_start"));
        }
        let manager = e
            .check("manager", v::optional_line(&self.manager, 100))
            .flatten();
        let note = e
            .check("note", v::optional_text(&self.note, 2000))
            .flatten();
        if !e.is_empty() {
            return Err(e);
        }
        let (Some(title), Some(rate_kind), Some(rate_yen), Some(start_date)) =
            (title, rate_kind, rate, start)
        else {
            return Err(e);
        };
        Ok(EngagementDraft {
            title,
            weekdays,
            rate_kind,
            rate_yen,
            start_date,
            end_date: end,
            manager,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EngagementInput {
        EngagementInput {
            title: "Web広告の運用".into(),
            weekdays: vec!["thu".into(), "mon".into()],
            rate_kind: "day".into(),
            rate_yen: "35,000".into(),
            start_date: "2026-12-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_engagement_has_days_a_rate_and_a_period_that_ends_after_it_starts() {
        let d = input().parse().unwrap();
        assert_eq!(d.weekdays, vec![Weekday::Mon, Weekday::Thu]);
        assert_eq!(d.rate_yen, 35_000);
        let e = EngagementInput {
            end_date: "2026-11-01".into(),
            rate_yen: "-1".into(),
            weekdays: vec![],
            ..input()
        }
        .parse()
        .unwrap_err();
        assert_eq!(
            e.get("end_date").unwrap().key,
            "error.period_end_before_start"
        );
        assert_eq!(e.get("rate_yen").unwrap().key, "error.yen_range");
        assert_eq!(e.get("weekdays").unwrap().key, "error.weekdays_required");
        let six = EngagementInput {
            weekdays: ["mon", "tue", "wed", "thu", "fri", "sat"]
                .map(String::from)
                .to_vec(),
            ..input()
        };
        assert_eq!(
            six.parse().unwrap_err().get("weekdays").unwrap().key,
            "error.engagement_over_five"
        );
    }

    #[test]
    fn status_follows_the_period() {
        let d = input().parse().unwrap();
        let g = Engagement {
            id: crate::EngagementId(uuid::Uuid::nil()),
            person_id: crate::PersonId(uuid::Uuid::nil()),
            title: d.title,
            weekdays: d.weekdays,
            rate_kind: d.rate_kind,
            rate_yen: d.rate_yen,
            start_date: d.start_date,
            end_date: NaiveDate::from_ymd_opt(2027, 3, 31),
            manager: None,
            note: None,
        };
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(g.status(day("2026-11-30")), EngagementStatus::Planned);
        assert_eq!(g.status(day("2027-01-10")), EngagementStatus::Active);
        assert_eq!(g.status(day("2027-04-01")), EngagementStatus::Ended);
        assert!(g.overlaps(day("2027-03-31"), None) && !g.overlaps(day("2027-04-01"), None));
    }
}
