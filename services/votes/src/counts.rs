//! Vote counts per video, straight from the `votes` table (the source of truth).

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, QuerySelect,
    sea_query::Expr,
};

use crate::{
    db::vote,
    error::{Error, Result},
    ids::VideoId,
};

/// Most ids one CountVotes call may ask for: bounds the query's `IN` list and the reply.
pub const MAX_IDS_PER_CALL: usize = 500;

/// Parses the requested ids, keeping each caller's spelling next to its value.
///
/// # Errors
/// [`Error::TooManyIds`] past [`MAX_IDS_PER_CALL`]; [`Error::InvalidVideoId`] naming the
/// first id that is not a UUID.
pub fn parse_video_ids(requested: &[String]) -> Result<Vec<(&str, VideoId)>> {
    if requested.len() > MAX_IDS_PER_CALL {
        return Err(Error::TooManyIds {
            count: requested.len(),
        });
    }
    requested
        .iter()
        .enumerate()
        .map(|(index, text)| {
            VideoId::parse(text)
                .map(|id| (text.as_str(), id))
                .ok_or(Error::InvalidVideoId { index })
        })
        .collect()
}

/// The number of votes of each video in `ids` that has any.
///
/// # Errors
/// Database errors.
pub async fn count_votes(
    db: &DatabaseConnection,
    ids: &[VideoId],
) -> Result<HashMap<VideoId, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(VideoId, i64)> = vote::Entity::find()
        .select_only()
        .column(vote::Column::VideoId)
        .column_as(Expr::col(vote::Column::Id).count(), "votes")
        .filter(vote::Column::VideoId.is_in(ids.iter().copied()))
        .group_by(vote::Column::VideoId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_the_callers_spelling() {
        let requested = vec![
            "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a11".to_owned(),
            "0190F5C27B1E7C3A9A415F2D8C1E0A11".to_owned(),
        ];

        let parsed = parse_video_ids(&requested).expect("valid ids");

        assert_eq!(parsed[0].0, requested[0]);
        assert_eq!(parsed[1].0, requested[1]);
        assert_eq!(parsed[0].1, parsed[1].1);
    }

    #[test]
    fn the_first_invalid_id_is_named_by_index() {
        let requested = vec![
            "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a11".to_owned(),
            "not-a-uuid".to_owned(),
            String::new(),
        ];

        let result = parse_video_ids(&requested);

        assert!(matches!(result, Err(Error::InvalidVideoId { index: 1 })));
    }

    #[test]
    fn at_most_five_hundred_ids_per_call() {
        let id = "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a11".to_owned();

        assert!(parse_video_ids(&vec![id.clone(); MAX_IDS_PER_CALL]).is_ok());
        assert!(matches!(
            parse_video_ids(&vec![id; MAX_IDS_PER_CALL + 1]),
            Err(Error::TooManyIds { count: 501 })
        ));
    }
}
