use anb_db::SqlMigration;

// Plain SQL: the CHECK constraint and the descending index say exactly what the service
// relies on, which the builder API would only obscure.
const UP: &str = r"
CREATE TABLE videos (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL,
    title text NOT NULL,
    status text NOT NULL
        CHECK (status IN ('uploaded', 'processing', 'processed', 'failed')),
    is_public boolean NOT NULL DEFAULT false,
    original_file_name text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    duration_ms bigint NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    task_id uuid NOT NULL,
    failure_reason text,
    processed_duration_ms bigint,
    uploaded_at timestamptz NOT NULL,
    processing_started_at timestamptz,
    processed_at timestamptz,
    updated_at timestamptz NOT NULL
);
CREATE INDEX videos_owner_uploaded_idx ON videos (owner_id, uploaded_at DESC);
CREATE INDEX videos_status_idx ON videos (status);
";

const DOWN: &str = "DROP TABLE videos;";

/// Creates the `videos` table.
pub const MIGRATION: SqlMigration = SqlMigration::new(file!(), UP, DOWN);
