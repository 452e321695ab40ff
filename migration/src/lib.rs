//! Schema migrations for grace, shared by PostgreSQL and SQLite.

pub use sea_orm_migration::prelude::*;

mod m20261204_000001_create_schema;

/// Every migration grace knows, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261204_000001_create_schema::Migration)]
    }
}
