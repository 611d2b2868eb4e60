//! Schema migrations, one file per migration (the migration name is the file name).

use sea_orm_migration::prelude::*;

mod m20261204_000001_create_votes;
mod m20261210_000001_add_owner_snapshot;
mod m20261215_000001_add_city_key;
mod m20261220_000001_add_player_tallies;

/// Every migration of the `votes` schema, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261204_000001_create_votes::MIGRATION),
            Box::new(m20261210_000001_add_owner_snapshot::MIGRATION),
            Box::new(m20261215_000001_add_city_key::MIGRATION),
            Box::new(m20261220_000001_add_player_tallies::MIGRATION),
        ]
    }
}
