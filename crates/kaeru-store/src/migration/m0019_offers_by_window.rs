//! The offers list reads the company's offers by the end of their window (then number), fifty a page: without
//! an index in that order each page sorted every offer of the company (11,235 in the synthetic company of
//! 100,000 people: 5 ms a page on SQLite, against 0.1 ms walking this index).

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "return_offers",
            "until",
            &["company_id", "valid_until", "number"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_return_offers_until")
                .table("return_offers")
                .to_owned(),
        )
        .await
    }
}
