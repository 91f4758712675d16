//! The audit log: who changed what, when. Written in the same transaction as the change.

use crate::entity::audit_entry as row;
use crate::{Actor, Db, Scope, StoreResult, now};
use kaeru_domain::{PersonId, StaffUserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<StaffUserId>,
    pub actor_name: String,
    /// e.g. `person.create`, `stint.update`
    pub action: String,
    pub entity: String,
    /// What changed: `{"field": [before, after]}` for updates, the new values for creations.
    pub changes: serde_json::Value,
}

pub(crate) struct Change<'a> {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Uuid,
    pub person_id: Option<PersonId>,
    pub changes: serde_json::Value,
    pub actor: &'a Actor,
}

pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    change: Change<'_>,
) -> StoreResult<()> {
    entry(scope, change).insert(conn).await?;
    Ok(())
}

/// The row of an audit entry, for writing many at once.
pub(crate) fn entry(scope: &Scope, change: Change<'_>) -> row::ActiveModel {
    row::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(scope.company_id().0),
        at: Set(now()),
        actor_id: Set(change.actor.id.map(|i| i.0)),
        actor_name: Set(change.actor.name.clone()),
        action: Set(change.action.into()),
        entity: Set(change.entity.into()),
        entity_id: Set(change.entity_id),
        person_id: Set(change.person_id.map(|p| p.0)),
        changes: Set(change.changes.to_string()),
    }
}

/// `{"field": [before, after]}` for the fields that differ between two serialisable values.
pub(crate) fn diff(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, av) in a {
            let bv = b.get(k).unwrap_or(&serde_json::Value::Null);
            if bv != av {
                out.insert(k.clone(), serde_json::json!([bv, av]));
            }
        }
    }
    serde_json::Value::Object(out)
}

/// The newest entries about a person (the person and their stints), newest first.
pub async fn for_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    limit: u64,
) -> StoreResult<Vec<AuditEntry>> {
    let rows = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::At)
        .order_by_desc(row::Column::Id)
        .limit(limit)
        .all(&db.read)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            at: r.at,
            actor_id: r.actor_id.map(StaffUserId),
            actor_name: r.actor_name,
            action: r.action,
            entity: r.entity,
            changes: serde_json::from_str(&r.changes).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}
