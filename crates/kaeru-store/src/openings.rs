//! Openings with the skills they ask for, the company's matching weights, and what matching reads of each
//! alumnus.

use crate::audit::{self, Change};
use crate::entity::{
    employment_stint as stint_row, learning_mission, match_setting, mission_check_in,
    opening as row, opening_skill as req_row, person as person_row, person_skill as held_row,
    return_offer,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::{
    MatchWeights, OfferStatus, Opening, OpeningAudience, OpeningDraft, OpeningId, OpeningStatus,
    PayUnit, PersonStatus, RehireEligibility, Remote, Requirement, ReturnIntent, SkillId,
    SkillOrigin, WorkStyle,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

fn to_domain(r: row::Model, reqs: Vec<req_row::Model>) -> Opening {
    let mut reqs = reqs;
    reqs.sort_by_key(|x| x.position);
    Opening {
        id: OpeningId(r.id),
        title: r.title,
        department: r.department,
        work_style: WorkStyle::parse(&r.work_style).unwrap_or(WorkStyle::FullTime),
        days_per_week: r.days_per_week,
        place: r.place,
        description: r.description,
        audience: OpeningAudience::parse(&r.audience).unwrap_or(OpeningAudience::Invited),
        remote: r.remote.as_deref().and_then(Remote::parse),
        pay_yen: r.pay_yen,
        pay_unit: r.pay_unit.as_deref().and_then(PayUnit::parse),
        closes_on: r.closes_on,
        status: OpeningStatus::parse(&r.status).unwrap_or(OpeningStatus::Open),
        requirements: reqs
            .into_iter()
            .map(|q| Requirement {
                skill_id: SkillId(q.skill_id),
                required: q.required,
                min_level: q.min_level,
            })
            .collect(),
        created_at: r.created_at,
    }
}

async fn requirements_of(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    ids: Vec<uuid::Uuid>,
) -> StoreResult<HashMap<uuid::Uuid, Vec<req_row::Model>>> {
    let mut by: HashMap<uuid::Uuid, Vec<req_row::Model>> = HashMap::new();
    for r in req_row::Entity::find()
        .filter(req_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(req_row::Column::OpeningId.is_in(ids))
        .all(conn)
        .await?
    {
        by.entry(r.opening_id).or_default().push(r);
    }
    Ok(by)
}

/// Openings, open ones first, newest first; `only` keeps the open ones for these audiences.
pub async fn list(
    db: &Db,
    scope: &Scope,
    only: Option<&[OpeningAudience]>,
) -> StoreResult<Vec<Opening>> {
    let mut q = row::Entity::find().filter(row::Column::CompanyId.eq(scope.company_id().0));
    if let Some(audiences) = only {
        q = q
            .filter(row::Column::Audience.is_in(audiences.iter().map(|a| a.code())))
            .filter(row::Column::Status.eq(OpeningStatus::Open.code()));
    }
    let rows = q
        .order_by_desc(row::Column::CreatedAt)
        .all(&db.read)
        .await?;
    let mut reqs = requirements_of(&db.read, scope, rows.iter().map(|r| r.id).collect()).await?;
    let mut v: Vec<Opening> = rows
        .into_iter()
        .map(|r| {
            let q = reqs.remove(&r.id).unwrap_or_default();
            to_domain(r, q)
        })
        .collect();
    v.sort_by_key(|o| o.status != OpeningStatus::Open);
    Ok(v)
}

pub async fn get(db: &Db, scope: &Scope, id: OpeningId) -> StoreResult<Opening> {
    let r = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut reqs = requirements_of(&db.read, scope, vec![r.id]).await?;
    let q = reqs.remove(&r.id).unwrap_or_default();
    Ok(to_domain(r, q))
}

async fn write_requirements(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    opening: OpeningId,
    reqs: &[Requirement],
) -> StoreResult<()> {
    let c = scope.company_id().0;
    req_row::Entity::delete_many()
        .filter(req_row::Column::CompanyId.eq(c))
        .filter(req_row::Column::OpeningId.eq(opening.0))
        .exec(conn)
        .await?;
    // Every skill must be the company's own (a forged id of another company's skill is refused).
    let own: HashSet<uuid::Uuid> = crate::entity::skill::Entity::find()
        .filter(crate::entity::skill::Column::CompanyId.eq(c))
        .filter(crate::entity::skill::Column::Id.is_in(reqs.iter().map(|r| r.skill_id.0)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    for (i, r) in reqs.iter().enumerate() {
        if !own.contains(&r.skill_id.0) {
            return Err(StoreError::NotFound);
        }
        req_row::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            company_id: Set(c),
            opening_id: Set(opening.0),
            skill_id: Set(r.skill_id.0),
            required: Set(r.required),
            min_level: Set(r.min_level),
            position: Set(i as i32),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn fill(am: &mut row::ActiveModel, d: &OpeningDraft) {
    am.title = Set(d.title.clone());
    am.department = Set(d.department.clone());
    am.work_style = Set(d.work_style.code().into());
    am.days_per_week = Set(d.days_per_week);
    am.place = Set(d.place.clone());
    am.description = Set(d.description.clone());
    am.audience = Set(d.audience.code().into());
    am.remote = Set(d.remote.map(|r| r.code().into()));
    am.pay_yen = Set(d.pay_yen);
    am.pay_unit = Set(d.pay_unit.map(|u| u.code().into()));
    am.closes_on = Set(d.closes_on);
    am.status = Set(d.status.code().into());
    am.updated_at = Set(now());
}

pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    draft: &OpeningDraft,
) -> StoreResult<Opening> {
    let id = OpeningId::new();
    let tx = db.write.begin().await?;
    let mut am = row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        created_at: Set(now()),
        ..Default::default()
    };
    fill(&mut am, draft);
    am.insert(&tx).await?;
    write_requirements(&tx, scope, id, &draft.requirements).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "opening.create",
            entity: "opening",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::to_value(draft).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    get(db, scope, id).await
}

pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: OpeningId,
    draft: &OpeningDraft,
) -> StoreResult<Opening> {
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: row::ActiveModel = current.into();
    fill(&mut am, draft);
    am.update(&tx).await?;
    write_requirements(&tx, scope, id, &draft.requirements).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "opening.update",
            entity: "opening",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::to_value(draft).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    get(db, scope, id).await
}

/// Closes the open openings whose closing date has passed; returns how many.
pub async fn close_passed(db: &Db, scope: &Scope, today: NaiveDate) -> StoreResult<u64> {
    let tx = db.write.begin().await?;
    let due = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Status.eq(OpeningStatus::Open.code()))
        .filter(row::Column::ClosesOn.lt(today))
        .all(&tx)
        .await?;
    let n = due.len() as u64;
    for r in due {
        let id = r.id;
        let closes_on = r.closes_on;
        let mut am: row::ActiveModel = r.into();
        am.status = Set(OpeningStatus::Closed.code().into());
        am.updated_at = Set(now());
        am.update(&tx).await?;
        audit::record(
            &tx,
            scope,
            Change {
                action: "opening.close",
                entity: "opening",
                entity_id: id,
                person_id: None,
                changes: serde_json::json!({"status": ["open", "closed"], "closes_on": closes_on}),
                actor: &Actor::system("worker"),
            },
        )
        .await?;
    }
    if n > 0 {
        companies::bump_revision_for_none(&tx, scope).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// The company's matching weights (the defaults until it sets its own).
pub async fn weights(db: &Db, scope: &Scope) -> StoreResult<MatchWeights> {
    Ok(match_setting::Entity::find_by_id(scope.company_id().0)
        .one(&db.read)
        .await?
        .and_then(|r| serde_json::from_str(&r.weights).ok())
        .unwrap_or_default())
}

pub async fn set_weights(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    w: &MatchWeights,
) -> StoreResult<()> {
    let before = weights(db, scope).await?;
    let tx = db.write.begin().await?;
    let json = serde_json::to_string(w).map_err(|e| StoreError::Other(e.into()))?;
    let existing = match_setting::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?;
    match existing {
        Some(r) => {
            let mut am: match_setting::ActiveModel = r.into();
            am.weights = Set(json);
            am.updated_at = Set(now());
            am.update(&tx).await?;
        }
        None => {
            match_setting::ActiveModel {
                company_id: Set(scope.company_id().0),
                weights: Set(json),
                updated_at: Set(now()),
            }
            .insert(&tx)
            .await?;
        }
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "match_weights.update",
            entity: "company",
            entity_id: scope.company_id().0,
            person_id: None,
            changes: audit::diff(
                &serde_json::to_value(before).unwrap_or_default(),
                &serde_json::to_value(w).unwrap_or_default(),
            ),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What matching reads of every alumnus and contractor of the company, at one revision (one read transaction).
pub async fn match_docs(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
) -> StoreResult<(i64, Vec<kaeru_search::MatchDoc>)> {
    read_match_docs(db, scope, today, None).await
}

/// The matching documents of these people only (an index patched after a write); someone who is not a
/// former employee (any more), or erased, has none.
pub async fn match_docs_of(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    people: &[kaeru_domain::PersonId],
) -> StoreResult<Vec<kaeru_search::MatchDoc>> {
    let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
    Ok(read_match_docs(db, scope, today, Some(&ids)).await?.1)
}

async fn read_match_docs(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    only: Option<&[uuid::Uuid]>,
) -> StoreResult<(i64, Vec<kaeru_search::MatchDoc>)> {
    use sea_orm::QueryTrait;
    let c = scope.company_id().0;
    let tx = db.read.begin().await?;
    let revision = crate::entity::company::Entity::find_by_id(c)
        .one(&tx)
        .await?
        .map(|x| x.revision)
        .ok_or(StoreError::NotFound)?;
    // Only the columns matching reads: decoding whole rows dominates the load for a large company.
    type PersonCols = (
        uuid::Uuid,
        String,
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<NaiveDate>,
    );
    let people: Vec<PersonCols> = person_row::Entity::find()
        .select_only()
        .columns([
            person_row::Column::Id,
            person_row::Column::SortKey,
            person_row::Column::ReturnIntent,
            person_row::Column::WorkStyle,
            person_row::Column::DaysPerWeek,
            person_row::Column::LastContactOn,
        ])
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::ErasedAt.is_null())
        .filter(person_row::Column::Status.is_in([
            PersonStatus::Alumnus.code(),
            PersonStatus::Contractor.code(),
            PersonStatus::Unregistered.code(),
        ]))
        .apply_if(only, |q, ids| {
            q.filter(person_row::Column::Id.is_in(ids.iter().copied()))
        })
        .into_tuple()
        .all(&tx)
        .await?;
    let mut skills: HashMap<uuid::Uuid, Vec<kaeru_search::Holding>> = HashMap::new();
    let held: Vec<(uuid::Uuid, uuid::Uuid, i32, NaiveDate, String)> = held_row::Entity::find()
        .select_only()
        .columns([
            held_row::Column::PersonId,
            held_row::Column::SkillId,
            held_row::Column::Level,
            held_row::Column::AssessedOn,
            held_row::Column::Origin,
        ])
        .filter(held_row::Column::CompanyId.eq(c))
        .apply_if(only, |q, ids| {
            q.filter(held_row::Column::PersonId.is_in(ids.iter().copied()))
        })
        .into_tuple()
        .all(&tx)
        .await?;
    for (person, skill, level, assessed_on, origin) in held {
        skills
            .entry(person)
            .or_default()
            .push(kaeru_search::Holding {
                skill: SkillId(skill),
                level: u8::try_from(level).unwrap_or(1),
                assessed_on,
                after_leaving: origin == SkillOrigin::AfterLeaving.code(),
            });
    }
    // The rehire eligibility of each person's most recently ended stint.
    let mut rehire: HashMap<uuid::Uuid, (NaiveDate, Option<String>)> = HashMap::new();
    let ended: Vec<(uuid::Uuid, Option<NaiveDate>, Option<String>)> = stint_row::Entity::find()
        .select_only()
        .columns([
            stint_row::Column::PersonId,
            stint_row::Column::EndDate,
            stint_row::Column::RehireEligibility,
        ])
        .filter(stint_row::Column::CompanyId.eq(c))
        .filter(stint_row::Column::EndDate.is_not_null())
        .apply_if(only, |q, ids| {
            q.filter(stint_row::Column::PersonId.is_in(ids.iter().copied()))
        })
        .into_tuple()
        .all(&tx)
        .await?;
    for (person, end, eligibility) in ended {
        let end = end.unwrap_or(today);
        let e = rehire.entry(person).or_insert((end, None));
        if end >= e.0 {
            *e = (end, eligibility);
        }
    }
    let standing = [OfferStatus::Issued.code(), OfferStatus::Acknowledged.code()];
    let offers = return_offer::Entity::find()
        .filter(return_offer::Column::CompanyId.eq(c))
        .filter(return_offer::Column::Status.is_in(standing))
        .apply_if(only, |q, ids| {
            q.filter(return_offer::Column::PersonId.is_in(ids.iter().copied()))
        })
        .all(&tx)
        .await?;
    let mut active: HashSet<uuid::Uuid> = HashSet::new();
    let mut exception: HashSet<uuid::Uuid> = HashSet::new();
    let mut offer_person: HashMap<uuid::Uuid, uuid::Uuid> = HashMap::new();
    for o in &offers {
        offer_person.insert(o.id, o.person_id);
        if o.valid_from <= today && today <= o.valid_until {
            active.insert(o.person_id);
        }
        if o.override_reason.is_some() {
            exception.insert(o.person_id);
        }
    }
    // Missions whose target level was reached at some check-in, of any offer of the person.
    let all_offers: HashMap<uuid::Uuid, uuid::Uuid> = return_offer::Entity::find()
        .filter(return_offer::Column::CompanyId.eq(c))
        .apply_if(only, |q, ids| {
            q.filter(return_offer::Column::PersonId.is_in(ids.iter().copied()))
        })
        .all(&tx)
        .await?
        .into_iter()
        .map(|o| (o.id, o.person_id))
        .collect();
    let missions: HashMap<uuid::Uuid, (uuid::Uuid, i32)> = learning_mission::Entity::find()
        .filter(learning_mission::Column::CompanyId.eq(c))
        .apply_if(
            only.map(|_| all_offers.keys().copied().collect::<Vec<_>>()),
            |q, offers| q.filter(learning_mission::Column::OfferId.is_in(offers)),
        )
        .all(&tx)
        .await?
        .into_iter()
        .map(|m| (m.id, (m.offer_id, m.target_level)))
        .collect();
    let mut mission_done: HashSet<uuid::Uuid> = HashSet::new();
    for ci in mission_check_in::Entity::find()
        .filter(mission_check_in::Column::CompanyId.eq(c))
        .filter(mission_check_in::Column::AssessedLevel.is_not_null())
        .apply_if(
            only.map(|_| missions.keys().copied().collect::<Vec<_>>()),
            |q, ms| q.filter(mission_check_in::Column::MissionId.is_in(ms)),
        )
        .all(&tx)
        .await?
    {
        if let Some((offer, target)) = missions.get(&ci.mission_id)
            && ci.assessed_level.is_some_and(|l| l >= *target)
            && let Some(p) = all_offers.get(offer)
        {
            mission_done.insert(*p);
        }
    }
    let refusing = crate::consent::refusing_people_of(&tx, scope, "rehire", only).await?;
    tx.commit().await?;
    let docs = people
        .into_iter()
        .map(
            |(id, sort_key, intent, work_style, days_per_week, last_contact_on)| {
                kaeru_search::MatchDoc {
                    id,
                    sort_key,
                    skills: skills.remove(&id).unwrap_or_default(),
                    intent: intent.as_deref().and_then(ReturnIntent::parse),
                    work_style: work_style.as_deref().and_then(WorkStyle::parse),
                    days_per_week,
                    last_contact_on,
                    offer_active: active.contains(&id),
                    mission_done: mission_done.contains(&id),
                    rehire: rehire
                        .get(&id)
                        .and_then(|(_, r)| r.as_deref())
                        .and_then(RehireEligibility::parse),
                    rehire_exception: exception.contains(&id),
                    no_rehire_consent: refusing.contains(&kaeru_domain::PersonId(id)),
                }
            },
        )
        .collect();
    Ok((revision, docs))
}
