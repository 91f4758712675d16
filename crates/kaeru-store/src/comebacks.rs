//! The comeback pipeline. Reaching 復職 adds the new employment stint, makes the person a returner and marks
//! the offer exercised, all in one transaction.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{comeback as row, return_offer};
use crate::offers::{self, TransitionError};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now, stints};
use chrono::NaiveDate;
use kaeru_domain::{
    Comeback, ComebackId, ComebackMove, ComebackStage, OfferAction, OfferId, OfferStatus, PersonId,
    StintDraft,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::HashMap;

pub(crate) fn to_domain(r: row::Model) -> Comeback {
    Comeback {
        id: ComebackId(r.id),
        person_id: PersonId(r.person_id),
        offer_id: r.offer_id.map(OfferId),
        stage: ComebackStage::parse(&r.stage).unwrap_or(ComebackStage::Interested),
        opened_on: r.opened_on,
        note: r.note,
        start_date: r.start_date,
        skills_gained: r.skills_gained,
        days_away: r.days_away,
        dropped_reason: r.dropped_reason,
        stage_changed_at: r.stage_changed_at,
        opening_id: r.opening_id.map(kaeru_domain::OpeningId),
        response_id: r.response_id.map(kaeru_domain::ResponseId),
    }
}

fn open_codes() -> Vec<&'static str> {
    ComebackStage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code())
        .collect()
}

async fn find_in(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: ComebackId,
) -> StoreResult<row::Model> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn get(db: &Db, scope: &Scope, id: ComebackId) -> StoreResult<Comeback> {
    Ok(to_domain(find_in(&db.read, scope, id).await?))
}

pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<Comeback>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// Where a comeback came from, when it came from the job board.
#[derive(Clone, Copy, Debug, Default)]
pub struct Origin {
    pub opening: Option<kaeru_domain::OpeningId>,
    pub response: Option<kaeru_domain::ResponseId>,
}

/// Opens a comeback for a person, linked to their issued or acknowledged offer if they have one.
/// A person has at most one open comeback.
pub async fn open(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person_id: PersonId,
    note: Option<String>,
    today: NaiveDate,
) -> StoreResult<Comeback> {
    let tx = db.write.begin().await?;
    let c = open_in(&tx, scope, actor, person_id, note, today, Origin::default()).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`open`] inside the caller's transaction, with where it came from.
pub async fn open_in(
    tx: &impl ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    person_id: PersonId,
    note: Option<String>,
    today: NaiveDate,
    origin: Origin,
) -> StoreResult<Comeback> {
    crate::people::live(tx, scope, person_id).await?;
    let already = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person_id.0))
        .filter(row::Column::Stage.is_in(open_codes()))
        .one(tx)
        .await?;
    if already.is_some() {
        return Err(StoreError::Conflict(Clash::OpenComeback));
    }
    let offer = return_offer::Entity::find()
        .filter(return_offer::Column::CompanyId.eq(scope.company_id().0))
        .filter(return_offer::Column::PersonId.eq(person_id.0))
        .filter(
            return_offer::Column::Status
                .is_in([OfferStatus::Issued.code(), OfferStatus::Acknowledged.code()]),
        )
        .one(tx)
        .await?;
    let id = ComebackId::new();
    let model = row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        person_id: Set(person_id.0),
        offer_id: Set(offer.map(|o| o.id)),
        stage: Set(ComebackStage::Interested.code().into()),
        opened_on: Set(today),
        note: Set(note.clone()),
        start_date: Set(None),
        skills_gained: Set(None),
        days_away: Set(None),
        dropped_reason: Set(None),
        new_stint_id: Set(None),
        stage_changed_at: Set(now()),
        created_at: Set(now()),
        opening_id: Set(origin.opening.map(|o| o.0)),
        response_id: Set(origin.response.map(|r| r.0)),
    }
    .insert(tx)
    .await?;
    let changes = serde_json::json!({
        "stage": "interested",
        "note": note,
        "opening_id": origin.opening,
    });
    audit::record(
        tx,
        scope,
        Change {
            action: "comeback.open",
            entity: "comeback",
            entity_id: id.0,
            person_id: Some(person_id),
            changes,
            actor,
        },
    )
    .await?;
    Ok(to_domain(model))
}

/// Moves a comeback to another stage. 復職 adds the stint (the person becomes 出戻り), records the time away and
/// the skills gained, and marks the linked offer exercised; nothing is written if any part fails.
pub async fn move_to(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: ComebackId,
    mv: &ComebackMove,
    today: NaiveDate,
) -> Result<Comeback, TransitionError> {
    let tx = db.write.begin().await?;
    let current = find_in(&tx, scope, id).await?;
    let from = ComebackStage::parse(&current.stage).unwrap_or(ComebackStage::Interested);
    if !from.is_open() {
        return Err(TransitionError::Refused(kaeru_domain::Invalid::new(
            "error.comeback_closed",
        )));
    }
    let person_id = PersonId(current.person_id);
    crate::people::live(&tx, scope, person_id).await?;
    let offer_id = current.offer_id.map(OfferId);
    let mut am: row::ActiveModel = current.into();
    am.stage = Set(mv.stage().code().into());
    am.stage_changed_at = Set(now());
    let mut changes = serde_json::json!({"stage": [from.code(), mv.stage().code()]});
    match mv {
        ComebackMove::To(_) => {}
        ComebackMove::Dropped { reason } => {
            am.dropped_reason = Set(Some(reason.clone()));
            changes["reason"] = serde_json::Value::String(reason.clone());
        }
        ComebackMove::Returned {
            start_date,
            department,
            job_title,
            employment_type,
            skills_gained,
        } => {
            let before = stints::for_person_in(&tx, scope, person_id).await?;
            let last_end = before.iter().filter_map(|s| s.end_date).max();
            let draft = StintDraft {
                start_date: *start_date,
                end_date: None,
                department: department.clone(),
                job_title: job_title.clone(),
                employment_type: *employment_type,
                leave_reason: None,
                leave_reason_detail: None,
                exit_interview_notes: None,
                rehire_eligibility: None,
                rehire_reason: None,
            };
            let stint = stints::create_in(&tx, scope, actor, person_id, &draft, today).await?;
            let days_away = last_end.map(|end| (*start_date - end).num_days());
            am.start_date = Set(Some(*start_date));
            am.skills_gained = Set(skills_gained.clone());
            am.days_away = Set(days_away);
            am.new_stint_id = Set(Some(stint.id.0));
            changes["start_date"] = serde_json::json!(start_date);
            changes["days_away"] = serde_json::json!(days_away);
            changes["skills_gained"] = serde_json::json!(skills_gained);
            if let Some(offer) = offer_id {
                let o = return_offer::Entity::find_by_id(offer.0)
                    .filter(return_offer::Column::CompanyId.eq(scope.company_id().0))
                    .one(&tx)
                    .await?;
                if o.is_some_and(|o| {
                    o.status == OfferStatus::Issued.code()
                        || o.status == OfferStatus::Acknowledged.code()
                }) {
                    offers::transition_in(
                        &tx,
                        scope,
                        actor,
                        offer,
                        OfferAction::Exercise,
                        None,
                        today,
                    )
                    .await?;
                }
            }
        }
    }
    let model = am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "comeback.move",
            entity: "comeback",
            entity_id: id.0,
            person_id: Some(person_id),
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person_id]).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

/// A comeback on the board, with its person.
#[derive(Clone, Debug)]
pub struct ComebackListItem {
    pub comeback: Comeback,
    pub person_name: String,
    pub person_kana: String,
    pub offer_number: Option<String>,
}

/// Every comeback of the company, the most recently moved first.
pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<ComebackListItem>> {
    let rows = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_desc(row::Column::StageChangedAt)
        .all(&db.read)
        .await?;
    let people =
        crate::people::names(&db.read, scope, rows.iter().map(|r| r.person_id).collect()).await?;
    let numbers: HashMap<uuid::Uuid, String> = return_offer::Entity::find()
        .filter(return_offer::Column::CompanyId.eq(scope.company_id().0))
        .filter(
            return_offer::Column::Id
                .is_in(rows.iter().filter_map(|r| r.offer_id).collect::<Vec<_>>()),
        )
        .all(&db.read)
        .await?
        .into_iter()
        .map(|o| (o.id, o.number))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (person_name, person_kana) = people.get(&r.person_id).cloned().unwrap_or_default();
            let offer_number = r.offer_id.and_then(|o| numbers.get(&o).cloned());
            ComebackListItem {
                comeback: to_domain(r),
                person_name,
                person_kana,
                offer_number,
            }
        })
        .collect())
}
