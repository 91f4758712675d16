//! 業務委託 engagements: at most five days a week across a person's overlapping engagements; while one is
//! active a former employee's status is 業務委託.

use crate::audit::{self, Change};
use crate::entity::engagement as row;
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::EngagementId;
use kaeru_domain::PersonId;
use kaeru_domain::engagement::{
    Engagement, EngagementDraft, EngagementStatus, MAX_DAYS_PER_WEEK, RateKind, Weekday,
};
use sea_orm::sea_query::{Expr, Order};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

pub(crate) fn to_domain(r: row::Model) -> Engagement {
    Engagement {
        id: EngagementId(r.id),
        person_id: PersonId(r.person_id),
        title: r.title,
        weekdays: r.weekdays.split(',').filter_map(Weekday::parse).collect(),
        rate_kind: RateKind::parse(&r.rate_kind).unwrap_or(RateKind::Day),
        rate_yen: r.rate_yen,
        start_date: r.start_date,
        end_date: r.end_date,
        manager: r.manager,
        note: r.note,
    }
}

fn codes(days: &[Weekday]) -> String {
    days.iter().map(|w| w.code()).collect::<Vec<_>>().join(",")
}

/// A new engagement's row.
pub(crate) fn new_row(
    id: Uuid,
    company: Uuid,
    person: PersonId,
    d: &EngagementDraft,
) -> row::ActiveModel {
    row::ActiveModel {
        id: Set(id),
        company_id: Set(company),
        person_id: Set(person.0),
        title: Set(d.title.clone()),
        weekdays: Set(codes(&d.weekdays)),
        rate_kind: Set(d.rate_kind.code().into()),
        rate_yen: Set(d.rate_yen),
        start_date: Set(d.start_date),
        end_date: Set(d.end_date),
        manager: Set(d.manager.clone()),
        note: Set(d.note.clone()),
        created_at: Set(now()),
    }
}

/// Why an engagement was refused.
#[derive(Debug)]
pub enum EngagementError {
    /// With the person's other engagements in the same period it comes to more than five days a week.
    OverFiveDays(usize),
    Store(StoreError),
}

impl From<StoreError> for EngagementError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<sea_orm::DbErr> for EngagementError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

pub(crate) async fn of_person(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<Engagement>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::StartDate)
        .all(conn)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<Engagement>> {
    of_person(&db.read, scope, person).await
}

/// Where an engagement stands on `today`, as a condition on its dates (the same rule as
/// [`Engagement::status`]).
fn standing(status: EngagementStatus, today: NaiveDate) -> Condition {
    match status {
        EngagementStatus::Planned => Condition::all().add(row::Column::StartDate.gt(today)),
        EngagementStatus::Ended => Condition::all()
            .add(row::Column::StartDate.lte(today))
            .add(row::Column::EndDate.lt(today)),
        EngagementStatus::Active => Condition::all().add(row::Column::StartDate.lte(today)).add(
            Condition::any()
                .add(row::Column::EndDate.is_null())
                .add(row::Column::EndDate.gte(today)),
        ),
    }
}

/// 0 active, 1 planned, 2 ended: the order of the list.
fn standing_rank(today: NaiveDate) -> Expr {
    Expr::case(row::Column::StartDate.gt(today), 1)
        .case(row::Column::EndDate.lt(today), 2)
        .finally(0)
        .into()
}

/// Which engagements a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EngagementFilter {
    pub status: Option<EngagementStatus>,
    /// Only those who come in on this day.
    pub day: Option<Weekday>,
}

impl EngagementFilter {
    fn condition(self, scope: &Scope, today: NaiveDate) -> Condition {
        let mut c = Condition::all().add(row::Column::CompanyId.eq(scope.company_id().0));
        if let Some(s) = self.status {
            c = c.add(standing(s, today));
        }
        if let Some(d) = self.day {
            // Codes are three distinct letters joined by commas, so a code never matches inside another.
            c = c.add(row::Column::Weekdays.contains(d.code()));
        }
        c
    }
}

/// How many engagements of the company stand where on `today`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngagementCounts {
    pub active: u64,
    pub planned: u64,
    pub ended: u64,
}

impl EngagementCounts {
    pub fn all(&self) -> u64 {
        self.active + self.planned + self.ended
    }

    pub fn of(&self, s: EngagementStatus) -> u64 {
        match s {
            EngagementStatus::Active => self.active,
            EngagementStatus::Planned => self.planned,
            EngagementStatus::Ended => self.ended,
        }
    }
}

/// The company's engagements counted by where they stand, in one statement.
pub async fn counts(db: &Db, scope: &Scope, today: NaiveDate) -> StoreResult<EngagementCounts> {
    use sea_orm::sea_query::{ExprTrait, Func};
    let count_if =
        |c: Condition| -> Expr { Func::count(Expr::case(c, 1).finally(Expr::null())).into() };
    let (all, planned, ended): (i64, i64, i64) = row::Entity::find()
        .select_only()
        .column_as(ExprTrait::count(Expr::col(row::Column::Id)), "n")
        .column_as(
            count_if(standing(EngagementStatus::Planned, today)),
            "planned",
        )
        .column_as(count_if(standing(EngagementStatus::Ended, today)), "ended")
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .into_tuple()
        .one(&db.read)
        .await?
        .unwrap_or_default();
    let n = |x: i64| u64::try_from(x).unwrap_or(0);
    Ok(EngagementCounts {
        active: n(all - planned - ended),
        planned: n(planned),
        ended: n(ended),
    })
}

/// How many engagements of the company the filter lets through.
pub async fn count_filtered(
    db: &Db,
    scope: &Scope,
    filter: EngagementFilter,
    today: NaiveDate,
) -> StoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(row::Entity::find()
        .filter(filter.condition(scope, today))
        .count(&db.read)
        .await?)
}

/// The company's engagements the filter lets through, `limit` of them after the first `offset`: active ones
/// first, then planned, then ended, each the latest start first. With a standing chosen the rows come in the
/// order of `ix_engagements_start` (m0020), so a page costs the same however many contracts a company has;
/// without one the company's contracts are sorted by standing (the application splits an unfiltered list into
/// one read per standing instead, as it knows how many of each there are).
pub async fn rows(
    db: &Db,
    scope: &Scope,
    filter: EngagementFilter,
    today: NaiveDate,
    offset: u64,
    limit: u64,
) -> StoreResult<Vec<Engagement>> {
    let mut q = row::Entity::find().filter(filter.condition(scope, today));
    if filter.status.is_none() {
        q = q.order_by(standing_rank(today), Order::Asc);
    }
    Ok(q.order_by_desc(row::Column::StartDate)
        .order_by_desc(row::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// Who comes in on which days: every active engagement of the company by its person, title and days (only
/// those columns), the latest start first.
pub async fn active_days(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
) -> StoreResult<Vec<(PersonId, String, Vec<Weekday>)>> {
    let rows: Vec<(Uuid, String, String)> = row::Entity::find()
        .select_only()
        .columns([
            row::Column::PersonId,
            row::Column::Title,
            row::Column::Weekdays,
        ])
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(standing(EngagementStatus::Active, today))
        .order_by_desc(row::Column::StartDate)
        .order_by_desc(row::Column::Id)
        .into_tuple()
        .all(&db.read)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(p, t, w)| {
            (
                PersonId(p),
                t,
                w.split(',').filter_map(Weekday::parse).collect(),
            )
        })
        .collect())
}

/// The names of these people of the company (ids of other companies are dropped).
pub async fn names_of(
    db: &Db,
    scope: &Scope,
    people: Vec<Uuid>,
) -> StoreResult<std::collections::HashMap<Uuid, String>> {
    Ok(crate::people::names(&db.read, scope, people)
        .await?
        .into_iter()
        .map(|(id, (name, _))| (id, name))
        .collect())
}

/// Each engagement with its person's name.
pub async fn with_names(
    db: &Db,
    scope: &Scope,
    rows: Vec<Engagement>,
) -> StoreResult<Vec<(Engagement, String)>> {
    let mut names = names_of(db, scope, rows.iter().map(|e| e.person_id.0).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|e| {
            let n = names.remove(&e.person_id.0).unwrap_or_default();
            (e, n)
        })
        .collect())
}

/// Starts an engagement (one transaction: the engagement, the person's status, the audit entry).
pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    d: &EngagementDraft,
    today: NaiveDate,
) -> Result<Engagement, EngagementError> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let others = of_person(&tx, scope, person).await?;
    let busy: usize = others
        .iter()
        .filter(|o| o.overlaps(d.start_date, d.end_date))
        .map(|o| o.weekdays.len())
        .sum();
    if busy + d.weekdays.len() > MAX_DAYS_PER_WEEK {
        return Err(EngagementError::OverFiveDays(busy + d.weekdays.len()));
    }
    let id = Uuid::now_v7();
    let model = new_row(id, c, person, d).insert(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "engagement.add",
            entity: "engagement",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::to_value(d).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    restatus(&tx, scope, person, today).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

/// Changes an engagement; the five-days-a-week rule is checked against the person's other engagements.
pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: EngagementId,
    d: &EngagementDraft,
    today: NaiveDate,
) -> Result<Engagement, EngagementError> {
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = to_domain(current.clone());
    let person = before.person_id;
    crate::people::live(&tx, scope, person).await?;
    let busy: usize = of_person(&tx, scope, person)
        .await?
        .iter()
        .filter(|o| o.id != id && o.overlaps(d.start_date, d.end_date))
        .map(|o| o.weekdays.len())
        .sum();
    if busy + d.weekdays.len() > MAX_DAYS_PER_WEEK {
        return Err(EngagementError::OverFiveDays(busy + d.weekdays.len()));
    }
    let mut am: row::ActiveModel = current.into();
    am.title = Set(d.title.clone());
    am.weekdays = Set(codes(&d.weekdays));
    am.rate_kind = Set(d.rate_kind.code().into());
    am.rate_yen = Set(d.rate_yen);
    am.start_date = Set(d.start_date);
    am.end_date = Set(d.end_date);
    am.manager = Set(d.manager.clone());
    am.note = Set(d.note.clone());
    let after = to_domain(am.update(&tx).await?);
    audit::record(
        &tx,
        scope,
        Change {
            action: "engagement.update",
            entity: "engagement",
            entity_id: id.0,
            person_id: Some(person),
            changes: audit::diff(
                &serde_json::to_value(&before).unwrap_or_default(),
                &serde_json::to_value(&after).unwrap_or_default(),
            ),
            actor,
        },
    )
    .await?;
    restatus(&tx, scope, person, today).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn get(db: &Db, scope: &Scope, id: EngagementId) -> StoreResult<Engagement> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(to_domain)
        .ok_or(StoreError::NotFound)
}

/// Ends an engagement on `on` (not before it started).
pub async fn end(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: EngagementId,
    on: NaiveDate,
    today: NaiveDate,
) -> StoreResult<Engagement> {
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let person = PersonId(current.person_id);
    crate::people::live(&tx, scope, person).await?;
    let on = on.max(current.start_date);
    let mut am: row::ActiveModel = current.into();
    am.end_date = Set(Some(on));
    let model = am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "engagement.end",
            entity: "engagement",
            entity_id: id.0,
            person_id: Some(person),
            changes: serde_json::json!({"end_date": on}),
            actor,
        },
    )
    .await?;
    restatus(&tx, scope, person, today).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

/// The status of a person from their stints and engagements, stored; bumps the revision.
async fn restatus(
    tx: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
    today: NaiveDate,
) -> StoreResult<()> {
    let stints = crate::stints::of_person(tx, scope, person).await?;
    crate::status::store(tx, scope, person, &stints, today).await?;
    companies::bump_revision_for(tx, scope, &[person]).await?;
    Ok(())
}
