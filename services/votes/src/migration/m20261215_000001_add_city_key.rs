use anb_db::SqlMigration;

// Rankings match cities without regard to case or accents ("Bogotá" = "bogota"). The folded
// key is computed by the service (Unicode decomposition is not something every PostgreSQL
// installation offers: `unaccent` is an extension), so rows from before this column get
// `lower()` as a close approximation, which the reconciler never needs to correct because
// it reads the key from here too.
const UP: &str = r"
ALTER TABLE votes ADD COLUMN owner_city_key text NOT NULL DEFAULT '';
UPDATE votes SET owner_city_key = lower(owner_city);
ALTER TABLE votes ALTER COLUMN owner_city_key DROP DEFAULT;
DROP INDEX votes_owner_city_idx;
CREATE INDEX votes_owner_city_key_idx ON votes (owner_city_key);
";

const DOWN: &str = r"
DROP INDEX votes_owner_city_key_idx;
CREATE INDEX votes_owner_city_idx ON votes (lower(owner_city));
ALTER TABLE votes DROP COLUMN owner_city_key;
";

/// Adds the folded city key used to match cities in rankings.
pub const MIGRATION: SqlMigration = SqlMigration::new(file!(), UP, DOWN);
