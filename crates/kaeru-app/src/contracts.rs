//! 業務委託 contracts (engagements) with former employees: days of the week, rate, period. With the person's
//! other contracts of the same period they may come to at most five days a week.

use crate::failure::{Failure, Outcome};
use crate::recent::{ByRevisionAndDay, Dated};
use chrono::NaiveDate;
use kaeru_domain::engagement::{Engagement, EngagementInput, EngagementStatus, Weekday};
use kaeru_domain::{EngagementId, Invalid, PersonId};
use kaeru_store::engagements::{self, EngagementCounts, EngagementError, EngagementFilter};
use kaeru_store::{Actor, Db, Scope, StoreError};
use std::sync::Arc;

fn refused(e: EngagementError) -> Failure {
    match e {
        EngagementError::OverFiveDays(n) => Failure::field(
            "weekdays",
            Invalid::new("error.engagement_over_five").with("days", n),
        ),
        EngagementError::Store(s) => Failure::Store(s),
    }
}

pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    input: &EngagementInput,
    today: NaiveDate,
) -> Outcome<Engagement> {
    let d = input.parse()?;
    engagements::add(db, scope, actor, person, &d, today)
        .await
        .map_err(refused)
}

pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: EngagementId,
    input: &EngagementInput,
    today: NaiveDate,
) -> Outcome<Engagement> {
    let d = input.parse()?;
    engagements::update(db, scope, actor, id, &d, today)
        .await
        .map_err(refused)
}

/// Ends a contract on `on` (today when not given).
pub async fn end(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: EngagementId,
    on: NaiveDate,
    today: NaiveDate,
) -> Outcome<Engagement> {
    Ok(engagements::end(db, scope, actor, id, on, today).await?)
}

/// People named under one day of the week view; the others are counted.
pub const WEEK_NAMES_PER_DAY: usize = 12;

/// Who comes in on one day: how many, and the first [`WEEK_NAMES_PER_DAY`] (the latest contracts first) as
/// (person, name, what they do).
#[derive(Clone, Debug)]
pub struct WeekDay {
    pub day: Weekday,
    pub total: usize,
    pub first: Vec<(PersonId, String, String)>,
}

/// The contracts page's figures: how many contracts stand where, and the week.
#[derive(Clone, Debug, Default)]
pub struct Overview {
    pub counts: EngagementCounts,
    pub week: Vec<WeekDay>,
}

/// The contracts overview of each company, kept until its next write or the next day (the week reads every
/// active contract of the company), and the pages of its list, kept until its next write.
#[derive(Default)]
pub struct OverviewCache {
    pub(crate) overview: ByRevisionAndDay<Overview>,
    pub(crate) pages: crate::recent::Pages<(EngagementFilter, NaiveDate, u64, u64), ContractsPage>,
}

/// A page of contracts with the name of each one's person.
pub type ContractsPage = kaeru_store::Page<(Engagement, String)>;

/// The company's contract counts and week as the database stands today. `revision` as in
/// [`crate::people::list`].
pub async fn overview(
    db: &Db,
    cache: &OverviewCache,
    scope: &Scope,
    revision: Option<i64>,
    today: NaiveDate,
) -> Result<Arc<Dated<Overview>>, StoreError> {
    cache
        .overview
        .get(db, scope, revision, today, || {
            read_overview(db, scope, today)
        })
        .await
}

async fn read_overview(db: &Db, scope: &Scope, today: NaiveDate) -> Result<Overview, StoreError> {
    let (counts, active) = tokio::try_join!(
        engagements::counts(db, scope, today),
        engagements::active_days(db, scope, today),
    )?;
    let on_day = |w: Weekday| active.iter().filter(move |(_, _, days)| days.contains(&w));
    let named: Vec<uuid::Uuid> = Weekday::ALL
        .iter()
        .flat_map(|w| on_day(*w).take(WEEK_NAMES_PER_DAY).map(|(p, _, _)| p.0))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = engagements::names_of(db, scope, named).await?;
    let week = Weekday::ALL
        .iter()
        .map(|w| WeekDay {
            day: *w,
            total: on_day(*w).count(),
            first: on_day(*w)
                .take(WEEK_NAMES_PER_DAY)
                .map(|(p, title, _)| {
                    let name = names.get(&p.0).cloned().unwrap_or_default();
                    (*p, name, title.clone())
                })
                .collect(),
        })
        .collect();
    Ok(Overview { counts, week })
}

/// One page of the company's contracts (active ones first, then planned, then ended, each the latest start
/// first) with the overview. Without a day chosen the overview's counts say which standings the page covers,
/// and each is read in its index order; with a day the contracts of that day are counted and sorted.
///
/// `revision` as in [`crate::people::list`]; the page is kept for the revision and the day.
#[allow(clippy::too_many_arguments)]
pub async fn list(
    db: &Db,
    cache: &OverviewCache,
    scope: &Scope,
    revision: Option<i64>,
    filter: EngagementFilter,
    today: NaiveDate,
    page: u64,
    per_page: u64,
) -> Result<(Arc<ContractsPage>, Arc<Dated<Overview>>), StoreError> {
    let page = page.max(1);
    let overview = overview(db, cache, scope, revision, today).await?;
    let counts = overview.2.counts;
    // The overview was read at this revision or after it.
    let found = cache
        .pages
        .get(scope, overview.0, (filter, today, page, per_page), || {
            read_page(db, scope, filter, counts, today, page, per_page)
        })
        .await?;
    Ok((found, overview))
}

/// A page of the list as [`list`] reads it.
async fn read_page(
    db: &Db,
    scope: &Scope,
    filter: EngagementFilter,
    counts: EngagementCounts,
    today: NaiveDate,
    page: u64,
    per_page: u64,
) -> Result<ContractsPage, StoreError> {
    let offset = (page - 1).saturating_mul(per_page);
    let (total, rows) = if filter.day.is_some() {
        tokio::try_join!(
            engagements::count_filtered(db, scope, filter, today),
            engagements::rows(db, scope, filter, today, offset, per_page),
        )?
    } else {
        let standings = match filter.status {
            Some(s) => vec![s],
            None => vec![
                EngagementStatus::Active,
                EngagementStatus::Planned,
                EngagementStatus::Ended,
            ],
        };
        let total = standings.iter().map(|s| counts.of(*s)).sum();
        let (mut skip, mut want, mut rows) = (offset, per_page, Vec::new());
        for s in standings {
            let n = counts.of(s);
            if want == 0 {
                break;
            }
            if skip >= n {
                skip -= n;
                continue;
            }
            let f = EngagementFilter {
                status: Some(s),
                day: None,
            };
            let got = engagements::rows(db, scope, f, today, skip, want).await?;
            want = want.saturating_sub(got.len() as u64);
            rows.extend(got);
            skip = 0;
        }
        (total, rows)
    };
    let items = engagements::with_names(db, scope, rows).await?;
    Ok(kaeru_store::Page {
        items,
        total,
        page,
        per_page,
    })
}
