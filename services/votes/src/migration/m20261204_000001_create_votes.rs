use anb_db::SqlMigration;

// The unique pair is what makes concurrent double votes count once. Counting by video
// reads the video_id index; the unique index serves "has this user voted" look-ups.
const UP: &str = r"
CREATE TABLE votes (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    video_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT votes_user_video_key UNIQUE (user_id, video_id)
);
CREATE INDEX votes_video_idx ON votes (video_id);
";

const DOWN: &str = "DROP TABLE votes;";

/// Creates the `votes` table.
pub const MIGRATION: SqlMigration = SqlMigration::new(file!(), UP, DOWN);
