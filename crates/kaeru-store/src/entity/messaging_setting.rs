use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messaging_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: Uuid,
    pub force_channel: String,
    pub emails_per_minute: i32,
    pub sender_address: String,
    pub sender_contact: String,
    pub line_channel_id: Option<String>,
    pub line_channel_secret: Option<String>,
    pub line_access_token: Option<String>,
    pub link_key: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
