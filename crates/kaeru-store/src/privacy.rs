//! Personal data under APPI: everything stored about a person (for their download), deletion requests
//! with a deadline, erasure that removes the personal data for good while keeping anonymous statistics
//! (stint dates, the leave reason category), and the company's retention rule.

use crate::audit::{self, Change};
use crate::entity::{
    audit_entry, career, comeback, consent, contribution, deletion_request as req_row,
    employment_stint, engagement, job_alert, job_alert_sent, learning_mission, magic_link,
    mission_check_in, opening_invite, opening_response, opening_view, outbox_message,
    person as person_row, person_email, person_skill, portal_session, qualification, return_offer,
    rsvp, side_job, touchpoint, venture, venture_deal, venture_support,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::PersonId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

/// Days the company has to complete a deletion request.
pub const DELETION_DAYS: i64 = 14;

/// What the erased record is called from then on.
pub const ERASED_NAME: &str = "（削除済み）";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletionRequest {
    pub id: Uuid,
    pub person: PersonId,
    pub person_name: String,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    pub due_on: NaiveDate,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub completed_by: Option<String>,
}

/// The person asks for their data to be deleted. A second request while one is open changes nothing.
pub async fn request_deletion(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    today: NaiveDate,
) -> StoreResult<DeletionRequest> {
    let tx = db.write.begin().await?;
    let c = scope.company_id().0;
    let p = person_row::Entity::find_by_id(person.0)
        .filter(person_row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let open = req_row::Entity::find()
        .filter(req_row::Column::CompanyId.eq(c))
        .filter(req_row::Column::PersonId.eq(person.0))
        .filter(req_row::Column::CompletedAt.is_null())
        .one(&tx)
        .await?;
    let r = match open {
        Some(r) => r,
        None => {
            let id = Uuid::now_v7();
            let r = req_row::ActiveModel {
                id: Set(id),
                company_id: Set(c),
                person_id: Set(person.0),
                requested_at: Set(now()),
                due_on: Set(today + chrono::Duration::days(DELETION_DAYS)),
                completed_at: Set(None),
                completed_by: Set(None),
            }
            .insert(&tx)
            .await?;
            audit::record(
                &tx,
                scope,
                Change {
                    action: "deletion.request",
                    entity: "person",
                    entity_id: person.0,
                    person_id: Some(person),
                    changes: serde_json::json!({"due_on": r.due_on}),
                    actor,
                },
            )
            .await?;
            r
        }
    };
    tx.commit().await?;
    Ok(DeletionRequest {
        id: r.id,
        person,
        person_name: format!("{} {}", p.family_name, p.given_name),
        requested_at: r.requested_at,
        due_on: r.due_on,
        completed_at: r.completed_at,
        completed_by: r.completed_by,
    })
}

/// The company's deletion requests, open ones first, each by its deadline.
pub async fn requests(db: &Db, scope: &Scope) -> StoreResult<Vec<DeletionRequest>> {
    let c = scope.company_id().0;
    let rows = req_row::Entity::find()
        .filter(req_row::Column::CompanyId.eq(c))
        .order_by_asc(req_row::Column::DueOn)
        .all(&db.read)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
    let names: std::collections::HashMap<Uuid, String> = person_row::Entity::find()
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::Id.is_in(ids))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.id,
                format!("{} {}", p.family_name, p.given_name)
                    .trim()
                    .to_string(),
            )
        })
        .collect();
    let mut out: Vec<DeletionRequest> = rows
        .into_iter()
        .map(|r| DeletionRequest {
            id: r.id,
            person: PersonId(r.person_id),
            person_name: names.get(&r.person_id).cloned().unwrap_or_default(),
            requested_at: r.requested_at,
            due_on: r.due_on,
            completed_at: r.completed_at,
            completed_by: r.completed_by,
        })
        .collect();
    out.sort_by_key(|r| (r.completed_at.is_some(), r.due_on));
    Ok(out)
}

/// The open deletion request of a person, if any.
pub async fn open_request(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Option<DeletionRequest>> {
    Ok(requests(db, scope)
        .await?
        .into_iter()
        .find(|r| r.person == person && r.completed_at.is_none()))
}

/// Erases a person's personal data for good, in one transaction: contacts, names, careers, skills,
/// qualifications, consents, sign-in links, sessions and messages go; what the audit log recorded about
/// them is blanked; stints keep only their dates, employment type, department and leave reason category;
/// comebacks and offers keep their stages and dates. Completes any open deletion request.
pub async fn erase(db: &Db, scope: &Scope, actor: &Actor, person: PersonId) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let c = scope.company_id().0;
    let p = crate::people::live(&tx, scope, person).await?;
    let at = now();
    let emails: Vec<String> = person_email::Entity::find()
        .filter(person_email::Column::CompanyId.eq(c))
        .filter(person_email::Column::PersonId.eq(person.0))
        .all(&tx)
        .await?
        .into_iter()
        .map(|e| e.email)
        .collect();
    let mut am: person_row::ActiveModel = p.into();
    am.family_name = Set(ERASED_NAME.into());
    am.given_name = Set(String::new());
    am.family_kana = Set(String::new());
    am.given_kana = Set(String::new());
    am.romaji_name = Set(None);
    am.phone = Set(None);
    am.line_id = Set(None);
    am.facebook_url = Set(None);
    am.linkedin_url = Set(None);
    am.prefecture = Set(None);
    am.city = Set(None);
    am.birth_date = Set(None);
    am.notes = Set(None);
    am.sort_key = Set("\u{10FFFF}".into());
    am.return_intent = Set(None);
    am.work_style = Set(None);
    am.days_per_week = Set(None);
    am.last_contact_on = Set(None);
    am.contact_stopped_at = Set(Some(at));
    am.self_updated_at = Set(None);
    am.message_to_company = Set(None);
    am.message_at = Set(None);
    am.erased_at = Set(Some(at));
    am.updated_at = Set(at);
    am.update(&tx).await?;

    macro_rules! delete_of_person {
        ($entity:ident) => {
            $entity::Entity::delete_many()
                .filter($entity::Column::CompanyId.eq(c))
                .filter($entity::Column::PersonId.eq(person.0))
                .exec(&tx)
                .await?;
        };
    }
    delete_of_person!(person_email);
    delete_of_person!(career);
    delete_of_person!(person_skill);
    delete_of_person!(qualification);
    delete_of_person!(consent);
    delete_of_person!(magic_link);
    delete_of_person!(portal_session);
    delete_of_person!(outbox_message);
    delete_of_person!(touchpoint);
    delete_of_person!(side_job);
    // Replies to events: answers, news and attendance go with the person.
    delete_of_person!(rsvp);
    // Interests, applications, views, invitations and job alerts.
    delete_of_person!(opening_response);
    delete_of_person!(opening_view);
    delete_of_person!(opening_invite);
    delete_of_person!(job_alert);
    delete_of_person!(job_alert_sent);
    // Messages sent before the address was tied to the person (a registration receipt).
    outbox_message::Entity::delete_many()
        .filter(outbox_message::Column::CompanyId.eq(c))
        .filter(outbox_message::Column::ToAddress.is_in(emails))
        .exec(&tx)
        .await?;

    employment_stint::Entity::update_many()
        .col_expr(
            employment_stint::Column::JobTitle,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            employment_stint::Column::LeaveReasonDetail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            employment_stint::Column::ExitInterviewNotes,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            employment_stint::Column::RehireReason,
            Expr::value(Option::<String>::None),
        )
        .filter(employment_stint::Column::CompanyId.eq(c))
        .filter(employment_stint::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    engagement::Entity::update_many()
        .col_expr(
            engagement::Column::Note,
            Expr::value(Option::<String>::None),
        )
        .filter(engagement::Column::CompanyId.eq(c))
        .filter(engagement::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    // A venture's support and deals stay as amounts and dates; its name (often the founder's own),
    // website, notes and who-said-what go.
    let ventures: Vec<Uuid> = venture::Entity::find()
        .filter(venture::Column::CompanyId.eq(c))
        .filter(venture::Column::PersonId.eq(person.0))
        .all(&tx)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    venture::Entity::update_many()
        .col_expr(venture::Column::Name, Expr::value("—"))
        .col_expr(
            venture::Column::Website,
            Expr::value(Option::<String>::None),
        )
        .col_expr(venture::Column::Note, Expr::value(Option::<String>::None))
        .filter(venture::Column::CompanyId.eq(c))
        .filter(venture::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    venture_support::Entity::update_many()
        .col_expr(
            venture_support::Column::Outcome,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            venture_support::Column::ByName,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            venture_support::Column::Description,
            Expr::value(Option::<String>::None),
        )
        .filter(venture_support::Column::CompanyId.eq(c))
        .filter(venture_support::Column::VentureId.is_in(ventures.clone()))
        .exec(&tx)
        .await?;
    venture_deal::Entity::update_many()
        .col_expr(
            venture_deal::Column::Description,
            Expr::value(Option::<String>::None),
        )
        .filter(venture_deal::Column::CompanyId.eq(c))
        .filter(venture_deal::Column::VentureId.is_in(ventures))
        .exec(&tx)
        .await?;
    // What they brought stays in the year's figures, without names or notes.
    contribution::Entity::update_many()
        .col_expr(
            contribution::Column::Candidate,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            contribution::Column::Note,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            contribution::Column::CandidateEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            contribution::Column::CandidatePhone,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            contribution::Column::Relationship,
            Expr::value(Option::<String>::None),
        )
        .filter(contribution::Column::CompanyId.eq(c))
        .filter(contribution::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    comeback::Entity::update_many()
        .col_expr(comeback::Column::Note, Expr::value(Option::<String>::None))
        .col_expr(
            comeback::Column::SkillsGained,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            comeback::Column::DroppedReason,
            Expr::value(Option::<String>::None),
        )
        .filter(comeback::Column::CompanyId.eq(c))
        .filter(comeback::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    let offers: Vec<Uuid> = return_offer::Entity::find()
        .filter(return_offer::Column::CompanyId.eq(c))
        .filter(return_offer::Column::PersonId.eq(person.0))
        .all(&tx)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    return_offer::Entity::update_many()
        .col_expr(
            return_offer::Column::TermsNote,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            return_offer::Column::OverrideReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            return_offer::Column::StatusReason,
            Expr::value(Option::<String>::None),
        )
        .filter(return_offer::Column::CompanyId.eq(c))
        .filter(return_offer::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    let missions: Vec<Uuid> = learning_mission::Entity::find()
        .filter(learning_mission::Column::CompanyId.eq(c))
        .filter(learning_mission::Column::OfferId.is_in(offers.clone()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    learning_mission::Entity::update_many()
        .col_expr(
            learning_mission::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .filter(learning_mission::Column::CompanyId.eq(c))
        .filter(learning_mission::Column::OfferId.is_in(offers))
        .exec(&tx)
        .await?;
    mission_check_in::Entity::update_many()
        .col_expr(mission_check_in::Column::Activity, Expr::value(""))
        .filter(mission_check_in::Column::CompanyId.eq(c))
        .filter(mission_check_in::Column::MissionId.is_in(missions))
        .exec(&tx)
        .await?;
    audit_entry::Entity::update_many()
        .col_expr(
            audit_entry::Column::Changes,
            Expr::value("{\"erased\":true}"),
        )
        .filter(audit_entry::Column::CompanyId.eq(c))
        .filter(
            Condition::any()
                .add(audit_entry::Column::PersonId.eq(person.0))
                .add(audit_entry::Column::EntityId.eq(person.0)),
        )
        .exec(&tx)
        .await?;
    req_row::Entity::update_many()
        .col_expr(req_row::Column::CompletedAt, Expr::value(Some(at)))
        .col_expr(
            req_row::Column::CompletedBy,
            Expr::value(Some(actor.name.clone())),
        )
        .filter(req_row::Column::CompanyId.eq(c))
        .filter(req_row::Column::PersonId.eq(person.0))
        .filter(req_row::Column::CompletedAt.is_null())
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "person.erase",
            entity: "person",
            entity_id: person.0,
            person_id: None,
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    db.checkpoint().await?;
    Ok(())
}

/// Someone the retention rule says is due for deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionDue {
    pub person: PersonId,
    pub name: String,
    pub last_contact: NaiveDate,
}

/// Former employees whose last contact is older than the company's retention period and whose consent to
/// no purpose is current. Empty when the company has no retention rule.
pub async fn retention_due(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
) -> StoreResult<Vec<RetentionDue>> {
    let Some(years) = companies::public_settings(db, scope).await?.retention_years else {
        return Ok(Vec::new());
    };
    let c = scope.company_id().0;
    let cutoff = today
        .checked_sub_months(chrono::Months::new(12 * years.max(0) as u32))
        .unwrap_or(today);
    let people = person_row::Entity::find()
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::ErasedAt.is_null())
        .filter(person_row::Column::Status.eq("alumnus"))
        .all(&db.read)
        .await?;
    let mut last_end: std::collections::HashMap<Uuid, NaiveDate> = Default::default();
    for s in employment_stint::Entity::find()
        .filter(employment_stint::Column::CompanyId.eq(c))
        .all(&db.read)
        .await?
    {
        if let Some(e) = s.end_date {
            let v = last_end.entry(s.person_id).or_insert(e);
            *v = (*v).max(e);
        }
    }
    let consenting = current_consenters(db, scope).await?;
    let mut out: Vec<RetentionDue> = people
        .into_iter()
        .filter(|p| !consenting.contains(&p.id))
        .filter_map(|p| {
            let last = [
                p.last_contact_on,
                last_end.get(&p.id).copied(),
                p.self_updated_at.map(|d| d.date_naive()),
                Some(p.created_at.date_naive()),
            ]
            .into_iter()
            .flatten()
            .max()?;
            (last < cutoff).then(|| RetentionDue {
                person: PersonId(p.id),
                name: format!("{} {}", p.family_name, p.given_name),
                last_contact: last,
            })
        })
        .collect();
    out.sort_by_key(|d| d.last_contact);
    Ok(out)
}

async fn current_consenters(
    db: &Db,
    scope: &Scope,
) -> StoreResult<std::collections::HashSet<Uuid>> {
    let purposes = crate::consent::purposes(db, scope).await?;
    let rows = consent::Entity::find()
        .filter(consent::Column::CompanyId.eq(scope.company_id().0))
        .filter(consent::Column::Granted.eq(true))
        .all(&db.read)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            purposes
                .iter()
                .any(|p| p.id == r.purpose_id && p.active && p.version == r.version)
        })
        .map(|r| r.person_id)
        .collect())
}

/// Everything Kaeru stores about a person, for their own download (APPI disclosure).
pub async fn export(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<serde_json::Value> {
    use serde_json::json;
    let p = crate::people::get(db, scope, person).await?;
    let facts = crate::people::portal_facts(db, scope, person).await?;
    let outlook = crate::people::outlook(db, scope, person).await?;
    let stints = crate::stints::for_person(db, scope, person).await?;
    let careers = crate::careers::for_person(db, scope, person).await?;
    let catalogue = crate::skills::catalogue(db, scope).await?;
    let skills: Vec<serde_json::Value> = crate::skills::for_person(db, scope, person)
        .await?
        .into_iter()
        .map(|s| {
            let name = catalogue
                .iter()
                .find(|c| c.id == s.skill_id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            json!({"skill": name, "level": s.level, "origin": s.origin.code(), "source": s.source.code(), "assessed_on": s.assessed_on, "note": s.note})
        })
        .collect();
    let qualifications = crate::portal::qualifications(db, scope, person).await?;
    let offers = crate::offers::for_person(db, scope, person).await?;
    let consents: Vec<serde_json::Value> = crate::consent::for_person(db, scope, person)
        .await?
        .into_iter()
        .map(|c| {
            json!({"purpose": c.purpose.code, "name": c.purpose.name_ja, "current_version": c.purpose.version,
                   "decided_version": c.decided.map(|d| d.0), "granted": c.decided.map(|d| d.1), "decided_at": c.decided.map(|d| d.2)})
        })
        .collect();
    let messages: Vec<serde_json::Value> = crate::outbox::for_person(db, scope, person)
        .await?
        .into_iter()
        .map(|m| json!({"to": m.to, "subject": m.subject, "purpose": m.purpose, "status": m.status, "created_at": m.created_at, "sent_at": m.sent_at}))
        .collect();
    let requests: Vec<serde_json::Value> = requests(db, scope)
        .await?
        .into_iter()
        .filter(|r| r.person == person)
        .map(|r| json!({"requested_at": r.requested_at, "due_on": r.due_on, "completed_at": r.completed_at}))
        .collect();
    let touchpoints = crate::touchpoints::for_person(db, scope, person).await?;
    let side_jobs = crate::side_jobs::for_person(db, scope, person).await?;
    let ventures = crate::ventures::export_of_person(db, scope, person).await?;
    let job_board = crate::job_board::own_data(db, scope, person).await?;
    let company = companies::get(db, scope).await?;
    Ok(json!({
        "exported_at": now(),
        "company": company.name,
        "person": p,
        "outlook": outlook,
        "message_to_company": facts.message_to_company,
        "contact_stopped_at": facts.contact_stopped_at,
        "stints": stints,
        "careers": careers,
        "skills": skills,
        "qualifications": qualifications,
        "return_offers": offers,
        "consents": consents,
        "messages": messages,
        "deletion_requests": requests,
        "touchpoints": touchpoints,
        "side_jobs": side_jobs,
        "ventures": ventures,
        "job_board": job_board,
    }))
}
