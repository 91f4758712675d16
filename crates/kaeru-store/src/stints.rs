//! Employment stints of a person. Every change recomputes the person's status in the same transaction.

use crate::audit::{self, Change};
use crate::entity::employment_stint as row;
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::{EmploymentStint, PersonId, StintDraft, StintId};
use sea_orm::DatabaseTransaction;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

pub(crate) fn to_domain(r: row::Model) -> EmploymentStint {
    r.into()
}

fn fill(am: &mut row::ActiveModel, d: &StintDraft) {
    am.start_date = Set(d.start_date);
    am.end_date = Set(d.end_date);
    am.department = Set(d.department.clone());
    am.job_title = Set(d.job_title.clone());
    am.employment_type = Set(d.employment_type.code().into());
    am.leave_reason = Set(d.leave_reason.map(|r| r.code().into()));
    am.leave_reason_detail = Set(d.leave_reason_detail.clone());
    am.exit_interview_notes = Set(d.exit_interview_notes.clone());
    am.rehire_eligibility = Set(d.rehire_eligibility.map(|r| r.code().into()));
    am.rehire_reason = Set(d.rehire_reason.clone());
    am.updated_at = Set(now());
}

/// The audit view leaves the confidential rehire reason out: the log says it changed, not what it says.
fn audit_view(d: &StintDraft) -> serde_json::Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        let has_reason = d.rehire_reason.is_some();
        o.insert("rehire_reason".into(), serde_json::Value::Bool(has_reason));
    }
    v
}

fn draft_of(s: &EmploymentStint) -> StintDraft {
    StintDraft {
        start_date: s.start_date,
        end_date: s.end_date,
        department: s.department.clone(),
        job_title: s.job_title.clone(),
        employment_type: s.employment_type,
        leave_reason: s.leave_reason,
        leave_reason_detail: s.leave_reason_detail.clone(),
        exit_interview_notes: s.exit_interview_notes.clone(),
        rehire_eligibility: s.rehire_eligibility,
        rehire_reason: s.rehire_reason.clone(),
    }
}

pub(crate) async fn of_person(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<EmploymentStint>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_asc(row::Column::StartDate)
        .all(conn)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// The person's stints inside the caller's transaction.
pub(crate) async fn for_person_in(
    tx: &DatabaseTransaction,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<EmploymentStint>> {
    of_person(tx, scope, person).await
}

/// The person's stints, oldest first.
pub async fn for_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<EmploymentStint>> {
    of_person(&db.read, scope, person).await
}

pub async fn get(db: &Db, scope: &Scope, id: StintId) -> StoreResult<EmploymentStint> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(to_domain)
        .ok_or(StoreError::NotFound)
}

/// The end of every stint change, in its transaction: the person's status, the audit entry, the revision.
async fn finish_change(
    tx: &DatabaseTransaction,
    scope: &Scope,
    person: PersonId,
    today: NaiveDate,
    change: Change<'_>,
) -> StoreResult<()> {
    let all = of_person(tx, scope, person).await?;
    crate::status::store(tx, scope, person, &all, today).await?;
    audit::record(tx, scope, change).await?;
    companies::bump_revision_for(tx, scope, &[person]).await?;
    Ok(())
}

/// A stint of the scope's company, read inside a transaction.
async fn find_in(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: StintId,
) -> StoreResult<row::Model> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Adds a stint; `today` (in the company's time zone) decides the person's new status.
pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    draft: &StintDraft,
    today: NaiveDate,
) -> StoreResult<EmploymentStint> {
    let tx = db.write.begin().await?;
    let stint = create_in(&tx, scope, actor, person, draft, today).await?;
    tx.commit().await?;
    Ok(stint)
}

/// Adds a stint inside the caller's transaction (the comeback pipeline's 復職 does this with its own change).
pub(crate) async fn create_in(
    tx: &DatabaseTransaction,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    draft: &StintDraft,
    today: NaiveDate,
) -> StoreResult<EmploymentStint> {
    crate::people::live(tx, scope, person).await?;
    let id = StintId::new();
    let mut am = row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        person_id: Set(person.0),
        created_at: Set(now()),
        ..Default::default()
    };
    fill(&mut am, draft);
    let model = am.insert(tx).await?;
    let change = Change {
        action: "stint.create",
        entity: "stint",
        entity_id: id.0,
        person_id: Some(person),
        changes: audit_view(draft),
        actor,
    };
    finish_change(tx, scope, person, today, change).await?;
    Ok(to_domain(model))
}

pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: StintId,
    draft: &StintDraft,
    today: NaiveDate,
) -> StoreResult<EmploymentStint> {
    let tx = db.write.begin().await?;
    let current = find_in(&tx, scope, id).await?;
    let person = PersonId(current.person_id);
    crate::people::live(&tx, scope, person).await?;
    let before = audit_view(&draft_of(&to_domain(current.clone())));
    let mut am: row::ActiveModel = current.into();
    fill(&mut am, draft);
    let model = am.update(&tx).await?;
    let change = Change {
        action: "stint.update",
        entity: "stint",
        entity_id: id.0,
        person_id: Some(person),
        changes: audit::diff(&before, &audit_view(draft)),
        actor,
    };
    finish_change(&tx, scope, person, today, change).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

pub async fn delete(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: StintId,
    today: NaiveDate,
) -> StoreResult<PersonId> {
    let tx = db.write.begin().await?;
    let current = find_in(&tx, scope, id).await?;
    let person = PersonId(current.person_id);
    crate::people::live(&tx, scope, person).await?;
    let before = audit_view(&draft_of(&to_domain(current)));
    row::Entity::delete_many()
        .filter(row::Column::Id.eq(id.0))
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .exec(&tx)
        .await?;
    let change = Change {
        action: "stint.delete",
        entity: "stint",
        entity_id: id.0,
        person_id: Some(person),
        changes: before,
        actor,
    };
    finish_change(&tx, scope, person, today, change).await?;
    tx.commit().await?;
    Ok(person)
}

/// A stint not yet stored, as the domain sees it (for deriving a status before the insert).
pub(crate) fn draft_to_domain(
    d: &kaeru_domain::StintDraft,
    _company: uuid::Uuid,
) -> EmploymentStint {
    EmploymentStint {
        id: kaeru_domain::StintId(uuid::Uuid::nil()),
        person_id: PersonId(uuid::Uuid::nil()),
        start_date: d.start_date,
        end_date: d.end_date,
        department: d.department.clone(),
        job_title: d.job_title.clone(),
        employment_type: d.employment_type,
        leave_reason: d.leave_reason,
        leave_reason_detail: d.leave_reason_detail.clone(),
        exit_interview_notes: d.exit_interview_notes.clone(),
        rehire_eligibility: d.rehire_eligibility,
        rehire_reason: d.rehire_reason.clone(),
    }
}

/// Every stint of the company, per person, oldest first (for exports).
pub async fn all_by_person(
    db: &Db,
    scope: &Scope,
) -> StoreResult<std::collections::HashMap<PersonId, Vec<EmploymentStint>>> {
    let mut out: std::collections::HashMap<PersonId, Vec<EmploymentStint>> = Default::default();
    for r in row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_asc(row::Column::StartDate)
        .all(&db.read)
        .await?
    {
        let s = to_domain(r);
        out.entry(s.person_id).or_default().push(s);
    }
    Ok(out)
}

/// Of these people, those whose most recently ended stint says 再雇用不可 (HR sees it beside an interest).
pub async fn not_eligible(
    db: &Db,
    scope: &Scope,
    people: &[PersonId],
) -> StoreResult<std::collections::HashSet<PersonId>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut latest: std::collections::HashMap<uuid::Uuid, (chrono::NaiveDate, Option<String>)> =
        std::collections::HashMap::new();
    for chunk in people.chunks(500) {
        for s in crate::entity::employment_stint::Entity::find()
            .filter(crate::entity::employment_stint::Column::CompanyId.eq(scope.company_id().0))
            .filter(
                crate::entity::employment_stint::Column::PersonId.is_in(chunk.iter().map(|p| p.0)),
            )
            .filter(crate::entity::employment_stint::Column::EndDate.is_not_null())
            .all(&db.read)
            .await?
        {
            let end = s.end_date.unwrap_or_default();
            let e = latest.entry(s.person_id).or_insert((end, None));
            if end >= e.0 {
                *e = (end, s.rehire_eligibility.clone());
            }
        }
    }
    Ok(latest
        .into_iter()
        .filter(|(_, (_, r))| {
            r.as_deref() == Some(kaeru_domain::RehireEligibility::NotEligible.code())
        })
        .map(|(p, _)| PersonId(p))
        .collect())
}
