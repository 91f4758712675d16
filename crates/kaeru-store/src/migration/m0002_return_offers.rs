//! Return offers, their learning missions and check-ins, and each company's offer policy.

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
                .table("offer_policies")
                .col(uuid("company_id").primary_key())
                .col(integer("window_years"))
                .col(text("default_terms"))
                .col(boolean("show_wareki"))
                .col(text("welcome_declaration"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .from("offer_policies", "company_id")
                        .to("companies", "id")
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("return_offers")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("number", 20))
                .col(string_len("status", 16))
                .col(date("valid_from"))
                .col(date("valid_until"))
                .col(text("terms"))
                .col(big_integer_null("salary_floor_yen"))
                .col(text_null("terms_note"))
                .col(string_len("signer_name", 100))
                .col(string_len_null("signer_title", 100))
                .col(text_null("override_reason"))
                .col(text_null("status_reason"))
                .col(date_null("issued_on"))
                .col(timestamp_with_time_zone_null("acknowledged_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("return_offers", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "return_offers",
            "number",
            &["company_id", "number"],
            true,
        ))
        .await?;
        m.create_index(index(
            "return_offers",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "return_offers",
            "status_until",
            &["company_id", "status", "valid_until"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("learning_missions")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("offer_id"))
                .col(string_len("skill", 100))
                .col(integer("target_level"))
                .col(text_null("reason"))
                .col(integer("check_in_every_days"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("learning_missions", "offer_id", "return_offers"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "learning_missions",
            "offer",
            &["company_id", "offer_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("mission_check_ins")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("mission_id"))
                .col(date("on_date"))
                .col(text("activity"))
                .col(integer_null("assessed_level"))
                .col(string_len("recorded_by", 200))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "mission_check_ins",
                    "mission_id",
                    "learning_missions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "mission_check_ins",
            "mission",
            &["company_id", "mission_id", "on_date"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "mission_check_ins",
            "learning_missions",
            "return_offers",
            "offer_policies",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
