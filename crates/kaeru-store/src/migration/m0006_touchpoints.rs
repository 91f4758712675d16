//! Touchpoints with people (when, how, who, a note) and the company's reconnect interval.

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
                .table("touchpoints")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(date("on_date"))
                .col(string_len("channel", 16))
                .col(string_len("by_name", 60))
                .col(uuid_null("staff_user_id"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("touchpoints", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "touchpoints",
            "person",
            &["company_id", "person_id", "on_date"],
            false,
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table("companies")
                .add_column(integer_null("reconnect_days").clone())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("touchpoints").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("companies")
                .drop_column("reconnect_days")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
