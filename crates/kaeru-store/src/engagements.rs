//! 業務委託 engagements: at most five days a week across a person's overlapping engagements; while one is
//! active a former employee's status is 業務委託.

use crate::audit::{self, Change};
use crate::entity::engagement as row;
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::EngagementId;
use kaeru_domain::PersonId;
use kaeru_domain::engagement::{Engagement, EngagementDraft, MAX_DAYS_PER_WEEK, RateKind, Weekday};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
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

/// Every engagement of the company with the person's name, newest first.
pub async fn all(db: &Db, scope: &Scope) -> StoreResult<Vec<(Engagement, String)>> {
    let rows: Vec<Engagement> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_desc(row::Column::StartDate)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    let names = crate::people::names(
        &db.read,
        scope,
        rows.iter().map(|e| e.person_id.0).collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|e| {
            let n = names
                .get(&e.person_id.0)
                .map(|n| n.0.clone())
                .unwrap_or_default();
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
    let model = row::ActiveModel {
        id: Set(id),
        company_id: Set(c),
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
    .insert(&tx)
    .await?;
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
