//! Return offers with their learning missions and check-ins, and the company's offer policy.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{
    learning_mission as mission_row, mission_check_in as checkin_row, offer_policy as policy_row,
    return_offer as row,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::{Datelike, NaiveDate};
use kaeru_domain::offer::{CheckInDraft, LearningMission, MissionCheckIn, MissionDraft};
use kaeru_domain::{
    CheckInId, Invalid, MissionId, OfferAction, OfferDraft, OfferId, OfferPolicy, OfferStatus,
    OfferTerm, PersonId, ReturnOffer,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use std::collections::HashMap;

fn terms_to_text(terms: &[OfferTerm]) -> String {
    terms.iter().map(|t| t.code()).collect::<Vec<_>>().join(",")
}

fn terms_of(text: &str) -> Vec<OfferTerm> {
    text.split(',').filter_map(OfferTerm::parse).collect()
}

fn to_domain(r: row::Model) -> ReturnOffer {
    ReturnOffer {
        id: OfferId(r.id),
        person_id: PersonId(r.person_id),
        number: r.number,
        status: OfferStatus::parse(&r.status).unwrap_or(OfferStatus::Draft),
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        terms: terms_of(&r.terms),
        salary_floor_yen: r.salary_floor_yen,
        terms_note: r.terms_note,
        signer_name: r.signer_name,
        signer_title: r.signer_title,
        override_reason: r.override_reason,
        status_reason: r.status_reason,
        issued_on: r.issued_on,
        acknowledged_at: r.acknowledged_at,
        created_at: r.created_at,
    }
}

/// The company's policy, or the defaults while none is saved.
pub async fn policy(db: &Db, scope: &Scope) -> StoreResult<OfferPolicy> {
    let found = policy_row::Entity::find_by_id(scope.company_id().0)
        .one(&db.read)
        .await?;
    Ok(match found {
        Some(p) => OfferPolicy {
            window_years: p.window_years,
            default_terms: terms_of(&p.default_terms),
            show_wareki: p.show_wareki,
            welcome_declaration: p.welcome_declaration,
            adopted_on: p.adopted_on,
            hire_cost: kaeru_domain::analytics::HireCost {
                agency_fee_percent: p.agency_fee_percent,
                annual_salary_yen: p.annual_salary_yen,
                fixed_yen: p.fixed_hire_cost_yen,
            },
            monthly_report: p.monthly_report,
        },
        None => OfferPolicy::default(),
    })
}

pub async fn set_policy(db: &Db, scope: &Scope, actor: &Actor, p: &OfferPolicy) -> StoreResult<()> {
    let before = serde_json::to_value(policy(db, scope).await?).unwrap_or_default();
    let tx = db.write.begin().await?;
    let model = policy_row::ActiveModel {
        company_id: Set(scope.company_id().0),
        window_years: Set(p.window_years),
        default_terms: Set(terms_to_text(&p.default_terms)),
        show_wareki: Set(p.show_wareki),
        welcome_declaration: Set(p.welcome_declaration.clone()),
        adopted_on: Set(p.adopted_on),
        agency_fee_percent: Set(p.hire_cost.agency_fee_percent),
        annual_salary_yen: Set(p.hire_cost.annual_salary_yen),
        fixed_hire_cost_yen: Set(p.hire_cost.fixed_yen),
        monthly_report: Set(p.monthly_report),
        updated_at: Set(now()),
    };
    let exists = policy_row::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?
        .is_some();
    if exists {
        model.update(&tx).await?;
    } else {
        model.insert(&tx).await?;
    }
    let changes = audit::diff(&before, &serde_json::to_value(p).unwrap_or_default());
    audit::record(
        &tx,
        scope,
        Change {
            action: "policy.update",
            entity: "policy",
            entity_id: scope.company_id().0,
            person_id: None,
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(())
}

async fn find_in(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: OfferId,
) -> StoreResult<row::Model> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The title the signer gave on their latest offer (a new offer's form starts with it).
pub async fn last_signer_title(
    db: &Db,
    scope: &Scope,
    signer_name: &str,
) -> StoreResult<Option<String>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::SignerName.eq(signer_name))
        .filter(row::Column::SignerTitle.is_not_null())
        .order_by_desc(row::Column::CreatedAt)
        .one(&db.read)
        .await?
        .and_then(|r| r.signer_title))
}

pub async fn get(db: &Db, scope: &Scope, id: OfferId) -> StoreResult<ReturnOffer> {
    Ok(to_domain(find_in(&db.read, scope, id).await?))
}

/// The person's offers, newest first.
pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<ReturnOffer>> {
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

fn active_codes() -> Vec<&'static str> {
    OfferStatus::ALL
        .iter()
        .filter(|s| s.is_active())
        .map(|s| s.code())
        .collect()
}

async fn active_of(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
    except: Option<OfferId>,
) -> StoreResult<Option<row::Model>> {
    let mut q = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .filter(row::Column::Status.is_in(active_codes()));
    if let Some(id) = except {
        q = q.filter(row::Column::Id.ne(id.0));
    }
    Ok(q.one(conn).await?)
}

/// The offer that still stands for the person (draft, issued or acknowledged), if any.
pub async fn active_for_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    except: Option<OfferId>,
) -> StoreResult<Option<ReturnOffer>> {
    Ok(active_of(&db.read, scope, person, except)
        .await?
        .map(to_domain))
}

/// The next number of the year: RO-2026-0001, RO-2026-0002, …
/// The next `RO-YYYY-NNNN` of the company: one more than the highest of the year. The company row is held
/// until the transaction ends, so two offers created at once never get the same number.
async fn next_number(conn: &impl ConnectionTrait, scope: &Scope, year: i32) -> StoreResult<String> {
    crate::companies::lock(conn, scope).await?;
    let prefix = format!("RO-{year}-");
    let highest = row::Entity::find()
        .select_only()
        .column(row::Column::Number)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Number.starts_with(&prefix))
        .into_tuple::<String>()
        .all(conn)
        .await?
        .iter()
        .filter_map(|n| n.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}{:04}", highest + 1))
}

fn audit_view(d: &OfferDraft) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or_default()
}

/// Creates a draft offer. A second standing offer for the person is refused even when two requests race.
pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person_id: PersonId,
    d: &OfferDraft,
    today: NaiveDate,
) -> StoreResult<ReturnOffer> {
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person_id).await?;
    if active_of(&tx, scope, person_id, None).await?.is_some() {
        return Err(StoreError::Conflict(Clash::ActiveOffer));
    }
    let id = OfferId::new();
    let model = row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        person_id: Set(person_id.0),
        number: Set(next_number(&tx, scope, today.year()).await?),
        status: Set(OfferStatus::Draft.code().into()),
        valid_from: Set(d.valid_from),
        valid_until: Set(d.valid_until),
        terms: Set(terms_to_text(&d.terms)),
        salary_floor_yen: Set(d.salary_floor_yen),
        terms_note: Set(d.terms_note.clone()),
        signer_name: Set(d.signer_name.clone()),
        signer_title: Set(d.signer_title.clone()),
        override_reason: Set(d.override_reason.clone()),
        status_reason: Set(None),
        issued_on: Set(None),
        acknowledged_at: Set(None),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(&tx)
    .await
    .map_err(StoreError::conflict_on(Clash::OfferNumberTaken))?;
    let mut changes = audit_view(d);
    changes["number"] = serde_json::Value::String(model.number.clone());
    audit::record(
        &tx,
        scope,
        Change {
            action: "offer.create",
            entity: "offer",
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

/// Changes the content of an offer; only a draft can change.
pub async fn update_draft(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: OfferId,
    d: &OfferDraft,
) -> StoreResult<ReturnOffer> {
    let tx = db.write.begin().await?;
    let current = find_in(&tx, scope, id).await?;
    if current.status != OfferStatus::Draft.code() {
        return Err(StoreError::Conflict(Clash::StatusChanged));
    }
    let person_id = PersonId(current.person_id);
    crate::people::live(&tx, scope, person_id).await?;
    let before = to_domain(current.clone());
    let before = serde_json::to_value(OfferDraft {
        valid_from: before.valid_from,
        valid_until: before.valid_until,
        terms: before.terms,
        salary_floor_yen: before.salary_floor_yen,
        terms_note: before.terms_note,
        signer_name: before.signer_name,
        signer_title: before.signer_title,
        override_reason: before.override_reason,
    })
    .unwrap_or_default();
    let mut am: row::ActiveModel = current.into();
    am.valid_from = Set(d.valid_from);
    am.valid_until = Set(d.valid_until);
    am.terms = Set(terms_to_text(&d.terms));
    am.salary_floor_yen = Set(d.salary_floor_yen);
    am.terms_note = Set(d.terms_note.clone());
    am.signer_name = Set(d.signer_name.clone());
    am.signer_title = Set(d.signer_title.clone());
    am.override_reason = Set(d.override_reason.clone());
    am.updated_at = Set(now());
    let model = am.update(&tx).await?;
    let changes = audit::diff(&before, &audit_view(d));
    audit::record(
        &tx,
        scope,
        Change {
            action: "offer.update",
            entity: "offer",
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

/// Why a move along the lifecycle was refused.
#[derive(Debug)]
pub enum TransitionError {
    Refused(Invalid),
    Store(StoreError),
}

impl From<StoreError> for TransitionError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<sea_orm::DbErr> for TransitionError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

/// Moves an offer along its lifecycle inside the caller's transaction, with its audit entry.
pub(crate) async fn transition_in(
    tx: &impl ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    id: OfferId,
    action: OfferAction,
    reason: Option<String>,
    today: NaiveDate,
) -> Result<ReturnOffer, TransitionError> {
    let current = find_in(tx, scope, id).await?;
    crate::people::live(tx, scope, PersonId(current.person_id)).await?;
    let from = OfferStatus::parse(&current.status).unwrap_or(OfferStatus::Draft);
    let to = from.after(action).map_err(TransitionError::Refused)?;
    if action == OfferAction::Issue && current.valid_until <= today {
        return Err(TransitionError::Refused(Invalid::new(
            "error.offer_window_passed",
        )));
    }
    let person_id = PersonId(current.person_id);
    let mut am: row::ActiveModel = current.into();
    am.status = Set(to.code().into());
    if action == OfferAction::Issue {
        am.issued_on = Set(Some(today));
    }
    if action == OfferAction::Acknowledge {
        am.acknowledged_at = Set(Some(now()));
    }
    if reason.is_some() {
        am.status_reason = Set(reason.clone());
    }
    am.updated_at = Set(now());
    let model = am.update(tx).await?;
    let changes = serde_json::json!({"status": [from.code(), to.code()], "reason": reason});
    let action_code = match action {
        OfferAction::Issue => "offer.issue",
        OfferAction::Acknowledge => "offer.acknowledge",
        OfferAction::Withdraw => "offer.withdraw",
        OfferAction::Decline => "offer.decline",
        OfferAction::Expire => "offer.expire",
        OfferAction::Exercise => "offer.exercise",
    };
    audit::record(
        tx,
        scope,
        Change {
            action: action_code,
            entity: "offer",
            entity_id: id.0,
            person_id: Some(person_id),
            changes,
            actor,
        },
    )
    .await?;
    Ok(to_domain(model))
}

pub async fn transition(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: OfferId,
    action: OfferAction,
    reason: Option<String>,
    today: NaiveDate,
) -> Result<ReturnOffer, TransitionError> {
    let tx = db.write.begin().await?;
    let offer = transition_in(&tx, scope, actor, id, action, reason, today).await?;
    companies::bump_revision_for(&tx, scope, &[offer.person_id]).await?;
    tx.commit().await?;
    Ok(offer)
}

/// Marks issued and acknowledged offers whose window has passed as expired. Returns how many.
pub async fn expire_passed(db: &Db, scope: &Scope, today: NaiveDate) -> StoreResult<usize> {
    let due = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(
            row::Column::Status
                .is_in([OfferStatus::Issued.code(), OfferStatus::Acknowledged.code()]),
        )
        .filter(row::Column::ValidUntil.lt(today))
        .all(&db.read)
        .await?;
    let actor = Actor::system("Kaeru");
    let mut n = 0;
    for o in due {
        match transition(
            db,
            scope,
            &actor,
            OfferId(o.id),
            OfferAction::Expire,
            None,
            today,
        )
        .await
        {
            Ok(_) => n += 1,
            Err(TransitionError::Refused(_)) => {} // changed meanwhile by someone else
            Err(TransitionError::Store(e)) => return Err(e),
        }
    }
    Ok(n)
}

/// An offer in a list, with the name of its person.
#[derive(Clone, Debug)]
pub struct OfferListItem {
    pub offer: ReturnOffer,
    pub person_name: String,
    pub person_kana: String,
}

/// One page of the offers, the window closing soonest first, with the count of all of them.
pub async fn list_page(
    db: &Db,
    scope: &Scope,
    status: Option<OfferStatus>,
    page: u64,
    per_page: u64,
) -> StoreResult<crate::Page<OfferListItem>> {
    use sea_orm::PaginatorTrait;
    let page = page.max(1);
    let mut q = row::Entity::find().filter(row::Column::CompanyId.eq(scope.company_id().0));
    if let Some(s) = status {
        q = q.filter(row::Column::Status.eq(s.code()));
    }
    let total = q.clone().count(&db.read).await?;
    let offers = q
        .order_by_asc(row::Column::ValidUntil)
        .order_by_asc(row::Column::Number)
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .all(&db.read)
        .await?;
    let ids: Vec<uuid::Uuid> = offers.iter().map(|o| o.person_id).collect();
    let names = crate::people::names(&db.read, scope, ids).await?;
    let items = offers
        .into_iter()
        .map(|o| {
            let (person_name, person_kana) = names.get(&o.person_id).cloned().unwrap_or_default();
            OfferListItem {
                offer: to_domain(o),
                person_name,
                person_kana,
            }
        })
        .collect();
    Ok(crate::Page {
        items,
        total,
        page,
        per_page,
    })
}

fn mission_of(m: mission_row::Model) -> LearningMission {
    LearningMission {
        id: MissionId(m.id),
        offer_id: OfferId(m.offer_id),
        skill: m.skill,
        target_level: m.target_level,
        reason: m.reason,
        check_in_every_days: m.check_in_every_days,
        created_at: m.created_at,
    }
}

fn check_in_of(c: checkin_row::Model) -> MissionCheckIn {
    MissionCheckIn {
        id: CheckInId(c.id),
        mission_id: MissionId(c.mission_id),
        on_date: c.on_date,
        activity: c.activity,
        assessed_level: c.assessed_level,
        recorded_by: c.recorded_by,
    }
}

/// A mission with its check-ins, newest check-in first.
#[derive(Clone, Debug)]
pub struct MissionWithCheckIns {
    pub mission: LearningMission,
    pub check_ins: Vec<MissionCheckIn>,
}

pub async fn missions(
    db: &Db,
    scope: &Scope,
    offer: OfferId,
) -> StoreResult<Vec<MissionWithCheckIns>> {
    let ms = mission_row::Entity::find()
        .filter(mission_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(mission_row::Column::OfferId.eq(offer.0))
        .order_by_asc(mission_row::Column::CreatedAt)
        .all(&db.read)
        .await?;
    let ids: Vec<uuid::Uuid> = ms.iter().map(|m| m.id).collect();
    let mut by_mission: HashMap<uuid::Uuid, Vec<MissionCheckIn>> = HashMap::new();
    for c in checkin_row::Entity::find()
        .filter(checkin_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(checkin_row::Column::MissionId.is_in(ids))
        .order_by_desc(checkin_row::Column::OnDate)
        .order_by_desc(checkin_row::Column::CreatedAt)
        .all(&db.read)
        .await?
    {
        by_mission
            .entry(c.mission_id)
            .or_default()
            .push(check_in_of(c));
    }
    Ok(ms
        .into_iter()
        .map(|m| MissionWithCheckIns {
            check_ins: by_mission.remove(&m.id).unwrap_or_default(),
            mission: mission_of(m),
        })
        .collect())
}

/// Adds a mission to an offer that still stands.
pub async fn add_mission(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    offer: OfferId,
    d: &MissionDraft,
) -> StoreResult<LearningMission> {
    let tx = db.write.begin().await?;
    let o = find_in(&tx, scope, offer).await?;
    crate::people::live(&tx, scope, PersonId(o.person_id)).await?;
    if !OfferStatus::parse(&o.status).is_some_and(OfferStatus::is_active) {
        return Err(StoreError::Conflict(Clash::StatusChanged));
    }
    let id = MissionId::new();
    let model = mission_row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        offer_id: Set(offer.0),
        skill: Set(d.skill.clone()),
        target_level: Set(d.target_level),
        reason: Set(d.reason.clone()),
        check_in_every_days: Set(d.check_in_every_days),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    let changes = serde_json::to_value(d).unwrap_or_default();
    audit::record(
        &tx,
        scope,
        Change {
            action: "mission.create",
            entity: "mission",
            entity_id: id.0,
            person_id: Some(PersonId(o.person_id)),
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[PersonId(o.person_id)]).await?;
    tx.commit().await?;
    Ok(mission_of(model))
}

/// Logs a check-in of a mission of the scope's company.
pub async fn add_check_in(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    mission: MissionId,
    d: &CheckInDraft,
) -> StoreResult<MissionCheckIn> {
    let tx = db.write.begin().await?;
    let m = mission_row::Entity::find_by_id(mission.0)
        .filter(mission_row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let o = find_in(&tx, scope, OfferId(m.offer_id)).await?;
    crate::people::live(&tx, scope, PersonId(o.person_id)).await?;
    let id = CheckInId::new();
    let model = checkin_row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        mission_id: Set(mission.0),
        on_date: Set(d.on_date),
        activity: Set(d.activity.clone()),
        assessed_level: Set(d.assessed_level),
        recorded_by: Set(actor.name.clone()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    let changes = serde_json::to_value(d).unwrap_or_default();
    audit::record(
        &tx,
        scope,
        Change {
            action: "checkin.create",
            entity: "checkin",
            entity_id: id.0,
            person_id: Some(PersonId(o.person_id)),
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[PersonId(o.person_id)]).await?;
    tx.commit().await?;
    Ok(check_in_of(model))
}

/// Something HR should act on, shown on the home page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reminder {
    /// An issued or acknowledged offer whose window ends within 90 days.
    ExpiringSoon {
        offer: OfferId,
        number: String,
        person: PersonId,
        person_name: String,
        valid_until: NaiveDate,
    },
    /// A mission of a standing offer whose next check-in date has passed.
    CheckInOverdue {
        offer: OfferId,
        person: PersonId,
        person_name: String,
        skill: String,
        due: NaiveDate,
    },
    /// Issued at least 14 days ago and not yet confirmed by the person.
    NotAcknowledged {
        offer: OfferId,
        number: String,
        person: PersonId,
        person_name: String,
        issued_on: NaiveDate,
    },
}

impl Reminder {
    /// The date that orders the to-do list (earliest first).
    pub fn date(&self) -> NaiveDate {
        match self {
            Self::ExpiringSoon { valid_until, .. } => *valid_until,
            Self::CheckInOverdue { due, .. } => *due,
            Self::NotAcknowledged { issued_on, .. } => *issued_on,
        }
    }
}

/// The reminders of the company on `today`, earliest first. Derived from the offers on each read, so a check-in
/// or an acknowledgement clears its reminder at once.
pub async fn reminders(db: &Db, scope: &Scope, today: NaiveDate) -> StoreResult<Vec<Reminder>> {
    let standing = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(
            row::Column::Status
                .is_in([OfferStatus::Issued.code(), OfferStatus::Acknowledged.code()]),
        )
        .all(&db.read)
        .await?;
    if standing.is_empty() {
        return Ok(Vec::new());
    }
    let person_ids: Vec<uuid::Uuid> = standing.iter().map(|o| o.person_id).collect();
    let names = crate::people::names(&db.read, scope, person_ids).await?;
    let name = |id: &uuid::Uuid| names.get(id).map(|n| n.0.clone()).unwrap_or_default();
    let mut out = Vec::new();
    for o in &standing {
        if o.valid_until >= today && o.valid_until <= today + chrono::Duration::days(90) {
            out.push(Reminder::ExpiringSoon {
                offer: OfferId(o.id),
                number: o.number.clone(),
                person: PersonId(o.person_id),
                person_name: name(&o.person_id),
                valid_until: o.valid_until,
            });
        }
        if o.status == OfferStatus::Issued.code()
            && let Some(issued) = o.issued_on
            && issued + chrono::Duration::days(14) <= today
        {
            out.push(Reminder::NotAcknowledged {
                offer: OfferId(o.id),
                number: o.number.clone(),
                person: PersonId(o.person_id),
                person_name: name(&o.person_id),
                issued_on: issued,
            });
        }
    }
    // The company's missions and check-ins (a few per offer that has one), matched to the standing offers
    // here: a list of every standing offer's id would pass PostgreSQL's limit of bound values at 100,000 people.
    let by_id: HashMap<uuid::Uuid, &row::Model> = standing.iter().map(|o| (o.id, o)).collect();
    let ms: Vec<mission_row::Model> = mission_row::Entity::find()
        .filter(mission_row::Column::CompanyId.eq(scope.company_id().0))
        .all(&db.read)
        .await?
        .into_iter()
        .filter(|m| by_id.contains_key(&m.offer_id))
        .collect();
    let mut last: HashMap<uuid::Uuid, NaiveDate> =
        ms.iter().map(|m| (m.id, NaiveDate::MIN)).collect();
    for c in checkin_row::Entity::find()
        .filter(checkin_row::Column::CompanyId.eq(scope.company_id().0))
        .all(&db.read)
        .await?
    {
        if let Some(e) = last.get_mut(&c.mission_id) {
            *e = (*e).max(c.on_date);
        }
    }
    for m in ms {
        let Some(o) = by_id.get(&m.offer_id) else {
            continue;
        };
        let started = m.created_at.date_naive();
        let checked = last.get(&m.id).copied().filter(|d| *d != NaiveDate::MIN);
        let mission = mission_of(m.clone());
        let due = mission.next_check_in(checked, started);
        if due < today {
            out.push(Reminder::CheckInOverdue {
                offer: OfferId(o.id),
                person: PersonId(o.person_id),
                person_name: name(&o.person_id),
                skill: m.skill.clone(),
                due,
            });
        }
    }
    out.sort_by_key(Reminder::date);
    Ok(out)
}

/// Used by tests and the demo: sets a mission's start back in time.
pub async fn backdate_mission(
    db: &Db,
    scope: &Scope,
    mission: MissionId,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    mission_row::Entity::update_many()
        .col_expr(mission_row::Column::CreatedAt, Expr::value(at))
        .filter(mission_row::Column::Id.eq(mission.0))
        .filter(mission_row::Column::CompanyId.eq(scope.company_id().0))
        .exec(&tx)
        .await?;
    // What is kept per revision (the home page's reminders) is read again.
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(())
}
