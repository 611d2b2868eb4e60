//! Schema migrations, one file per migration (the migration name is the file name).

use sea_orm_migration::prelude::*;

mod m20261204_000001_create_users;

/// Every migration of the `auth` schema, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261204_000001_create_users::MIGRATION)]
    }
}
