//! The periodic check that the Redis view equals Postgres, which also builds the view when
//! it is missing (first start, FLUSHALL, a Redis restart without persistence).
//!
//! Redis is read before Postgres. Counts only grow, so a count Redis shows below the
//! Postgres one is raised (`ZADD LT`, harmless if a concurrent vote already raised it
//! further), and a count above it or a member Postgres does not know can only be damage:
//! those are replaced only if they still hold the value seen, so a vote landing meanwhile is
//! never undone. Every replica may run this at the same time.

use std::{collections::HashMap, sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;

use crate::{
    cache::{Repair, Repairs, Snapshot, member},
    error::Result,
    ranking::{self, PlayerScore},
    view::RankingView,
};

/// Pause between attempts while Redis is unusable.
const RETRY: Duration = Duration::from_secs(1);

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The view had not been built before this pass.
    pub rebuilt: bool,
    /// Sorted-set members written or removed.
    pub changes: usize,
    /// False when a flush raced the pass and nothing was written; the next pass rebuilds.
    pub applied: bool,
}

/// Compares the view with Postgres once and repairs what differs.
///
/// # Errors
/// Database or Redis errors.
pub async fn reconcile_once(view: &RankingView) -> Result<Outcome> {
    let snapshot = view.cache.snapshot().await?;
    let players = ranking::all_players(&view.db).await?;

    let repairs = plan(&snapshot, &players);
    let applied = view.cache.apply(snapshot.built, &repairs).await?;
    Ok(Outcome {
        rebuilt: !snapshot.built,
        changes: repairs.changes(),
        applied,
    })
}

/// Reconciles every `interval`, at once when woken, and every second while the view is
/// stale, until `cancel`.
pub async fn run(view: Arc<RankingView>, interval: Duration, cancel: CancellationToken) {
    loop {
        let before = view.votes_seen();
        match reconcile_once(&view).await {
            Ok(outcome) if outcome.applied => {
                report(outcome);
                if outcome.changes > 0 {
                    view.changes.notify();
                }
                // Votes skip Redis while the view is stale; when one finished during this
                // pass it may be missing, so the view stays stale (Postgres answers) until a
                // pass without such a vote, retried after the stale pause below.
                view.mark_repaired(before);
            }
            Ok(_) => tracing::debug!("ranking view flushed during reconcile; rebuilding"),
            Err(err) => view.set_stale(&err),
        }

        let wait = if view.is_stale() { RETRY } else { interval };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = view.repair.notified() => {}
            () = cancel.cancelled() => return,
        }
    }
}

fn report(outcome: Outcome) {
    if outcome.rebuilt {
        tracing::info!(
            changes = outcome.changes,
            "ranking view rebuilt from postgres"
        );
    } else if outcome.changes > 0 {
        tracing::warn!(
            changes = outcome.changes,
            "ranking view drifted from postgres; repaired"
        );
    }
}

/// The writes that make `snapshot` equal `players`.
pub fn plan(snapshot: &Snapshot, players: &[PlayerScore]) -> Repairs {
    let mut by_city: HashMap<&str, HashMap<String, i64>> = HashMap::new();
    let mut global = HashMap::with_capacity(players.len());
    for player in players {
        global.insert(member(player), player.votes);
        by_city
            .entry(player.city_key.as_str())
            .or_default()
            .insert(member(player), player.votes);
    }

    let mut cities: Vec<(String, Vec<Repair>)> = Vec::new();
    for (city, expected) in &by_city {
        let seen = snapshot.cities.get(*city);
        cities.push(((*city).to_owned(), diff(seen, expected)));
    }
    for (city, seen) in &snapshot.cities {
        if !by_city.contains_key(city.as_str()) {
            cities.push((city.clone(), diff(Some(seen), &HashMap::new())));
        }
    }
    cities.retain(|(_, ops)| !ops.is_empty());
    cities.sort_by(|a, b| a.0.cmp(&b.0));

    let mut city_keys: Vec<String> = by_city.keys().map(|city| (*city).to_owned()).collect();
    city_keys.sort();
    Repairs {
        global: diff(Some(&snapshot.global), &global),
        cities,
        players: players
            .iter()
            .map(|p| (p.user_id, p.username.clone(), p.city.clone()))
            .collect(),
        city_keys,
    }
}

fn diff(seen: Option<&HashMap<String, i64>>, expected: &HashMap<String, i64>) -> Vec<Repair> {
    let empty = HashMap::new();
    let seen = seen.unwrap_or(&empty);
    let mut ops = Vec::new();
    for (member, &votes) in expected {
        match seen.get(member) {
            Some(&have) if have == votes => {}
            Some(&have) if have > votes => ops.push(Repair::Replace {
                member: member.clone(),
                seen: have,
                votes: Some(votes),
            }),
            _ => ops.push(Repair::Raise {
                member: member.clone(),
                votes,
            }),
        }
    }
    for (member, &have) in seen {
        if !expected.contains_key(member) {
            ops.push(Repair::Replace {
                member: member.clone(),
                seen: have,
                votes: None,
            });
        }
    }
    ops.sort_by(|a, b| op_member(a).cmp(op_member(b)));
    ops
}

fn op_member(op: &Repair) -> &str {
    match op {
        Repair::Raise { member, .. } | Repair::Replace { member, .. } => member,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn player(name: &str, city: &str, votes: i64) -> PlayerScore {
        PlayerScore {
            user_id: Uuid::now_v7(),
            votes,
            username: name.to_owned(),
            sort_name: name.to_lowercase(),
            city: city.to_owned(),
            city_key: crate::city::fold(city),
        }
    }

    #[test]
    fn an_empty_view_is_rebuilt_with_raises_only() {
        let players = [player("Ana", "Bogotá", 3), player("Luis", "Cali", 1)];

        let repairs = plan(&Snapshot::default(), &players);

        assert_eq!(repairs.global.len(), 2);
        assert!(
            repairs
                .global
                .iter()
                .all(|op| matches!(op, Repair::Raise { .. }))
        );
        assert_eq!(repairs.city_keys, ["bogota", "cali"]);
        assert_eq!(repairs.changes(), 4);
    }

    #[test]
    fn counts_above_postgres_and_unknown_members_are_replaced_only_if_unchanged() {
        let ana = player("Ana", "Cali", 3);
        let mut snapshot = Snapshot {
            built: true,
            ..Snapshot::default()
        };
        snapshot.global.insert(member(&ana), 5);
        snapshot.global.insert("ghost\0x".to_owned(), 2);
        let cali = HashMap::from([(member(&ana), 3)]);
        snapshot.cities.insert("cali".to_owned(), cali);

        let repairs = plan(&snapshot, std::slice::from_ref(&ana));

        assert_eq!(
            repairs.global,
            [
                Repair::Replace {
                    member: member(&ana),
                    seen: 5,
                    votes: Some(3)
                },
                Repair::Replace {
                    member: "ghost\0x".to_owned(),
                    seen: 2,
                    votes: None
                },
            ]
        );
        assert!(repairs.cities.is_empty());
    }

    #[test]
    fn a_player_who_moved_city_leaves_the_old_citys_set() {
        let ana = player("Ana", "Medellín", 2);
        let mut snapshot = Snapshot {
            built: true,
            ..Snapshot::default()
        };
        snapshot.global.insert(member(&ana), 2);
        snapshot
            .cities
            .insert("cali".to_owned(), HashMap::from([(member(&ana), 2)]));
        snapshot
            .cities
            .insert("medellin".to_owned(), HashMap::from([(member(&ana), 2)]));

        let repairs = plan(&snapshot, std::slice::from_ref(&ana));

        assert_eq!(
            repairs.cities,
            [(
                "cali".to_owned(),
                vec![Repair::Replace {
                    member: member(&ana),
                    seen: 2,
                    votes: None
                }]
            )]
        );
    }
}
