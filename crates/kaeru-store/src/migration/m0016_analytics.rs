//! Analytics: the day the company adopted its return policy (turnover before and after it is compared), what
//! a hire costs through an agency (for the hiring cost saved), and whether the monthly report is e-mailed to
//! the owner on the 1st.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 5] = [
    "adopted_on",
    "agency_fee_percent",
    "annual_salary_yen",
    "fixed_hire_cost_yen",
    "monthly_report",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            date_null("adopted_on"),
            integer("agency_fee_percent").default(30).to_owned(),
            big_integer("annual_salary_yen")
                .default(4_000_000)
                .to_owned(),
            big_integer_null("fixed_hire_cost_yen"),
            boolean("monthly_report").default(false).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table("offer_policies")
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("offer_policies")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
