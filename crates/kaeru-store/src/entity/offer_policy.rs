use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: Uuid,
    pub window_years: i32,
    /// Term codes separated by commas.
    pub default_terms: String,
    pub show_wareki: bool,
    pub welcome_declaration: String,
    pub adopted_on: Option<Date>,
    pub agency_fee_percent: i32,
    pub annual_salary_yen: i64,
    pub fixed_hire_cost_yen: Option<i64>,
    pub monthly_report: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
