//! Companies (tenants), their settings and their revision number.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{company as row, staff_user};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now};
use kaeru_domain::{
    Company, CompanyId, CompanySettings, Language, Role, Slug, StaffUser, StaffUserId,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

pub(crate) fn to_domain(r: row::Model) -> Company {
    Company {
        id: CompanyId(r.id),
        slug: r.slug,
        name: r.name,
        time_zone: r.time_zone,
        default_language: Language::parse(&r.default_language).unwrap_or_default(),
    }
}

/// The first owner of a new company.
pub struct NewOwner {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
}

/// True when no company exists yet: the first-run page is shown.
pub async fn none_exist(db: &Db) -> StoreResult<bool> {
    Ok(row::Entity::find().count(&db.read).await? == 0)
}

/// Creates a company and its owner in one transaction.
pub async fn create_with_owner(
    db: &Db,
    slug: &Slug,
    settings: &CompanySettings,
    owner: NewOwner,
) -> StoreResult<(Company, StaffUser)> {
    let tx = db.write.begin().await?;
    let company = row::ActiveModel {
        id: Set(CompanyId::new().0),
        slug: Set(slug.as_str().into()),
        name: Set(settings.name.clone()),
        time_zone: Set(settings.time_zone.clone()),
        default_language: Set(settings.default_language.code().into()),
        revision: Set(0),
        declaration_ja: Set(None),
        declaration_en: Set(None),
        retention_years: Set(None),
        reconnect_days: Set(None),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .map_err(StoreError::conflict_on(Clash::SlugTaken))?;
    let user_id = StaffUserId::new();
    staff_user::ActiveModel {
        id: Set(user_id.0),
        company_id: Set(company.id),
        email: Set(owner.email.clone()),
        display_name: Set(owner.display_name.clone()),
        role: Set(Role::Owner.code().into()),
        password_hash: Set(owner.password_hash),
        language: Set(None),
        active: Set(true),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(&tx)
    .await
    .map_err(StoreError::conflict_on(Clash::EmailTaken))?;
    let scope = Scope::for_company(CompanyId(company.id));
    let actor = Actor {
        id: Some(user_id),
        name: owner.display_name.clone(),
    };
    audit::record(
        &tx,
        &scope,
        Change {
            action: "company.create",
            entity: "company",
            entity_id: company.id,
            person_id: None,
            changes: serde_json::json!({"name": settings.name, "slug": slug.as_str()}),
            actor: &actor,
        },
    )
    .await?;
    tx.commit().await?;
    let company = to_domain(company);
    let user = StaffUser {
        id: user_id,
        company_id: company.id,
        email: owner.email,
        display_name: owner.display_name,
        role: Role::Owner,
        language: None,
        active: true,
    };
    Ok((company, user))
}

pub async fn get(db: &Db, scope: &Scope) -> StoreResult<Company> {
    row::Entity::find_by_id(scope.company_id().0)
        .one(&db.read)
        .await?
        .map(to_domain)
        .ok_or(StoreError::NotFound)
}

pub async fn find_by_slug(db: &Db, slug: &str) -> StoreResult<Option<Company>> {
    Ok(row::Entity::find()
        .filter(row::Column::Slug.eq(slug))
        .one(&db.read)
        .await?
        .map(to_domain))
}

/// Every company, for the worker and the CLI.
pub async fn all(db: &Db) -> StoreResult<Vec<Company>> {
    Ok(row::Entity::find()
        .order_by_asc(row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

pub async fn update_settings(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    settings: &CompanySettings,
) -> StoreResult<Company> {
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = serde_json::json!({"name": current.name, "time_zone": current.time_zone, "default_language": current.default_language});
    let mut am: row::ActiveModel = current.into();
    am.name = Set(settings.name.clone());
    am.time_zone = Set(settings.time_zone.clone());
    am.default_language = Set(settings.default_language.code().into());
    let updated = am.update(&tx).await?;
    let after = serde_json::json!({"name": updated.name, "time_zone": updated.time_zone, "default_language": updated.default_language});
    audit::record(
        &tx,
        scope,
        Change {
            action: "company.update",
            entity: "company",
            entity_id: updated.id,
            person_id: None,
            changes: audit::diff(&before, &after),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_domain(updated))
}

/// The number that changes whenever something search and matching see changes.
pub async fn revision(db: &Db, scope: &Scope) -> StoreResult<i64> {
    row::Entity::find_by_id(scope.company_id().0)
        .one(&db.read)
        .await?
        .map(|c| c.revision)
        .ok_or(StoreError::NotFound)
}

/// Bumps the revision inside the caller's transaction.
/// Holds the company's row until the transaction ends (PostgreSQL; SQLite's single writer already does),
/// so numbers counted per company (offer numbers) are handed out one at a time.
pub(crate) async fn lock(conn: &impl ConnectionTrait, scope: &Scope) -> StoreResult<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        row::Entity::find_by_id(scope.company_id().0)
            .lock_exclusive()
            .one(conn)
            .await?;
    }
    Ok(())
}

/// Bumps the revision inside the caller's transaction for a change the indexes cannot patch by person (a skill
/// renamed, an import): every node rebuilds its indexes of the company.
pub(crate) async fn bump_revision(conn: &impl ConnectionTrait, scope: &Scope) -> StoreResult<()> {
    bump(conn, scope, Touched::Everything).await
}

/// Bumps the revision for a change to these people only: every node patches its indexes by them.
pub(crate) async fn bump_revision_for(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    people: &[kaeru_domain::PersonId],
) -> StoreResult<()> {
    bump(conn, scope, Touched::People(people)).await
}

/// Bumps the revision for a change the indexes do not hold (an opening, a venture's deal): nodes only move
/// their indexes' revision on; the analytics read again.
pub(crate) async fn bump_revision_for_none(
    conn: &impl ConnectionTrait,
    scope: &Scope,
) -> StoreResult<()> {
    bump(conn, scope, Touched::People(&[])).await
}

/// More people than this in one write: the indexes are rebuilt rather than patched.
const MOST_PATCHED: usize = 500;

enum Touched<'a> {
    People(&'a [kaeru_domain::PersonId]),
    Everything,
}

async fn bump(conn: &impl ConnectionTrait, scope: &Scope, touched: Touched<'_>) -> StoreResult<()> {
    use crate::entity::revision_change as change;
    row::Entity::update_many()
        .col_expr(
            row::Column::Revision,
            Expr::col(row::Column::Revision).add(1),
        )
        .filter(row::Column::Id.eq(scope.company_id().0))
        .exec(conn)
        .await?;
    let revision: i64 = row::Entity::find_by_id(scope.company_id().0)
        .select_only()
        .column(row::Column::Revision)
        .into_tuple()
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let at = now();
    let entry = |person: Option<uuid::Uuid>, whole: bool| change::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        company_id: Set(scope.company_id().0),
        revision: Set(revision),
        person_id: Set(person),
        whole: Set(whole),
        created_at: Set(at),
    };
    let rows: Vec<change::ActiveModel> = match touched {
        Touched::People(people) if people.len() <= MOST_PATCHED => {
            let mut ids: Vec<uuid::Uuid> = people.iter().map(|p| p.0).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                vec![entry(None, false)]
            } else {
                ids.into_iter().map(|p| entry(Some(p), false)).collect()
            }
        }
        _ => vec![entry(None, true)],
    };
    change::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

/// What changed in a company since a revision a node's index was built or patched at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    /// Nothing since.
    Current,
    /// Only these people, up to `revision` (empty: nothing the indexes hold).
    People {
        revision: i64,
        people: Vec<kaeru_domain::PersonId>,
    },
    /// Something the indexes cannot patch, or a revision whose log is gone (pruned, or written before the log
    /// existed): rebuild.
    Rebuild,
}

/// More revisions behind than this: rebuild rather than read the log.
const LONGEST_LOG: i64 = 2_000;

/// What changed since `since`, read from the log of revisions. Every revision after `since` up to the newest
/// must be in the log, or the answer is to rebuild.
pub async fn changes_since(db: &Db, scope: &Scope, since: i64) -> StoreResult<Changes> {
    use crate::entity::revision_change as change;
    let current = revision(db, scope).await?;
    if current == since {
        return Ok(Changes::Current);
    }
    if current < since || current - since > LONGEST_LOG {
        return Ok(Changes::Rebuild);
    }
    let rows: Vec<(i64, Option<uuid::Uuid>, bool)> = change::Entity::find()
        .select_only()
        .columns([
            change::Column::Revision,
            change::Column::PersonId,
            change::Column::Whole,
        ])
        .filter(change::Column::CompanyId.eq(scope.company_id().0))
        .filter(change::Column::Revision.gt(since))
        .into_tuple()
        .all(&db.read)
        .await?;
    let mut revisions = std::collections::BTreeSet::new();
    let mut people = std::collections::BTreeSet::new();
    for (r, person, whole) in rows {
        if whole {
            return Ok(Changes::Rebuild);
        }
        revisions.insert(r);
        people.extend(person);
        if people.len() > MOST_PATCHED * 4 {
            return Ok(Changes::Rebuild);
        }
    }
    // Every revision from since + 1 to the newest logged, with none missing.
    let Some(&newest) = revisions.last() else {
        return Ok(Changes::Rebuild);
    };
    let contiguous = revisions.first() == Some(&(since + 1))
        && i64::try_from(revisions.len()).is_ok_and(|n| n == newest - since);
    if !contiguous || newest < current {
        return Ok(Changes::Rebuild);
    }
    Ok(Changes::People {
        revision: newest,
        people: people.into_iter().map(kaeru_domain::PersonId).collect(),
    })
}

/// Forgets the log older than `before` (the daily job): a node whose index is older rebuilds it.
pub async fn prune_changes(db: &Db, before: chrono::DateTime<chrono::Utc>) -> StoreResult<u64> {
    use crate::entity::revision_change as change;
    Ok(change::Entity::delete_many()
        .filter(change::Column::CreatedAt.lt(before))
        .exec(&db.write)
        .await?
        .rows_affected)
}

/// What the public page says and how long alumni data is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PublicSettings {
    /// `None`: the default declaration.
    pub declaration_ja: Option<String>,
    pub declaration_en: Option<String>,
    /// Delete alumni data this many years after the last contact unless consent is current.
    pub retention_years: Option<i32>,
}

pub async fn public_settings(db: &Db, scope: &Scope) -> StoreResult<PublicSettings> {
    let c = row::Entity::find_by_id(scope.company_id().0)
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(PublicSettings {
        declaration_ja: c.declaration_ja,
        declaration_en: c.declaration_en,
        retention_years: c.retention_years,
    })
}

pub async fn set_public_settings(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    p: &PublicSettings,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = PublicSettings {
        declaration_ja: current.declaration_ja.clone(),
        declaration_en: current.declaration_en.clone(),
        retention_years: current.retention_years,
    };
    let mut am: row::ActiveModel = current.into();
    am.declaration_ja = Set(p.declaration_ja.clone());
    am.declaration_en = Set(p.declaration_en.clone());
    am.retention_years = Set(p.retention_years);
    am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "company.public",
            entity: "company",
            entity_id: scope.company_id().0,
            person_id: None,
            changes: audit::diff(
                &serde_json::to_value(&before).unwrap_or_default(),
                &serde_json::to_value(p).unwrap_or_default(),
            ),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
