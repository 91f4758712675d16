//! Careers after leaving: where a person has worked since, newest first.

use crate::audit::{self, Change};
use crate::entity::career as row;
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use kaeru_domain::{CareerDraft, CareerEntry, CareerId, PersonId};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

pub(crate) fn to_domain(r: row::Model) -> CareerEntry {
    CareerEntry {
        id: CareerId(r.id),
        person_id: PersonId(r.person_id),
        employer: r.employer,
        role: r.role,
        industry: r.industry,
        from_date: r.from_date,
        to_date: r.to_date,
    }
}

/// Current positions first, then by start date, newest first.
pub fn sort(entries: &mut [CareerEntry]) {
    entries.sort_by(|a, b| {
        (b.to_date.is_none(), b.from_date, b.to_date).cmp(&(
            a.to_date.is_none(),
            a.from_date,
            a.to_date,
        ))
    });
}

pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<CareerEntry>> {
    let mut v: Vec<CareerEntry> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    sort(&mut v);
    Ok(v)
}

/// The current positions (no end date) of the given people of the scope's company, newest first per person.
pub async fn current_for(
    db: &Db,
    scope: &Scope,
    people: &[PersonId],
) -> StoreResult<std::collections::HashMap<PersonId, CareerEntry>> {
    let mut rows: Vec<CareerEntry> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.is_in(people.iter().map(|p| p.0)))
        .filter(row::Column::ToDate.is_null())
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    sort(&mut rows);
    let mut out = std::collections::HashMap::new();
    for c in rows {
        out.entry(c.person_id).or_insert(c);
    }
    Ok(out)
}

/// Every career entry of the company, for search and the network view.
pub async fn all(db: &Db, scope: &Scope) -> StoreResult<Vec<CareerEntry>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    draft: &CareerDraft,
) -> StoreResult<CareerEntry> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let id = CareerId::new();
    let model = row::ActiveModel {
        id: Set(id.0),
        company_id: Set(c),
        person_id: Set(person.0),
        employer: Set(draft.employer.clone()),
        role: Set(draft.role.clone()),
        industry: Set(draft.industry.clone()),
        from_date: Set(draft.from_date),
        to_date: Set(draft.to_date),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "career.create",
            entity: "career",
            entity_id: id.0,
            person_id: Some(person),
            changes: serde_json::to_value(draft).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

pub async fn remove(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: CareerId,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let r = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    row::Entity::delete_by_id(id.0).exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "career.delete",
            entity: "career",
            entity_id: id.0,
            person_id: Some(person),
            changes: serde_json::json!({"employer": r.employer, "role": r.role}),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(())
}
