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

/// The row as the domain's stint (read by the stints and the status modules alike).
impl From<Model> for kaeru_domain::EmploymentStint {
    fn from(r: Model) -> Self {
        Self {
            id: kaeru_domain::StintId(r.id),
            person_id: kaeru_domain::PersonId(r.person_id),
            start_date: r.start_date,
            end_date: r.end_date,
            department: r.department,
            job_title: r.job_title,
            employment_type: kaeru_domain::EmploymentType::parse(&r.employment_type)
                .unwrap_or(kaeru_domain::EmploymentType::FullTime),
            leave_reason: r
                .leave_reason
                .as_deref()
                .and_then(kaeru_domain::LeaveReason::parse),
            leave_reason_detail: r.leave_reason_detail,
            exit_interview_notes: r.exit_interview_notes,
            rehire_eligibility: r
                .rehire_eligibility
                .as_deref()
                .and_then(kaeru_domain::RehireEligibility::parse),
            rehire_reason: r.rehire_reason,
        }
    }
}
