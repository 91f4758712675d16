//! Purposes of use and consents (APPI): the company lists why it keeps in touch, each purpose with a version;
//! a person consents per purpose and version, may withdraw any time, or stop all contact at once. A message
//! for a purpose goes out only while the person's consent to the current version stands.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{consent as row, person as person_row, purpose as purpose_row};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now};
use kaeru_domain::PersonId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

/// The purposes every company starts with: code, Japanese and English names and descriptions.
pub const DEFAULT_PURPOSES: [(&str, &str, &str, &str, &str); 4] = [
    (
        "rehire",
        "再雇用のご案内",
        "Invitations to work here again",
        "再入社や復職の機会、求人、復職オファーについてご連絡します。",
        "We tell you about chances to come back: openings and return offers.",
    ),
    (
        "events",
        "イベントのご案内",
        "Event invitations",
        "OB・OG会や交流会などのイベントにご招待します。",
        "We invite you to alumni gatherings and other events.",
    ),
    (
        "collaboration",
        "業務委託・協業のご相談",
        "Contract work and partnership",
        "業務委託のお仕事や、事業での協業についてご相談します。",
        "We ask whether you would take on contract work or partner with us.",
    ),
    (
        "newsletter",
        "社内報の送付",
        "Company newsletter",
        "社内報や会社の近況をお送りします。",
        "We send you the company newsletter and news.",
    ),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purpose {
    pub id: Uuid,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub version: i32,
    pub active: bool,
}

impl Purpose {
    pub fn name(&self, lang: impl std::borrow::Borrow<kaeru_domain::Language>) -> &str {
        match lang.borrow() {
            kaeru_domain::Language::Ja => &self.name_ja,
            kaeru_domain::Language::En => &self.name_en,
        }
    }

    pub fn description(&self, lang: impl std::borrow::Borrow<kaeru_domain::Language>) -> &str {
        match lang.borrow() {
            kaeru_domain::Language::Ja => &self.description_ja,
            kaeru_domain::Language::En => &self.description_en,
        }
    }
}

fn purpose_of(r: purpose_row::Model) -> Purpose {
    Purpose {
        id: r.id,
        code: r.code,
        name_ja: r.name_ja,
        name_en: r.name_en,
        description_ja: r.description_ja,
        description_en: r.description_en,
        version: r.version,
        active: r.active,
    }
}

/// Makes sure the company has the default purposes (existing rows are kept as they are).
pub async fn ensure_defaults(db: &Db, scope: &Scope) -> StoreResult<()> {
    let c = scope.company_id().0;
    let have = purpose_row::Entity::find()
        .filter(purpose_row::Column::CompanyId.eq(c))
        .all(&db.read)
        .await?;
    if !have.is_empty() {
        return Ok(());
    }
    for (i, (code, ja, en, dja, den)) in DEFAULT_PURPOSES.iter().enumerate() {
        purpose_row::Entity::insert(purpose_row::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(c),
            code: Set((*code).into()),
            name_ja: Set((*ja).into()),
            name_en: Set((*en).into()),
            description_ja: Set((*dja).into()),
            description_en: Set((*den).into()),
            version: Set(1),
            active: Set(true),
            position: Set(i as i32),
            updated_at: Set(now()),
        })
        .on_conflict_do_nothing_on([purpose_row::Column::CompanyId, purpose_row::Column::Code])
        .exec_without_returning(&db.write)
        .await?;
    }
    Ok(())
}

/// The company's purposes of use, in their order (active and retired).
pub async fn purposes(db: &Db, scope: &Scope) -> StoreResult<Vec<Purpose>> {
    ensure_defaults(db, scope).await?;
    Ok(purpose_row::Entity::find()
        .filter(purpose_row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_asc(purpose_row::Column::Position)
        .order_by_asc(purpose_row::Column::Code)
        .all(&db.read)
        .await?
        .into_iter()
        .map(purpose_of)
        .collect())
}

pub async fn purpose(db: &Db, scope: &Scope, id: Uuid) -> StoreResult<Purpose> {
    purpose_row::Entity::find_by_id(id)
        .filter(purpose_row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(purpose_of)
        .ok_or(StoreError::NotFound)
}

/// The wording of a purpose as edited in settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurposeText {
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub active: bool,
}

/// Changes a purpose. A change of wording is a new version, which asks everyone again.
pub async fn update_purpose(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    text: &PurposeText,
) -> StoreResult<Purpose> {
    let tx = db.write.begin().await?;
    let current = purpose_row::Entity::find_by_id(id)
        .filter(purpose_row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let reworded = current.name_ja != text.name_ja
        || current.name_en != text.name_en
        || current.description_ja != text.description_ja
        || current.description_en != text.description_en;
    let before = serde_json::json!({"name_ja": current.name_ja, "name_en": current.name_en, "description_ja": current.description_ja, "description_en": current.description_en, "active": current.active, "version": current.version});
    let version = current.version + i32::from(reworded);
    let mut am: purpose_row::ActiveModel = current.into();
    am.name_ja = Set(text.name_ja.clone());
    am.name_en = Set(text.name_en.clone());
    am.description_ja = Set(text.description_ja.clone());
    am.description_en = Set(text.description_en.clone());
    am.active = Set(text.active);
    am.version = Set(version);
    am.updated_at = Set(now());
    let model = am.update(&tx).await?;
    let after = serde_json::json!({"name_ja": model.name_ja, "name_en": model.name_en, "description_ja": model.description_ja, "description_en": model.description_en, "active": model.active, "version": model.version});
    audit::record(
        &tx,
        scope,
        Change {
            action: "purpose.update",
            entity: "purpose",
            entity_id: id,
            person_id: None,
            changes: audit::diff(&before, &after),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(purpose_of(model))
}

/// Adds a purpose of the company's own.
pub async fn add_purpose(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    code: &str,
    text: &PurposeText,
) -> StoreResult<Purpose> {
    let existing = purposes(db, scope).await?;
    let tx = db.write.begin().await?;
    let id = Uuid::now_v7();
    let model = purpose_row::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id().0),
        code: Set(code.into()),
        name_ja: Set(text.name_ja.clone()),
        name_en: Set(text.name_en.clone()),
        description_ja: Set(text.description_ja.clone()),
        description_en: Set(text.description_en.clone()),
        version: Set(1),
        active: Set(true),
        position: Set(existing.len() as i32),
        updated_at: Set(now()),
    }
    .insert(&tx)
    .await
    .map_err(StoreError::conflict_on(Clash::PurposeCodeTaken))?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "purpose.create",
            entity: "purpose",
            entity_id: id,
            person_id: None,
            changes: serde_json::json!({"code": code, "name_ja": text.name_ja, "name_en": text.name_en}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(purpose_of(model))
}

/// A person's standing on one purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentState {
    pub purpose: Purpose,
    /// The version the person last decided on, and what they decided.
    pub decided: Option<(i32, bool, chrono::DateTime<chrono::Utc>)>,
}

impl ConsentState {
    /// Consent to the current version stands.
    pub fn is_current(&self) -> bool {
        matches!(self.decided, Some((v, true, _)) if v == self.purpose.version)
    }

    /// The person has not yet answered for the current version (first sign-in, or a new version).
    pub fn is_pending(&self) -> bool {
        self.purpose.active && !matches!(self.decided, Some((v, _, _)) if v == self.purpose.version)
    }
}

/// Every active purpose with the person's standing on it.
pub async fn for_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<ConsentState>> {
    let all = purposes(db, scope).await?;
    let rows = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .all(&db.read)
        .await?;
    Ok(all
        .into_iter()
        .filter(|p| p.active)
        .map(|p| {
            let decided = rows
                .iter()
                .find(|r| r.purpose_id == p.id)
                .map(|r| (r.version, r.granted, r.decided_at));
            ConsentState {
                purpose: p,
                decided,
            }
        })
        .collect())
}

/// Records the person's decisions (purpose id → consent) at the purposes' current versions.
/// Consenting to anything lifts a "stop all contact".
pub async fn decide(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    decisions: &[(Uuid, bool)],
) -> StoreResult<()> {
    let all = purposes(db, scope).await?;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let c = scope.company_id().0;
    let mut summary = serde_json::Map::new();
    for (purpose_id, granted) in decisions {
        let Some(p) = all.iter().find(|p| p.id == *purpose_id && p.active) else {
            return Err(StoreError::NotFound);
        };
        row::Entity::delete_many()
            .filter(row::Column::CompanyId.eq(c))
            .filter(row::Column::PersonId.eq(person.0))
            .filter(row::Column::PurposeId.eq(p.id))
            .exec(&tx)
            .await?;
        row::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(c),
            person_id: Set(person.0),
            purpose_id: Set(p.id),
            version: Set(p.version),
            granted: Set(*granted),
            decided_at: Set(now()),
        }
        .insert(&tx)
        .await?;
        summary.insert(
            p.code.clone(),
            serde_json::json!({"version": p.version, "granted": granted}),
        );
    }
    if decisions.iter().any(|(_, g)| *g) {
        person_row::Entity::update_many()
            .col_expr(
                person_row::Column::ContactStoppedAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(person_row::Column::Id.eq(person.0))
            .filter(person_row::Column::CompanyId.eq(c))
            .exec(&tx)
            .await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "consent.decide",
            entity: "person",
            entity_id: person.0,
            person_id: Some(person),
            changes: serde_json::Value::Object(summary),
            actor,
        },
    )
    .await?;
    crate::companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(())
}

/// One click stops all contact: every consent is withdrawn and the person is marked as not to be contacted.
pub async fn stop_all(db: &Db, scope: &Scope, actor: &Actor, person: PersonId) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let c = scope.company_id().0;
    let at = now();
    row::Entity::update_many()
        .col_expr(row::Column::Granted, Expr::value(false))
        .col_expr(row::Column::DecidedAt, Expr::value(at))
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    let updated = person_row::Entity::update_many()
        .col_expr(person_row::Column::ContactStoppedAt, Expr::value(Some(at)))
        .filter(person_row::Column::Id.eq(person.0))
        .filter(person_row::Column::CompanyId.eq(c))
        .exec(&tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "consent.stop_all",
            entity: "person",
            entity_id: person.0,
            person_id: Some(person),
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    crate::companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a message for `purpose` may go to the person now (inside the caller's transaction).
pub(crate) async fn allows(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
    purpose: &str,
) -> StoreResult<bool> {
    let c = scope.company_id().0;
    let Some(p) = person_row::Entity::find_by_id(person.0)
        .filter(person_row::Column::CompanyId.eq(c))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    if p.contact_stopped_at.is_some() || p.erased_at.is_some() {
        return Ok(false);
    }
    let Some(pur) = purpose_row::Entity::find()
        .filter(purpose_row::Column::CompanyId.eq(c))
        .filter(purpose_row::Column::Code.eq(purpose))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    if !pur.active {
        return Ok(false);
    }
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::PersonId.eq(person.0))
        .filter(row::Column::PurposeId.eq(pur.id))
        .filter(row::Column::Version.eq(pur.version))
        .filter(row::Column::Granted.eq(true))
        .one(conn)
        .await?
        .is_some())
}

/// The people who said no to `purpose` (withdrew or refused it) or stopped all contact: matching leaves
/// them out. People who were never asked stay in, as the company's own records of its former employees.
pub(crate) async fn refusing_people(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    purpose: &str,
) -> StoreResult<std::collections::HashSet<PersonId>> {
    refusing_people_of(conn, scope, purpose, None).await
}

/// [`refusing_people`] among these people only (`None`: everyone).
pub(crate) async fn refusing_people_of(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    purpose: &str,
    only: Option<&[Uuid]>,
) -> StoreResult<std::collections::HashSet<PersonId>> {
    use sea_orm::QueryTrait;
    let c = scope.company_id().0;
    let mut out: std::collections::HashSet<PersonId> = person_row::Entity::find()
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::ContactStoppedAt.is_not_null())
        .apply_if(only, |q, ids| {
            q.filter(person_row::Column::Id.is_in(ids.iter().copied()))
        })
        .all(conn)
        .await?
        .into_iter()
        .map(|r| PersonId(r.id))
        .collect();
    if let Some(pur) = purpose_row::Entity::find()
        .filter(purpose_row::Column::CompanyId.eq(c))
        .filter(purpose_row::Column::Code.eq(purpose))
        .one(conn)
        .await?
    {
        out.extend(
            row::Entity::find()
                .filter(row::Column::CompanyId.eq(c))
                .filter(row::Column::PurposeId.eq(pur.id))
                .filter(row::Column::Granted.eq(false))
                .apply_if(only, |q, ids| {
                    q.filter(row::Column::PersonId.is_in(ids.iter().copied()))
                })
                .all(conn)
                .await?
                .into_iter()
                .map(|r| PersonId(r.person_id)),
        );
    }
    Ok(out)
}

/// The people whose consent to the purpose's current version stands and who have not stopped all contact
/// (those a message for the purpose may go to), read in one pass.
pub async fn allowed_people(
    db: &Db,
    scope: &Scope,
    purpose: &str,
) -> StoreResult<std::collections::HashSet<PersonId>> {
    let decisions = crate::segments::purpose_decisions(&db.read, scope, purpose).await?;
    let refusing = refusing_people(&db.read, scope, purpose).await?;
    Ok(decisions
        .into_iter()
        .filter(|(p, yes)| *yes && !refusing.contains(p))
        .map(|(p, _)| p)
        .collect())
}
