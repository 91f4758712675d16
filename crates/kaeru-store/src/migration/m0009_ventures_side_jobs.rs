//! 起業支援 (ventures, the support given, the deals that came back), 副業 (side job applications) and the
//! company's clients and competitors they are checked against.

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
                .table("ventures")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("name", 120))
                .col(string_len_null("field", 80))
                .col(date_null("founded_on"))
                .col(string_len("stage", 16))
                .col(string_len_null("website", 500))
                .col(text_null("note"))
                .col(date_null("closed_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("ventures", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ventures",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("venture_support")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("venture_id"))
                .col(string_len("kind", 16))
                .col(date("on_date"))
                .col(big_integer_null("amount_yen"))
                .col(big_integer_null("hours"))
                .col(string_len_null("client", 120))
                .col(string_len_null("outcome", 200))
                .col(string_len_null("by_name", 100))
                .col(text_null("description"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("venture_support", "venture_id", "ventures"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "venture_support",
            "venture",
            &["company_id", "venture_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("venture_deals")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("venture_id"))
                .col(string_len("relation", 16))
                .col(date("on_date"))
                .col(big_integer("amount_yen"))
                .col(string_len_null("description", 200))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("venture_deals", "venture_id", "ventures"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "venture_deals",
            "venture",
            &["company_id", "venture_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("business_relations")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("name", 120))
                .col(string_len("kind", 16))
                .col(string_len_null("industry", 60))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "business_relations",
            "company",
            &["company_id", "kind"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("side_jobs")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("employer", 120))
                .col(string_len_null("industry", 60))
                .col(string_len("work", 200))
                .col(big_integer("hours_per_week"))
                .col(date("start_date"))
                .col(date("end_date"))
                .col(text_null("note"))
                .col(string_len("status", 16))
                .col(string_len("applied_by", 100))
                .col(timestamp_with_time_zone("applied_at"))
                .col(string_len_null("decided_by", 100))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(text_null("reason"))
                .col(uuid_null("renews_id"))
                .foreign_key(&mut fk("side_jobs", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "side_jobs",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "side_jobs",
            "status",
            &["company_id", "status"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "side_jobs",
            "business_relations",
            "venture_deals",
            "venture_support",
            "ventures",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
