//! Migrations written as plain SQL: a CHECK constraint or a partial index says exactly what
//! a service relies on, which sea-orm's schema builder would only obscure.

use sea_orm::{ConnectionTrait, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, util::get_file_stem};

/// A migration that runs one SQL script to apply and another to revert.
#[derive(Debug, Clone, Copy)]
pub struct SqlMigration {
    file: &'static str,
    up: &'static str,
    down: &'static str,
}

impl SqlMigration {
    /// A migration named after `file`, which must be the defining file's `file!()`.
    ///
    /// The name is the file's stem, as sea-orm's `DeriveMigrationName` makes it, because it
    /// is what `seaql_migrations` records as applied: renaming the file would run the
    /// migration again.
    pub const fn new(file: &'static str, up: &'static str, down: &'static str) -> Self {
        Self { file, up, down }
    }
}

impl MigrationName for SqlMigration {
    fn name(&self) -> &str {
        get_file_stem(self.file)
    }
}

// The trait elides SchemaManager's lifetime; async_trait needs the impl to match exactly.
#[allow(elided_lifetimes_in_paths)]
#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for SqlMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(self.up).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(self.down)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_the_defining_file_stem() {
        let migration = SqlMigration::new(file!(), "SELECT 1", "SELECT 1");

        assert_eq!(migration.name(), "migration");
    }
}
