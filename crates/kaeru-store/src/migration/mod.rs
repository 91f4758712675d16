//! The one migration set, for SQLite and PostgreSQL alike, compiled into the binary.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_return_offers;
mod m0003_comebacks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_return_offers::Migration),
            Box::new(m0003_comebacks::Migration),
        ]
    }
}
