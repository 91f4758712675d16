//! Skills: the catalogue, skills held by people, company needs, openings with their skills, careers after
//! leaving, each person's outlook on coming back, and the company's matching weights.

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
                .table("skills")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("name", 60))
                .col(string_len_null("category", 40))
                .col(text("aliases"))
                .col(text_null("description"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("skills", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("skills", "name", &["company_id", "name"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("person_skills")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(uuid("skill_id"))
                .col(integer("level"))
                .col(string_len("origin", 16))
                .col(string_len("source", 8))
                .col(date("assessed_on"))
                .col(string_len_null("note", 200))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("person_skills", "person_id", "people"))
                .foreign_key(&mut fk("person_skills", "skill_id", "skills"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "person_skills",
            "held",
            &["company_id", "person_id", "skill_id", "origin"],
            true,
        ))
        .await?;
        m.create_index(index(
            "person_skills",
            "skill",
            &["company_id", "skill_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("skill_needs")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("skill_id"))
                .col(string_len("priority", 8))
                .col(integer("min_level"))
                .col(string_len_null("note", 200))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("skill_needs", "skill_id", "skills"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "skill_needs",
            "skill",
            &["company_id", "skill_id"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("openings")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("title", 100))
                .col(string_len_null("department", 60))
                .col(string_len("work_style", 16))
                .col(integer_null("days_per_week"))
                .col(string_len_null("place", 100))
                .col(text_null("description"))
                .col(boolean("is_public"))
                .col(string_len("status", 8))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("openings", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "openings",
            "status",
            &["company_id", "status"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("opening_skills")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("opening_id"))
                .col(uuid("skill_id"))
                .col(boolean("required"))
                .col(integer("min_level"))
                .col(integer("position"))
                .foreign_key(&mut fk("opening_skills", "opening_id", "openings"))
                .foreign_key(&mut fk("opening_skills", "skill_id", "skills"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "opening_skills",
            "opening",
            &["company_id", "opening_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("careers")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("employer", 100))
                .col(string_len_null("role", 60))
                .col(string_len_null("industry", 60))
                .col(date_null("from_date"))
                .col(date_null("to_date"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("careers", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "careers",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("match_settings")
                .col(uuid("company_id").primary_key())
                .col(text("weights"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("match_settings", "company_id", "companies"))
                .to_owned(),
        )
        .await?;

        // Fetching a page of people by id within a company: without it SQLite's planner walks the company's
        // whole status index for `company_id = ? AND id IN (…)`.
        m.create_index(index(
            "people",
            "company_id_id",
            &["company_id", "id"],
            true,
        ))
        .await?;

        // SQLite adds one column per statement.
        for col in [
            string_len_null("return_intent", 16),
            string_len_null("work_style", 16),
            integer_null("days_per_week"),
            date_null("last_contact_on"),
        ] {
            m.alter_table(
                Table::alter()
                    .table("people")
                    .add_column(col.clone())
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "match_settings",
            "careers",
            "opening_skills",
            "openings",
            "skill_needs",
            "person_skills",
            "skills",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_people_company_id_id")
                .table("people")
                .to_owned(),
        )
        .await?;
        for c in [
            "return_intent",
            "work_style",
            "days_per_week",
            "last_contact_on",
        ] {
            m.alter_table(Table::alter().table("people").drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
