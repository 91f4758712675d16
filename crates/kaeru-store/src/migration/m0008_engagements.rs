//! 業務委託 engagements.

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
                .table("engagements")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("title", 120))
                .col(string_len("weekdays", 40))
                .col(string_len("rate_kind", 8))
                .col(big_integer("rate_yen"))
                .col(date("start_date"))
                .col(date_null("end_date"))
                .col(string_len_null("manager", 100))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("engagements", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "engagements",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("engagements").to_owned())
            .await
    }
}
