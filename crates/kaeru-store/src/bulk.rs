//! Writing many people at once (a synthetic company for benchmarks, later large imports): multi-row inserts in
//! chunks inside one transaction, one revision bump and one audit entry at the end. All or nothing.

use crate::audit::{self, Change};
use crate::entity::{
    career, employment_stint as stint_row, person as person_row, person_email, person_skill,
    return_offer,
};
use crate::{Actor, Db, Scope, StoreResult, companies, now};
use chrono::{Datelike, NaiveDate};
use kaeru_domain::{
    CareerDraft, OfferStatus, OfferTerm, Outlook, PersonDraft, PersonId, PersonSkillDraft,
    PersonStatus, StintDraft,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};

/// One person with everything that hangs off them.
#[derive(Clone, Debug)]
pub struct BulkPerson {
    pub person: PersonDraft,
    pub status: PersonStatus,
    pub outlook: Outlook,
    pub stints: Vec<StintDraft>,
    pub skills: Vec<PersonSkillDraft>,
    pub careers: Vec<CareerDraft>,
    /// An issued return offer with this window.
    pub offer: Option<(NaiveDate, NaiveDate)>,
}

/// A new stint row for a person.
pub(crate) fn stint_model(
    company: uuid::Uuid,
    person: PersonId,
    s: &StintDraft,
) -> stint_row::ActiveModel {
    stint_row::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        company_id: Set(company),
        person_id: Set(person.0),
        start_date: Set(s.start_date),
        end_date: Set(s.end_date),
        department: Set(s.department.clone()),
        job_title: Set(s.job_title.clone()),
        employment_type: Set(s.employment_type.code().into()),
        leave_reason: Set(s.leave_reason.map(|x| x.code().to_string())),
        leave_reason_detail: Set(s.leave_reason_detail.clone()),
        exit_interview_notes: Set(s.exit_interview_notes.clone()),
        rehire_eligibility: Set(s.rehire_eligibility.map(|x| x.code().to_string())),
        rehire_reason: Set(s.rehire_reason.clone()),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
}

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's limits on bound values.
const CHUNK: usize = 400;

async fn insert_chunks<E, A>(tx: &sea_orm::DatabaseTransaction, rows: Vec<A>) -> StoreResult<()>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        E::insert_many(chunk).exec_without_returning(tx).await?;
    }
    Ok(())
}

/// Inserts `people` into the scope's company in one transaction; `progress` is told how many are written.
pub async fn insert_people(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    people: &[BulkPerson],
    today: NaiveDate,
    progress: impl Fn(usize),
) -> StoreResult<Vec<PersonId>> {
    let tx = db.write.begin().await?;
    let (ids, offers) = insert_people_in(&tx, scope, actor, people, today, progress).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "people.bulk_insert",
            entity: "company",
            entity_id: scope.company_id().0,
            person_id: None,
            changes: serde_json::json!({"people": people.len(), "offers": offers}),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    // Fresh statistics, or the planners take a company's whole index for a lookup of a few ids.
    db.write.execute_unprepared("ANALYZE").await?;
    Ok(ids)
}

/// Inserts `people` inside the caller's transaction (no audit entry, no revision bump: the caller does them);
/// returns their ids and how many offers were written.
pub(crate) async fn insert_people_in(
    tx: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    actor: &Actor,
    people: &[BulkPerson],
    today: NaiveDate,
    progress: impl Fn(usize),
) -> StoreResult<(Vec<PersonId>, u32)> {
    let c = scope.company_id().0;
    let mut ids = Vec::with_capacity(people.len());
    let mut offer_seq = 0u32;
    for (n, batch) in people.chunks(CHUNK).enumerate() {
        let mut p_rows = Vec::new();
        let mut e_rows = Vec::new();
        let mut s_rows = Vec::new();
        let mut k_rows = Vec::new();
        let mut c_rows = Vec::new();
        let mut o_rows = Vec::new();
        for b in batch {
            let id = PersonId::new();
            ids.push(id);
            let d = &b.person;
            p_rows.push(person_row::ActiveModel {
                id: Set(id.0),
                company_id: Set(c),
                employee_number: Set(d.employee_number.clone()),
                family_name: Set(d.family_name.clone()),
                given_name: Set(d.given_name.clone()),
                family_kana: Set(d.family_kana.clone()),
                given_kana: Set(d.given_kana.clone()),
                romaji_name: Set(d.romaji_name.clone()),
                phone: Set(d.phone.clone()),
                line_id: Set(d.line_id.clone()),
                facebook_url: Set(d.facebook_url.clone()),
                linkedin_url: Set(d.linkedin_url.clone()),
                prefecture: Set(d.prefecture.clone()),
                city: Set(d.city.clone()),
                birth_date: Set(d.birth_date),
                notes: Set(d.notes.clone()),
                sort_key: Set(kaeru_search::kana_sort_key(&d.family_kana, &d.given_kana)),
                status: Set(b.status.code().into()),
                return_intent: Set(b.outlook.intent.map(|x| x.code().to_string())),
                work_style: Set(b.outlook.work_style.map(|x| x.code().to_string())),
                days_per_week: Set(b.outlook.days_per_week),
                last_contact_on: Set(b.outlook.last_contact_on),
                contact_stopped_at: Set(None),
                self_updated_at: Set(None),
                message_to_company: Set(None),
                message_at: Set(None),
                erased_at: Set(None),
                created_at: Set(now()),
                updated_at: Set(now()),
            });
            for (i, e) in d.emails.iter().enumerate() {
                e_rows.push(person_email::ActiveModel {
                    company_id: Set(c),
                    person_id: Set(id.0),
                    email: Set(e.clone()),
                    position: Set(i as i32),
                });
            }
            for s in &b.stints {
                s_rows.push(stint_model(c, id, s));
            }
            for k in &b.skills {
                k_rows.push(person_skill::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    company_id: Set(c),
                    person_id: Set(id.0),
                    skill_id: Set(k.skill_id.0),
                    level: Set(k.level),
                    origin: Set(k.origin.code().into()),
                    source: Set(k.source.code().into()),
                    assessed_on: Set(k.assessed_on),
                    note: Set(k.note.clone()),
                    created_at: Set(now()),
                });
            }
            for w in &b.careers {
                c_rows.push(career::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    company_id: Set(c),
                    person_id: Set(id.0),
                    employer: Set(w.employer.clone()),
                    role: Set(w.role.clone()),
                    industry: Set(w.industry.clone()),
                    from_date: Set(w.from_date),
                    to_date: Set(w.to_date),
                    created_at: Set(now()),
                });
            }
            if let Some((from, until)) = b.offer {
                offer_seq += 1;
                o_rows.push(return_offer::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    company_id: Set(c),
                    person_id: Set(id.0),
                    number: Set(format!("RO-{}-{offer_seq:06}", today.year())),
                    status: Set(OfferStatus::Issued.code().into()),
                    valid_from: Set(from),
                    valid_until: Set(until),
                    terms: Set(OfferTerm::PriorityInterview.code().into()),
                    salary_floor_yen: Set(None),
                    terms_note: Set(None),
                    signer_name: Set(actor.name.clone()),
                    signer_title: Set(None),
                    override_reason: Set(None),
                    status_reason: Set(None),
                    issued_on: Set(Some(from)),
                    acknowledged_at: Set(None),
                    created_at: Set(now()),
                    updated_at: Set(now()),
                });
            }
        }
        insert_chunks(tx, p_rows).await?;
        insert_chunks(tx, e_rows).await?;
        insert_chunks(tx, s_rows).await?;
        insert_chunks(tx, k_rows).await?;
        insert_chunks(tx, c_rows).await?;
        insert_chunks(tx, o_rows).await?;
        progress((n * CHUNK + batch.len()).min(people.len()));
    }
    Ok((ids, offer_seq))
}
