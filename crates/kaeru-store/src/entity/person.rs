use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub employee_number: Option<String>,
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub romaji_name: Option<String>,
    pub phone: Option<String>,
    pub line_id: Option<String>,
    pub facebook_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub birth_date: Option<Date>,
    pub notes: Option<String>,
    pub sort_key: String,
    pub status: String,
    pub return_intent: Option<String>,
    pub work_style: Option<String>,
    pub days_per_week: Option<i32>,
    pub last_contact_on: Option<Date>,
    pub contact_stopped_at: Option<DateTimeUtc>,
    pub self_updated_at: Option<DateTimeUtc>,
    pub message_to_company: Option<String>,
    pub message_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
