use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contributions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub person_id: Uuid,
    pub kind: String,
    pub on_date: Date,
    pub candidate: Option<String>,
    pub opening: Option<String>,
    pub outcome: Option<String>,
    pub client: Option<String>,
    pub amount_yen: Option<i64>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub opening_id: Option<Uuid>,
    pub candidate_email: Option<String>,
    pub candidate_phone: Option<String>,
    pub relationship: Option<String>,
    pub from_portal: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
