use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "openings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub title: String,
    pub department: Option<String>,
    pub work_style: String,
    pub days_per_week: Option<i32>,
    pub place: Option<String>,
    pub description: Option<String>,
    pub audience: String,
    pub remote: Option<String>,
    pub pay_yen: Option<i64>,
    pub pay_unit: Option<String>,
    pub closes_on: Option<Date>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
