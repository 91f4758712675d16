//! API tokens: made in settings or by `kaeru token create`, shown once, stored as the SHA-256 of the secret
//! (the secret is 32 random bytes, so a fast hash is enough), found by that hash on every API request.

use crate::audit::{self, Change};
use crate::entity::{api_token as row, company};
use crate::tokens::{hash_token, random_token};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use kaeru_domain::{Company, TokenDraft, TokenScope};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

/// Every secret starts with this, so a leaked one is recognisable (e.g. by secret scanners).
pub const PREFIX: &str = "kaeru_";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    /// The secret's last four characters, to tell tokens apart.
    pub hint: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn to_domain(r: row::Model) -> ApiToken {
    ApiToken {
        id: r.id,
        name: r.name,
        scope: TokenScope::parse(&r.scope).unwrap_or(TokenScope::Read),
        hint: r.hint,
        created_by: r.created_by,
        created_at: r.created_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
    }
}

/// Makes a token; returns it with its secret, which is not stored and cannot be shown again.
pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    draft: &TokenDraft,
) -> StoreResult<(ApiToken, String)> {
    let secret = format!("{PREFIX}{}", random_token());
    let id = Uuid::now_v7();
    let tx = db.write.begin().await?;
    let model = row::ActiveModel {
        id: Set(id),
        company_id: Set(scope.company_id().0),
        name: Set(draft.name.clone()),
        scope: Set(draft.scope.code().into()),
        token_hash: Set(hash_token(&secret)),
        hint: Set(secret[secret.len() - 4..].to_string()),
        created_by: Set(actor.name.chars().take(100).collect()),
        created_at: Set(now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "api_token.create",
            entity: "api_token",
            entity_id: id,
            person_id: None,
            changes: serde_json::json!({ "name": draft.name, "scope": draft.scope.code() }),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((to_domain(model), secret))
}

/// The company's tokens, newest first, revoked ones included (they show when they were revoked).
pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<ApiToken>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_desc(row::Column::CreatedAt)
        .order_by_desc(row::Column::Id)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// Revokes a token of the company: from now on it is refused. Revoking a revoked token changes nothing.
pub async fn revoke(db: &Db, scope: &Scope, actor: &Actor, id: Uuid) -> StoreResult<ApiToken> {
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(id)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if current.revoked_at.is_some() {
        return Ok(to_domain(current));
    }
    let mut am: row::ActiveModel = current.into();
    am.revoked_at = Set(Some(now()));
    let model = am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "api_token.revoke",
            entity: "api_token",
            entity_id: id,
            person_id: None,
            changes: serde_json::json!({ "name": model.name }),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

/// A live token and its company, from the secret a request presented.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub scope: Scope,
    pub company: Company,
    pub token: ApiToken,
}

/// How stale `last_used_at` may get before a request writes it again (not one write per request).
const USE_RESOLUTION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

pub async fn resolve(db: &Db, secret: &str) -> StoreResult<Option<Resolved>> {
    if !secret.starts_with(PREFIX) || secret.len() != PREFIX.len() + 64 {
        return Ok(None);
    }
    let Some(t) = row::Entity::find()
        .filter(row::Column::TokenHash.eq(hash_token(secret)))
        .filter(row::Column::RevokedAt.is_null())
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    let Some(c) = company::Entity::find_by_id(t.company_id)
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    let at = now();
    if t.last_used_at.is_none_or(|u| at - u > USE_RESOLUTION) {
        row::Entity::update_many()
            .col_expr(row::Column::LastUsedAt, sea_orm::sea_query::Expr::value(at))
            .filter(row::Column::Id.eq(t.id))
            .filter(row::Column::CompanyId.eq(t.company_id))
            .exec(&db.write)
            .await?;
    }
    let company = companies::to_domain(c);
    Ok(Some(Resolved {
        scope: Scope::for_company(company.id),
        company,
        token: to_domain(t),
    }))
}
