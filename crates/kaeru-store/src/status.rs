//! People's statuses (在籍 / アルムナイ / 出戻り / 業務委託 / 未登録): derived by [`PersonStatus::derive`] from the
//! stints and the 業務委託 contracts active on the day, and stored on the person for lists and filters — in
//! the same transaction as every change of a stint or a contract, and daily by the worker. Contracts are
//! read once per batch, never once per person.

use crate::entity::{employment_stint as stint_row, engagement as contract_row, person as row};
use crate::{Db, Scope, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::{EmploymentStint, PersonId, PersonStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Of `people` (all of the company's when `None`), those with a contract active on `today`.
async fn contracted_on(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    people: Option<&[Uuid]>,
    today: NaiveDate,
) -> StoreResult<HashSet<Uuid>> {
    let mut q = contract_row::Entity::find()
        .filter(contract_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(contract_row::Column::StartDate.lte(today));
    if let Some(ids) = people {
        q = q.filter(contract_row::Column::PersonId.is_in(ids.iter().copied()));
    }
    Ok(q.all(conn)
        .await?
        .into_iter()
        .filter(|e| e.end_date.is_none_or(|d| d >= today))
        .map(|e| e.person_id)
        .collect())
}

async fn write(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
    status: PersonStatus,
) -> StoreResult<()> {
    row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value(status.code()))
        .col_expr(row::Column::UpdatedAt, Expr::value(now()))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Stores the status of one person whose `stints` the caller holds, inside the caller's transaction.
pub(crate) async fn store(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: PersonId,
    stints: &[EmploymentStint],
    today: NaiveDate,
) -> StoreResult<PersonStatus> {
    let contracted = contracted_on(conn, scope, Some(&[id.0]), today)
        .await?
        .contains(&id.0);
    let status = PersonStatus::derive(stints, contracted, today);
    write(conn, scope, id.0, status).await?;
    Ok(status)
}

/// The stints of `people` (all of the company's when `None`), by person, oldest first.
async fn stints_of(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    people: Option<&[Uuid]>,
) -> StoreResult<HashMap<Uuid, Vec<EmploymentStint>>> {
    let mut q =
        stint_row::Entity::find().filter(stint_row::Column::CompanyId.eq(scope.company_id().0));
    if let Some(ids) = people {
        q = q.filter(stint_row::Column::PersonId.is_in(ids.iter().copied()));
    }
    let mut by_person: HashMap<Uuid, Vec<EmploymentStint>> = HashMap::new();
    for s in q.all(conn).await? {
        by_person.entry(s.person_id).or_default().push(s.into());
    }
    for v in by_person.values_mut() {
        v.sort_by_key(|s| s.start_date);
    }
    Ok(by_person)
}

/// Stores the statuses of many people at once (an import's touched people), inside the caller's transaction:
/// their stints and contracts are read once, in chunks.
pub(crate) async fn store_many(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    people: &[PersonId],
    today: NaiveDate,
) -> StoreResult<()> {
    for chunk in people.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|p| p.0).collect();
        let mut stints = stints_of(conn, scope, Some(&ids)).await?;
        let contracted = contracted_on(conn, scope, Some(&ids), today).await?;
        for id in ids {
            let mine = stints.remove(&id).unwrap_or_default();
            let status = PersonStatus::derive(&mine, contracted.contains(&id), today);
            write(conn, scope, id, status).await?;
        }
    }
    Ok(())
}

/// Recomputes every person's status for `today` (planned leaving dates pass, planned starts arrive,
/// contracts begin and end). Returns how many changed.
pub async fn refresh(db: &Db, scope: &Scope, today: NaiveDate) -> StoreResult<u64> {
    // In batches of people by id, each in a transaction of its own: at 100,000 people neither all the stints
    // in memory at once nor the writer held for the whole pass.
    const BATCH: u64 = 2_000;
    let mut after: Option<Uuid> = None;
    let mut changed = 0;
    loop {
        let tx = db.write.begin().await?;
        let mut q = row::Entity::find()
            .select_only()
            .column(row::Column::Id)
            .column(row::Column::Status)
            .filter(row::Column::CompanyId.eq(scope.company_id().0))
            .order_by_asc(row::Column::Id)
            .limit(BATCH);
        if let Some(last) = after {
            q = q.filter(row::Column::Id.gt(last));
        }
        let people: Vec<(Uuid, String)> = q.into_tuple().all(&tx).await?;
        let Some(last) = people.last().map(|p| p.0) else {
            break;
        };
        after = Some(last);
        let ids: Vec<Uuid> = people.iter().map(|p| p.0).collect();
        let mut stints = stints_of(&tx, scope, Some(&ids)).await?;
        let contracted = contracted_on(&tx, scope, Some(&ids), today).await?;
        let mut moved = Vec::new();
        for (id, stored) in people {
            let mine = stints.remove(&id).unwrap_or_default();
            let derived = PersonStatus::derive(&mine, contracted.contains(&id), today);
            if derived.code() != stored {
                write(&tx, scope, id, derived).await?;
                moved.push(kaeru_domain::PersonId(id));
            }
        }
        if !moved.is_empty() {
            // The indexes patch these people (or rebuild when a batch moved very many).
            companies::bump_revision_for(&tx, scope, &moved).await?;
        }
        tx.commit().await?;
        changed += moved.len() as u64;
    }
    Ok(changed)
}
