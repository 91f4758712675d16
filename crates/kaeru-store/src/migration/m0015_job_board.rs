//! The job board of the portal: who an opening is for (public, alumni, invited), remote work, pay and a
//! closing date; the people invited to an opening; each person's view of an opening and their quiet
//! interest or application; job alerts; a comeback's opening and response; a referral's opening and the
//! candidate's contacts; and LINE as a channel of the outbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            string_len("audience", 20).default("alumni").to_owned(),
            string_len_null("remote", 20),
            big_integer_null("pay_yen"),
            string_len_null("pay_unit", 20),
            date_null("closes_on"),
        ] {
            m.alter_table(Table::alter().table("openings").add_column(col).to_owned())
                .await?;
        }
        // An opening that was not public was seen by HR only: it stays hidden until HR invites or opens it.
        m.get_connection()
            .execute_unprepared(
                "UPDATE openings SET audience = CASE WHEN is_public THEN 'public' ELSE 'invited' END",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table("openings")
                .drop_column("is_public")
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "openings",
            "board",
            &["company_id", "status", "audience"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("opening_invites")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("opening_id"))
                .col(uuid("person_id"))
                .col(string_len("invited_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("opening_invites", "opening_id", "openings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "opening_invites",
            "once",
            &["company_id", "opening_id", "person_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "opening_invites",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("opening_responses")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("opening_id"))
                .col(uuid("person_id"))
                .col(string_len("kind", 20))
                .col(string_len("status", 20))
                .col(text_null("note"))
                .col(string_len_null("available_from", 100))
                .col(string_len("via", 20))
                .col(uuid_null("comeback_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .foreign_key(&mut fk("opening_responses", "opening_id", "openings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "opening_responses",
            "once",
            &["company_id", "opening_id", "person_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "opening_responses",
            "person",
            &["company_id", "person_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("opening_views")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("opening_id"))
                .col(uuid("person_id"))
                .col(string_len("via", 20))
                .col(integer("times"))
                .col(timestamp_with_time_zone("first_at"))
                .col(timestamp_with_time_zone("last_at"))
                .foreign_key(&mut fk("opening_views", "opening_id", "openings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "opening_views",
            "once",
            &["company_id", "opening_id", "person_id"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("job_alerts")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(string_len("min_fit", 20))
                // Openings that became visible after this were not yet looked at for the person.
                .col(timestamp_with_time_zone("seen_until"))
                .col(timestamp_with_time_zone_null("last_sent_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "job_alerts",
            "person",
            &["company_id", "person_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "job_alerts",
            "due",
            &["company_id", "seen_until"],
            false,
        ))
        .await?;
        // Which openings an alert already told the person of: each at most once.
        m.create_table(
            Table::create()
                .table("job_alert_sent")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("person_id"))
                .col(uuid("opening_id"))
                .col(timestamp_with_time_zone("sent_at"))
                .foreign_key(&mut fk("job_alert_sent", "opening_id", "openings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "job_alert_sent",
            "once",
            &["company_id", "person_id", "opening_id"],
            true,
        ))
        .await?;
        for col in [uuid_null("opening_id"), uuid_null("response_id")] {
            m.alter_table(Table::alter().table("comebacks").add_column(col).to_owned())
                .await?;
        }
        for col in [
            uuid_null("opening_id"),
            string_len_null("candidate_email", 254),
            string_len_null("candidate_phone", 40),
            string_len_null("relationship", 100),
            boolean("from_portal").default(false).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table("contributions")
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table("outbox")
                .add_column(string_len("channel", 20).default("email").to_owned())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("outbox")
                .drop_column("channel")
                .to_owned(),
        )
        .await?;
        for col in [
            "opening_id",
            "candidate_email",
            "candidate_phone",
            "relationship",
            "from_portal",
        ] {
            m.alter_table(
                Table::alter()
                    .table("contributions")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in ["opening_id", "response_id"] {
            m.alter_table(
                Table::alter()
                    .table("comebacks")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for t in [
            "job_alert_sent",
            "job_alerts",
            "opening_views",
            "opening_responses",
            "opening_invites",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_openings_board")
                .table("openings")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("openings")
                .add_column(boolean("is_public").default(false).to_owned())
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("UPDATE openings SET is_public = (audience = 'public')")
            .await?;
        for col in ["audience", "remote", "pay_yen", "pay_unit", "closes_on"] {
            m.alter_table(Table::alter().table("openings").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
