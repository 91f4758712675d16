//! What the analytics are computed from: one read per table for a company, in compact rows (no names, no
//! notes), tagged with the company's revision so the result can be cached until the next write.

use crate::entity::{
    audit_entry, comeback, contribution, employment_stint, engagement, learning_mission, line_link,
    person, person_email, person_skill, return_offer, skill, touchpoint, venture_deal,
    venture_support,
};
use crate::{Db, Scope, StoreResult, companies, consent, offers};
use chrono::{DateTime, NaiveDate, Utc};
use kaeru_domain::analytics::{
    AlumnusFact, ComebackFact, ContributionFact, Facts, OfferFact, StintFact,
};
use kaeru_domain::network::{ContributionKind, ReferralOutcome};
use kaeru_domain::offer::OfferStatus;
use kaeru_domain::touchpoint::Channel;
use kaeru_domain::{
    ComebackStage, EmploymentType, LeaveReason, PersonId, PersonStatus, RehireEligibility,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The purpose whose consent makes an alumnus reachable: hearing about coming back.
pub const REACH_PURPOSE: &str = "rehire";

/// The company's revision (read first) and its facts. `local_date` gives the company's calendar day of a
/// moment (for the days comebacks moved stage).
pub async fn facts(
    db: &Db,
    scope: &Scope,
    local_date: impl Fn(DateTime<Utc>) -> NaiveDate,
) -> StoreResult<(i64, Facts)> {
    let revision = companies::revision(db, scope).await?;
    let c = scope.company_id().0;
    let conn = &db.read;

    type StintRow = (
        Uuid,
        NaiveDate,
        Option<NaiveDate>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<StintRow> = employment_stint::Entity::find()
        .select_only()
        .columns([
            employment_stint::Column::PersonId,
            employment_stint::Column::StartDate,
            employment_stint::Column::EndDate,
            employment_stint::Column::Department,
            employment_stint::Column::EmploymentType,
            employment_stint::Column::LeaveReason,
            employment_stint::Column::RehireEligibility,
        ])
        .filter(employment_stint::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    // Kept per revision: a new vector of the facts' own size (collected in place of the rows, it would keep
    // their room, 15 MB at 100,000 stints) and each department's name once.
    let mut named: HashMap<String, std::sync::Arc<str>> = HashMap::new();
    let mut stints = Vec::with_capacity(rows.len());
    for (p, start, end, dep, t, reason, rehire) in rows {
        let department = dep.map(|d| {
            named
                .entry(d)
                .or_insert_with_key(|d| d.as_str().into())
                .clone()
        });
        stints.push(StintFact {
            person: PersonId(p),
            start,
            end,
            department,
            employment_type: EmploymentType::parse(&t).unwrap_or(EmploymentType::FullTime),
            leave_reason: reason.as_deref().and_then(LeaveReason::parse),
            rehire: rehire.as_deref().and_then(RehireEligibility::parse),
        });
    }

    type OfferRow = (
        Uuid,
        Uuid,
        String,
        Option<NaiveDate>,
        Option<DateTime<Utc>>,
        NaiveDate,
    );
    let offer_rows: Vec<OfferRow> = return_offer::Entity::find()
        .select_only()
        .columns([
            return_offer::Column::Id,
            return_offer::Column::PersonId,
            return_offer::Column::Status,
            return_offer::Column::IssuedOn,
            return_offer::Column::AcknowledgedAt,
            return_offer::Column::ValidUntil,
        ])
        .filter(return_offer::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    let offer_person: HashMap<Uuid, Uuid> = offer_rows.iter().map(|o| (o.0, o.1)).collect();
    let offers = offer_rows
        .into_iter()
        .map(|(_, _, status, issued_on, ack, valid_until)| OfferFact {
            status: OfferStatus::parse(&status).unwrap_or(OfferStatus::Draft),
            issued_on,
            acknowledged: ack.is_some(),
            valid_until,
        })
        .collect();

    // Missions: does the person hold the skill (by name) at the target level now?
    let mission_rows: Vec<(Uuid, String, i32)> = learning_mission::Entity::find()
        .select_only()
        .columns([
            learning_mission::Column::OfferId,
            learning_mission::Column::Skill,
            learning_mission::Column::TargetLevel,
        ])
        .filter(learning_mission::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    let mut missions = Vec::with_capacity(mission_rows.len());
    if !mission_rows.is_empty() {
        let skills: HashMap<Uuid, String> = skill::Entity::find()
            .select_only()
            .columns([skill::Column::Id, skill::Column::Name])
            .filter(skill::Column::CompanyId.eq(c))
            .into_tuple::<(Uuid, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let people: HashSet<Uuid> = mission_rows
            .iter()
            .filter_map(|m| offer_person.get(&m.0).copied())
            .collect();
        let mut levels: HashMap<(Uuid, String), i32> = HashMap::new();
        for chunk in people.into_iter().collect::<Vec<_>>().chunks(500) {
            let rows: Vec<(Uuid, Uuid, i32)> = person_skill::Entity::find()
                .select_only()
                .columns([
                    person_skill::Column::PersonId,
                    person_skill::Column::SkillId,
                    person_skill::Column::Level,
                ])
                .filter(person_skill::Column::CompanyId.eq(c))
                .filter(person_skill::Column::PersonId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
            for (p, s, level) in rows {
                if let Some(name) = skills.get(&s) {
                    let e = levels.entry((p, name.clone())).or_default();
                    *e = (*e).max(level);
                }
            }
        }
        for (offer, skill, target) in mission_rows {
            let reached = offer_person
                .get(&offer)
                .and_then(|p| levels.get(&(*p, skill)))
                .is_some_and(|l| *l >= target);
            missions.push(reached);
        }
    }

    let comeback_rows: Vec<(Uuid, String, NaiveDate)> = comeback::Entity::find()
        .select_only()
        .columns([
            comeback::Column::Id,
            comeback::Column::Stage,
            comeback::Column::OpenedOn,
        ])
        .filter(comeback::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    let move_rows: Vec<(Uuid, DateTime<Utc>, String)> = audit_entry::Entity::find()
        .select_only()
        .columns([
            audit_entry::Column::EntityId,
            audit_entry::Column::At,
            audit_entry::Column::Changes,
        ])
        .filter(audit_entry::Column::CompanyId.eq(c))
        .filter(audit_entry::Column::Action.eq("comeback.move"))
        .order_by_asc(audit_entry::Column::At)
        .into_tuple()
        .all(conn)
        .await?;
    let mut moves: HashMap<Uuid, Vec<(NaiveDate, ComebackStage, ComebackStage)>> = HashMap::new();
    for (id, at, changes) in move_rows {
        let v: serde_json::Value = serde_json::from_str(&changes).unwrap_or_default();
        let stage = |i: usize| {
            v.get("stage")
                .and_then(|s| s.get(i))
                .and_then(|s| s.as_str())
                .and_then(ComebackStage::parse)
        };
        if let (Some(from), Some(to)) = (stage(0), stage(1)) {
            moves
                .entry(id)
                .or_default()
                .push((local_date(at), from, to));
        }
    }
    let comebacks = comeback_rows
        .into_iter()
        .map(|(id, stage, opened_on)| ComebackFact {
            stage: ComebackStage::parse(&stage).unwrap_or(ComebackStage::Interested),
            opened_on,
            moves: moves.remove(&id).unwrap_or_default(),
        })
        .collect();

    let contributions: Vec<(String, NaiveDate, Option<String>, Option<i64>)> =
        contribution::Entity::find()
            .select_only()
            .columns([
                contribution::Column::Kind,
                contribution::Column::OnDate,
                contribution::Column::Outcome,
                contribution::Column::AmountYen,
            ])
            .filter(contribution::Column::CompanyId.eq(c))
            .into_tuple()
            .all(conn)
            .await?;
    let contributions = contributions
        .into_iter()
        .filter_map(|(kind, on_date, outcome, amount_yen)| {
            Some(ContributionFact {
                kind: ContributionKind::parse(&kind)?,
                on_date,
                outcome: outcome.as_deref().and_then(ReferralOutcome::parse),
                amount_yen,
            })
        })
        .collect();
    let supports = venture_support::Entity::find()
        .select_only()
        .columns([
            venture_support::Column::OnDate,
            venture_support::Column::AmountYen,
            venture_support::Column::Hours,
        ])
        .filter(venture_support::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    let deals = venture_deal::Entity::find()
        .select_only()
        .columns([
            venture_deal::Column::OnDate,
            venture_deal::Column::AmountYen,
        ])
        .filter(venture_deal::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    let engagements: Vec<(String, NaiveDate, Option<NaiveDate>)> = engagement::Entity::find()
        .select_only()
        .columns([
            engagement::Column::Weekdays,
            engagement::Column::StartDate,
            engagement::Column::EndDate,
        ])
        .filter(engagement::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    let engagements = engagements
        .into_iter()
        .map(|(days, start, end)| {
            (
                days.split(',').filter(|d| !d.is_empty()).count() as u32,
                start,
                end,
            )
        })
        .collect();

    // Alumni: reachable (a way to reach them and consent to hear about returning) and their contacts.
    let people: Vec<(Uuid, String, Option<NaiveDate>, Option<String>)> = person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::Status,
            person::Column::LastContactOn,
            person::Column::Phone,
        ])
        .filter(person::Column::CompanyId.eq(c))
        .filter(person::Column::ErasedAt.is_null())
        .filter(person::Column::Status.is_in([
            PersonStatus::Alumnus.code(),
            PersonStatus::Contractor.code(),
        ]))
        .into_tuple()
        .all(conn)
        .await?;
    let with_email: HashSet<Uuid> = person_email::Entity::find()
        .select_only()
        .column(person_email::Column::PersonId)
        .distinct()
        .filter(person_email::Column::CompanyId.eq(c))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let on_line: HashSet<Uuid> = line_link::Entity::find()
        .select_only()
        .column(line_link::Column::PersonId)
        .filter(line_link::Column::CompanyId.eq(c))
        .filter(line_link::Column::Following.eq(true))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let allowed = consent::allowed_people(db, scope, REACH_PURPOSE).await?;
    let touches: Vec<(Uuid, NaiveDate, String)> = touchpoint::Entity::find()
        .select_only()
        .columns([
            touchpoint::Column::PersonId,
            touchpoint::Column::OnDate,
            touchpoint::Column::Channel,
        ])
        .filter(touchpoint::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    let mut per_day: HashMap<NaiveDate, u64> = HashMap::new();
    let mut contacts: HashMap<Uuid, Vec<(NaiveDate, Channel)>> = HashMap::new();
    for (p, day, channel) in touches {
        *per_day.entry(day).or_default() += 1;
        if let Some(ch) = Channel::parse(&channel) {
            contacts.entry(p).or_default().push((day, ch));
        }
    }
    let mut contacts_per_day: Vec<(NaiveDate, u64)> = per_day.into_iter().collect();
    contacts_per_day.sort();
    let alumni = people
        .into_iter()
        .map(|(id, _, last_contact, phone)| AlumnusFact {
            reachable: allowed.contains(&PersonId(id))
                && (with_email.contains(&id) || on_line.contains(&id) || phone.is_some()),
            contacts: contacts.remove(&id).unwrap_or_default(),
            last_contact,
        })
        .collect();

    let policy = offers::policy(db, scope).await?;
    Ok((
        revision,
        Facts {
            stints,
            offers,
            missions,
            comebacks,
            contributions,
            supports,
            deals,
            engagements,
            alumni,
            contacts_per_day,
            policy_adopted_on: policy.adopted_on,
            hire_cost: policy.hire_cost,
        },
    ))
}
