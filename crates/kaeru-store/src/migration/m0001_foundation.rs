//! Companies, staff, sessions, people, employment stints, the audit log and scheduled jobs.

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
                .table("companies")
                .col(uuid("id").primary_key())
                .col(string_len("slug", 40))
                .col(string_len("name", 200))
                .col(string_len("time_zone", 64))
                .col(string_len("default_language", 8))
                .col(big_integer("revision").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("companies", "slug", &["slug"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("staff_users")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("email", 254))
                .col(string_len("display_name", 100))
                .col(string_len("role", 16))
                .col(text("password_hash"))
                .col(string_len_null("language", 8))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("staff_users", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "staff_users",
            "company_email",
            &["company_id", "email"],
            true,
        ))
        .await?;
        m.create_index(index("staff_users", "email", &["email"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(string_len("id", 64).primary_key())
                .col(uuid("company_id"))
                .col(uuid("staff_user_id"))
                .col(string_len("csrf_token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk("sessions", "staff_user_id", "staff_users"))
                .foreign_key(&mut fk("sessions", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "sessions",
            "company_user",
            &["company_id", "staff_user_id"],
            false,
        ))
        .await?;
        m.create_index(index("sessions", "expires", &["expires_at"], false))
            .await?;

        // Counters for rate limits (login attempts); keyed by what is limited, shared by all nodes.
        m.create_table(
            Table::create()
                .table("rate_limits")
                .col(string_len("key", 300).primary_key())
                .col(timestamp_with_time_zone("window_start"))
                .col(integer("hits"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("people")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("family_name", 50))
                .col(string_len("given_name", 50))
                .col(string_len("family_kana", 50))
                .col(string_len("given_kana", 50))
                .col(string_len_null("romaji_name", 100))
                .col(string_len_null("phone", 30))
                .col(string_len_null("line_id", 50))
                .col(string_len_null("facebook_url", 500))
                .col(string_len_null("linkedin_url", 500))
                .col(string_len_null("prefecture", 10))
                .col(string_len_null("city", 100))
                .col(date_null("birth_date"))
                .col(text_null("notes"))
                .col(string_len("sort_key", 250))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("people", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "people",
            "sort",
            &["company_id", "sort_key", "id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "people",
            "status_sort",
            &["company_id", "status", "sort_key"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("person_emails")
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("email", 254))
                .col(integer("position"))
                .primary_key(Index::create().col("person_id").col("email"))
                .foreign_key(&mut fk("person_emails", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "person_emails",
            "company_email",
            &["company_id", "email"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("employment_stints")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(date("start_date"))
                .col(date_null("end_date"))
                .col(string_len_null("department", 100))
                .col(string_len_null("job_title", 100))
                .col(string_len("employment_type", 32))
                .col(string_len_null("leave_reason", 32))
                .col(text_null("leave_reason_detail"))
                .col(text_null("exit_interview_notes"))
                .col(string_len_null("rehire_eligibility", 32))
                .col(text_null("rehire_reason"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("employment_stints", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "employment_stints",
            "person",
            &["company_id", "person_id", "start_date"],
            false,
        ))
        .await?;
        m.create_index(index(
            "employment_stints",
            "department",
            &["company_id", "department"],
            false,
        ))
        .await?;
        m.create_index(index(
            "employment_stints",
            "end",
            &["company_id", "end_date"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("audit_entries")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len("actor_name", 200))
                .col(string_len("action", 64))
                .col(string_len("entity", 32))
                .col(uuid("entity_id"))
                .col(uuid_null("person_id"))
                .col(text("changes"))
                .foreign_key(&mut fk("audit_entries", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_entries",
            "person",
            &["company_id", "person_id", "at"],
            false,
        ))
        .await?;
        m.create_index(index("audit_entries", "at", &["company_id", "at"], false))
            .await?;

        // One row per company and job: claimed with a lease so that with many nodes each run happens once.
        m.create_table(
            Table::create()
                .table("schedules")
                .col(uuid("company_id"))
                .col(string_len("job", 64))
                .col(timestamp_with_time_zone("next_run_at"))
                .col(string_len_null("claimed_by", 64))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(timestamp_with_time_zone_null("last_run_at"))
                .col(text_null("last_error"))
                .primary_key(Index::create().col("company_id").col("job"))
                .foreign_key(&mut fk("schedules", "company_id", "companies"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("schedules", "due", &["next_run_at"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "schedules",
            "audit_entries",
            "employment_stints",
            "person_emails",
            "people",
            "rate_limits",
            "sessions",
            "staff_users",
            "companies",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
