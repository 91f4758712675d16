//! Registrations from the public page by former employees not yet known to Kaeru. A registration never
//! merges into a person by itself: HR sees possible matches (same e-mail, name, reading, birth date) and
//! links it to one of them, creates a new person, or rejects it. Either way the registration row goes.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{person as person_row, person_email, registration as row};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now, people};
use kaeru_domain::person::Kana;
use kaeru_domain::validation::EmailAddress;
use kaeru_domain::{PersonDraft, PersonId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct NewRegistration {
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub email: String,
    pub phone: Option<String>,
    pub birth_date: Option<chrono::NaiveDate>,
    /// When they worked here, as they remember it (e.g. 2015〜2021).
    pub period: Option<String>,
    pub department: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub id: Uuid,
    pub data: NewRegistration,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Why an existing person might be the one who registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PossibleMatch {
    pub person: PersonId,
    pub name: String,
    pub kana: String,
    /// `email`, `name`, `kana`, `birth_date`
    pub reasons: Vec<&'static str>,
}

fn of(r: row::Model) -> Registration {
    Registration {
        id: r.id,
        created_at: r.created_at,
        data: NewRegistration {
            family_name: r.family_name,
            given_name: r.given_name,
            family_kana: r.family_kana,
            given_kana: r.given_kana,
            email: r.email,
            phone: r.phone,
            birth_date: r.birth_date,
            period: r.period,
            department: r.department,
            message: r.message,
        },
    }
}

/// Stores a registration and, in the same transaction, queues its receipt (`receipt`: subject and body).
pub async fn create(
    db: &Db,
    scope: &Scope,
    r: &NewRegistration,
    receipt: (String, String),
) -> StoreResult<Uuid> {
    let tx = db.write.begin().await?;
    let id = Uuid::now_v7();
    row::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id().0),
        family_name: Set(r.family_name.clone()),
        given_name: Set(r.given_name.clone()),
        family_kana: Set(r.family_kana.clone()),
        given_kana: Set(r.given_kana.clone()),
        email: Set(r.email.clone()),
        phone: Set(r.phone.clone()),
        birth_date: Set(r.birth_date),
        period: Set(r.period.clone()),
        department: Set(r.department.clone()),
        message: Set(r.message.clone()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    crate::outbox::enqueue_in(
        &tx,
        scope,
        &crate::outbox::NewMessage {
            channel: kaeru_domain::announcement::DeliveryChannel::Email,
            person: None,
            purpose: None,
            kind: "registration_receipt".into(),
            to: r.email.clone(),
            subject: receipt.0,
            body: receipt.1,
            attachment: None,
            idempotency_key: format!("registration:{id}"),
        },
    )
    .await
    .map_err(|e| StoreError::Other(anyhow::anyhow!(e.to_string())))?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<Registration>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_asc(row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(of)
        .collect())
}

pub async fn get(db: &Db, scope: &Scope, id: Uuid) -> StoreResult<Registration> {
    row::Entity::find_by_id(id)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(of)
        .ok_or(StoreError::NotFound)
}

pub async fn count(db: &Db, scope: &Scope) -> StoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .count(&db.read)
        .await?)
}

/// People of the company who might be the one who registered, best first.
pub async fn matches(db: &Db, scope: &Scope, r: &Registration) -> StoreResult<Vec<PossibleMatch>> {
    let c = scope.company_id().0;
    let d = &r.data;
    let by_email: Vec<Uuid> = person_email::Entity::find()
        .filter(person_email::Column::CompanyId.eq(c))
        .filter(person_email::Column::Email.eq(d.email.to_lowercase()))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|e| e.person_id)
        .collect();
    let mut cond = Condition::any()
        .add(person_row::Column::Id.is_in(by_email.clone()))
        .add(
            Condition::all()
                .add(person_row::Column::FamilyName.eq(d.family_name.clone()))
                .add(person_row::Column::GivenName.eq(d.given_name.clone())),
        )
        .add(
            Condition::all()
                .add(person_row::Column::FamilyKana.eq(d.family_kana.clone()))
                .add(person_row::Column::GivenKana.eq(d.given_kana.clone())),
        );
    if let Some(b) = d.birth_date {
        cond = cond.add(person_row::Column::BirthDate.eq(b));
    }
    let found = person_row::Entity::find()
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::ErasedAt.is_null())
        .filter(cond)
        .all(&db.read)
        .await?;
    let mut out: Vec<PossibleMatch> = found
        .into_iter()
        .map(|p| {
            let mut reasons = Vec::new();
            if by_email.contains(&p.id) {
                reasons.push("email");
            }
            if p.family_name == d.family_name && p.given_name == d.given_name {
                reasons.push("name");
            }
            if kaeru_search::fold(&p.family_kana) == kaeru_search::fold(&d.family_kana)
                && kaeru_search::fold(&p.given_kana) == kaeru_search::fold(&d.given_kana)
            {
                reasons.push("kana");
            }
            if d.birth_date.is_some() && p.birth_date == d.birth_date {
                reasons.push("birth_date");
            }
            PossibleMatch {
                person: PersonId(p.id),
                name: format!("{} {}", p.family_name, p.given_name),
                kana: format!("{} {}", p.family_kana, p.given_kana),
                reasons,
            }
        })
        .collect();
    out.sort_by_key(|m| {
        std::cmp::Reverse(m.reasons.len() * 10 + usize::from(m.reasons.contains(&"email")))
    });
    Ok(out)
}

fn note_of(d: &NewRegistration) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(p) = &d.period {
        parts.push(format!("在籍期間（本人申告）: {p}"));
    }
    if let Some(dep) = &d.department {
        parts.push(format!("部署（本人申告）: {dep}"));
    }
    if let Some(m) = &d.message {
        parts.push(format!("登録時のメッセージ: {m}"));
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// Links the registration to an existing person: the address and empty contact fields are added, nothing
/// the company already had is overwritten. Returns the person.
pub async fn link(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    person: PersonId,
) -> StoreResult<PersonId> {
    let r = get(db, scope, id).await?;
    let current = people::get(db, scope, person).await?;
    let mut draft = people::draft_of(&current);
    let email = EmailAddress::from_checked(r.data.email.to_lowercase());
    if !draft.emails.contains(&email) {
        draft.emails.push(email);
    }
    if draft.phone.is_none() {
        draft.phone = r.data.phone.clone();
    }
    if draft.birth_date.is_none() {
        draft.birth_date = r.data.birth_date;
    }
    if let Some(n) = note_of(&r.data) {
        draft.notes = Some(match draft.notes {
            Some(old) if !old.is_empty() => format!("{old}\n{n}"),
            _ => n,
        });
    }
    let tx = db.write.begin().await?;
    people::update_in(&tx, scope, actor, person, &draft).await?;
    decided(&tx, scope, actor, id, Some(person), "registration.link").await?;
    tx.commit().await?;
    Ok(person)
}

/// Creates a new person from the registration.
pub async fn create_person(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<PersonId> {
    let r = get(db, scope, id).await?;
    let d = &r.data;
    let draft = PersonDraft {
        employee_number: None,
        family_name: d.family_name.clone(),
        given_name: d.given_name.clone(),
        family_kana: Kana::from_checked(d.family_kana.clone()),
        given_kana: Kana::from_checked(d.given_kana.clone()),
        romaji_name: None,
        emails: vec![EmailAddress::from_checked(d.email.to_lowercase())],
        phone: d.phone.clone(),
        line_id: None,
        facebook_url: None,
        linkedin_url: None,
        prefecture: None,
        city: None,
        birth_date: d.birth_date,
        notes: note_of(d),
    };
    let tx = db.write.begin().await?;
    let p = people::create_in(&tx, scope, actor, &draft)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::Conflict(Clash::EmailTaken),
            other => other,
        })?;
    decided(&tx, scope, actor, id, Some(p.id), "registration.create").await?;
    tx.commit().await?;
    Ok(p.id)
}

/// Rejects a registration (spam, or not a former employee); it is deleted.
pub async fn reject(db: &Db, scope: &Scope, actor: &Actor, id: Uuid) -> StoreResult<()> {
    get(db, scope, id).await?;
    let tx = db.write.begin().await?;
    decided(&tx, scope, actor, id, None, "registration.reject").await?;
    tx.commit().await?;
    Ok(())
}

async fn decided(
    tx: &impl sea_orm::ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    person: Option<PersonId>,
    action: &'static str,
) -> StoreResult<()> {
    let gone = row::Entity::delete_many()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Id.eq(id))
        .exec(tx)
        .await?;
    if gone.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        tx,
        scope,
        Change {
            action,
            entity: "registration",
            entity_id: id,
            person_id: person,
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await
}
