//! Fixed-window rate limits kept in the database, so that they hold across nodes.
//!
//! Each attempt is one atomic statement (an upsert that counts and returns the new count), so concurrent
//! attempts on any number of nodes are each counted exactly once. Keys are stored only as a SHA-256, so
//! neither an address nor a megabyte of typed text ever becomes a key; expired windows are purged by the
//! worker.

use crate::entity::rate_limit as row;
use crate::{Db, StoreResult, now};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// The stored form of a key: its kind (the part before the first `:`, at most 24 characters, for
/// operators reading the table) and the SHA-256 of the whole key.
fn stored_key(key: &str) -> String {
    let kind: String = key
        .split(':')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(24)
        .collect();
    format!("{kind}:{}", hex::encode(Sha256::digest(key.as_bytes())))
}

/// Counts one attempt against `key`; returns false when more than `max` attempts fell in the current window.
pub async fn hit(db: &Db, key: &str, max: i32, window: chrono::Duration) -> StoreResult<bool> {
    Ok(count(db, key, window).await? <= max)
}

/// Counts one attempt against `key` and returns the attempts in the current window, this one included.
/// One statement: a window that has passed starts again at 1.
pub async fn count(db: &Db, key: &str, window: chrono::Duration) -> StoreResult<i32> {
    let at = now();
    let fresh = Expr::col((row::Entity, row::Column::WindowStart)).gt(at - window);
    let stmt = Query::insert()
        .into_table(row::Entity)
        .columns([
            row::Column::Key,
            row::Column::WindowStart,
            row::Column::Hits,
        ])
        .values_panic([stored_key(key).into(), at.into(), 1.into()])
        .on_conflict(
            OnConflict::column(row::Column::Key)
                .value(
                    row::Column::Hits,
                    Expr::case(
                        fresh.clone(),
                        Expr::col((row::Entity, row::Column::Hits)).add(1),
                    )
                    .finally(1),
                )
                .value(
                    row::Column::WindowStart,
                    Expr::case(fresh, Expr::col((row::Entity, row::Column::WindowStart)))
                        .finally(at),
                )
                .to_owned(),
        )
        .returning_col(row::Column::Hits)
        .to_owned();
    let hits: i32 = db
        .write
        .query_one(&stmt)
        .await?
        .map(|r| r.try_get_by_index(0))
        .transpose()?
        .unwrap_or(1);
    Ok(hits)
}

/// Forgets the attempts against `key` (after a successful sign-in).
pub async fn clear(db: &Db, key: &str) -> StoreResult<()> {
    row::Entity::delete_by_id(stored_key(key))
        .exec(&db.write)
        .await?;
    Ok(())
}

/// Deletes windows that started before `older_than` (every limit's window is shorter). Returns how many.
pub async fn purge(db: &Db, older_than: chrono::DateTime<chrono::Utc>) -> StoreResult<u64> {
    Ok(row::Entity::delete_many()
        .filter(row::Column::WindowStart.lt(older_than))
        .exec(&db.write)
        .await?
        .rows_affected)
}

/// How many windows are stored (for tests and operators).
pub async fn stored(db: &Db) -> StoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(row::Entity::find().count(&db.read).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_bounded_and_hide_what_was_typed() {
        let long = format!("login:account:{}", "a".repeat(2_000_000));
        let k = super::stored_key(&long);
        assert!(k.len() < 100 && k.starts_with("login:"));
        assert!(!super::stored_key("magic:ip:taro@example.jp").contains("taro"));
    }
}
