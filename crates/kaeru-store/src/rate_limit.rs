//! Fixed-window rate limits kept in the database, so that they hold across nodes.

use crate::entity::rate_limit as row;
use crate::{Db, StoreResult, now};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

/// Counts one attempt against `key`; returns false when more than `max` attempts fell in the current window.
pub async fn hit(db: &Db, key: &str, max: i32, window: chrono::Duration) -> StoreResult<bool> {
    let tx = db.write.begin().await?;
    let now = now();
    let current = row::Entity::find_by_id(key.to_string()).one(&tx).await?;
    let hits = match current {
        Some(r) if r.window_start + window > now => {
            let hits = r.hits.saturating_add(1);
            let mut am: row::ActiveModel = r.into();
            am.hits = Set(hits);
            am.update(&tx).await?;
            hits
        }
        Some(r) => {
            let mut am: row::ActiveModel = r.into();
            am.hits = Set(1);
            am.window_start = Set(now);
            am.update(&tx).await?;
            1
        }
        None => {
            // Two nodes may count the first attempt at once; the loser simply lets this attempt through.
            if let Err(e) = (row::ActiveModel {
                key: Set(key.to_string()),
                window_start: Set(now),
                hits: Set(1),
            })
            .insert(&tx)
            .await
            {
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) {
                    return Ok(true);
                }
                return Err(e.into());
            }
            1
        }
    };
    tx.commit().await?;
    Ok(hits <= max)
}

/// Forgets the attempts against `key` (after a successful sign-in).
pub async fn clear(db: &Db, key: &str) -> StoreResult<()> {
    row::Entity::delete_by_id(key.to_string())
        .exec(&db.write)
        .await?;
    Ok(())
}
