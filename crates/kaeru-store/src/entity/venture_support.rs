use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "venture_support")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub venture_id: Uuid,
    pub kind: String,
    pub on_date: Date,
    pub amount_yen: Option<i64>,
    pub hours: Option<i64>,
    pub client: Option<String>,
    pub outcome: Option<String>,
    pub by_name: Option<String>,
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
