//! Return offers (リターンオファー): the written promise at exit that a leaver may come back within a window,
//! with terms, and learning missions with their check-ins. Also the company's policy for new offers.

use crate::ids::{OfferId, PersonId};
use crate::stint::{EmploymentStint, RehireEligibility};
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// The lifecycle: 下書き → 発行済み → 本人確認済み → 行使 / 期限切れ / 撤回 / 辞退.
    OfferStatus {
        Draft = "draft",
        Issued = "issued",
        Acknowledged = "acknowledged",
        Exercised = "exercised",
        Expired = "expired",
        Withdrawn = "withdrawn",
        Declined = "declined",
    }
);

coded_enum!(
    /// Priority terms offered to a returner.
    OfferTerm {
        /// 優先面接
        PriorityInterview = "priority_interview",
        /// 同等以上の職位
        EqualOrHigherPosition = "equal_or_higher_position",
        /// 給与の下限
        SalaryFloor = "salary_floor",
        /// 勤続年数の通算
        ContinuousService = "continuous_service",
        /// 有給休暇の引継ぎ
        PaidLeaveCarryover = "paid_leave_carryover",
        /// 試用期間の免除・短縮
        ProbationWaived = "probation_waived",
    }
);

/// An action that moves an offer along its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfferAction {
    Issue,
    Acknowledge,
    Withdraw,
    Decline,
    Expire,
    Exercise,
}

impl OfferAction {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "issue" => Self::Issue,
            "acknowledge" => Self::Acknowledge,
            "withdraw" => Self::Withdraw,
            "decline" => Self::Decline,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Issue => "issue",
            Self::Acknowledge => "acknowledge",
            Self::Withdraw => "withdraw",
            Self::Decline => "decline",
            Self::Expire => "expire",
            Self::Exercise => "exercise",
        }
    }
}

impl OfferStatus {
    /// Draft, issued or acknowledged: the promise still stands (or is about to).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Draft | Self::Issued | Self::Acknowledged)
    }

    /// The status after `action`, or an error key when the move is not allowed from here.
    pub fn after(self, action: OfferAction) -> Result<Self, Invalid> {
        use OfferAction as A;
        use OfferStatus as S;
        match (self, action) {
            (S::Draft, A::Issue) => Ok(S::Issued),
            (S::Issued, A::Acknowledge) => Ok(S::Acknowledged),
            (S::Draft | S::Issued | S::Acknowledged, A::Withdraw) => Ok(S::Withdrawn),
            (S::Issued | S::Acknowledged, A::Decline) => Ok(S::Declined),
            (S::Issued | S::Acknowledged, A::Expire) => Ok(S::Expired),
            (S::Issued | S::Acknowledged, A::Exercise) => Ok(S::Exercised),
            _ => Err(Invalid::new("error.offer_transition")),
        }
    }

    /// The actions a person with the right role can take from the page.
    pub fn manual_actions(self) -> &'static [OfferAction] {
        match self {
            Self::Draft => &[OfferAction::Issue, OfferAction::Withdraw],
            Self::Issued => &[
                OfferAction::Acknowledge,
                OfferAction::Decline,
                OfferAction::Withdraw,
            ],
            Self::Acknowledged => &[OfferAction::Decline, OfferAction::Withdraw],
            _ => &[],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReturnOffer {
    pub id: OfferId,
    pub person_id: PersonId,
    /// e.g. RO-2026-0003, unique per company.
    pub number: String,
    pub status: OfferStatus,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub terms: Vec<OfferTerm>,
    pub salary_floor_yen: Option<i64>,
    pub terms_note: Option<String>,
    pub signer_name: String,
    pub signer_title: Option<String>,
    pub override_reason: Option<String>,
    pub status_reason: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub acknowledged_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl ReturnOffer {
    /// Days left in the window on `today` (negative once it has passed).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.valid_until - today).num_days()
    }
}

/// The checked content of an offer form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferDraft {
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub terms: Vec<OfferTerm>,
    pub salary_floor_yen: Option<i64>,
    pub terms_note: Option<String>,
    pub signer_name: String,
    pub signer_title: Option<String>,
    pub override_reason: Option<String>,
}

/// The raw offer form. Terms arrive as one field per checked box.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfferInput {
    pub valid_from: String,
    pub valid_until: String,
    #[serde(deserialize_with = "v::one_or_many")]
    pub terms: Vec<String>,
    pub salary_floor_yen: String,
    pub terms_note: String,
    pub signer_name: String,
    pub signer_title: String,
    pub override_not_eligible: String,
    pub override_reason: String,
}

/// What the rules need to know about the person an offer is for.
pub struct OfferContext<'a> {
    pub stints: &'a [EmploymentStint],
    pub today: NaiveDate,
    /// Another offer of the person that still stands (its number), if any.
    pub other_active_offer: Option<&'a str>,
}

impl OfferContext<'_> {
    /// The rehire judgement of the latest stint that ended.
    pub fn rehire(&self) -> Option<RehireEligibility> {
        self.stints
            .iter()
            .filter(|s| s.end_date.is_some())
            .max_by_key(|s| s.start_date)
            .and_then(|s| s.rehire_eligibility)
    }

    /// The leaving date the offer refers to: the end of the latest stint (possibly planned).
    pub fn leaving_date(&self) -> Option<NaiveDate> {
        self.stints
            .iter()
            .max_by_key(|s| s.start_date)
            .and_then(|s| s.end_date)
    }
}

fn parse_yen(s: &str) -> Result<Option<i64>, Invalid> {
    v::optional_yen(s, 100_000_000).map_err(|_| Invalid::new("error.yen"))
}

impl OfferInput {
    /// Checks the form against the rules: a window that ends after it starts, no offer to someone who stays
    /// employed with no planned leaving date, one standing offer per person, and an explicit override with a
    /// reason for someone marked 不可.
    pub fn parse(&self, ctx: &OfferContext<'_>) -> Result<OfferDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let valid_from = e.check("valid_from", v::required_date(&self.valid_from));
        let valid_until = e.check("valid_until", v::required_date(&self.valid_until));
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until <= from
        {
            e.add("valid_until", Invalid::new("error.window_end_before_start"));
        }
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until.year() - from.year() > 20
        {
            e.add("valid_until", Invalid::new("error.window_too_long"));
        }
        let mut terms = Vec::new();
        for t in &self.terms {
            match OfferTerm::parse(t) {
                Some(term) if !terms.contains(&term) => terms.push(term),
                Some(_) => {}
                None => e.add("terms", Invalid::new("error.choice")),
            }
        }
        let salary_floor_yen = e
            .check("salary_floor_yen", parse_yen(&self.salary_floor_yen))
            .flatten();
        if terms.contains(&OfferTerm::SalaryFloor)
            && salary_floor_yen.is_none()
            && e.get("salary_floor_yen").is_none()
        {
            e.add(
                "salary_floor_yen",
                Invalid::new("error.salary_floor_needed"),
            );
        }
        let terms_note = e
            .check("terms_note", v::optional_text(&self.terms_note, 2000))
            .flatten();
        let signer_name = e.check("signer_name", v::required_line(&self.signer_name, 100));
        let signer_title = e
            .check("signer_title", v::optional_line(&self.signer_title, 100))
            .flatten();
        let still_employed = ctx
            .stints
            .iter()
            .any(|s| s.is_current(ctx.today) && s.end_date.is_none());
        if still_employed {
            e.add("valid_from", Invalid::new("error.offer_still_employed"));
        }
        if let Some(number) = ctx.other_active_offer {
            e.add(
                "valid_from",
                Invalid::new("error.offer_already_active").with("number", number),
            );
        }
        let mut override_reason = None;
        if ctx.rehire() == Some(RehireEligibility::NotEligible) {
            let reason = e
                .check(
                    "override_reason",
                    v::optional_text(&self.override_reason, 2000),
                )
                .flatten();
            if self.override_not_eligible != "on" || reason.is_none() {
                e.add("override_reason", Invalid::new("error.offer_not_eligible"));
            }
            override_reason = reason;
        }
        match (valid_from, valid_until, signer_name) {
            (Some(valid_from), Some(valid_until), Some(signer_name)) if e.is_empty() => {
                Ok(OfferDraft {
                    valid_from,
                    valid_until,
                    terms,
                    salary_floor_yen,
                    terms_note,
                    signer_name,
                    signer_title,
                    override_reason,
                })
            }
            _ => Err(e),
        }
    }

    pub fn from_offer(o: &ReturnOffer) -> Self {
        Self {
            valid_from: o.valid_from.to_string(),
            valid_until: o.valid_until.to_string(),
            terms: o.terms.iter().map(|t| t.code().to_string()).collect(),
            salary_floor_yen: o
                .salary_floor_yen
                .map(|y| y.to_string())
                .unwrap_or_default(),
            terms_note: o.terms_note.clone().unwrap_or_default(),
            signer_name: o.signer_name.clone(),
            signer_title: o.signer_title.clone().unwrap_or_default(),
            override_not_eligible: if o.override_reason.is_some() {
                "on".into()
            } else {
                String::new()
            },
            override_reason: o.override_reason.clone().unwrap_or_default(),
        }
    }

    pub fn has_term(&self, code: &str) -> bool {
        self.terms.iter().any(|t| t == code)
    }
}

/// The company's defaults for new offers and its public stance on returners.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferPolicy {
    pub window_years: i32,
    pub default_terms: Vec<OfferTerm>,
    /// Show 和暦 beside Western dates (letters and pages).
    pub show_wareki: bool,
    /// The public "we welcome returners" declaration.
    pub welcome_declaration: String,
    /// The day the company adopted its return policy: turnover before and after it is compared.
    pub adopted_on: Option<NaiveDate>,
    /// What a hire costs through an agency, for the hiring cost saved.
    pub hire_cost: crate::analytics::HireCost,
    /// E-mail the monthly report to the owners on the 1st.
    pub monthly_report: bool,
}

pub const DEFAULT_DECLARATION: &str = "当社は、一度当社を離れた方の再入社を心から歓迎します。\n外で得た経験や人とのつながりは、当社にとっても大きな財産です。いつでも気軽に声をかけてください。";

impl Default for OfferPolicy {
    fn default() -> Self {
        Self {
            window_years: 3,
            default_terms: vec![OfferTerm::PriorityInterview, OfferTerm::ContinuousService],
            show_wareki: true,
            welcome_declaration: DEFAULT_DECLARATION.into(),
            adopted_on: None,
            hire_cost: crate::analytics::HireCost::default(),
            monthly_report: false,
        }
    }
}

impl OfferPolicy {
    /// The default window for a leaver: from the leaving date (or today), `window_years` long.
    pub fn default_window(
        &self,
        leaving: Option<NaiveDate>,
        today: NaiveDate,
    ) -> (NaiveDate, NaiveDate) {
        let from = leaving.unwrap_or(today);
        let until = from
            .with_year(from.year() + self.window_years)
            .or_else(|| NaiveDate::from_ymd_opt(from.year() + self.window_years, from.month(), 28))
            .unwrap_or(from);
        (from, until)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyInput {
    pub window_years: String,
    #[serde(deserialize_with = "v::one_or_many")]
    pub default_terms: Vec<String>,
    pub show_wareki: String,
    pub welcome_declaration: String,
    pub adopted_on: String,
    pub agency_fee_percent: String,
    pub annual_salary_yen: String,
    pub fixed_hire_cost_yen: String,
    pub monthly_report: String,
}

impl PolicyInput {
    pub fn parse(&self) -> Result<OfferPolicy, FieldErrors> {
        let mut e = FieldErrors::new();
        let years = match self.window_years.trim().parse::<i32>() {
            Ok(n) if (1..=10).contains(&n) => Some(n),
            _ => {
                e.add("window_years", Invalid::new("error.window_years"));
                None
            }
        };
        let mut terms = Vec::new();
        for t in &self.default_terms {
            match OfferTerm::parse(t) {
                Some(term) if !terms.contains(&term) => terms.push(term),
                Some(_) => {}
                None => e.add("default_terms", Invalid::new("error.choice")),
            }
        }
        let declaration = e.check(
            "welcome_declaration",
            v::required_text(&self.welcome_declaration, 2000),
        );
        // A date in the future is kept: the analytics say there is nothing to compare yet.
        let adopted_on = e
            .check("adopted_on", v::optional_date(&self.adopted_on))
            .flatten();
        let defaults = crate::analytics::HireCost::default();
        let percent = if self.agency_fee_percent.trim().is_empty() {
            Some(defaults.agency_fee_percent)
        } else {
            match v::half_width_digits(self.agency_fee_percent.trim())
                .trim_end_matches(['%', '％'])
                .trim()
                .parse::<i32>()
            {
                Ok(n) if (0..=100).contains(&n) => Some(n),
                _ => {
                    e.add("agency_fee_percent", Invalid::new("error.percent"));
                    None
                }
            }
        };
        let salary = e
            .check(
                "annual_salary_yen",
                v::optional_yen(&self.annual_salary_yen, 100_000_000),
            )
            .map(|s| s.unwrap_or(defaults.annual_salary_yen));
        let fixed = e
            .check(
                "fixed_hire_cost_yen",
                v::optional_yen(&self.fixed_hire_cost_yen, 100_000_000),
            )
            .flatten();
        match (years, declaration, percent, salary) {
            (
                Some(window_years),
                Some(welcome_declaration),
                Some(agency_fee_percent),
                Some(annual_salary_yen),
            ) if e.is_empty() => Ok(OfferPolicy {
                window_years,
                default_terms: terms,
                show_wareki: self.show_wareki == "on",
                welcome_declaration,
                adopted_on,
                hire_cost: crate::analytics::HireCost {
                    agency_fee_percent,
                    annual_salary_yen,
                    fixed_yen: fixed,
                },
                monthly_report: self.monthly_report == "on",
            }),
            _ => Err(e),
        }
    }

    pub fn from_policy(p: &OfferPolicy) -> Self {
        Self {
            window_years: p.window_years.to_string(),
            default_terms: p
                .default_terms
                .iter()
                .map(|t| t.code().to_string())
                .collect(),
            show_wareki: if p.show_wareki {
                "on".into()
            } else {
                String::new()
            },
            welcome_declaration: p.welcome_declaration.clone(),
            adopted_on: p.adopted_on.map(|d| d.to_string()).unwrap_or_default(),
            agency_fee_percent: p.hire_cost.agency_fee_percent.to_string(),
            annual_salary_yen: p.hire_cost.annual_salary_yen.to_string(),
            fixed_hire_cost_yen: p
                .hire_cost
                .fixed_yen
                .map(|y| y.to_string())
                .unwrap_or_default(),
            monthly_report: if p.monthly_report {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    pub fn has_term(&self, code: &str) -> bool {
        self.default_terms.iter().any(|t| t == code)
    }
}

/// 和暦: the Japanese era name and year of a date, e.g. 令和8年. Display only.
pub fn wareki(date: NaiveDate) -> String {
    const ERAS: [(i32, u32, u32, &str); 5] = [
        (2019, 5, 1, "令和"),
        (1989, 1, 8, "平成"),
        (1926, 12, 25, "昭和"),
        (1912, 7, 30, "大正"),
        (1868, 1, 25, "明治"),
    ];
    for (y, m, d, name) in ERAS {
        if let Some(start) = NaiveDate::from_ymd_opt(y, m, d)
            && date >= start
        {
            let n = date.year() - y + 1;
            return if n == 1 {
                format!("{name}元年")
            } else {
                format!("{name}{n}年")
            };
        }
    }
    String::new()
}

/// A skill the company asks the leaver to learn outside (学習ミッション), attached to an offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LearningMission {
    pub id: crate::ids::MissionId,
    pub offer_id: OfferId,
    pub skill: String,
    /// 1–5
    pub target_level: i32,
    pub reason: Option<String>,
    pub check_in_every_days: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One check-in of a mission: what the person did and the level assessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissionCheckIn {
    pub id: crate::ids::CheckInId,
    pub mission_id: crate::ids::MissionId,
    pub on_date: NaiveDate,
    pub activity: String,
    pub assessed_level: Option<i32>,
    pub recorded_by: String,
}

impl LearningMission {
    /// When the next check-in is due: the interval after the last one (or after the mission was set).
    pub fn next_check_in(&self, last: Option<NaiveDate>, started: NaiveDate) -> NaiveDate {
        last.unwrap_or(started) + chrono::Duration::days(i64::from(self.check_in_every_days))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissionDraft {
    pub skill: String,
    pub target_level: i32,
    pub reason: Option<String>,
    pub check_in_every_days: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MissionInput {
    pub skill: String,
    pub target_level: String,
    pub reason: String,
    pub check_in_every_days: String,
}

fn level(s: &str) -> Result<i32, Invalid> {
    match s.trim().parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(Invalid::new("error.level")),
    }
}

impl MissionInput {
    pub fn parse(&self) -> Result<MissionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let skill = e.check("skill", v::required_line(&self.skill, 100));
        let target_level = e.check("target_level", level(&self.target_level));
        let reason = e
            .check("reason", v::optional_text(&self.reason, 2000))
            .flatten();
        let every = match self.check_in_every_days.trim().parse::<i32>() {
            Ok(n) if (7..=366).contains(&n) => Some(n),
            _ => {
                e.add("check_in_every_days", Invalid::new("error.interval_days"));
                None
            }
        };
        match (skill, target_level, every) {
            (Some(skill), Some(target_level), Some(check_in_every_days)) if e.is_empty() => {
                Ok(MissionDraft {
                    skill,
                    target_level,
                    reason,
                    check_in_every_days,
                })
            }
            _ => Err(e),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckInDraft {
    pub on_date: NaiveDate,
    pub activity: String,
    pub assessed_level: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckInInput {
    pub on_date: String,
    pub activity: String,
    pub assessed_level: String,
}

impl CheckInInput {
    pub fn parse(&self, today: NaiveDate) -> Result<CheckInDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let on_date = e.check("on_date", v::required_date(&self.on_date));
        if on_date.is_some_and(|d| d > today) {
            e.add("on_date", Invalid::new("error.date_future"));
        }
        let activity = e.check("activity", v::required_text(&self.activity, 2000));
        let assessed_level = if self.assessed_level.trim().is_empty() {
            None
        } else {
            e.check("assessed_level", level(&self.assessed_level))
        };
        match (on_date, activity) {
            (Some(on_date), Some(activity)) if e.is_empty() => Ok(CheckInDraft {
                on_date,
                activity,
                assessed_level,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod mission_tests {
    use super::*;

    #[test]
    fn missions_need_a_skill_a_level_and_a_sensible_interval() {
        let ok = MissionInput {
            skill: "デジタルマーケティング".into(),
            target_level: "3".into(),
            reason: String::new(),
            check_in_every_days: "90".into(),
        };
        assert_eq!(ok.parse().unwrap().target_level, 3);
        let bad = MissionInput {
            skill: " ".into(),
            target_level: "9".into(),
            reason: String::new(),
            check_in_every_days: "1".into(),
        };
        let e = bad.parse().unwrap_err();
        assert!(
            e.get("skill").is_some()
                && e.get("target_level").is_some()
                && e.get("check_in_every_days").is_some()
        );
    }

    #[test]
    fn check_ins_are_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let i = CheckInInput {
            on_date: "2026-12-01".into(),
            activity: "Google広告の認定資格を取得".into(),
            assessed_level: "2".into(),
        };
        assert_eq!(
            i.parse(today).unwrap_err().get("on_date").unwrap().key,
            "error.date_future"
        );
        let i = CheckInInput {
            on_date: "2026-11-20".into(),
            ..i
        };
        assert_eq!(i.parse(today).unwrap().assessed_level, Some(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StintId;
    use crate::stint::EmploymentType;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stint(end: Option<&str>, rehire: Option<RehireEligibility>) -> EmploymentStint {
        EmploymentStint {
            id: StintId::new(),
            person_id: PersonId::new(),
            start_date: d("2015-04-01"),
            end_date: end.map(d),
            department: None,
            job_title: None,
            employment_type: EmploymentType::FullTime,
            leave_reason: None,
            leave_reason_detail: None,
            exit_interview_notes: None,
            rehire_eligibility: rehire,
            rehire_reason: None,
        }
    }

    fn input(from: &str, until: &str) -> OfferInput {
        OfferInput {
            valid_from: from.into(),
            valid_until: until.into(),
            signer_name: "桜井 健一".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_lifecycle_allows_only_its_moves() {
        assert_eq!(
            OfferStatus::Draft.after(OfferAction::Issue),
            Ok(OfferStatus::Issued)
        );
        assert_eq!(
            OfferStatus::Issued.after(OfferAction::Acknowledge),
            Ok(OfferStatus::Acknowledged)
        );
        assert_eq!(
            OfferStatus::Acknowledged.after(OfferAction::Exercise),
            Ok(OfferStatus::Exercised)
        );
        assert!(OfferStatus::Draft.after(OfferAction::Acknowledge).is_err());
        assert!(OfferStatus::Withdrawn.after(OfferAction::Issue).is_err());
        assert!(OfferStatus::Exercised.after(OfferAction::Withdraw).is_err());
        assert!(!OfferStatus::Expired.is_active() && OfferStatus::Draft.is_active());
    }

    #[test]
    fn windows_must_end_after_they_start() {
        let stints = [stint(Some("2026-03-31"), None)];
        let ctx = OfferContext {
            stints: &stints,
            today: d("2026-11-29"),
            other_active_offer: None,
        };
        let e = input("2026-03-31", "2025-03-31").parse(&ctx).unwrap_err();
        assert_eq!(
            e.get("valid_until").unwrap().key,
            "error.window_end_before_start"
        );
        assert!(input("2026-03-31", "2029-03-31").parse(&ctx).is_ok());
    }

    #[test]
    fn no_offer_to_someone_staying_or_already_holding_one() {
        let staying = [stint(None, None)];
        let ctx = OfferContext {
            stints: &staying,
            today: d("2026-11-29"),
            other_active_offer: None,
        };
        assert_eq!(
            input("2026-03-31", "2029-03-31")
                .parse(&ctx)
                .unwrap_err()
                .get("valid_from")
                .unwrap()
                .key,
            "error.offer_still_employed"
        );
        let planned = [stint(Some("2027-03-31"), None)];
        let ctx = OfferContext {
            stints: &planned,
            today: d("2026-11-29"),
            other_active_offer: None,
        };
        assert!(input("2027-03-31", "2030-03-31").parse(&ctx).is_ok());
        let ctx = OfferContext {
            stints: &planned,
            today: d("2026-11-29"),
            other_active_offer: Some("RO-2026-0001"),
        };
        assert_eq!(
            input("2027-03-31", "2030-03-31")
                .parse(&ctx)
                .unwrap_err()
                .get("valid_from")
                .unwrap()
                .key,
            "error.offer_already_active"
        );
    }

    #[test]
    fn not_eligible_needs_an_explicit_override_with_a_reason() {
        let stints = [stint(
            Some("2026-03-31"),
            Some(RehireEligibility::NotEligible),
        )];
        let ctx = OfferContext {
            stints: &stints,
            today: d("2026-11-29"),
            other_active_offer: None,
        };
        let mut i = input("2026-03-31", "2029-03-31");
        assert_eq!(
            i.parse(&ctx)
                .unwrap_err()
                .get("override_reason")
                .unwrap()
                .key,
            "error.offer_not_eligible"
        );
        i.override_not_eligible = "on".into();
        assert!(i.parse(&ctx).is_err());
        i.override_reason = "本人と面談し、事情が解消されたことを確認した".into();
        assert_eq!(
            i.parse(&ctx).unwrap().override_reason.as_deref(),
            Some("本人と面談し、事情が解消されたことを確認した")
        );
    }

    #[test]
    fn a_salary_floor_term_needs_an_amount_in_yen() {
        let stints = [stint(Some("2026-03-31"), None)];
        let ctx = OfferContext {
            stints: &stints,
            today: d("2026-11-29"),
            other_active_offer: None,
        };
        let mut i = input("2026-03-31", "2029-03-31");
        i.terms = vec!["salary_floor".into()];
        assert_eq!(
            i.parse(&ctx)
                .unwrap_err()
                .get("salary_floor_yen")
                .unwrap()
                .key,
            "error.salary_floor_needed"
        );
        i.salary_floor_yen = "３，２００，０００円".into();
        assert_eq!(i.parse(&ctx).unwrap().salary_floor_yen, Some(3_200_000));
        i.salary_floor_yen = "-5".into();
        assert_eq!(
            i.parse(&ctx)
                .unwrap_err()
                .get("salary_floor_yen")
                .unwrap()
                .key,
            "error.yen"
        );
    }

    #[test]
    fn wareki_names_the_era() {
        assert_eq!(wareki(d("2024-01-05")), "令和6年");
        assert_eq!(wareki(d("2019-05-01")), "令和元年");
        assert_eq!(wareki(d("2019-04-30")), "平成31年");
        assert_eq!(wareki(d("1989-01-07")), "昭和64年");
    }

    #[test]
    fn the_default_window_starts_at_leaving() {
        let p = OfferPolicy::default();
        assert_eq!(
            p.default_window(Some(d("2024-02-29")), d("2026-11-29")),
            (d("2024-02-29"), d("2027-02-28"))
        );
        assert_eq!(p.default_window(None, d("2026-11-29")).1, d("2029-11-29"));
    }
}
