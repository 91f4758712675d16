//! The alumni portal: sign-in by magic link, portal sessions, and what a person keeps up to date themselves
//! (contacts, certifications and degrees, a message to the company), plus everything stored about them.

use crate::audit::{self, Change};
use crate::entity::{
    company, magic_link as link_row, person as person_row, person_email,
    portal_session as session_row, qualification as qual_row,
};
use crate::outbox::{self, NewMessage};
use crate::tokens::{hash_token, random_token};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now, people};
use kaeru_domain::{Company, CompanyId, PersonId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

/// How long a sign-in link stays valid.
pub const LINK_MINUTES: i64 = 15;

/// The actor of changes a person makes through the portal.
pub fn self_actor() -> Actor {
    Actor::system("本人 (self)")
}

/// The person of the company with this e-mail address, unless their record was erased.
pub async fn person_by_email(db: &Db, scope: &Scope, email: &str) -> StoreResult<Option<PersonId>> {
    let email = email.trim().to_lowercase();
    let Some(e) = person_email::Entity::find()
        .filter(person_email::Column::CompanyId.eq(scope.company_id().0))
        .filter(person_email::Column::Email.eq(email))
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    let alive = person_row::Entity::find_by_id(e.person_id)
        .filter(person_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(person_row::Column::ErasedAt.is_null())
        .one(&db.read)
        .await?
        .is_some();
    Ok(alive.then_some(PersonId(e.person_id)))
}

/// Creates a single-use sign-in link for the person and queues the e-mail that carries it, in one
/// transaction. `compose` turns the token into the subject and body.
pub async fn send_link(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    to: &str,
    compose: impl FnOnce(&str) -> (String, String),
) -> StoreResult<()> {
    let token = random_token();
    let hash = hash_token(&token);
    let (subject, body) = compose(&token);
    let tx = db.write.begin().await?;
    people::live(&tx, scope, person).await?;
    // Only the newest link works: an older one lying in a mailbox (or a forwarded mail) no longer signs in.
    let at = now();
    link_row::Entity::update_many()
        .col_expr(link_row::Column::ExpiresAt, Expr::value(at))
        .filter(link_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(link_row::Column::PersonId.eq(person.0))
        .filter(link_row::Column::UsedAt.is_null())
        .filter(link_row::Column::ExpiresAt.gt(at))
        .exec(&tx)
        .await?;
    link_row::ActiveModel {
        id: Set(hash.clone()),
        company_id: Set(scope.company_id().0),
        person_id: Set(person.0),
        expires_at: Set(now() + chrono::Duration::minutes(LINK_MINUTES)),
        used_at: Set(None),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    outbox::enqueue_in(
        &tx,
        scope,
        &NewMessage {
            channel: kaeru_domain::announcement::DeliveryChannel::Email,
            person: Some(person),
            purpose: None,
            kind: "magic_link".into(),
            to: to.into(),
            subject,
            body,
            attachment: None,
            idempotency_key: format!("magic:{hash}"),
        },
    )
    .await
    .map_err(|e| match e {
        outbox::QueueError::Store(s) => s,
        other => StoreError::Other(anyhow::anyhow!(other.to_string())),
    })?;
    tx.commit().await?;
    Ok(())
}

/// Why a sign-in link did not work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// Unknown, or of another company.
    Invalid,
    Expired,
    Used,
}

/// Uses a sign-in link of the company: valid once, for [`LINK_MINUTES`].
pub async fn consume_link(
    db: &Db,
    scope: &Scope,
    token: &str,
) -> StoreResult<Result<PersonId, LinkProblem>> {
    if token.len() != 64 {
        return Ok(Err(LinkProblem::Invalid));
    }
    let hash = hash_token(token);
    let Some(link) = link_row::Entity::find_by_id(hash.clone())
        .filter(link_row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.write)
        .await?
    else {
        return Ok(Err(LinkProblem::Invalid));
    };
    if link.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if link.expires_at <= now() {
        return Ok(Err(LinkProblem::Expired));
    }
    // Only one of two simultaneous uses wins.
    let won = link_row::Entity::update_many()
        .col_expr(link_row::Column::UsedAt, Expr::value(Some(now())))
        .filter(link_row::Column::Id.eq(hash))
        .filter(link_row::Column::UsedAt.is_null())
        .exec(&db.write)
        .await?;
    if won.rows_affected != 1 {
        return Ok(Err(LinkProblem::Used));
    }
    Ok(Ok(PersonId(link.person_id)))
}

/// A signed-in former employee.
#[derive(Clone, Debug)]
pub struct PortalSession {
    pub scope: Scope,
    pub person: PersonId,
    pub company: Company,
    pub csrf_token: String,
}

pub async fn start_session(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    ttl: chrono::Duration,
) -> StoreResult<String> {
    let token = random_token();
    session_row::ActiveModel {
        id: Set(hash_token(&token)),
        company_id: Set(scope.company_id().0),
        person_id: Set(person.0),
        csrf_token: Set(random_token()),
        created_at: Set(now()),
        expires_at: Set(now() + ttl),
    }
    .insert(&db.write)
    .await?;
    Ok(token)
}

pub async fn resolve_session(db: &Db, token: &str) -> StoreResult<Option<PortalSession>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let Some(s) = session_row::Entity::find_by_id(hash_token(token))
        .filter(session_row::Column::ExpiresAt.gt(now()))
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    let alive = person_row::Entity::find_by_id(s.person_id)
        .filter(person_row::Column::CompanyId.eq(s.company_id))
        .filter(person_row::Column::ErasedAt.is_null())
        .one(&db.read)
        .await?
        .is_some();
    if !alive {
        return Ok(None);
    }
    let Some(c) = company::Entity::find_by_id(s.company_id)
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(PortalSession {
        scope: Scope::for_company(CompanyId(c.id)),
        person: PersonId(s.person_id),
        company: crate::companies::to_domain(c),
        csrf_token: s.csrf_token,
    }))
}

pub async fn end_session(db: &Db, token: &str) -> StoreResult<()> {
    session_row::Entity::delete_by_id(hash_token(token))
        .exec(&db.write)
        .await?;
    Ok(())
}

/// Removes expired portal sessions and sign-in links used or expired over a day ago.
pub async fn purge_expired(db: &Db) -> StoreResult<u64> {
    let a = session_row::Entity::delete_many()
        .filter(session_row::Column::ExpiresAt.lt(now()))
        .exec(&db.write)
        .await?
        .rows_affected;
    let b = link_row::Entity::delete_many()
        .filter(link_row::Column::ExpiresAt.lt(now() - chrono::Duration::days(1)))
        .exec(&db.write)
        .await?
        .rows_affected;
    Ok(a + b)
}

/// The contact details a person edits themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Contacts {
    pub emails: Vec<kaeru_domain::validation::EmailAddress>,
    pub phone: Option<String>,
    pub line_id: Option<String>,
    pub facebook_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
}

/// Saves the person's own contact details (audited as the person's change).
pub async fn update_contacts(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    c: &Contacts,
) -> StoreResult<()> {
    let current = people::get(db, scope, person).await?;
    let mut draft = people::draft_of(&current);
    draft.emails = c.emails.clone();
    draft.phone = c.phone.clone();
    draft.line_id = c.line_id.clone();
    draft.facebook_url = c.facebook_url.clone();
    draft.linkedin_url = c.linkedin_url.clone();
    draft.prefecture = c.prefecture.clone();
    draft.city = c.city.clone();
    let tx = db.write.begin().await?;
    people::update_in(&tx, scope, &self_actor(), person, &draft).await?;
    people::mark_self_updated(&tx, scope, person).await?;
    tx.commit().await?;
    Ok(())
}

/// Notes that the person changed something themselves (after a change made by another repository).
pub async fn touch(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<()> {
    people::mark_self_updated(&db.write, scope, person).await
}

/// The person's message to the company (empty clears it).
pub async fn set_message(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    text: Option<String>,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    people::live(&tx, scope, person).await?;
    let updated = person_row::Entity::update_many()
        .col_expr(
            person_row::Column::MessageToCompany,
            Expr::value(text.clone()),
        )
        .col_expr(
            person_row::Column::MessageAt,
            Expr::value(text.as_ref().map(|_| now())),
        )
        .col_expr(person_row::Column::SelfUpdatedAt, Expr::value(Some(now())))
        .filter(person_row::Column::Id.eq(person.0))
        .filter(person_row::Column::CompanyId.eq(scope.company_id().0))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "person.message",
            entity: "person",
            entity_id: person.0,
            person_id: Some(person),
            changes: serde_json::json!({"message": text}),
            actor: &self_actor(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A certification (資格) or a degree (学位).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Qualification {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub issuer: Option<String>,
    pub obtained_on: Option<chrono::NaiveDate>,
}

pub const QUALIFICATION_KINDS: [&str; 2] = ["certification", "degree"];

pub async fn qualifications(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<Qualification>> {
    Ok(qual_row::Entity::find()
        .filter(qual_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(qual_row::Column::PersonId.eq(person.0))
        .order_by_desc(qual_row::Column::ObtainedOn)
        .order_by_asc(qual_row::Column::Name)
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| Qualification {
            id: r.id,
            kind: r.kind,
            name: r.name,
            issuer: r.issuer,
            obtained_on: r.obtained_on,
        })
        .collect())
}

pub async fn add_qualification(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    q: &Qualification,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    people::live(&tx, scope, person).await?;
    let id = Uuid::now_v7();
    qual_row::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id().0),
        person_id: Set(person.0),
        kind: Set(q.kind.clone()),
        name: Set(q.name.clone()),
        issuer: Set(q.issuer.clone()),
        obtained_on: Set(q.obtained_on),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    if actor.id.is_none() {
        people::mark_self_updated(&tx, scope, person).await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "qualification.add",
            entity: "qualification",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::to_value(q).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_qualification(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: Uuid,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    people::live(&tx, scope, person).await?;
    let gone = qual_row::Entity::delete_many()
        .filter(qual_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(qual_row::Column::PersonId.eq(person.0))
        .filter(qual_row::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    if gone.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    if actor.id.is_none() {
        people::mark_self_updated(&tx, scope, person).await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "qualification.remove",
            entity: "qualification",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
