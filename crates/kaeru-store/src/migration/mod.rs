//! The one migration set, for SQLite and PostgreSQL alike, compiled into the binary.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_return_offers;
mod m0003_comebacks;
mod m0004_skills;
mod m0005_portal;
mod m0006_touchpoints;
mod m0007_contributions;
mod m0008_engagements;
mod m0009_ventures_side_jobs;
mod m0010_imports;
mod m0011_import_uploads;
mod m0012_api_tokens;
mod m0013_messages;
mod m0014_events;
mod m0015_job_board;
mod m0016_analytics;
mod m0017_scale;
mod m0018_lean_people_indexes;
mod m0019_offers_by_window;
mod m0020_engagements_by_start;
mod m0021_one_list_index_on_postgres;
mod m0022_people_counted_by_status;

pub struct Migrator;

/// A foreign key from `from.col` to `to.id` that deletes with its parent.
pub(crate) fn fk(
    from: &'static str,
    col: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// An index named after its table; lists put `company_id` first.
pub(crate) fn index(
    table: &'static str,
    name: &str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{name}")).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.clone()
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_return_offers::Migration),
            Box::new(m0003_comebacks::Migration),
            Box::new(m0004_skills::Migration),
            Box::new(m0005_portal::Migration),
            Box::new(m0006_touchpoints::Migration),
            Box::new(m0007_contributions::Migration),
            Box::new(m0008_engagements::Migration),
            Box::new(m0009_ventures_side_jobs::Migration),
            Box::new(m0010_imports::Migration),
            Box::new(m0011_import_uploads::Migration),
            Box::new(m0012_api_tokens::Migration),
            Box::new(m0013_messages::Migration),
            Box::new(m0014_events::Migration),
            Box::new(m0015_job_board::Migration),
            Box::new(m0016_analytics::Migration),
            Box::new(m0017_scale::Migration),
            Box::new(m0018_lean_people_indexes::Migration),
            Box::new(m0019_offers_by_window::Migration),
            Box::new(m0020_engagements_by_start::Migration),
            Box::new(m0021_one_list_index_on_postgres::Migration),
            Box::new(m0022_people_counted_by_status::Migration),
        ]
    }
}
