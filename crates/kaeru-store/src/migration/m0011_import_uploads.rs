//! Files uploaded for import, kept in the database between the check and the import (any node can serve the
//! next step) and removed once imported.

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
                .table("import_uploads")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("filename", 255))
                .col(blob("data"))
                .col(string_len("uploaded_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "import_uploads",
            "company",
            &["company_id", "created_at"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("import_uploads").to_owned())
            .await
    }
}
