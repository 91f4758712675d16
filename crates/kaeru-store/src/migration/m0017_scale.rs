//! Scale: the log of what each revision of a company changed (so every node patches its search and matching
//! indexes by the people a write touched instead of rebuilding them whole), and on PostgreSQL an index that
//! orders people as the list does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("revision_changes")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(big_integer("revision"))
                .col(uuid_null("person_id"))
                .col(boolean("whole"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "revision_changes",
            "since",
            &["company_id", "revision"],
            false,
        ))
        .await?;
        // PostgreSQL orders people by the bytes of their reading (`COLLATE "C"`, 五十音順 whatever the
        // database's locale); an index in the same collation lets a page of the list stop after its rows
        // instead of sorting the whole company. SQLite's default collation is already byte order.
        // The list's people (not erased) in its order, read from the index alone: a page by number skips its
        // rows without touching the table.
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_people_sort_c ON people (company_id, sort_key COLLATE \"C\", id)",
                )
                .await?;
            m.get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_people_live_sort_c ON people (company_id, erased_at, sort_key COLLATE \"C\", id)",
                )
                .await?;
        } else {
            m.create_index(index(
                "people",
                "live_sort",
                &["company_id", "erased_at", "sort_key", "id"],
                false,
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_people_sort_c")
                .await?;
            m.get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_people_live_sort_c")
                .await?;
        } else {
            m.drop_index(
                Index::drop()
                    .name("ix_people_live_sort")
                    .table("people")
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table("revision_changes").to_owned())
            .await
    }
}
