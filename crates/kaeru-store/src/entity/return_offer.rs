use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "return_offers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub person_id: Uuid,
    pub number: String,
    pub status: String,
    pub valid_from: Date,
    pub valid_until: Date,
    /// Term codes separated by commas.
    pub terms: String,
    pub salary_floor_yen: Option<i64>,
    pub terms_note: Option<String>,
    pub signer_name: String,
    pub signer_title: Option<String>,
    pub override_reason: Option<String>,
    pub status_reason: Option<String>,
    pub issued_on: Option<Date>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
