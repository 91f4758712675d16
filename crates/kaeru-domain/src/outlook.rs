//! What a person has said about coming back: intent, way of working, days a week.

use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
        /// 副業: a few hours or days beside a main job elsewhere.
        SideJob = "side_job",
    }
);

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

pub(crate) fn days_per_week(input: &str) -> Result<Option<i32>, Invalid> {
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
                .filter(|_| work_style.is_some_and(|w| w != WorkStyle::FullTime)),
            last_contact_on: last.flatten(),
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
