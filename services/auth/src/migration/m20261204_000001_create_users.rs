use anb_db::SqlMigration;

// The unique constraint on the normalized email is what makes concurrent sign-ups with
// the same address produce exactly one account; the service maps its violation by name.
const UP: &str = r"
CREATE TABLE users (
    id uuid PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL,
    email_normalized text NOT NULL
        CONSTRAINT users_email_normalized_lowercase CHECK (email_normalized = lower(email_normalized)),
    password_hash text NOT NULL,
    city text NOT NULL,
    country text NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT users_email_normalized_key UNIQUE (email_normalized)
);
";

const DOWN: &str = "DROP TABLE users;";

/// Creates the `users` table.
pub const MIGRATION: SqlMigration = SqlMigration::new(file!(), UP, DOWN);
