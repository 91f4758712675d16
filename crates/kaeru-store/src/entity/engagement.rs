use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "engagements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub person_id: Uuid,
    pub title: String,
    /// Weekday codes separated by commas.
    pub weekdays: String,
    pub rate_kind: String,
    pub rate_yen: i64,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub manager: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
