use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

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

// The trait elides SchemaManager's lifetime; async_trait needs the impl to match exactly.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
