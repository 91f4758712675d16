use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "side_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub person_id: Uuid,
    pub employer: String,
    pub industry: Option<String>,
    pub work: String,
    pub hours_per_week: i64,
    pub start_date: Date,
    pub end_date: Date,
    pub note: Option<String>,
    pub status: String,
    pub applied_by: String,
    pub applied_at: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub reason: Option<String>,
    pub renews_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
