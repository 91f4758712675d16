//! Imports from HR systems: the employee number on people (unique in a company; imports are keyed by it) and
//! the company's remembered column mappings.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("people")
                .add_column(string_len_null("employee_number", 40))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "people",
            "employee_number",
            &["company_id", "employee_number"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("import_mappings")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("header_key", 200))
                .col(string_len("field", 32))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "import_mappings",
            "header",
            &["company_id", "header_key"],
            true,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("import_mappings").to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("ix_people_employee_number")
                .table("people")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("people")
                .drop_column("employee_number")
                .to_owned(),
        )
        .await
    }
}
