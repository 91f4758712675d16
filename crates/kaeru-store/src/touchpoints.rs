//! Touchpoints: any contact with a person, logged in a few seconds. Each one moves the person's last contact
//! forward (which matching reads) and warms the relationship; the reconnect list names valued alumni gone cold.

use crate::audit::{self, Change};
use crate::entity::{
    company, employment_stint as stint_row, person as person_row, person_skill, return_offer,
    skill_need, touchpoint as row,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::TouchpointId;
use kaeru_domain::touchpoint::{Channel, Touchpoint, TouchpointDraft, Warmth, warmth};
use kaeru_domain::{OfferStatus, PersonId, PersonStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The reconnect interval when the company has not set one.
pub const DEFAULT_RECONNECT_DAYS: i32 = 180;

fn to_domain(r: row::Model) -> Touchpoint {
    Touchpoint {
        id: TouchpointId(r.id),
        person_id: PersonId(r.person_id),
        on: r.on_date,
        channel: Channel::parse(&r.channel).unwrap_or(Channel::Chance),
        by: r.by_name,
        note: r.note,
    }
}

/// Logs a contact; the person's last contact moves to its date if that is later. One transaction.
pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    d: &TouchpointDraft,
) -> StoreResult<Touchpoint> {
    let tx = db.write.begin().await?;
    let t = add_in(&tx, scope, actor, person, d).await?;
    tx.commit().await?;
    Ok(t)
}

/// Logs a contact inside the caller's transaction (attendance at an event is logged with its check-in).
pub(crate) async fn add_in(
    tx: &impl sea_orm::ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    d: &TouchpointDraft,
) -> StoreResult<Touchpoint> {
    let c = scope.company_id().0;
    let p = crate::people::live(tx, scope, person).await?;
    let id = Uuid::now_v7();
    let model = row::ActiveModel {
        id: Set(id),
        company_id: Set(c),
        person_id: Set(person.0),
        on_date: Set(d.on),
        channel: Set(d.channel.code().into()),
        by_name: Set(d.by.clone()),
        staff_user_id: Set(actor.id.map(|i| i.0)),
        note: Set(d.note.clone()),
        created_at: Set(now()),
    }
    .insert(tx)
    .await?;
    if p.last_contact_on.is_none_or(|l| l < d.on) {
        let mut am: person_row::ActiveModel = p.into();
        am.last_contact_on = Set(Some(d.on));
        am.update(tx).await?;
    }
    audit::record(
        tx,
        scope,
        Change {
            action: "touchpoint.add",
            entity: "touchpoint",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::to_value(d).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(tx, scope, &[person]).await?;
    Ok(to_domain(model))
}

/// The person's touchpoints, newest first.
pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<Touchpoint>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::OnDate)
        .order_by_desc(row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

pub async fn remove(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: TouchpointId,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let gone = row::Entity::delete_many()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .filter(row::Column::Id.eq(id.0))
        .exec(&tx)
        .await?;
    if gone.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "touchpoint.remove",
            entity: "touchpoint",
            entity_id: id.0,
            person_id: Some(person),
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(())
}

/// The contacts (date and channel) of some of the company's people, for their warmth on any day.
pub async fn contacts_of(
    db: &Db,
    scope: &Scope,
    people: &[PersonId],
) -> StoreResult<HashMap<PersonId, Vec<(NaiveDate, Channel)>>> {
    let mut out: HashMap<PersonId, Vec<(NaiveDate, Channel)>> = HashMap::new();
    for chunk in people.chunks(500) {
        for t in row::Entity::find()
            .filter(row::Column::CompanyId.eq(scope.company_id().0))
            .filter(row::Column::PersonId.is_in(chunk.iter().map(|p| p.0)))
            .all(&db.read)
            .await?
        {
            out.entry(PersonId(t.person_id)).or_default().push((
                t.on_date,
                Channel::parse(&t.channel).unwrap_or(Channel::Chance),
            ));
        }
    }
    Ok(out)
}

/// The person's warmth on `today`.
pub async fn warmth_of(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    today: NaiveDate,
) -> StoreResult<Warmth> {
    let last = crate::people::outlook(db, scope, person)
        .await?
        .last_contact_on;
    let contacts: Vec<(NaiveDate, Channel)> = for_person(db, scope, person)
        .await?
        .into_iter()
        .map(|t| (t.on, t.channel))
        .collect();
    Ok(warmth(&contacts, last, today))
}

pub async fn reconnect_days(db: &Db, scope: &Scope) -> StoreResult<i32> {
    Ok(company::Entity::find_by_id(scope.company_id().0)
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?
        .reconnect_days
        .unwrap_or(DEFAULT_RECONNECT_DAYS))
}

pub async fn set_reconnect_days(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    days: i32,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let c = company::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = c.reconnect_days;
    let mut am: company::ActiveModel = c.into();
    am.reconnect_days = Set(Some(days));
    am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "company.reconnect",
            entity: "company",
            entity_id: scope.company_id().0,
            person_id: None,
            changes: serde_json::json!({"reconnect_days": [before, days]}),
            actor,
        },
    )
    .await?;
    // The reconnect list is cached per revision.
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(())
}

/// Why the company wants to keep someone close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Valued {
    /// 再雇用: 歓迎
    Welcome,
    /// Holds a skill the company needs.
    NeededSkill,
    /// Has an active return offer.
    ActiveOffer,
}

/// A valued former employee the company has not been in touch with for too long.
#[derive(Clone, Debug, PartialEq)]
pub struct Reconnect {
    pub person: PersonId,
    pub name: String,
    pub kana: String,
    pub warmth: Warmth,
    pub why: Vec<Valued>,
}

/// Valued alumni (歓迎 for rehire, a needed skill, or an active offer) whose relationship is 疎遠 or whose last
/// contact is older than the company's interval, coldest first. People who stopped contact are left out.
pub async fn reconnect_list(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
) -> StoreResult<Vec<Reconnect>> {
    let c = scope.company_id().0;
    let interval = reconnect_days(db, scope).await?;
    // Only the columns the list reads: decoding whole rows dominated at 100,000 people.
    type PersonCols = (Uuid, String, String, String, String, Option<NaiveDate>);
    let people: Vec<PersonCols> = person_row::Entity::find()
        .select_only()
        .columns([
            person_row::Column::Id,
            person_row::Column::FamilyName,
            person_row::Column::GivenName,
            person_row::Column::FamilyKana,
            person_row::Column::GivenKana,
            person_row::Column::LastContactOn,
        ])
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::Status.is_in([
            PersonStatus::Alumnus.code(),
            PersonStatus::Unregistered.code(),
        ]))
        .filter(person_row::Column::ErasedAt.is_null())
        .filter(person_row::Column::ContactStoppedAt.is_null())
        .into_tuple()
        .all(&db.read)
        .await?;
    let mut why: HashMap<Uuid, Vec<Valued>> = HashMap::new();
    let mut latest: HashMap<Uuid, (NaiveDate, Option<String>)> = HashMap::new();
    let ended: Vec<(Uuid, Option<NaiveDate>, Option<String>)> = stint_row::Entity::find()
        .select_only()
        .columns([
            stint_row::Column::PersonId,
            stint_row::Column::EndDate,
            stint_row::Column::RehireEligibility,
        ])
        .filter(stint_row::Column::CompanyId.eq(c))
        .filter(stint_row::Column::EndDate.is_not_null())
        .into_tuple()
        .all(&db.read)
        .await?;
    for (person, end, eligibility) in ended {
        let end = end.unwrap_or(today);
        let e = latest.entry(person).or_insert((end, None));
        if end >= e.0 {
            *e = (end, eligibility);
        }
    }
    for (p, (_, r)) in latest {
        if r.as_deref() == Some("welcome") {
            why.entry(p).or_default().push(Valued::Welcome);
        }
    }
    let needed: Vec<Uuid> = skill_need::Entity::find()
        .filter(skill_need::Column::CompanyId.eq(c))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|n| n.skill_id)
        .collect();
    let holders: HashSet<Uuid> = if needed.is_empty() {
        HashSet::new()
    } else {
        person_skill::Entity::find()
            .select_only()
            .column(person_skill::Column::PersonId)
            .filter(person_skill::Column::CompanyId.eq(c))
            .filter(person_skill::Column::SkillId.is_in(needed))
            .into_tuple::<Uuid>()
            .all(&db.read)
            .await?
            .into_iter()
            .collect()
    };
    for p in holders {
        why.entry(p).or_default().push(Valued::NeededSkill);
    }
    for o in return_offer::Entity::find()
        .filter(return_offer::Column::CompanyId.eq(c))
        .filter(
            return_offer::Column::Status
                .is_in([OfferStatus::Issued.code(), OfferStatus::Acknowledged.code()]),
        )
        .all(&db.read)
        .await?
    {
        if o.valid_from <= today && today <= o.valid_until {
            why.entry(o.person_id)
                .or_default()
                .push(Valued::ActiveOffer);
        }
    }
    let mut contacts: HashMap<Uuid, Vec<(NaiveDate, Channel)>> = HashMap::new();
    let touched: Vec<(Uuid, NaiveDate, String)> = row::Entity::find()
        .select_only()
        .columns([
            row::Column::PersonId,
            row::Column::OnDate,
            row::Column::Channel,
        ])
        .filter(row::Column::CompanyId.eq(c))
        .into_tuple()
        .all(&db.read)
        .await?;
    for (person, on, channel) in touched {
        contacts
            .entry(person)
            .or_default()
            .push((on, Channel::parse(&channel).unwrap_or(Channel::Chance)));
    }
    let mut out: Vec<Reconnect> = people
        .into_iter()
        .filter_map(
            |(id, family, given, family_kana, given_kana, last_contact_on)| {
                let mut reasons = why.remove(&id)?;
                reasons.sort();
                reasons.dedup();
                let w = warmth(
                    contacts.get(&id).map(Vec::as_slice).unwrap_or(&[]),
                    last_contact_on,
                    today,
                );
                let overdue = w
                    .last_contact
                    .is_none_or(|l| (today - l).num_days() > i64::from(interval));
                (overdue || w.label == kaeru_domain::touchpoint::WarmthLabel::Distant).then(|| {
                    Reconnect {
                        person: PersonId(id),
                        name: format!("{family} {given}"),
                        kana: format!("{family_kana} {given_kana}"),
                        warmth: w,
                        why: reasons,
                    }
                })
            },
        )
        .collect();
    out.sort_by(|a, b| {
        a.warmth
            .last_contact
            .cmp(&b.warmth.last_contact)
            .then(a.kana.cmp(&b.kana))
    });
    // Collected in place of the rows read, the list would keep their room (every alumnus's, 15 MB at 100,000
    // people) for as long as it is cached; only the people on it are kept.
    out.shrink_to_fit();
    Ok(out)
}
