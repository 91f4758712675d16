use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employment_stints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub person_id: Uuid,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub employment_type: String,
    pub leave_reason: Option<String>,
    pub leave_reason_detail: Option<String>,
    pub exit_interview_notes: Option<String>,
    pub rehire_eligibility: Option<String>,
    pub rehire_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
