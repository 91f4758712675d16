//! Staff accounts: who signs in, with which role.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{session, staff_user as row};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now};
use kaeru_domain::{CompanyId, Language, Role, StaffUser, StaffUserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

pub(crate) fn to_domain(r: &row::Model) -> StaffUser {
    StaffUser {
        id: StaffUserId(r.id),
        company_id: CompanyId(r.company_id),
        email: r.email.clone(),
        display_name: r.display_name.clone(),
        role: Role::parse(&r.role).unwrap_or(Role::Viewer),
        language: r.language.as_deref().and_then(Language::parse),
        active: r.active,
    }
}

pub struct NewStaff {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// Active accounts with this e-mail address in any company, with their password hashes, for sign-in.
pub async fn find_for_login(db: &Db, email: &str) -> StoreResult<Vec<(StaffUser, String)>> {
    let rows = row::Entity::find()
        .filter(row::Column::Email.eq(email.trim().to_ascii_lowercase()))
        .filter(row::Column::Active.eq(true))
        .order_by_asc(row::Column::CreatedAt)
        .all(&db.read)
        .await?;
    Ok(rows
        .iter()
        .map(|r| (to_domain(r), r.password_hash.clone()))
        .collect())
}

pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<StaffUser>> {
    let rows = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_asc(row::Column::CreatedAt)
        .all(&db.read)
        .await?;
    Ok(rows.iter().map(to_domain).collect())
}

async fn find(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: StaffUserId,
) -> StoreResult<row::Model> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn get(db: &Db, scope: &Scope, id: StaffUserId) -> StoreResult<StaffUser> {
    Ok(to_domain(&find(&db.read, scope, id).await?))
}

pub async fn password_hash(db: &Db, scope: &Scope, id: StaffUserId) -> StoreResult<String> {
    Ok(find(&db.read, scope, id).await?.password_hash)
}

pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    new: NewStaff,
) -> StoreResult<StaffUser> {
    let tx = db.write.begin().await?;
    let model = row::ActiveModel {
        id: Set(StaffUserId::new().0),
        company_id: Set(scope.company_id().0),
        email: Set(new.email),
        display_name: Set(new.display_name),
        role: Set(new.role.code().into()),
        password_hash: Set(new.password_hash),
        language: Set(None),
        active: Set(true),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(&tx)
    .await
    .map_err(StoreError::conflict_on(Clash::EmailTaken))?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "staff.create",
            entity: "staff",
            entity_id: model.id,
            person_id: None,
            changes: serde_json::json!({"email": model.email, "display_name": model.display_name, "role": model.role}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_domain(&model))
}

/// Changes role and whether the account may sign in; a deactivated account loses its sessions.
pub async fn update_access(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: StaffUserId,
    role: Role,
    active: bool,
) -> StoreResult<StaffUser> {
    let tx = db.write.begin().await?;
    let current = find(&tx, scope, id).await?;
    let before = serde_json::json!({"role": current.role, "active": current.active});
    let mut am: row::ActiveModel = current.into();
    am.role = Set(role.code().into());
    am.active = Set(active);
    am.updated_at = Set(now());
    let updated = am.update(&tx).await?;
    if !active {
        session::Entity::delete_many()
            .filter(session::Column::CompanyId.eq(scope.company_id().0))
            .filter(session::Column::StaffUserId.eq(id.0))
            .exec(&tx)
            .await?;
    }
    let after = serde_json::json!({"role": updated.role, "active": updated.active});
    audit::record(
        &tx,
        scope,
        Change {
            action: "staff.update",
            entity: "staff",
            entity_id: id.0,
            person_id: None,
            changes: audit::diff(&before, &after),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_domain(&updated))
}

/// Sets a new password hash and ends every other session of the user.
pub async fn set_password(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: StaffUserId,
    hash: String,
    keep_session: Option<&str>,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let current = find(&tx, scope, id).await?;
    let mut am: row::ActiveModel = current.into();
    am.password_hash = Set(hash);
    am.updated_at = Set(now());
    am.update(&tx).await?;
    let mut others = session::Entity::delete_many()
        .filter(session::Column::CompanyId.eq(scope.company_id().0))
        .filter(session::Column::StaffUserId.eq(id.0));
    if let Some(keep) = keep_session {
        others = others.filter(session::Column::Id.ne(crate::tokens::hash_token(keep)));
    }
    others.exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "staff.password",
            entity: "staff",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_language(
    db: &Db,
    scope: &Scope,
    id: StaffUserId,
    language: Language,
) -> StoreResult<()> {
    row::Entity::update_many()
        .col_expr(
            row::Column::Language,
            sea_orm::sea_query::Expr::value(language.code()),
        )
        .filter(row::Column::Id.eq(id.0))
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .exec(&db.write)
        .await?;
    Ok(())
}
