use anb_db::SqlMigration;

// Each vote carries a copy of the video owner's name and city as `videos` reported them when
// the vote was cast, so rankings group and filter inside this schema without calling any
// other service. No vote could be cast before this migration (CastVote did not exist), so the
// backfill defaults name no real row; they are dropped so every new row must say who it is.
const UP: &str = r"
ALTER TABLE votes
    ADD COLUMN owner_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    ADD COLUMN owner_name text NOT NULL DEFAULT '',
    ADD COLUMN owner_city text NOT NULL DEFAULT '';
ALTER TABLE votes
    ALTER COLUMN owner_id DROP DEFAULT,
    ALTER COLUMN owner_name DROP DEFAULT,
    ALTER COLUMN owner_city DROP DEFAULT;
CREATE INDEX votes_owner_idx ON votes (owner_id, created_at);
CREATE INDEX votes_owner_city_idx ON votes (lower(owner_city));
CREATE INDEX votes_user_created_idx ON votes (user_id, created_at);
";

const DOWN: &str = r"
DROP INDEX votes_user_created_idx;
DROP INDEX votes_owner_city_idx;
DROP INDEX votes_owner_idx;
ALTER TABLE votes DROP COLUMN owner_city, DROP COLUMN owner_name, DROP COLUMN owner_id;
";

/// Copies the video owner onto each vote for the rankings.
pub const MIGRATION: SqlMigration = SqlMigration::new(file!(), UP, DOWN);
