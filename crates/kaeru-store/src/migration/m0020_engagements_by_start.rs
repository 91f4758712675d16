//! The contracts list reads a company's contracts of one standing (active, planned, ended) by their start,
//! latest first, fifty a page: this index gives them in that order with the end date beside, so a page walks
//! the index instead of sorting every contract of the company (2,951 in the synthetic company of 100,000
//! people: 3–4 ms a page on SQLite, 0.3 ms with it).

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "engagements",
            "start",
            &["company_id", "start_date", "id", "end_date"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_engagements_start")
                .table("engagements")
                .to_owned(),
        )
        .await
    }
}
