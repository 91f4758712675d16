//! Scale: the log of what each revision of a company changed (so every node patches its search and matching
//! indexes by the people a write touched instead of rebuilding them whole).

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
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("revision_changes").to_owned())
            .await
    }
}
