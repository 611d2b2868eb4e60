use anb_db::SqlMigration;

// The owner's public profile is copied in at upload (a service never reads another's
// schema), so the gallery can show names and filter by city without calling `auth`.
// `owner_city_key` is the city folded to lowercase without accents: the gallery filter
// compares keys, and the partial index serves exactly the published-videos query.
const UP: &str = r"
ALTER TABLE videos
    ADD COLUMN owner_first_name text NOT NULL DEFAULT '',
    ADD COLUMN owner_last_name text NOT NULL DEFAULT '',
    ADD COLUMN owner_city text NOT NULL DEFAULT '',
    ADD COLUMN owner_country text NOT NULL DEFAULT '',
    ADD COLUMN owner_city_key text NOT NULL DEFAULT '';
CREATE INDEX videos_published_idx ON videos (processed_at DESC, id DESC)
    WHERE status = 'processed' AND is_public;
CREATE INDEX videos_published_city_idx ON videos (owner_city_key, processed_at DESC, id DESC)
    WHERE status = 'processed' AND is_public;
";

const DOWN: &str = r"
DROP INDEX videos_published_city_idx;
DROP INDEX videos_published_idx;
ALTER TABLE videos
    DROP COLUMN owner_first_name,
    DROP COLUMN owner_last_name,
    DROP COLUMN owner_city,
    DROP COLUMN owner_country,
    DROP COLUMN owner_city_key;
";

/// Copies the owner profile onto each video for the public gallery.
pub const MIGRATION: SqlMigration = SqlMigration::new(file!(), UP, DOWN);
