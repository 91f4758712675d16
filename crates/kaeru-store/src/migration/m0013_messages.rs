//! Messages to many: saved segments, announcements and one delivery row per recipient (the outbox's lease and
//! idempotency extended to bulk sending, by e-mail and LINE), the company's messaging settings (LINE channel,
//! forced channel, rate, the 特定電子メール法 footer, the key that signs links), LINE account links and
//! one-time codes, e-mail addresses that bounced, and the staff who asked for the weekly digest.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("segments")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("name", 100))
                .col(text("filter"))
                .col(string_len("created_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("segments", "name", &["company_id", "name"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("announcements")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("kind", 20))
                .col(string_len("subject", 200))
                .col(text("body"))
                .col(string_len("purpose", 40))
                .col(uuid_null("segment_id"))
                .col(text("filter"))
                .col(string_len("status", 20))
                .col(timestamp_with_time_zone_null("scheduled_at"))
                .col(timestamp_with_time_zone_null("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(string_len_null("paused_reason", 500))
                .col(integer("recipients"))
                .col(integer("left_out"))
                .col(string_len("created_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "announcements",
            "company",
            &["company_id", "created_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "announcements",
            "due",
            &["status", "scheduled_at"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("deliveries")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("announcement_id"))
                .col(uuid("person_id"))
                .col(string_len("channel", 10))
                .col(string_len("address", 320))
                .col(string_len("status", 20))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(string_len_null("claimed_by", 200))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(string_len_null("last_error", 500))
                .col(uuid_null("batch_key"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        // One delivery per person and announcement: the database itself refuses a second.
        m.create_index(index(
            "deliveries",
            "once",
            &["company_id", "announcement_id", "person_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "deliveries",
            "due",
            &["status", "next_attempt_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "deliveries",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;
        m.create_index(index("deliveries", "batch", &["batch_key"], false))
            .await?;
        // The per-company sending rate counts what went out in the last minute.
        m.create_index(index(
            "deliveries",
            "sent",
            &["company_id", "sent_at"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("messaging_settings")
                .col(uuid("company_id").primary_key())
                .col(string_len("force_channel", 10))
                .col(integer("emails_per_minute"))
                .col(text("sender_address"))
                .col(string_len("sender_contact", 200))
                .col(string_len_null("line_channel_id", 40))
                .col(string_len_null("line_channel_secret", 100))
                .col(text_null("line_access_token"))
                .col(string_len("link_key", 64))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("line_links")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("line_user_id", 64))
                .col(boolean("following"))
                .col(timestamp_with_time_zone("linked_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "line_links",
            "person",
            &["company_id", "person_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "line_links",
            "user",
            &["company_id", "line_user_id"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("line_link_codes")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("kind", 10))
                .col(string_len("code_hash", 64))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "line_link_codes",
            "code",
            &["company_id", "code_hash"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("email_bounces")
                .col(uuid("company_id"))
                .col(string_len("address", 320))
                .col(string_len("reason", 500))
                .col(timestamp_with_time_zone("bounced_at"))
                .primary_key(Index::create().col("company_id").col("address"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("staff_digests")
                .col(uuid("staff_id").primary_key())
                .col(uuid("company_id"))
                .col(date_null("last_sent_on"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("staff_digests", "company", &["company_id"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "staff_digests",
            "email_bounces",
            "line_link_codes",
            "line_links",
            "messaging_settings",
            "deliveries",
            "announcements",
            "segments",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
