use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comebacks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub person_id: Uuid,
    pub offer_id: Option<Uuid>,
    pub stage: String,
    pub opened_on: Date,
    pub note: Option<String>,
    pub start_date: Option<Date>,
    pub skills_gained: Option<String>,
    pub days_away: Option<i64>,
    pub dropped_reason: Option<String>,
    pub new_stint_id: Option<Uuid>,
    pub stage_changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub opening_id: Option<Uuid>,
    pub response_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
