//! 起業支援: ventures of leavers, the support the company gives them and the deals that come back.
//! Every write is one transaction with its audit entry.

use crate::audit::{self, Change};
use crate::entity::{venture as row, venture_deal as deal_row, venture_support as support_row};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::PersonId;
use kaeru_domain::venture::{
    Deal, DealDraft, Support, SupportDraft, SupportKind, Venture, VentureDraft, VentureRelation,
    VentureStage, VentureTotals,
};
use kaeru_domain::{DealId, SupportId, VentureId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

fn to_domain(r: row::Model) -> Venture {
    Venture {
        id: VentureId(r.id),
        person_id: PersonId(r.person_id),
        name: r.name,
        field: r.field,
        founded_on: r.founded_on,
        stage: VentureStage::parse(&r.stage).unwrap_or(VentureStage::Preparing),
        website: r.website,
        note: r.note,
        closed_on: r.closed_on,
    }
}

fn support_to_domain(r: support_row::Model) -> Support {
    Support {
        id: SupportId(r.id),
        venture_id: VentureId(r.venture_id),
        kind: SupportKind::parse(&r.kind).unwrap_or(SupportKind::Funding),
        on: r.on_date,
        amount_yen: r.amount_yen,
        hours: r.hours,
        client: r.client,
        outcome: r.outcome,
        by: r.by_name,
        description: r.description,
    }
}

fn deal_to_domain(r: deal_row::Model) -> Deal {
    Deal {
        id: DealId(r.id),
        venture_id: VentureId(r.venture_id),
        relation: VentureRelation::parse(&r.relation).unwrap_or(VentureRelation::Client),
        on: r.on_date,
        amount_yen: r.amount_yen,
        description: r.description,
    }
}

/// A venture with everything about it.
#[derive(Clone, Debug)]
pub struct VentureDetail {
    pub venture: Venture,
    pub person_name: String,
    pub support: Vec<Support>,
    pub deals: Vec<Deal>,
    pub totals: VentureTotals,
}

/// A line of the list of ventures.
#[derive(Clone, Debug)]
pub struct VentureSummary {
    pub venture: Venture,
    pub person_name: String,
    pub totals: VentureTotals,
    /// What the venture has become to the company, from its deals.
    pub relations: Vec<VentureRelation>,
}

async fn find(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: VentureId,
) -> StoreResult<row::Model> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The day a venture closed: kept when it was already closed, today when it closes now, none otherwise.
fn closed_on(
    stage: VentureStage,
    before: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    (stage == VentureStage::Withdrawn).then(|| before.unwrap_or(today))
}

pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    d: &VentureDraft,
    today: NaiveDate,
) -> StoreResult<Venture> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let id = Uuid::now_v7();
    let model = row::ActiveModel {
        id: Set(id),
        company_id: Set(c),
        person_id: Set(person.0),
        name: Set(d.name.clone()),
        field: Set(d.field.clone()),
        founded_on: Set(d.founded_on),
        stage: Set(d.stage.code().into()),
        website: Set(d.website.clone()),
        note: Set(d.note.clone()),
        closed_on: Set(closed_on(d.stage, None, today)),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "venture.create",
            entity: "venture",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::to_value(d).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

/// Changes a venture; moving it to 撤退 records the day it closed.
pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: VentureId,
    d: &VentureDraft,
    today: NaiveDate,
) -> StoreResult<Venture> {
    let tx = db.write.begin().await?;
    let current = find(&tx, scope, id).await?;
    crate::people::live(&tx, scope, PersonId(current.person_id)).await?;
    let before = to_domain(current.clone());
    let mut am: row::ActiveModel = current.into();
    am.name = Set(d.name.clone());
    am.field = Set(d.field.clone());
    am.founded_on = Set(d.founded_on);
    am.stage = Set(d.stage.code().into());
    am.website = Set(d.website.clone());
    am.note = Set(d.note.clone());
    am.closed_on = Set(closed_on(d.stage, before.closed_on, today));
    am.updated_at = Set(now());
    let after = to_domain(am.update(&tx).await?);
    let changes = audit::diff(
        &serde_json::to_value(&before).unwrap_or_default(),
        &serde_json::to_value(&after).unwrap_or_default(),
    );
    audit::record(
        &tx,
        scope,
        Change {
            action: if after.stage == VentureStage::Withdrawn && before.closed_on.is_none() {
                "venture.close"
            } else {
                "venture.update"
            },
            entity: "venture",
            entity_id: id.0,
            person_id: Some(after.person_id),
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn get(db: &Db, scope: &Scope, id: VentureId) -> StoreResult<VentureDetail> {
    let c = scope.company_id().0;
    let venture = to_domain(find(&db.read, scope, id).await?);
    let support: Vec<Support> = support_row::Entity::find()
        .filter(support_row::Column::CompanyId.eq(c))
        .filter(support_row::Column::VentureId.eq(id.0))
        .order_by_desc(support_row::Column::OnDate)
        .order_by_desc(support_row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(support_to_domain)
        .collect();
    let deals: Vec<Deal> = deal_row::Entity::find()
        .filter(deal_row::Column::CompanyId.eq(c))
        .filter(deal_row::Column::VentureId.eq(id.0))
        .order_by_desc(deal_row::Column::OnDate)
        .order_by_desc(deal_row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(deal_to_domain)
        .collect();
    let person_name = crate::people::names(&db.read, scope, vec![venture.person_id.0])
        .await?
        .remove(&venture.person_id.0)
        .map(|n| n.0)
        .unwrap_or_default();
    Ok(VentureDetail {
        totals: VentureTotals::of(&support, &deals),
        venture,
        person_name,
        support,
        deals,
    })
}

/// Every venture (of one person when `person` is given) with its totals, the active ones first.
pub async fn summaries(
    db: &Db,
    scope: &Scope,
    person: Option<PersonId>,
) -> StoreResult<Vec<VentureSummary>> {
    let c = scope.company_id().0;
    let mut q = row::Entity::find().filter(row::Column::CompanyId.eq(c));
    if let Some(p) = person {
        q = q.filter(row::Column::PersonId.eq(p.0));
    }
    let ventures: Vec<Venture> = q
        .order_by_asc(row::Column::Name)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    if ventures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = ventures.iter().map(|v| v.id.0).collect();
    let mut support: HashMap<VentureId, Vec<Support>> = HashMap::new();
    for s in support_row::Entity::find()
        .filter(support_row::Column::CompanyId.eq(c))
        .filter(support_row::Column::VentureId.is_in(ids.clone()))
        .all(&db.read)
        .await?
    {
        support
            .entry(VentureId(s.venture_id))
            .or_default()
            .push(support_to_domain(s));
    }
    let mut deals: HashMap<VentureId, Vec<Deal>> = HashMap::new();
    for d in deal_row::Entity::find()
        .filter(deal_row::Column::CompanyId.eq(c))
        .filter(deal_row::Column::VentureId.is_in(ids))
        .all(&db.read)
        .await?
    {
        deals
            .entry(VentureId(d.venture_id))
            .or_default()
            .push(deal_to_domain(d));
    }
    let names = crate::people::names(
        &db.read,
        scope,
        ventures.iter().map(|v| v.person_id.0).collect(),
    )
    .await?;
    let mut out: Vec<VentureSummary> = ventures
        .into_iter()
        .map(|v| {
            let s = support.remove(&v.id).unwrap_or_default();
            let d = deals.remove(&v.id).unwrap_or_default();
            let mut relations: Vec<VentureRelation> = Vec::new();
            for x in VentureRelation::ALL {
                if d.iter().any(|deal| deal.relation == *x) {
                    relations.push(*x);
                }
            }
            VentureSummary {
                person_name: names
                    .get(&v.person_id.0)
                    .map(|n| n.0.clone())
                    .unwrap_or_default(),
                totals: VentureTotals::of(&s, &d),
                relations,
                venture: v,
            }
        })
        .collect();
    out.sort_by_key(|s| s.venture.stage == VentureStage::Withdrawn);
    Ok(out)
}

pub async fn add_support(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    venture: VentureId,
    d: &SupportDraft,
) -> StoreResult<Support> {
    let tx = db.write.begin().await?;
    let v = find(&tx, scope, venture).await?;
    crate::people::live(&tx, scope, PersonId(v.person_id)).await?;
    let id = Uuid::now_v7();
    let model = support_row::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id().0),
        venture_id: Set(venture.0),
        kind: Set(d.kind.code().into()),
        on_date: Set(d.on),
        amount_yen: Set(d.amount_yen),
        hours: Set(d.hours),
        client: Set(d.client.clone()),
        outcome: Set(d.outcome.clone()),
        by_name: Set(d.by.clone()),
        description: Set(d.description.clone()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    let mut changes = serde_json::to_value(d).unwrap_or_default();
    changes["venture"] = serde_json::json!(v.name);
    audit::record(
        &tx,
        scope,
        Change {
            action: "venture.support",
            entity: "venture",
            entity_id: venture.0,
            person_id: Some(PersonId(v.person_id)),
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(support_to_domain(model))
}

pub async fn add_deal(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    venture: VentureId,
    d: &DealDraft,
) -> StoreResult<Deal> {
    let tx = db.write.begin().await?;
    let v = find(&tx, scope, venture).await?;
    crate::people::live(&tx, scope, PersonId(v.person_id)).await?;
    let id = Uuid::now_v7();
    let model = deal_row::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id().0),
        venture_id: Set(venture.0),
        relation: Set(d.relation.code().into()),
        on_date: Set(d.on),
        amount_yen: Set(d.amount_yen),
        description: Set(d.description.clone()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    let mut changes = serde_json::to_value(d).unwrap_or_default();
    changes["venture"] = serde_json::json!(v.name);
    audit::record(
        &tx,
        scope,
        Change {
            action: "venture.deal",
            entity: "venture",
            entity_id: venture.0,
            person_id: Some(PersonId(v.person_id)),
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(deal_to_domain(model))
}

/// Removes a support entry or a deal recorded by mistake; returns the venture it belonged to.
pub async fn remove_entry(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    venture: VentureId,
    entry: Uuid,
) -> StoreResult<()> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let v = find(&tx, scope, venture).await?;
    crate::people::live(&tx, scope, PersonId(v.person_id)).await?;
    let s = support_row::Entity::delete_many()
        .filter(support_row::Column::CompanyId.eq(c))
        .filter(support_row::Column::VentureId.eq(venture.0))
        .filter(support_row::Column::Id.eq(entry))
        .exec(&tx)
        .await?
        .rows_affected;
    let d = deal_row::Entity::delete_many()
        .filter(deal_row::Column::CompanyId.eq(c))
        .filter(deal_row::Column::VentureId.eq(venture.0))
        .filter(deal_row::Column::Id.eq(entry))
        .exec(&tx)
        .await?
        .rows_affected;
    if s + d == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "venture.remove_entry",
            entity: "venture",
            entity_id: venture.0,
            person_id: Some(PersonId(v.person_id)),
            changes: serde_json::json!({"venture": v.name, "entry": entry}),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(())
}

/// For the privacy export: a person's ventures with what was recorded about them.
pub async fn export_of_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<serde_json::Value> {
    let mut out = Vec::new();
    for s in summaries(db, scope, Some(person)).await? {
        let d = get(db, scope, s.venture.id).await?;
        out.push(serde_json::json!({
            "venture": d.venture,
            "support": d.support,
            "deals": d.deals,
        }));
    }
    Ok(serde_json::Value::Array(out))
}
