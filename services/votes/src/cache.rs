//! The Redis view of the rankings: one sorted set for everybody and one per folded city,
//! plus a hash with each player's name and city as shown.
//!
//! Every write sets a player's *absolute* vote count, read from Postgres after the vote was
//! committed, with `ZADD LT` (scores are negated counts, so "less than" means "more votes").
//! Votes are never deleted, so a player's true count only grows and the largest count
//! written wins whatever order concurrent writers and the rebuild arrive in: the view needs
//! no lock to stay exact. Only the reconciler may lower a count, and only with a
//! compare-and-set on the value it saw.
//!
//! Order inside a score follows the documented tie rule byte for byte: members are the
//! player's lower-cased name as PostgreSQL lower-cases it, a NUL (which PostgreSQL text
//! never contains, so it sorts below every name character), then the user id, and Redis
//! orders equal scores by member bytes.

use std::collections::HashMap;

use fred::{
    prelude::{Client, KeysInterface as _, LuaInterface as _, SetsInterface as _},
    types::{Key, Value},
};
use uuid::Uuid;

use crate::ranking::{PlayerScore, Ranked};

/// Length of a hyphenated UUID, the tail of every member.
const UUID_LEN: usize = 36;

// KEYS: global set, players hash, cities set. ARGV: channel, key prefix of city sets, then
// (member, score, user id, meta, city key) per player.
const RECORD: &str = r"
for i = 3, #ARGV, 5 do
  redis.call('ZADD', KEYS[1], 'LT', ARGV[i + 1], ARGV[i])
  redis.call('ZADD', ARGV[2] .. ARGV[i + 4], 'LT', ARGV[i + 1], ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i + 2], ARGV[i + 3])
  redis.call('SADD', KEYS[3], ARGV[i + 4])
end
redis.call('PUBLISH', ARGV[1], '1')
return 1
";

// false (nil) when the view was never built or was flushed: the caller must not trust it.
const READ: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local rows = redis.call('ZRANGE', KEYS[2], ARGV[1], ARGV[2], 'WITHSCORES')
local out = {}
for i = 1, #rows, 2 do
  local id = string.sub(rows[i], -36)
  out[#out + 1] = id
  out[#out + 1] = rows[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[3], id) or ''
end
return out
";

// KEYS: marker, players hash, cities set, then one sorted set per op group.
// ARGV: saw-marker flag, meta count, (id, meta)*, city count, city*, then per sorted set:
// op count, (member, expected, new)*. An empty `expected` raises with LT; otherwise the
// member is set to `new` (or removed when `new` is empty) only if it still holds `expected`.
// Returns 0 without writing when the marker vanished since the snapshot (a flush raced the
// reconciler): writing the marker then would bless a half-empty view.
const APPLY: &str = r"
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local i = 2
local metas = tonumber(ARGV[i]); i = i + 1
for _ = 1, metas do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2
end
local cities = tonumber(ARGV[i]); i = i + 1
for _ = 1, cities do
  redis.call('SADD', KEYS[3], ARGV[i]); i = i + 1
end
for k = 4, #KEYS do
  local ops = tonumber(ARGV[i]); i = i + 1
  for _ = 1, ops do
    local member, expected, new = ARGV[i], ARGV[i + 1], ARGV[i + 2]; i = i + 3
    if expected == '' then
      redis.call('ZADD', KEYS[k], 'LT', new, member)
    else
      local current = redis.call('ZSCORE', KEYS[k], member)
      if current and tonumber(current) == tonumber(expected) then
        if new == '' then redis.call('ZREM', KEYS[k], member)
        else redis.call('ZADD', KEYS[k], new, member) end
      end
    end
  end
end
redis.call('SET', KEYS[1], '1')
return 1
";

/// One change the reconciler asks of a sorted set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// Raise the member to `votes` (or add it); never lowers.
    Raise { member: String, votes: i64 },
    /// Set the member from `seen` to `votes`, or remove it when `votes` is `None`, only if
    /// it still holds `seen`.
    Replace {
        member: String,
        seen: i64,
        votes: Option<i64>,
    },
}

/// What the reconciler read from Redis.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Whether the view had been built (the marker key exists).
    pub built: bool,
    /// Members and vote counts of the global set.
    pub global: HashMap<String, i64>,
    /// Members and vote counts of each city's set, by folded city.
    pub cities: HashMap<String, HashMap<String, i64>>,
}

/// Everything the reconciler writes in one atomic script.
#[derive(Debug, Default)]
pub struct Repairs {
    pub global: Vec<Repair>,
    pub cities: Vec<(String, Vec<Repair>)>,
    /// Player id → (name, city) as shown.
    pub players: Vec<(Uuid, String, String)>,
    pub city_keys: Vec<String>,
}

impl Repairs {
    /// How many sorted-set members change.
    pub fn changes(&self) -> usize {
        self.global.len() + self.cities.iter().map(|(_, ops)| ops.len()).sum::<usize>()
    }
}

/// Domain operations on the ranking keys under one prefix.
#[derive(Clone)]
pub struct RankingCache {
    client: Client,
    prefix: String,
}

impl RankingCache {
    /// A view under `<prefix>:votes:rank:*` (tests use a unique prefix each).
    pub fn new(client: Client, prefix: &str) -> Self {
        Self {
            client,
            prefix: prefix.to_owned(),
        }
    }

    /// The client, for other users of the same connection.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The pub/sub channel announcing that some ranking changed.
    pub fn channel(&self) -> String {
        format!("{}:votes:rank:changed", self.prefix)
    }

    fn key(&self, name: &str) -> String {
        format!("{}:votes:rank:{name}", self.prefix)
    }

    fn set_key(&self, city_key: Option<&str>) -> String {
        match city_key {
            None => self.key("all"),
            Some(city) => self.key(&format!("city:{city}")),
        }
    }

    /// Moves each of `players` to its committed vote count and announces the change.
    ///
    /// TODO: a player whose name or city differs from the previous vote's snapshot gets a
    /// second member (the old one stays until the next reconcile pass, so the player shows
    /// twice for up to `VOTES_RECONCILE_INTERVAL_SECS`).
    ///
    /// # Errors
    /// Redis errors (the votes themselves are already committed; the reconciler repairs).
    pub async fn record(&self, players: &[PlayerScore]) -> Result<(), fred::error::Error> {
        if players.is_empty() {
            return Ok(());
        }
        // City sets are named inside the script (prefix + city key), not in KEYS: a batch touches
        // any number of them, and this Redis is one node, not a cluster that routes by key.
        let keys = vec![self.set_key(None), self.key("players"), self.key("cities")];
        let mut args = Vec::with_capacity(2 + 5 * players.len());
        args.push(self.channel());
        args.push(self.key("city:"));
        for player in players {
            args.extend([
                member(player),
                (-player.votes).to_string(),
                player.user_id.to_string(),
                meta(&player.username, &player.city),
                player.city_key.clone(),
            ]);
        }
        let _: Value = self.client.eval(RECORD, keys, args).await?;
        Ok(())
    }

    /// Up to `limit` players after the first `offset`, or `None` when the view is not built
    /// (never was, or was flushed) or lacks a player's name.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn page(
        &self,
        city_key: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Option<Vec<Ranked>>, fred::error::Error> {
        let keys = vec![
            self.key("built"),
            self.set_key(city_key),
            self.key("players"),
        ];
        let stop = i64::from(offset) + i64::from(limit) - 1;
        let args = vec![i64::from(offset), stop];
        let value: Value = self.client.eval(READ, keys, args).await?;
        if value.is_null() {
            return Ok(None);
        }

        let fields: Vec<String> = value.convert()?;
        let mut ranked = Vec::with_capacity(fields.len() / 3);
        for (row, position) in fields.chunks_exact(3).zip(offset.saturating_add(1)..) {
            let Some((user_id, votes, (username, city))) = parse_row(row) else {
                return Ok(None);
            };
            ranked.push(Ranked {
                position,
                user_id,
                username,
                city,
                votes,
            });
        }
        Ok(Some(ranked))
    }

    /// Reads every ranking set for the reconciler.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn snapshot(&self) -> Result<Snapshot, fred::error::Error> {
        let built: bool = self.client.exists::<i64, _>(self.key("built")).await? == 1;
        let global = self.read_set(&self.set_key(None)).await?;
        let city_keys: Vec<String> = self.client.smembers(self.key("cities")).await?;
        let mut cities = HashMap::with_capacity(city_keys.len());
        for city in city_keys {
            let members = self.read_set(&self.set_key(Some(&city))).await?;
            cities.insert(city, members);
        }
        Ok(Snapshot {
            built,
            global,
            cities,
        })
    }

    async fn read_set(&self, key: &str) -> Result<HashMap<String, i64>, fred::error::Error> {
        use fred::prelude::SortedSetsInterface as _;

        let pairs: Vec<(String, f64)> = self
            .client
            .zrange(key, 0, -1, None, false, None, true)
            .await?;
        Ok(pairs
            .into_iter()
            .map(|(member, score)| (member, score_to_votes(score)))
            .collect())
    }

    /// Applies `repairs` atomically and marks the view built. Returns `false` (nothing
    /// written) when the view was flushed after a snapshot that had seen it built.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn apply(
        &self,
        saw_built: bool,
        repairs: &Repairs,
    ) -> Result<bool, fred::error::Error> {
        let mut keys: Vec<Key> = vec![
            self.key("built").into(),
            self.key("players").into(),
            self.key("cities").into(),
            self.set_key(None).into(),
        ];
        let mut args: Vec<String> = vec![if saw_built { "1" } else { "0" }.to_owned()];
        args.push(repairs.players.len().to_string());
        for (id, name, city) in &repairs.players {
            args.push(id.to_string());
            args.push(meta(name, city));
        }
        args.push(repairs.city_keys.len().to_string());
        args.extend(repairs.city_keys.iter().cloned());
        push_ops(&mut args, &repairs.global);
        for (city, ops) in &repairs.cities {
            keys.push(self.set_key(Some(city)).into());
            push_ops(&mut args, ops);
        }

        let written: i64 = self.client.eval(APPLY, keys, args).await?;
        self.announce().await?;
        Ok(written == 1)
    }

    /// Tells every replica's watchers that rankings may have changed.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn announce(&self) -> Result<(), fred::error::Error> {
        use fred::prelude::PubsubInterface as _;

        let _: i64 = self.client.publish(self.channel(), "1").await?;
        Ok(())
    }
}

fn push_ops(args: &mut Vec<String>, ops: &[Repair]) {
    args.push(ops.len().to_string());
    for op in ops {
        match op {
            Repair::Raise { member, votes } => {
                args.extend([member.clone(), String::new(), (-votes).to_string()]);
            }
            Repair::Replace {
                member,
                seen,
                votes,
            } => {
                let new = votes.map(|votes| (-votes).to_string()).unwrap_or_default();
                args.extend([member.clone(), (-seen).to_string(), new]);
            }
        }
    }
}

/// The sorted-set member of a player: tie-rule name key, NUL, user id.
pub fn member(player: &PlayerScore) -> String {
    format!("{}\0{}", player.sort_name, player.user_id)
}

/// The user id at the end of a member.
pub fn member_user(member: &str) -> Option<Uuid> {
    let start = member.len().checked_sub(UUID_LEN)?;
    member.get(start..).and_then(|id| Uuid::try_parse(id).ok())
}

fn meta(name: &str, city: &str) -> String {
    serde_json::json!([name, city]).to_string()
}

fn score_to_votes(score: f64) -> i64 {
    // Scores are negated integer counts, far below 2^53, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation)]
    let votes = (-score).round() as i64;
    votes
}

fn parse_row(row: &[String]) -> Option<(Uuid, i64, (String, String))> {
    let [id, score, meta] = row else {
        return None;
    };
    let user_id = Uuid::try_parse(id).ok()?;
    let votes = score_to_votes(score.parse::<f64>().ok()?);
    let shown: (String, String) = serde_json::from_str(meta).ok()?;
    Some((user_id, votes, shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn player(name: &str, id: &str) -> PlayerScore {
        PlayerScore {
            user_id: Uuid::try_parse(id).expect("valid id"),
            votes: 3,
            username: name.to_owned(),
            sort_name: name.to_lowercase(),
            city: "Cali".to_owned(),
            city_key: "cali".to_owned(),
        }
    }

    #[test]
    fn members_order_like_the_tie_rule() {
        let id = "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a11";
        let other = "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a12";
        let short = member(&player("Ab", other));
        let long = member(&player("ab c", id));
        let first = member(&player("Ab", id));

        assert!(short < long, "a name that is a prefix comes first");
        assert!(first < short, "equal names fall back to the user id");
        assert_eq!(
            member_user(&long).map(|u| u.to_string()).as_deref(),
            Some(id)
        );
    }

    #[test]
    fn a_row_without_a_readable_name_is_not_trusted() {
        let id = "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a11".to_owned();
        let good = [id.clone(), "-4".to_owned(), meta("Ana", "Bogotá")];
        let missing = [id, "-4".to_owned(), String::new()];

        assert_eq!(
            parse_row(&good).map(|(_, votes, shown)| (votes, shown)),
            Some((4, ("Ana".to_owned(), "Bogotá".to_owned())))
        );
        assert_eq!(parse_row(&missing), None);
    }
}
