use anb_grpc::reason_of;
use anb_proto::votes::v1::{ListRankingsRequest, RankingEntry};
use tonic::Code;
use uuid::Uuid;

use crate::harness::{Owner, Running, start_fresh};

fn page(limit: u32, offset: u32, city: Option<&str>) -> ListRankingsRequest {
    ListRankingsRequest {
        limit,
        offset,
        city: city.map(str::to_owned),
    }
}

async fn ranked(votes: &mut Running, request: ListRankingsRequest) -> Vec<RankingEntry> {
    votes
        .client
        .list_rankings(request)
        .await
        .expect("rankings listed")
        .into_inner()
        .entries
}

/// `count` votes by distinct users for one new video of `owner`.
async fn give_votes(votes: &Running, owner: &Owner<'_>, count: usize) {
    let video = Uuid::now_v7();
    for _ in 0..count {
        votes
            .insert_vote_for(Uuid::now_v7(), video, owner)
            .await
            .expect("vote stored");
    }
}

fn summary(entries: &[RankingEntry]) -> Vec<(u32, &str, &str, i64)> {
    entries
        .iter()
        .map(|e| (e.position, e.username.as_str(), e.city.as_str(), e.votes))
        .collect()
}

#[tokio::test]
async fn players_are_ranked_by_votes_across_all_their_videos() {
    let mut votes = start_fresh().await;
    let ana = Owner {
        id: Uuid::now_v7(),
        name: "Ana Pérez",
        city: "Cali",
    };
    let luis = Owner {
        id: Uuid::now_v7(),
        name: "Luis Díaz",
        city: "Barranquilla",
    };
    give_votes(&votes, &ana, 2).await;
    give_votes(&votes, &ana, 1).await;
    give_votes(&votes, &luis, 4).await;

    let entries = ranked(&mut votes, page(0, 0, None)).await;

    assert_eq!(
        summary(&entries),
        vec![
            (1, "Luis Díaz", "Barranquilla", 4),
            (2, "Ana Pérez", "Cali", 3)
        ]
    );
    assert_eq!(entries[0].user_id, luis.id.to_string());
    votes.finish().await;
}

#[tokio::test]
async fn equal_votes_break_ties_by_name_ignoring_case_then_user_id() {
    let mut votes = start_fresh().await;
    let (low, high) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let zoe = Owner {
        id: Uuid::now_v7(),
        name: "zoe Ruiz",
        city: "Cali",
    };
    let bea_high = Owner {
        id: high,
        name: "Bea Gil",
        city: "Cali",
    };
    let bea_low = Owner {
        id: low,
        name: "bea gil",
        city: "Cali",
    };
    for owner in [&zoe, &bea_high, &bea_low] {
        give_votes(&votes, owner, 2).await;
    }

    let entries = ranked(&mut votes, page(0, 0, None)).await;

    let order: Vec<(u32, &str)> = entries
        .iter()
        .map(|e| (e.position, e.user_id.as_str()))
        .collect();
    let (low, high, zoe) = (low.to_string(), high.to_string(), zoe.id.to_string());
    assert_eq!(
        order,
        vec![(1, low.as_str()), (2, high.as_str()), (3, zoe.as_str())]
    );
    votes.finish().await;
}

#[tokio::test]
async fn the_city_filter_ignores_case_and_positions_count_within_the_city() {
    let mut votes = start_fresh().await;
    let ana = Owner {
        id: Uuid::now_v7(),
        name: "Ana Pérez",
        city: "Cali",
    };
    let luis = Owner {
        id: Uuid::now_v7(),
        name: "Luis Díaz",
        city: "Barranquilla",
    };
    let eva = Owner {
        id: Uuid::now_v7(),
        name: "Eva Soto",
        city: "CALI",
    };
    give_votes(&votes, &ana, 1).await;
    give_votes(&votes, &luis, 5).await;
    give_votes(&votes, &eva, 2).await;

    let entries = ranked(&mut votes, page(0, 0, Some("cAlI"))).await;
    let nowhere = ranked(&mut votes, page(0, 0, Some("Medellín"))).await;

    assert_eq!(
        summary(&entries),
        vec![(1, "Eva Soto", "CALI", 2), (2, "Ana Pérez", "Cali", 1)]
    );
    assert!(nowhere.is_empty());
    votes.finish().await;
}

#[tokio::test]
async fn limit_and_offset_page_through_with_absolute_positions() {
    let mut votes = start_fresh().await;
    for (index, name) in ["Ana", "Bea", "Cruz", "Dani", "Eva"].iter().enumerate() {
        let owner = Owner {
            id: Uuid::now_v7(),
            name,
            city: "Cali",
        };
        give_votes(&votes, &owner, 5 - index).await;
    }

    let second_page = ranked(&mut votes, page(2, 2, None)).await;
    let past_the_end = ranked(&mut votes, page(2, 10, None)).await;

    assert_eq!(
        summary(&second_page),
        vec![(3, "Cruz", "Cali", 3), (4, "Dani", "Cali", 2)]
    );
    assert!(past_the_end.is_empty());
    votes.finish().await;
}

#[tokio::test]
async fn a_limit_above_one_hundred_is_invalid_parameter() {
    let mut votes = start_fresh().await;

    let refused = votes
        .client
        .list_rankings(page(101, 0, None))
        .await
        .expect_err("limit too large");

    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&refused), Some("invalid_parameter"));
    votes.finish().await;
}

#[tokio::test]
async fn rankings_of_no_votes_are_empty_and_need_no_token() {
    let mut votes = start_fresh().await;

    let entries = ranked(&mut votes, page(0, 0, None)).await;

    assert!(entries.is_empty());
    votes.finish().await;
}

/// Each player's tally as the database keeps it, and the count of their vote rows.
async fn tally_and_count(votes: &Running, owner: Uuid) -> (i64, i64) {
    use sea_orm::{ConnectionTrait as _, DbBackend, Statement};

    let row = votes
        .db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT (SELECT votes FROM player_tallies WHERE owner_id = $1) AS tally, \
             (SELECT count(*) FROM votes WHERE owner_id = $1) AS counted",
            [owner.into()],
        ))
        .await
        .expect("query runs")
        .expect("one row");
    (
        row.try_get("", "tally").expect("a tally"),
        row.try_get("", "counted").expect("a count"),
    )
}

#[tokio::test]
async fn the_tally_follows_inserted_and_deleted_votes() {
    use sea_orm::{ConnectionTrait as _, DbBackend, Statement};

    let votes = start_fresh().await;
    let ana = Owner {
        id: Uuid::now_v7(),
        name: "Ana Ruiz",
        city: "Cali",
    };
    give_votes(&votes, &ana, 3).await;
    let after_inserts = tally_and_count(&votes, ana.id).await;

    votes
        .db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM votes WHERE id = (SELECT id FROM votes WHERE owner_id = $1 LIMIT 1)",
            [ana.id.into()],
        ))
        .await
        .expect("one vote deleted");
    let after_delete = tally_and_count(&votes, ana.id).await;

    assert_eq!(after_inserts, (3, 3));
    assert_eq!(after_delete, (2, 2));
    votes.finish().await;
}
