use sea_orm::entity::prelude::*;

/// What one revision of a company changed, for the indexes of every node: a person (patch that person), no
/// person and not `whole` (nothing the indexes hold), or `whole` (rebuild).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revision_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub revision: i64,
    pub person_id: Option<Uuid>,
    pub whole: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
