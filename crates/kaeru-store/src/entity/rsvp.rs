use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rsvps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub event_id: Uuid,
    pub person_id: Option<Uuid>,
    pub guest_name: Option<String>,
    pub guest_reading: Option<String>,
    pub state: String,
    pub companions: i32,
    pub answers: String,
    pub news: Option<String>,
    pub news_consent: bool,
    pub invited_at: Option<DateTimeUtc>,
    pub replied_at: Option<DateTimeUtc>,
    pub waitlisted_at: Option<DateTimeUtc>,
    pub offer_expires_at: Option<DateTimeUtc>,
    pub checkin_code: String,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_in_by: Option<String>,
    pub walk_in: bool,
    pub no_show: bool,
    pub paid: i64,
    pub reminded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
