//! What alumni bring: referrals of candidates and business (deals with amounts).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("contributions")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("kind", 16))
                .col(date("on_date"))
                .col(string_len_null("candidate", 80))
                .col(string_len_null("opening", 120))
                .col(string_len_null("outcome", 16))
                .col(string_len_null("client", 120))
                .col(big_integer_null("amount_yen"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("contributions", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "contributions",
            "date",
            &["company_id", "on_date"],
            false,
        ))
        .await?;
        m.create_index(index(
            "contributions",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("contributions").to_owned())
            .await
    }
}
