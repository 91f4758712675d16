//! Gatherings: events and each person's reply (出欠), waitlist place, check-in code and attendance; the
//! announcement that invites to an event; a calendar file attached to a message of the outbox.

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
                .table("events")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("kind", 20))
                .col(string_len("title", 200))
                .col(text("description"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(string_len_null("place", 200))
                .col(string_len_null("address", 200))
                .col(text_null("map_url"))
                .col(text_null("online_url"))
                .col(integer_null("capacity"))
                .col(big_integer("fee"))
                .col(timestamp_with_time_zone_null("reply_by"))
                .col(integer("max_companions"))
                .col(text("questions"))
                .col(string_len_null("organiser", 100))
                .col(integer("offer_hours"))
                .col(string_len("status", 20))
                .col(integer("sequence"))
                .col(string_len_null("cancelled_reason", 500))
                .col(timestamp_with_time_zone_null("week_reminder_at"))
                .col(timestamp_with_time_zone_null("day_reminder_at"))
                .col(timestamp_with_time_zone_null("nudge_at"))
                .col(string_len("created_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "events",
            "company",
            &["company_id", "starts_at"],
            false,
        ))
        .await?;
        m.create_index(index("events", "status", &["status", "starts_at"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("rsvps")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("event_id"))
                .col(uuid_null("person_id"))
                .col(string_len_null("guest_name", 100))
                .col(string_len_null("guest_reading", 100))
                .col(string_len("state", 20))
                .col(integer("companions"))
                .col(text("answers"))
                .col(text_null("news"))
                .col(boolean("news_consent"))
                .col(timestamp_with_time_zone_null("invited_at"))
                .col(timestamp_with_time_zone_null("replied_at"))
                .col(timestamp_with_time_zone_null("waitlisted_at"))
                .col(timestamp_with_time_zone_null("offer_expires_at"))
                .col(string_len("checkin_code", 40))
                .col(timestamp_with_time_zone_null("checked_in_at"))
                .col(string_len_null("checked_in_by", 100))
                .col(boolean("walk_in"))
                .col(boolean("no_show"))
                .col(big_integer("paid"))
                .col(timestamp_with_time_zone_null("reminded_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("rsvps", "event_id", "events"))
                .to_owned(),
        )
        .await?;
        // One reply per person and event (guests at the door have no person and are not limited).
        m.create_index(index(
            "rsvps",
            "once",
            &["company_id", "event_id", "person_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "rsvps",
            "state",
            &["company_id", "event_id", "state"],
            false,
        ))
        .await?;
        m.create_index(index(
            "rsvps",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;
        m.create_index(index("rsvps", "code", &["checkin_code"], true))
            .await?;
        m.alter_table(
            Table::alter()
                .table("announcements")
                .add_column(uuid_null("event_id"))
                .to_owned(),
        )
        .await?;
        for col in [
            string_len_null("attachment_name", 100),
            string_len_null("attachment_type", 100),
            text_null("attachment"),
        ] {
            // SQLite alters one column a statement.
            m.alter_table(Table::alter().table("outbox").add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["attachment", "attachment_type", "attachment_name"] {
            m.alter_table(Table::alter().table("outbox").drop_column(col).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("announcements")
                .drop_column("event_id")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("rsvps").to_owned())
            .await?;
        m.drop_table(Table::drop().table("events").to_owned()).await
    }
}
