//! What the search index sees of the company's people: names in every reading, contacts, notes, the latest
//! stint, current work and skills, read with the company's revision so the index and the database agree.

use crate::entity::{employment_stint as stint_row, person as row, person_email as email_row};
use crate::{Db, Scope, StoreError, StoreResult};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, TransactionTrait};
use std::collections::HashMap;

#[derive(sea_orm::FromQueryResult)]
struct SearchCols {
    id: uuid::Uuid,
    family_name: String,
    given_name: String,
    family_kana: String,
    given_kana: String,
    romaji_name: Option<String>,
    sort_key: String,
    notes: Option<String>,
    city: Option<String>,
    phone: Option<String>,
    line_id: Option<String>,
}

/// Everything search sees of the company's people, with the revision it was read at. Read in one transaction
/// so the documents and the revision agree.
pub async fn search_docs(
    db: &Db,
    scope: &Scope,
) -> StoreResult<(i64, Vec<kaeru_search::SearchDoc>)> {
    read(db, scope, None).await
}

/// The documents of these people only (an index patched after a write); someone erased or gone has none.
pub async fn search_docs_of(
    db: &Db,
    scope: &Scope,
    people: &[kaeru_domain::PersonId],
) -> StoreResult<Vec<kaeru_search::SearchDoc>> {
    let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
    Ok(read(db, scope, Some(&ids)).await?.1)
}

async fn read(
    db: &Db,
    scope: &Scope,
    only: Option<&[uuid::Uuid]>,
) -> StoreResult<(i64, Vec<kaeru_search::SearchDoc>)> {
    let tx = db.read.begin().await?;
    let revision = crate::entity::company::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?
        .map(|c| c.revision)
        .ok_or(StoreError::NotFound)?;
    // Only the columns search reads: decoding whole rows dominates the load for a large company.
    let rows: Vec<SearchCols> = row::Entity::find()
        .select_only()
        .columns([
            row::Column::Id,
            row::Column::FamilyName,
            row::Column::GivenName,
            row::Column::FamilyKana,
            row::Column::GivenKana,
            row::Column::RomajiName,
            row::Column::SortKey,
        ])
        .columns([
            row::Column::Notes,
            row::Column::City,
            row::Column::Phone,
            row::Column::LineId,
        ])
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::ErasedAt.is_null())
        .apply_if(only, |q, ids| {
            q.filter(row::Column::Id.is_in(ids.iter().copied()))
        })
        .into_model::<SearchCols>()
        .all(&tx)
        .await?;
    let mut other: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for e in email_row::Entity::find()
        .filter(email_row::Column::CompanyId.eq(scope.company_id().0))
        .apply_if(only, |q, ids| {
            q.filter(email_row::Column::PersonId.is_in(ids.iter().copied()))
        })
        .all(&tx)
        .await?
    {
        other.entry(e.person_id).or_default().push(e.email);
    }
    // Only the columns search reads: decoding whole rows dominates the load for a large company.
    let worked: Vec<(uuid::Uuid, Option<String>, Option<String>)> = stint_row::Entity::find()
        .select_only()
        .columns([
            stint_row::Column::PersonId,
            stint_row::Column::Department,
            stint_row::Column::JobTitle,
        ])
        .filter(stint_row::Column::CompanyId.eq(scope.company_id().0))
        .apply_if(only, |q, ids| {
            q.filter(stint_row::Column::PersonId.is_in(ids.iter().copied()))
        })
        .into_tuple()
        .all(&tx)
        .await?;
    for (person, department, job_title) in worked {
        let o = other.entry(person).or_default();
        o.extend(department);
        o.extend(job_title);
    }
    // Careers after leaving (employer, role, industry) and skills with their aliases.
    for c in crate::entity::career::Entity::find()
        .filter(crate::entity::career::Column::CompanyId.eq(scope.company_id().0))
        .apply_if(only, |q, ids| {
            q.filter(crate::entity::career::Column::PersonId.is_in(ids.iter().copied()))
        })
        .all(&tx)
        .await?
    {
        let o = other.entry(c.person_id).or_default();
        o.push(c.employer);
        o.extend(c.role);
        o.extend(c.industry);
    }
    let skill_names: HashMap<uuid::Uuid, String> = crate::entity::skill::Entity::find()
        .filter(crate::entity::skill::Column::CompanyId.eq(scope.company_id().0))
        .all(&tx)
        .await?
        .into_iter()
        .map(|s| (s.id, format!("{}\n{}", s.name, s.aliases)))
        .collect();
    let held: Vec<(uuid::Uuid, uuid::Uuid)> = crate::entity::person_skill::Entity::find()
        .select_only()
        .columns([
            crate::entity::person_skill::Column::PersonId,
            crate::entity::person_skill::Column::SkillId,
        ])
        .filter(crate::entity::person_skill::Column::CompanyId.eq(scope.company_id().0))
        .apply_if(only, |q, ids| {
            q.filter(crate::entity::person_skill::Column::PersonId.is_in(ids.iter().copied()))
        })
        .into_tuple()
        .all(&tx)
        .await?;
    for (person, skill) in held {
        if let Some(names) = skill_names.get(&skill) {
            let o = other.entry(person).or_default();
            o.extend(
                names
                    .split('\n')
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
            );
        }
    }
    tx.commit().await?;
    let docs = rows
        .into_iter()
        .map(|r| {
            let mut o = other.remove(&r.id).unwrap_or_default();
            o.extend(r.notes.clone());
            o.extend(r.city.clone());
            o.extend(r.phone.clone());
            o.extend(r.line_id.clone());
            kaeru_search::SearchDoc {
                id: r.id,
                names: [
                    Some(format!("{} {}", r.family_name, r.given_name)),
                    Some(format!("{} {}", r.family_kana, r.given_kana)),
                    r.romaji_name.clone(),
                ]
                .into_iter()
                .flatten()
                .collect(),
                other: o,
                sort_key: r.sort_key,
            }
        })
        .collect();
    Ok((revision, docs))
}
