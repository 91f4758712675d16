use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub place: Option<String>,
    pub address: Option<String>,
    pub map_url: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i32>,
    pub fee: i64,
    pub reply_by: Option<DateTimeUtc>,
    pub max_companions: i32,
    pub questions: String,
    pub organiser: Option<String>,
    pub offer_hours: i32,
    pub status: String,
    pub sequence: i32,
    pub cancelled_reason: Option<String>,
    pub week_reminder_at: Option<DateTimeUtc>,
    pub day_reminder_at: Option<DateTimeUtc>,
    pub nudge_at: Option<DateTimeUtc>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
