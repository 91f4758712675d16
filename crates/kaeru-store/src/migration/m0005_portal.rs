//! The alumni portal and personal data: the email outbox, purposes of use and consents, magic links and
//! portal sessions, registrations from the public page, certifications and degrees, deletion requests, and
//! the company's public declaration and retention rule.

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
                .table("outbox")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid_null("person_id"))
                .col(string_len_null("purpose", 40))
                .col(string_len("kind", 40))
                .col(string_len("to_address", 254))
                .col(string_len("subject", 200))
                .col(text("body"))
                .col(string_len("idempotency_key", 120))
                .col(string_len("status", 12))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(string_len_null("claimed_by", 120))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("outbox", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox", "key", &["idempotency_key"], true))
            .await?;
        m.create_index(index(
            "outbox",
            "due",
            &["status", "next_attempt_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "outbox",
            "list",
            &["company_id", "created_at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("purposes")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("code", 40))
                .col(string_len("name_ja", 100))
                .col(string_len("name_en", 100))
                .col(text("description_ja"))
                .col(text("description_en"))
                .col(integer("version"))
                .col(boolean("active"))
                .col(integer("position"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("purposes", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("purposes", "code", &["company_id", "code"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("consents")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(uuid("purpose_id"))
                .col(integer("version"))
                .col(boolean("granted"))
                .col(timestamp_with_time_zone("decided_at"))
                .foreign_key(&mut fk("consents", "person_id", "people"))
                .foreign_key(&mut fk("consents", "purpose_id", "purposes"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "consents",
            "person",
            &["company_id", "person_id", "purpose_id"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("magic_links")
                .col(string_len("id", 64).primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("magic_links", "person_id", "people"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("portal_sessions")
                .col(string_len("id", 64).primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("csrf_token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk("portal_sessions", "person_id", "people"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("registrations")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("family_name", 40))
                .col(string_len("given_name", 40))
                .col(string_len("family_kana", 40))
                .col(string_len("given_kana", 40))
                .col(string_len("email", 254))
                .col(string_len_null("phone", 30))
                .col(date_null("birth_date"))
                .col(string_len_null("period", 40))
                .col(string_len_null("department", 80))
                .col(text_null("message"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("registrations", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "registrations",
            "list",
            &["company_id", "created_at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("qualifications")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("kind", 16))
                .col(string_len("name", 100))
                .col(string_len_null("issuer", 100))
                .col(date_null("obtained_on"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("qualifications", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "qualifications",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("deletion_requests")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(timestamp_with_time_zone("requested_at"))
                .col(date("due_on"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(string_len_null("completed_by", 100))
                .foreign_key(&mut fk("deletion_requests", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "deletion_requests",
            "list",
            &["company_id", "requested_at"],
            false,
        ))
        .await?;

        // SQLite adds one column per statement.
        for col in [
            timestamp_with_time_zone_null("contact_stopped_at"),
            timestamp_with_time_zone_null("self_updated_at"),
            text_null("message_to_company"),
            timestamp_with_time_zone_null("message_at"),
            timestamp_with_time_zone_null("erased_at"),
        ] {
            m.alter_table(
                Table::alter()
                    .table("people")
                    .add_column(col.clone())
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            text_null("declaration_ja"),
            text_null("declaration_en"),
            integer_null("retention_years"),
        ] {
            m.alter_table(
                Table::alter()
                    .table("companies")
                    .add_column(col.clone())
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "deletion_requests",
            "qualifications",
            "registrations",
            "portal_sessions",
            "magic_links",
            "consents",
            "purposes",
            "outbox",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for c in [
            "contact_stopped_at",
            "self_updated_at",
            "message_to_company",
            "message_at",
            "erased_at",
        ] {
            m.alter_table(Table::alter().table("people").drop_column(c).to_owned())
                .await?;
        }
        for c in ["declaration_ja", "declaration_en", "retention_years"] {
            m.alter_table(Table::alter().table("companies").drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
