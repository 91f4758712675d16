//! The comeback pipeline: one row per attempt to bring a person back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("comebacks")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(uuid_null("offer_id"))
                .col(string_len("stage", 16))
                .col(date("opened_on"))
                .col(text_null("note"))
                .col(date_null("start_date"))
                .col(text_null("skills_gained"))
                .col(big_integer_null("days_away"))
                .col(text_null("dropped_reason"))
                .col(uuid_null("new_stint_id"))
                .col(timestamp_with_time_zone("stage_changed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .name("fk_comebacks_person_id")
                        .from("comebacks", "person_id")
                        .to("people", "id")
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_comebacks_stage")
                .table("comebacks")
                .col("company_id")
                .col("stage")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_comebacks_person")
                .table("comebacks")
                .col("company_id")
                .col("person_id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("comebacks").to_owned())
            .await
    }
}
