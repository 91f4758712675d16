//! API tokens of a company: stored only as the SHA-256 of the secret, with a hint of its end for people to
//! recognise it by, who made it, when it was last used and when it was revoked.

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
                .table("api_tokens")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len("name", 100))
                .col(string_len("scope", 10))
                .col(string_len("token_hash", 64))
                .col(string_len("hint", 8))
                .col(string_len("created_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("api_tokens", "hash", &["token_hash"], true))
            .await?;
        m.create_index(index(
            "api_tokens",
            "company",
            &["company_id", "created_at"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("api_tokens").to_owned())
            .await
    }
}
