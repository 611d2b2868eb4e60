use sea_orm::entity::prelude::*;

use crate::ids::{TaskId, UserId, VideoId};

/// Where a video is in its life; stored as lowercase text so operators can read it in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum VideoStatus {
    /// Accepted and queued, not yet picked up by a worker.
    #[sea_orm(string_value = "uploaded")]
    Uploaded,
    /// A worker is transcoding it.
    #[sea_orm(string_value = "processing")]
    Processing,
    /// The processed file and poster exist.
    #[sea_orm(string_value = "processed")]
    Processed,
    /// Processing gave up; `failure_reason` says why.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// One uploaded video.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "videos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: VideoId,
    pub owner_id: UserId,
    pub title: String,
    pub status: VideoStatus,
    pub is_public: bool,
    /// The client's file name, for display only; storage keys derive from `id`.
    pub original_file_name: String,
    pub size_bytes: i64,
    /// Duration of the original as probed at upload.
    pub duration_ms: i64,
    /// Display size of the original, after rotation.
    pub width: i32,
    pub height: i32,
    pub task_id: TaskId,
    pub failure_reason: Option<String>,
    /// Duration of the processed file, as reported by the transcoder.
    pub processed_duration_ms: Option<i64>,
    pub uploaded_at: DateTimeUtc,
    pub processing_started_at: Option<DateTimeUtc>,
    pub processed_at: Option<DateTimeUtc>,
    /// Last status change or re-queue; the sweep measures staleness from it.
    pub updated_at: DateTimeUtc,
    /// The owner's profile as it was at upload, for the public gallery.
    pub owner_first_name: String,
    pub owner_last_name: String,
    pub owner_city: String,
    pub owner_country: String,
    /// `owner_city` folded by [`crate::player::city_key`]; the gallery's city filter.
    pub owner_city_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
