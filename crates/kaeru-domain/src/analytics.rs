//! Is the revolving door working? Figures computed from the company's own history: turnover as Japan's labour
//! ministry defines it, boomerang hires and returns, how long returners stay compared with outside hires
//! (Kaplan–Meier), return offers and the comeback pipeline, the network, and the hiring cost saved.
//!
//! Pure: [`Facts`] is read by the store in one pass per company; every figure here is a function of it and
//! `today`. Each figure says when its groups are too small to read, rather than drawing a conclusion.

use crate::comeback::ComebackStage;
use crate::ids::PersonId;
use crate::network::{ContributionKind, ReferralOutcome};
use crate::offer::OfferStatus;
use crate::stint::{EmploymentType, LeaveReason, RehireEligibility};
use crate::touchpoint::{Channel, WarmthLabel, warmth};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Below this many people a group is not compared (the figures are listed, the curve is not drawn).
pub const SMALL_GROUP: usize = 20;
/// Years shown in the yearly series.
pub const YEARS_SHOWN: i32 = 10;
/// Days in the 12- and 24-month survival points.
const DAYS_12: i64 = 365;
const DAYS_24: i64 = 730;

/// One employment stint, as the figures need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StintFact {
    pub person: PersonId,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Shared by every stint of the department (kept once, not once per stint).
    pub department: Option<std::sync::Arc<str>>,
    pub employment_type: EmploymentType,
    pub leave_reason: Option<LeaveReason>,
    pub rehire: Option<RehireEligibility>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferFact {
    pub status: OfferStatus,
    pub issued_on: Option<NaiveDate>,
    pub acknowledged: bool,
    pub valid_until: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComebackFact {
    pub stage: ComebackStage,
    pub opened_on: NaiveDate,
    /// Stage moves in order: the day, from, to.
    pub moves: Vec<(NaiveDate, ComebackStage, ComebackStage)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionFact {
    pub kind: ContributionKind,
    pub on_date: NaiveDate,
    pub outcome: Option<ReferralOutcome>,
    pub amount_yen: Option<i64>,
}

/// An alumnus (アルムナイ or 業務委託 after leaving): can we reach them, and their contacts for warmth.
#[derive(Clone, Debug, PartialEq)]
pub struct AlumnusFact {
    pub reachable: bool,
    pub contacts: Vec<(NaiveDate, Channel)>,
    pub last_contact: Option<NaiveDate>,
}

/// What a hire would have cost through an agency: a fee as a share of the annual salary, or a fixed amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HireCost {
    pub agency_fee_percent: i32,
    pub annual_salary_yen: i64,
    pub fixed_yen: Option<i64>,
}

impl Default for HireCost {
    fn default() -> Self {
        Self {
            agency_fee_percent: 30,
            annual_salary_yen: 4_000_000,
            fixed_yen: None,
        }
    }
}

impl HireCost {
    pub fn per_hire(&self) -> i64 {
        self.fixed_yen
            .unwrap_or(self.annual_salary_yen * i64::from(self.agency_fee_percent) / 100)
    }
}

/// Everything the figures are computed from, for one company.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub stints: Vec<StintFact>,
    pub offers: Vec<OfferFact>,
    /// Learning missions: whether the person holds the skill at the target level now.
    pub missions: Vec<bool>,
    pub comebacks: Vec<ComebackFact>,
    pub contributions: Vec<ContributionFact>,
    /// Support given to ventures: day, amount, hours.
    pub supports: Vec<(NaiveDate, Option<i64>, Option<i64>)>,
    /// Business with ventures: day, amount.
    pub deals: Vec<(NaiveDate, i64)>,
    /// 業務委託: days a week, start, end.
    pub engagements: Vec<(u32, NaiveDate, Option<NaiveDate>)>,
    pub alumni: Vec<AlumnusFact>,
    /// Contacts logged per day (touchpoints, by any staff member).
    pub contacts_per_day: Vec<(NaiveDate, u64)>,
    pub policy_adopted_on: Option<NaiveDate>,
    pub hire_cost: HireCost,
}

/// 常用労働者 as the ministry counts them: people employed by the company. 派遣 (employed by the agency),
/// 業務委託 (not employed) and 役員 (officers) are left out.
pub fn is_regular(t: EmploymentType) -> bool {
    matches!(
        t,
        EmploymentType::FullTime
            | EmploymentType::FixedTerm
            | EmploymentType::PartTime
            | EmploymentType::Reemployed
    )
}

/// Leaving for the person's own reasons (自己都合), as against 定年 and the company's reasons (会社都合).
pub fn is_voluntary(r: LeaveReason) -> bool {
    !matches!(r, LeaveReason::Retirement | LeaveReason::CompanyReasons)
}

fn year_start(y: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default()
}

fn year_end(y: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or_default()
}

/// A share as a percentage, None when there is nothing to divide by.
fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

fn median(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    })
}

/// A regular stint with what the figures derive: whether it was a return, and the days away before it.
#[derive(Clone, Debug)]
struct Hire<'a> {
    stint: &'a StintFact,
    /// Days between the end of the person's previous stint and this start; None for a first hire.
    days_away: Option<i64>,
    /// The stint it returned from.
    previous: Option<&'a StintFact>,
}

/// Regular stints in order per person, each marked as a first hire or a return.
fn hires<'a>(stints: &'a [StintFact]) -> Vec<Hire<'a>> {
    let mut by_person: HashMap<PersonId, Vec<&StintFact>> = HashMap::new();
    for s in stints.iter().filter(|s| is_regular(s.employment_type)) {
        by_person.entry(s.person).or_default().push(s);
    }
    let mut out = Vec::with_capacity(stints.len());
    for list in by_person.values_mut() {
        list.sort_by_key(|s| s.start);
        let mut previous: Option<&StintFact> = None;
        for s in list.iter() {
            let prev = previous.filter(|p| p.end.is_some_and(|e| e < s.start));
            out.push(Hire {
                stint: s,
                days_away: prev.and_then(|p| p.end).map(|e| (s.start - e).num_days()),
                previous: prev,
            });
            previous = Some(s);
        }
    }
    out.sort_by_key(|h| (h.stint.start, h.stint.person));
    out
}

/// Which stints a figure reads: all, or one department's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub department: Option<String>,
}

impl Filter {
    fn admits(&self, s: &StintFact) -> bool {
        self.department
            .as_deref()
            .is_none_or(|d| s.department.as_deref() == Some(d))
    }
}

/// The years a series covers: the last [`YEARS_SHOWN`] up to today's, not before the first stint.
pub fn years(facts: &Facts, today: NaiveDate) -> Vec<i32> {
    let first = facts
        .stints
        .iter()
        .map(|s| s.start.year())
        .min()
        .unwrap_or(today.year());
    let from = first.max(today.year() - YEARS_SHOWN + 1);
    (from..=today.year()).collect()
}

/// The departments named on stints, for the filter.
pub fn departments(facts: &Facts) -> Vec<String> {
    let d: std::collections::BTreeSet<&str> = facts
        .stints
        .iter()
        .filter_map(|s| s.department.as_deref())
        .collect();
    d.into_iter().map(str::to_string).collect()
}

// ---------------------------------------------------------------------------------------------------------
// 離職率

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TurnoverYear {
    pub year: i32,
    /// Regular employees on 1 January.
    pub base: usize,
    /// Regular stints that ended in the year (up to today).
    pub leavers: usize,
    pub voluntary: usize,
    pub other: usize,
    pub unrecorded: usize,
    /// Leavers marked 歓迎 for rehire: the ones the company did not want to lose.
    pub regrettable: usize,
    /// leavers ÷ base × 100.
    pub rate: Option<f64>,
    /// The current year, counted to today.
    pub partial: bool,
}

fn turnover_year<'a>(
    stints: impl Iterator<Item = &'a StintFact>,
    year: i32,
    today: NaiveDate,
) -> TurnoverYear {
    let (from, to) = (year_start(year), year_end(year).min(today));
    let mut t = TurnoverYear {
        year,
        partial: year == today.year(),
        ..Default::default()
    };
    for s in stints {
        if s.start <= from && s.end.is_none_or(|e| e >= from) {
            t.base += 1;
        }
        if let Some(e) = s.end
            && e >= from
            && e <= to
        {
            t.leavers += 1;
            match s.leave_reason {
                Some(r) if is_voluntary(r) => t.voluntary += 1,
                Some(_) => t.other += 1,
                None => t.unrecorded += 1,
            }
            if s.rehire == Some(RehireEligibility::Welcome) {
                t.regrettable += 1;
            }
        }
    }
    t.rate = (t.base > 0).then(|| t.leavers as f64 * 100.0 / t.base as f64);
    t
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Turnover {
    pub years: Vec<TurnoverYear>,
    /// The chosen year, per department (stints without one under "").
    pub year: i32,
    pub by_department: Vec<DepartmentTurnover>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentTurnover {
    /// Empty for stints without a department.
    pub department: String,
    pub turnover: TurnoverYear,
}

pub fn turnover(facts: &Facts, filter: &Filter, year: i32, today: NaiveDate) -> Turnover {
    let regular: Vec<&StintFact> = facts
        .stints
        .iter()
        .filter(|s| is_regular(s.employment_type) && filter.admits(s))
        .collect();
    let years = years(facts, today)
        .into_iter()
        .map(|y| turnover_year(regular.iter().copied(), y, today))
        .collect();
    let mut by_dep: BTreeMap<String, Vec<&StintFact>> = BTreeMap::new();
    for s in &regular {
        by_dep
            .entry(s.department.as_deref().unwrap_or_default().to_string())
            .or_default()
            .push(s);
    }
    let by_department = by_dep
        .into_iter()
        .map(|(department, list)| DepartmentTurnover {
            department,
            turnover: turnover_year(list.into_iter(), year, today),
        })
        .filter(|d| d.turnover.base > 0 || d.turnover.leavers > 0)
        .collect();
    Turnover {
        years,
        year,
        by_department,
    }
}

// ---------------------------------------------------------------------------------------------------------
// 出戻り

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HiresYear {
    pub year: i32,
    pub hires: usize,
    pub rehires: usize,
    /// rehires ÷ hires × 100.
    pub share: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cohort {
    /// The year they left.
    pub year: i32,
    pub leavers: usize,
    /// Not marked 再雇用不可.
    pub eligible: usize,
    /// Of the eligible, those employed again since.
    pub returned: usize,
    pub rate: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeAway {
    pub returns: usize,
    pub median_months: Option<f64>,
    /// Under 1, 1–2, 2–3, 3–5, 5 years or more.
    pub buckets: Vec<AwayBucket>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwayBucket {
    /// Away less than this many years (None: the last bucket, open-ended).
    pub under_years: Option<u32>,
    pub people: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Boomerang {
    pub years: Vec<HiresYear>,
    pub cohorts: Vec<Cohort>,
    pub time_away: TimeAway,
    /// Why returners left a second time, most frequent first.
    pub second_exits: Vec<ExitReason>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitReason {
    /// The leave reason code; None when not recorded.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub reason: Option<LeaveReason>,
    pub people: usize,
}

pub const AWAY_BUCKETS: [u32; 4] = [1, 2, 3, 5];

pub fn boomerang(facts: &Facts, filter: &Filter, today: NaiveDate) -> Boomerang {
    let all = hires(&facts.stints);
    let years_list = years(facts, today);
    let hires_years = years_list
        .iter()
        .map(|&y| {
            let (mut hires, mut rehires) = (0, 0);
            for h in all.iter().filter(|h| {
                filter.admits(h.stint) && h.stint.start.year() == y && h.stint.start <= today
            }) {
                hires += 1;
                if h.previous.is_some() {
                    rehires += 1;
                }
            }
            HiresYear {
                year: y,
                hires,
                rehires,
                share: pct(rehires, hires),
            }
        })
        .collect();
    // Cohorts by the year of leaving: did the person come back after that stint?
    let mut returned_from: std::collections::HashSet<*const StintFact> = Default::default();
    for h in &all {
        if let Some(p) = h.previous {
            returned_from.insert(p as *const _);
        }
    }
    let cohorts = years_list
        .iter()
        .map(|&y| {
            let mut c = Cohort {
                year: y,
                ..Default::default()
            };
            for s in facts.stints.iter().filter(|s| {
                is_regular(s.employment_type)
                    && filter.admits(s)
                    && s.end.is_some_and(|e| e.year() == y && e <= today)
            }) {
                c.leavers += 1;
                if s.rehire != Some(RehireEligibility::NotEligible) {
                    c.eligible += 1;
                    if returned_from.contains(&(s as *const _)) {
                        c.returned += 1;
                    }
                }
            }
            c.rate = pct(c.returned, c.eligible);
            c
        })
        .collect();
    let returns: Vec<&Hire> = all
        .iter()
        .filter(|h| h.previous.is_some() && filter.admits(h.stint) && h.stint.start <= today)
        .collect();
    let mut days: Vec<i64> = returns.iter().filter_map(|h| h.days_away).collect();
    let mut buckets: Vec<AwayBucket> = AWAY_BUCKETS
        .iter()
        .map(|&y| Some(y))
        .chain(std::iter::once(None))
        .map(|under_years| AwayBucket {
            under_years,
            people: 0,
        })
        .collect();
    for d in &days {
        let years = *d as f64 / 365.25;
        let i = AWAY_BUCKETS
            .iter()
            .position(|&b| years < f64::from(b))
            .unwrap_or(AWAY_BUCKETS.len());
        buckets[i].people += 1;
    }
    let time_away = TimeAway {
        returns: days.len(),
        median_months: median(&mut days).map(|d| (d as f64 / 30.44 * 10.0).round() / 10.0),
        buckets,
    };
    let mut exits: BTreeMap<Option<&str>, (Option<LeaveReason>, usize)> = BTreeMap::new();
    for h in returns
        .iter()
        .filter(|h| h.stint.end.is_some_and(|e| e <= today))
    {
        let r = h.stint.leave_reason;
        exits.entry(r.map(LeaveReason::code)).or_insert((r, 0)).1 += 1;
    }
    let mut second_exits: Vec<ExitReason> = exits
        .into_values()
        .map(|(reason, people)| ExitReason { reason, people })
        .collect();
    second_exits.sort_by_key(|x| std::cmp::Reverse(x.people));
    Boomerang {
        years: hires_years,
        cohorts,
        time_away,
        second_exits,
    }
}

// ---------------------------------------------------------------------------------------------------------
// 定着: Kaplan–Meier

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Survival {
    /// Hires in the group.
    pub n: usize,
    /// Of them, those who have left.
    pub left: usize,
    /// Still employed at 12 and 24 months, or left later (at risk at that time).
    pub at_risk_12: usize,
    pub at_risk_24: usize,
    /// Estimated share still employed after 12 and 24 months (None when nobody has been followed that long).
    pub s12: Option<f64>,
    pub s24: Option<f64>,
    /// The curve by month (0..=36) while anyone is followed.
    pub curve: Vec<CurvePoint>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurvePoint {
    pub month: u32,
    /// Estimated share still employed, 0 to 1.
    pub share: f64,
}

/// Kaplan–Meier estimate from (days followed, left?).
pub fn kaplan_meier(mut obs: Vec<(i64, bool)>) -> Survival {
    obs.sort_by_key(|o| o.0);
    let n = obs.len();
    let left = obs.iter().filter(|o| o.1).count();
    let max_follow = obs.last().map(|o| o.0).unwrap_or(0);
    // The step function: (time, survival just after time).
    let mut steps: Vec<(i64, f64)> = Vec::new();
    let mut s = 1.0;
    let mut i = 0;
    while i < n {
        let t = obs[i].0;
        let at_risk = n - i;
        let mut d = 0u32;
        let mut j = i;
        while j < n && obs[j].0 == t {
            if obs[j].1 {
                d += 1;
            }
            j += 1;
        }
        if d > 0 {
            s *= 1.0 - f64::from(d) / at_risk as f64;
            steps.push((t, s));
        }
        i = j;
    }
    let at = |days: i64| -> Option<f64> {
        (n > 0 && max_follow >= days).then(|| {
            steps
                .iter()
                .take_while(|(t, _)| *t <= days)
                .last()
                .map(|x| x.1)
                .unwrap_or(1.0)
        })
    };
    let at_risk = |days: i64| obs.iter().filter(|o| o.0 >= days).count();
    let curve = (0..=36u32)
        .map(|m| (m, (f64::from(m) * 30.44).round() as i64))
        .map_while(|(month, d)| at(d).map(|share| CurvePoint { month, share }))
        .collect();
    Survival {
        n,
        left,
        at_risk_12: at_risk(DAYS_12),
        at_risk_24: at_risk(DAYS_24),
        s12: at(DAYS_12),
        s24: at(DAYS_24),
        curve,
    }
}

/// Turnover over a window: leavers per 100 employee-years.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowRate {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub leavers: usize,
    pub employee_years: f64,
    pub rate: Option<f64>,
}

fn window_rate<'a>(
    stints: impl Iterator<Item = &'a StintFact>,
    from: NaiveDate,
    until: NaiveDate,
) -> WindowRate {
    let mut w = WindowRate {
        from,
        until,
        ..Default::default()
    };
    let mut days = 0i64;
    for s in stints {
        let a = s.start.max(from);
        let b = s.end.map_or(until, |e| e.min(until));
        if b >= a {
            days += (b - a).num_days() + 1;
        }
        if s.end.is_some_and(|e| e >= from && e < until) {
            w.leavers += 1;
        }
    }
    w.employee_years = days as f64 / 365.25;
    w.rate = (w.employee_years > 0.0).then(|| w.leavers as f64 * 100.0 / w.employee_years);
    w
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PolicyEffect {
    /// No adoption date set in the policy settings.
    NotSet,
    /// The date is after today: nothing to compare yet.
    Future { adopted_on: NaiveDate },
    /// Fewer than 90 days since: too early to read.
    TooRecent { adopted_on: NaiveDate },
    /// Equal windows before and after the date (at most five years each).
    Compared {
        adopted_on: NaiveDate,
        before: WindowRate,
        after: WindowRate,
        /// Fewer than 10 leavers or 10 employee-years on a side.
        small: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Retention {
    pub returners: Survival,
    pub outside: Survival,
    /// Both groups have at least [`SMALL_GROUP`] hires.
    pub comparable: bool,
    pub policy: PolicyEffect,
}

pub fn retention(facts: &Facts, filter: &Filter, today: NaiveDate) -> Retention {
    let all = hires(&facts.stints);
    let (mut back, mut outside) = (Vec::new(), Vec::new());
    for h in all
        .iter()
        .filter(|h| filter.admits(h.stint) && h.stint.start <= today)
    {
        let left = h.stint.end.is_some_and(|e| e <= today);
        let until = h.stint.end.filter(|_| left).unwrap_or(today);
        let o = ((until - h.stint.start).num_days(), left);
        if h.previous.is_some() {
            back.push(o);
        } else {
            outside.push(o);
        }
    }
    let returners = kaplan_meier(back);
    let outside = kaplan_meier(outside);
    let comparable = returners.n >= SMALL_GROUP && outside.n >= SMALL_GROUP;
    let policy = match facts.policy_adopted_on {
        None => PolicyEffect::NotSet,
        Some(d) if d > today => PolicyEffect::Future { adopted_on: d },
        Some(d) if (today - d).num_days() < 90 => PolicyEffect::TooRecent { adopted_on: d },
        Some(d) => {
            let len = (today - d).num_days().min(5 * 365 + 1);
            let regular = || {
                facts
                    .stints
                    .iter()
                    .filter(|s| is_regular(s.employment_type) && filter.admits(s))
            };
            let before = window_rate(regular(), d - chrono::Duration::days(len), d);
            let after = window_rate(regular(), d, d + chrono::Duration::days(len));
            let small = before.leavers < 10
                || after.leavers < 10
                || before.employee_years < 10.0
                || after.employee_years < 10.0;
            PolicyEffect::Compared {
                adopted_on: d,
                before,
                after,
                small,
            }
        }
    };
    Retention {
        returners,
        outside,
        comparable,
        policy,
    }
}

// ---------------------------------------------------------------------------------------------------------
// Return offers, missions, the pipeline

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferFunnel {
    pub year: Option<i32>,
    pub issued: usize,
    pub confirmed: usize,
    pub exercised: usize,
    pub expired: usize,
    pub declined: usize,
    pub withdrawn: usize,
    /// Issued or confirmed and still inside their window.
    pub standing: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageFigure {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub stage: ComebackStage,
    /// Comebacks that reached the stage.
    pub reached: usize,
    /// Of those, the share that reached the next stage.
    pub conversion: Option<f64>,
    /// Dropped while at this stage.
    pub dropped: usize,
    /// Median days spent at the stage by those who moved on from it.
    pub median_days: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offers {
    pub total: OfferFunnel,
    pub years: Vec<OfferFunnel>,
    pub missions: usize,
    pub missions_reached: usize,
    pub pipeline: Vec<StageFigure>,
    pub comebacks: usize,
}

pub const PIPELINE: [ComebackStage; 5] = [
    ComebackStage::Interested,
    ComebackStage::Interview,
    ComebackStage::TermsOffered,
    ComebackStage::Hired,
    ComebackStage::Returned,
];

fn stage_index(s: ComebackStage) -> Option<usize> {
    PIPELINE.iter().position(|p| *p == s)
}

fn count_offer(f: &mut OfferFunnel, o: &OfferFact, today: NaiveDate) {
    f.issued += 1;
    if o.acknowledged || matches!(o.status, OfferStatus::Acknowledged | OfferStatus::Exercised) {
        f.confirmed += 1;
    }
    match o.status {
        OfferStatus::Exercised => f.exercised += 1,
        OfferStatus::Expired => f.expired += 1,
        OfferStatus::Declined => f.declined += 1,
        OfferStatus::Withdrawn => f.withdrawn += 1,
        OfferStatus::Issued | OfferStatus::Acknowledged if o.valid_until >= today => {
            f.standing += 1;
        }
        _ => {}
    }
}

pub fn offers(facts: &Facts, today: NaiveDate) -> Offers {
    let mut total = OfferFunnel::default();
    let mut by_year: BTreeMap<i32, OfferFunnel> = BTreeMap::new();
    for o in &facts.offers {
        let Some(issued) = o.issued_on else { continue };
        count_offer(&mut total, o, today);
        let f = by_year.entry(issued.year()).or_insert_with(|| OfferFunnel {
            year: Some(issued.year()),
            ..Default::default()
        });
        count_offer(f, o, today);
    }
    let first = today.year() - YEARS_SHOWN + 1;
    let years = by_year
        .into_values()
        .filter(|f| f.year >= Some(first))
        .collect();
    // The pipeline: the furthest stage each comeback reached, where it was dropped, time at each stage.
    let mut reached = [0usize; PIPELINE.len()];
    let mut dropped = [0usize; PIPELINE.len()];
    let mut durations: Vec<Vec<i64>> = vec![Vec::new(); PIPELINE.len()];
    for c in &facts.comebacks {
        let first_stage = c.moves.first().map(|m| m.1).unwrap_or(c.stage);
        let mut furthest = stage_index(first_stage);
        let mut at = (c.opened_on, first_stage);
        for &(day, from, to) in &c.moves {
            if let Some(i) = stage_index(from)
                && from == at.1
                && to != ComebackStage::Dropped
                && stage_index(to).is_some_and(|j| j > i)
            {
                durations[i].push((day - at.0).num_days().max(0));
            }
            if let Some(j) = stage_index(to) {
                furthest = furthest.max(Some(j));
            }
            at = (day, to);
        }
        if let Some(f) = furthest {
            for r in reached.iter_mut().take(f + 1) {
                *r += 1;
            }
        }
        if c.stage == ComebackStage::Dropped {
            let last = c
                .moves
                .iter()
                .rev()
                .find(|m| m.2 == ComebackStage::Dropped)
                .map(|m| m.1)
                .unwrap_or(first_stage);
            if let Some(i) = stage_index(last) {
                dropped[i] += 1;
            }
        }
    }
    let pipeline = PIPELINE
        .iter()
        .enumerate()
        .map(|(i, &stage)| StageFigure {
            stage,
            reached: reached[i],
            conversion: reached.get(i + 1).and_then(|&next| pct(next, reached[i])),
            dropped: dropped[i],
            median_days: median(&mut durations[i]),
        })
        .collect();
    Offers {
        total,
        years,
        missions: facts.missions.len(),
        missions_reached: facts.missions.iter().filter(|r| **r).count(),
        pipeline,
        comebacks: facts.comebacks.len(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// The network

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarmthCount {
    /// YYYY-MM for the trend; empty for now.
    pub month: String,
    pub warm: usize,
    pub normal: usize,
    pub distant: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkYear {
    pub year: i32,
    pub referrals: usize,
    pub referrals_hired: usize,
    pub business: usize,
    pub business_yen: i64,
    pub support_yen: i64,
    pub support_hours: i64,
    pub deals_yen: i64,
    pub contacts: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Network {
    pub alumni: usize,
    /// With a way to reach them and their consent to hear about returning.
    pub reachable: usize,
    pub warmth: WarmthCount,
    /// Month ends over the last twelve months (contacts logged up to each).
    pub trend: Vec<WarmthCount>,
    pub years: Vec<NetworkYear>,
    /// 業務委託 under way today, by days a week.
    pub contract_days: Vec<ContractDays>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractDays {
    pub days_a_week: u32,
    pub contracts: usize,
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or_default()
}

pub fn network(facts: &Facts, today: NaiveDate) -> Network {
    let mut now = WarmthCount::default();
    let add = |w: &mut WarmthCount, l: WarmthLabel| match l {
        WarmthLabel::Warm => w.warm += 1,
        WarmthLabel::Normal => w.normal += 1,
        WarmthLabel::Distant => w.distant += 1,
    };
    for a in &facts.alumni {
        add(&mut now, warmth(&a.contacts, a.last_contact, today).label);
    }
    let mut trend = Vec::new();
    for back in (1..=12).rev() {
        let Some(first) = today
            .with_day(1)
            .and_then(|d| d.checked_sub_months(Months::new(back)))
        else {
            continue;
        };
        let end = month_end(first.year(), first.month());
        let mut w = WarmthCount {
            month: format!("{:04}-{:02}", first.year(), first.month()),
            ..Default::default()
        };
        let mut seen: Vec<(NaiveDate, Channel)> = Vec::new();
        for a in &facts.alumni {
            seen.clear();
            seen.extend(a.contacts.iter().filter(|c| c.0 <= end));
            add(&mut w, warmth(&seen, None, end).label);
        }
        trend.push(w);
    }
    let mut years: BTreeMap<i32, NetworkYear> = years(facts, today)
        .into_iter()
        .map(|y| {
            (
                y,
                NetworkYear {
                    year: y,
                    ..Default::default()
                },
            )
        })
        .collect();
    for c in &facts.contributions {
        if let Some(y) = years.get_mut(&c.on_date.year()) {
            match c.kind {
                ContributionKind::Referral => {
                    y.referrals += 1;
                    if c.outcome == Some(ReferralOutcome::Hired) {
                        y.referrals_hired += 1;
                    }
                }
                ContributionKind::Business => {
                    y.business += 1;
                    y.business_yen += c.amount_yen.unwrap_or(0);
                }
            }
        }
    }
    for (d, amount, hours) in &facts.supports {
        if let Some(y) = years.get_mut(&d.year()) {
            y.support_yen += amount.unwrap_or(0);
            y.support_hours += hours.unwrap_or(0);
        }
    }
    for (d, amount) in &facts.deals {
        if let Some(y) = years.get_mut(&d.year()) {
            y.deals_yen += amount;
        }
    }
    for (d, n) in &facts.contacts_per_day {
        if let Some(y) = years.get_mut(&d.year()) {
            y.contacts += n;
        }
    }
    let mut days: BTreeMap<u32, usize> = BTreeMap::new();
    for (n, start, end) in &facts.engagements {
        if *start <= today && end.is_none_or(|e| e >= today) {
            *days.entry(*n).or_default() += 1;
        }
    }
    Network {
        alumni: facts.alumni.len(),
        reachable: facts.alumni.iter().filter(|a| a.reachable).count(),
        warmth: now,
        trend,
        years: years.into_values().collect(),
        contract_days: days
            .into_iter()
            .map(|(days_a_week, contracts)| ContractDays {
                days_a_week,
                contracts,
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Hiring cost saved

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingsYear {
    pub year: i32,
    pub returners: usize,
    pub referrals_hired: usize,
    pub saved_yen: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Savings {
    pub cost: HireCost,
    pub per_hire_yen: i64,
    pub years: Vec<SavingsYear>,
    pub total_yen: i64,
}

pub fn savings(facts: &Facts, today: NaiveDate) -> Savings {
    let per_hire = facts.hire_cost.per_hire();
    let all = hires(&facts.stints);
    let years: Vec<SavingsYear> = years(facts, today)
        .into_iter()
        .map(|y| {
            let returners = all
                .iter()
                .filter(|h| {
                    h.previous.is_some() && h.stint.start.year() == y && h.stint.start <= today
                })
                .count();
            let referrals_hired = facts
                .contributions
                .iter()
                .filter(|c| {
                    c.kind == ContributionKind::Referral
                        && c.outcome == Some(ReferralOutcome::Hired)
                        && c.on_date.year() == y
                })
                .count();
            SavingsYear {
                year: y,
                returners,
                referrals_hired,
                saved_yen: (returners + referrals_hired) as i64 * per_hire,
            }
        })
        .collect();
    Savings {
        cost: facts.hire_cost,
        per_hire_yen: per_hire,
        total_yen: years.iter().map(|y| y.saved_yen).sum(),
        years,
    }
}

// ---------------------------------------------------------------------------------------------------------
// This month, for the home page

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Headline {
    /// The first of the month.
    pub month: NaiveDate,
    /// Returners who started this month.
    pub returners: usize,
    /// Contacts logged this month.
    pub contacts: u64,
    /// Business brought by alumni this month: introductions recorded and deals with their ventures.
    pub business_yen: i64,
    /// Return offers issued or confirmed and within their window today.
    pub offers_standing: usize,
    /// Whether the company has any history yet (stints).
    pub has_history: bool,
}

pub fn headline(facts: &Facts, today: NaiveDate) -> Headline {
    headline_of_month(facts, today.with_day(1).unwrap_or(today), today)
}

/// The month before today's, whole (for the report sent on the 1st).
pub fn previous_month(facts: &Facts, today: NaiveDate) -> Headline {
    let first = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(1)))
        .unwrap_or(today);
    headline_of_month(
        facts,
        first,
        month_end(first.year(), first.month()).min(today),
    )
}

/// The month starting `month`, counted up to `until`; offers standing as of `until`.
fn headline_of_month(facts: &Facts, month: NaiveDate, until: NaiveDate) -> Headline {
    let today = until;
    let this_month = |d: NaiveDate| d >= month && d <= today;
    let returners = hires(&facts.stints)
        .iter()
        .filter(|h| h.previous.is_some() && this_month(h.stint.start))
        .count();
    let contacts = facts
        .contacts_per_day
        .iter()
        .filter(|(d, _)| this_month(*d))
        .map(|(_, n)| n)
        .sum();
    let business_yen = facts
        .contributions
        .iter()
        .filter(|c| c.kind == ContributionKind::Business && this_month(c.on_date))
        .filter_map(|c| c.amount_yen)
        .sum::<i64>()
        + facts
            .deals
            .iter()
            .filter(|(d, _)| this_month(*d))
            .map(|(_, a)| a)
            .sum::<i64>();
    let offers_standing = facts
        .offers
        .iter()
        .filter(|o| {
            o.issued_on.is_some()
                && matches!(o.status, OfferStatus::Issued | OfferStatus::Acknowledged)
                && o.valid_until >= today
        })
        .count();
    Headline {
        month,
        returners,
        contacts,
        business_yen,
        offers_standing,
        has_history: !facts.stints.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn stint(p: u128, start: &str, end: Option<&str>) -> StintFact {
        StintFact {
            person: PersonId(uuid::Uuid::from_u128(p)),
            start: d(start),
            end: end.map(d),
            department: Some("製造部".into()),
            employment_type: EmploymentType::FullTime,
            leave_reason: end.map(|_| LeaveReason::CareerChange),
            rehire: end.map(|_| RehireEligibility::Welcome),
        }
    }

    #[test]
    fn turnover_follows_the_ministry_definition() {
        let today = d("2026-12-01");
        let mut facts = Facts::default();
        // Ten employed on 1 January 2025; two leave in 2025 (one for company reasons), one hired and gone
        // within the year (counted as a leaver, not in the base).
        for p in 0..10 {
            facts.stints.push(stint(p, "2020-04-01", None));
        }
        facts.stints[0].end = Some(d("2025-03-31"));
        facts.stints[0].leave_reason = Some(LeaveReason::CareerChange);
        facts.stints[0].rehire = Some(RehireEligibility::Welcome);
        facts.stints[1].end = Some(d("2025-09-30"));
        facts.stints[1].leave_reason = Some(LeaveReason::CompanyReasons);
        facts
            .stints
            .push(stint(20, "2025-04-01", Some("2025-06-30")));
        facts.stints[10].leave_reason = None;
        facts.stints[10].rehire = None;
        // Not regular: left out.
        let mut contractor = stint(30, "2020-01-01", Some("2025-05-01"));
        contractor.employment_type = EmploymentType::Contractor;
        facts.stints.push(contractor);
        let t = turnover(&facts, &Filter::default(), 2025, today);
        let y = t.years.iter().find(|y| y.year == 2025).unwrap();
        assert_eq!((y.base, y.leavers), (10, 3));
        assert_eq!((y.voluntary, y.other, y.unrecorded), (1, 1, 1));
        assert_eq!(y.regrettable, 1);
        assert!((y.rate.unwrap() - 30.0).abs() < 1e-9);
        let y26 = t.years.iter().find(|y| y.year == 2026).unwrap();
        assert_eq!(y26.base, 8);
        assert!(y26.partial);
        let none = turnover(
            &facts,
            &Filter {
                department: Some("営業部".into()),
            },
            2025,
            today,
        );
        assert!(none.years.iter().all(|y| y.rate.is_none()));
    }

    #[test]
    fn returns_are_counted_by_cohort_with_time_away() {
        let today = d("2026-12-01");
        let mut facts = Facts::default();
        facts
            .stints
            .push(stint(1, "2015-04-01", Some("2020-03-31")));
        facts.stints.push(stint(1, "2022-04-01", None)); // two years away
        facts
            .stints
            .push(stint(2, "2016-04-01", Some("2020-06-30")));
        let mut ne = stint(3, "2016-04-01", Some("2020-08-31"));
        ne.rehire = Some(RehireEligibility::NotEligible);
        facts.stints.push(ne);
        facts.stints.push(stint(4, "2022-01-01", None));
        let b = boomerang(&facts, &Filter::default(), today);
        let y22 = b.years.iter().find(|y| y.year == 2022).unwrap();
        assert_eq!((y22.hires, y22.rehires), (2, 1));
        assert_eq!(y22.share, Some(50.0));
        let c20 = b.cohorts.iter().find(|c| c.year == 2020).unwrap();
        assert_eq!((c20.leavers, c20.eligible, c20.returned), (3, 2, 1));
        assert_eq!(c20.rate, Some(50.0));
        assert_eq!(b.time_away.returns, 1);
        assert_eq!(b.time_away.buckets[2].people, 1); // 2–3 years
        assert!((b.time_away.median_months.unwrap() - 24.0).abs() < 0.2);
    }

    #[test]
    fn kaplan_meier_matches_a_hand_computation() {
        // 5 people: left at 100 and 300 days, followed 200 (still there), left at 400, followed 800.
        let s = kaplan_meier(vec![
            (100, true),
            (300, true),
            (200, false),
            (400, true),
            (800, false),
        ]);
        // S(100) = 4/5; S(300) = 4/5 × 2/3; S(400) = that × 1/2.
        let s300 = 0.8 * (2.0 / 3.0);
        assert!((s.s12.unwrap() - s300).abs() < 1e-9);
        assert!((s.s24.unwrap() - s300 * 0.5).abs() < 1e-9);
        assert_eq!((s.n, s.left, s.at_risk_12, s.at_risk_24), (5, 3, 2, 1));
        assert_eq!(s.curve.first().map(|p| (p.month, p.share)), Some((0, 1.0)));
        // Followed to 800 days: the curve stops at 26 months.
        assert_eq!(s.curve.last().unwrap().month, 26);
        // Nobody followed a year: no 12-month figure.
        let short = kaplan_meier(vec![(30, false), (60, true)]);
        assert_eq!(short.s12, None);
        assert_eq!(kaplan_meier(vec![]).s12, None);
    }

    #[test]
    fn small_groups_and_future_policy_dates_are_said_so() {
        let today = d("2026-12-01");
        let mut facts = Facts::default();
        facts
            .stints
            .push(stint(1, "2015-04-01", Some("2020-03-31")));
        facts.stints.push(stint(1, "2022-04-01", None));
        facts.policy_adopted_on = Some(d("2027-04-01"));
        let r = retention(&facts, &Filter::default(), today);
        assert!(!r.comparable);
        assert_eq!(r.returners.n, 1);
        assert!(matches!(r.policy, PolicyEffect::Future { .. }));
        facts.policy_adopted_on = None;
        assert_eq!(
            retention(&facts, &Filter::default(), today).policy,
            PolicyEffect::NotSet
        );
        facts.policy_adopted_on = Some(d("2024-12-01"));
        match retention(&facts, &Filter::default(), today).policy {
            PolicyEffect::Compared {
                before,
                after,
                small,
                ..
            } => {
                assert!(small);
                assert_eq!(before.until, after.from);
                assert_eq!(before.until - before.from, after.until - after.from);
                assert_eq!(after.until, today);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_pipeline_counts_stages_reached_and_time_spent() {
        use ComebackStage::*;
        let today = d("2026-12-01");
        let facts = Facts {
            comebacks: vec![
                ComebackFact {
                    stage: Returned,
                    opened_on: d("2026-01-01"),
                    moves: vec![
                        (d("2026-01-11"), Interested, Interview),
                        (d("2026-02-10"), Interview, Hired),
                        (d("2026-04-01"), Hired, Returned),
                    ],
                },
                ComebackFact {
                    stage: Dropped,
                    opened_on: d("2026-03-01"),
                    moves: vec![
                        (d("2026-03-21"), Interested, Interview),
                        (d("2026-04-01"), Interview, Dropped),
                    ],
                },
                ComebackFact {
                    stage: Interested,
                    opened_on: d("2026-11-01"),
                    moves: vec![],
                },
            ],
            ..Default::default()
        };
        let o = offers(&facts, today);
        let reached: Vec<usize> = o.pipeline.iter().map(|s| s.reached).collect();
        assert_eq!(reached, vec![3, 2, 1, 1, 1]);
        assert_eq!(o.pipeline[1].dropped, 1);
        assert_eq!(o.pipeline[0].median_days, Some(15));
        assert_eq!(o.pipeline[1].median_days, Some(30));
        assert!((o.pipeline[0].conversion.unwrap() - 200.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn savings_use_the_agency_fee_or_a_fixed_amount() {
        let today = d("2026-12-01");
        let mut facts = Facts::default();
        facts
            .stints
            .push(stint(1, "2015-04-01", Some("2020-03-31")));
        facts.stints.push(stint(1, "2026-04-01", None));
        facts.contributions.push(ContributionFact {
            kind: ContributionKind::Referral,
            on_date: d("2026-05-01"),
            outcome: Some(ReferralOutcome::Hired),
            amount_yen: None,
        });
        let s = savings(&facts, today);
        assert_eq!(s.per_hire_yen, 1_200_000);
        assert_eq!(s.total_yen, 2_400_000);
        facts.hire_cost.fixed_yen = Some(500_000);
        assert_eq!(savings(&facts, today).total_yen, 1_000_000);
    }
}
