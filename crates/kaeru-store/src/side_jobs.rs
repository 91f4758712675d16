//! 副業: side job applications of current employees, their decision, renewal, and the clients and
//! competitors they are checked against. What side jobs led to is counted when people leave.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{
    business_relation as rel_row, contribution, engagement, person as person_row, side_job as row,
    venture,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now};
use chrono::NaiveDate;
use kaeru_domain::side_job::{
    BusinessRelation, Conflict, Decision, Phase, RelationDraft, RelationKind, SideJob,
    SideJobDraft, SideJobStatus,
};
use kaeru_domain::{PersonId, PersonStatus};
use kaeru_domain::{RelationId, SideJobId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

fn to_domain(r: row::Model) -> SideJob {
    SideJob {
        id: SideJobId(r.id),
        person_id: PersonId(r.person_id),
        employer: r.employer,
        industry: r.industry,
        work: r.work,
        hours_per_week: r.hours_per_week,
        start_date: r.start_date,
        end_date: r.end_date,
        note: r.note,
        status: SideJobStatus::parse(&r.status).unwrap_or(SideJobStatus::Pending),
        applied_by: r.applied_by,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
        reason: r.reason,
        renews: r.renews_id.map(SideJobId),
    }
}

/// Why a side job write was refused.
#[derive(Debug)]
pub enum SideJobError {
    /// Only people employed now have side jobs to approve.
    NotEmployed,
    /// The application was already decided (by someone else, or twice).
    AlreadyDecided,
    Store(StoreError),
}

impl From<StoreError> for SideJobError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<sea_orm::DbErr> for SideJobError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

// ---- clients and competitors ----

pub async fn relations(db: &Db, scope: &Scope) -> StoreResult<Vec<BusinessRelation>> {
    Ok(rel_row::Entity::find()
        .filter(rel_row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_asc(rel_row::Column::Kind)
        .order_by_asc(rel_row::Column::Name)
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| BusinessRelation {
            id: RelationId(r.id),
            name: r.name,
            kind: RelationKind::parse(&r.kind).unwrap_or(RelationKind::Client),
            industry: r.industry,
        })
        .collect())
}

pub async fn add_relation(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    d: &RelationDraft,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let id = Uuid::now_v7();
    rel_row::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id().0),
        name: Set(d.name.clone()),
        kind: Set(d.kind.code().into()),
        industry: Set(d.industry.clone()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "relation.add",
            entity: "business_relation",
            entity_id: id,
            person_id: None,
            changes: serde_json::to_value(d).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_relation(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: RelationId,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let r = rel_row::Entity::find_by_id(id.0)
        .filter(rel_row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    rel_row::Entity::delete_by_id(id.0).exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "relation.remove",
            entity: "business_relation",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({"name": r.name, "kind": r.kind}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What side jobs are checked against: the clients and competitors listed in settings, and as clients
/// also the companies alumni brought business from and the ventures that buy from the company.
pub async fn check_base(db: &Db, scope: &Scope) -> StoreResult<Vec<BusinessRelation>> {
    let c = scope.company_id().0;
    let mut out = relations(db, scope).await?;
    let mut seen: HashSet<String> = out.iter().map(|r| kaeru_search::fold(&r.name)).collect();
    let deals = contribution::Entity::find()
        .filter(contribution::Column::CompanyId.eq(c))
        .all(&db.read)
        .await?
        .into_iter()
        .filter_map(|r| r.client);
    let client_ventures: HashSet<Uuid> = crate::entity::venture_deal::Entity::find()
        .filter(crate::entity::venture_deal::Column::CompanyId.eq(c))
        .filter(crate::entity::venture_deal::Column::Relation.eq("client"))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|d| d.venture_id)
        .collect();
    let ventures = venture::Entity::find()
        .filter(venture::Column::CompanyId.eq(c))
        .all(&db.read)
        .await?
        .into_iter()
        .filter(|v| client_ventures.contains(&v.id))
        .map(|v| v.name);
    for name in deals.chain(ventures) {
        if seen.insert(kaeru_search::fold(&name)) {
            out.push(BusinessRelation {
                id: RelationId(Uuid::nil()),
                name,
                kind: RelationKind::Client,
                industry: None,
            });
        }
    }
    Ok(out)
}

/// The conflicts of interest of one side job, against [`check_base`].
pub fn conflicts_of(j: &SideJob, base: &[BusinessRelation]) -> Vec<Conflict> {
    kaeru_domain::side_job::conflicts(&j.employer, j.industry.as_deref(), base, kaeru_search::fold)
}

// ---- applications ----

/// Records an application for a person employed now; `renews` names the approved side job it continues.
pub async fn apply(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    d: &SideJobDraft,
    renews: Option<SideJobId>,
) -> Result<SideJob, SideJobError> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let p = crate::people::live(&tx, scope, person).await?;
    if !matches!(
        PersonStatus::parse(&p.status),
        Some(PersonStatus::Employee | PersonStatus::Returner)
    ) {
        return Err(SideJobError::NotEmployed);
    }
    if let Some(r) = renews {
        row::Entity::find_by_id(r.0)
            .filter(row::Column::CompanyId.eq(c))
            .filter(row::Column::PersonId.eq(person.0))
            .one(&tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let id = Uuid::now_v7();
    let model = row::ActiveModel {
        id: Set(id),
        company_id: Set(c),
        person_id: Set(person.0),
        employer: Set(d.employer.clone()),
        industry: Set(d.industry.clone()),
        work: Set(d.work.clone()),
        hours_per_week: Set(d.hours_per_week),
        start_date: Set(d.start_date),
        end_date: Set(d.end_date),
        note: Set(d.note.clone()),
        status: Set(SideJobStatus::Pending.code().into()),
        applied_by: Set(actor.name.clone()),
        applied_at: Set(now()),
        decided_by: Set(None),
        decided_at: Set(None),
        reason: Set(None),
        renews_id: Set(renews.map(|r| r.0)),
    }
    .insert(&tx)
    .await?;
    let mut changes = serde_json::to_value(d).unwrap_or_default();
    if let Some(r) = renews {
        changes["renews"] = serde_json::json!(r);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: if renews.is_some() {
                "side_job.renew"
            } else {
                "side_job.apply"
            },
            entity: "side_job",
            entity_id: id,
            person_id: Some(person),
            changes,
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

pub async fn get(db: &Db, scope: &Scope, id: SideJobId) -> StoreResult<SideJob> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(to_domain)
        .ok_or(StoreError::NotFound)
}

/// Approves or rejects a pending application. Only one decision counts: a second one (another approver at
/// the same moment, a resubmitted form) is refused.
pub async fn decide(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: SideJobId,
    d: &Decision,
) -> Result<SideJob, SideJobError> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let status = if d.approve {
        SideJobStatus::Approved
    } else {
        SideJobStatus::Rejected
    };
    let done = row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value(status.code()))
        .col_expr(row::Column::DecidedBy, Expr::value(actor.name.clone()))
        .col_expr(row::Column::DecidedAt, Expr::value(now()))
        .col_expr(row::Column::Reason, Expr::value(d.reason.clone()))
        .filter(row::Column::Id.eq(id.0))
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::Status.eq(SideJobStatus::Pending.code()))
        .exec(&tx)
        .await?
        .rows_affected;
    let j = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
        .map(to_domain)
        .ok_or(StoreError::NotFound)?;
    if done == 0 {
        return Err(SideJobError::AlreadyDecided);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: if d.approve {
                "side_job.approve"
            } else {
                "side_job.reject"
            },
            entity: "side_job",
            entity_id: id.0,
            person_id: Some(j.person_id),
            changes: serde_json::json!({"employer": j.employer, "reason": d.reason}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(j)
}

pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<SideJob>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::StartDate)
        .order_by_desc(row::Column::AppliedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// Every side job of the company with the person's name, newest first.
pub async fn all(db: &Db, scope: &Scope) -> StoreResult<Vec<(SideJob, String)>> {
    let jobs: Vec<SideJob> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_desc(row::Column::AppliedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    let names = crate::people::names(
        &db.read,
        scope,
        jobs.iter().map(|j| j.person_id.0).collect(),
    )
    .await?;
    Ok(jobs
        .into_iter()
        .map(|j| {
            let n = names
                .get(&j.person_id.0)
                .map(|n| n.0.clone())
                .unwrap_or_default();
            (j, n)
        })
        .collect())
}

/// Approved side jobs whose period ends within the notice days and that nobody has applied to renew yet.
pub fn renewal_due(all: &[(SideJob, String)], today: NaiveDate) -> Vec<(SideJob, String)> {
    let renewed: HashSet<SideJobId> = all
        .iter()
        .filter(|(j, _)| j.status != SideJobStatus::Rejected)
        .filter_map(|(j, _)| j.renews)
        .collect();
    all.iter()
        .filter(|(j, _)| {
            j.status == SideJobStatus::Approved
                && j.phase(today) == Phase::RenewalDue
                && !renewed.contains(&j.id)
        })
        .cloned()
        .collect()
}

/// A former employee who had an approved side job before leaving, and what came of it.
#[derive(Clone, Debug)]
pub struct LeaverWithSideJob {
    pub person: PersonId,
    pub name: String,
    pub left_on: NaiveDate,
    pub employers: Vec<String>,
    /// Now works at (one of) the side job's employers.
    pub joined_side_employer: bool,
    pub venture: bool,
    pub engagement: bool,
}

/// People who left after an approved side job: did the side job lead to leaving (they now work there), to a
/// venture, to an engagement?
pub async fn leavers(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
) -> StoreResult<Vec<LeaverWithSideJob>> {
    let c = scope.company_id().0;
    let mut jobs: HashMap<Uuid, Vec<SideJob>> = HashMap::new();
    for j in row::Entity::find()
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::Status.eq(SideJobStatus::Approved.code()))
        .all(&db.read)
        .await?
    {
        jobs.entry(j.person_id).or_default().push(to_domain(j));
    }
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = jobs.keys().copied().collect();
    let people = person_row::Entity::find()
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::Id.is_in(ids.clone()))
        .filter(person_row::Column::ErasedAt.is_null())
        .all(&db.read)
        .await?;
    let ventures: HashSet<Uuid> = venture::Entity::find()
        .filter(venture::Column::CompanyId.eq(c))
        .filter(venture::Column::PersonId.is_in(ids.clone()))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|v| v.person_id)
        .collect();
    let engaged: HashSet<Uuid> = engagement::Entity::find()
        .filter(engagement::Column::CompanyId.eq(c))
        .filter(engagement::Column::PersonId.is_in(ids))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|e| e.person_id)
        .collect();
    let mut out = Vec::new();
    for p in people {
        if !matches!(
            PersonStatus::parse(&p.status),
            Some(PersonStatus::Alumnus | PersonStatus::Contractor)
        ) {
            continue;
        }
        let person = PersonId(p.id);
        let stints = crate::stints::for_person(db, scope, person).await?;
        let Some(left_on) = stints
            .iter()
            .filter_map(|s| s.end_date)
            .filter(|d| *d <= today)
            .max()
        else {
            continue;
        };
        let before: Vec<&SideJob> = jobs[&p.id]
            .iter()
            .filter(|j| j.start_date <= left_on)
            .collect();
        if before.is_empty() {
            continue;
        }
        let side: Vec<String> = before.iter().map(|j| j.employer.clone()).collect();
        let folded: Vec<String> = side.iter().map(|e| kaeru_search::fold(e)).collect();
        let joined = crate::careers::for_person(db, scope, person)
            .await?
            .iter()
            .filter(|c| {
                c.from_date
                    .is_none_or(|d| d >= left_on - chrono::Duration::days(31))
            })
            .any(|c| {
                let e = kaeru_search::fold(&c.employer);
                folded
                    .iter()
                    .any(|f| e.contains(f.as_str()) || f.contains(e.as_str()))
            });
        let mut employers = side;
        employers.dedup();
        out.push(LeaverWithSideJob {
            person,
            name: format!("{} {}", p.family_name, p.given_name),
            left_on,
            employers,
            joined_side_employer: joined,
            venture: ventures.contains(&p.id),
            engagement: engaged.contains(&p.id),
        });
    }
    out.sort_by_key(|l| std::cmp::Reverse(l.left_on));
    Ok(out)
}

/// How many applications wait for a decision.
pub async fn pending_count(db: &Db, scope: &Scope) -> StoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Status.eq(SideJobStatus::Pending.code()))
        .count(&db.read)
        .await?)
}

/// Records a side job that was approved in the past, for someone who may have left since (paper records
/// brought into Kaeru, the demo). The period must have ended.
pub async fn record_past(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    d: &SideJobDraft,
    approved_by: &str,
    today: NaiveDate,
) -> StoreResult<SideJob> {
    if d.end_date >= today {
        return Err(StoreError::Conflict(Clash::NotYetEnded));
    }
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let id = Uuid::now_v7();
    let model = row::ActiveModel {
        id: Set(id),
        company_id: Set(c),
        person_id: Set(person.0),
        employer: Set(d.employer.clone()),
        industry: Set(d.industry.clone()),
        work: Set(d.work.clone()),
        hours_per_week: Set(d.hours_per_week),
        start_date: Set(d.start_date),
        end_date: Set(d.end_date),
        note: Set(d.note.clone()),
        status: Set(SideJobStatus::Approved.code().into()),
        applied_by: Set(actor.name.clone()),
        applied_at: Set(now()),
        decided_by: Set(Some(approved_by.into())),
        decided_at: Set(Some(now())),
        reason: Set(None),
        renews_id: Set(None),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "side_job.record_past",
            entity: "side_job",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::to_value(d).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_domain(model))
}
