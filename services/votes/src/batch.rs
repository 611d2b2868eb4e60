//! Group commit for votes. Concurrent CastVote calls hand their vote to one writer loop,
//! which writes whatever has gathered as one INSERT and moves the Redis view once for the
//! whole batch: under load the database pays one round trip and one commit for up to
//! [`MAX_BATCH`] votes instead of one each, and alone a vote waits for nobody.
//!
//! A call is answered only after its batch committed and the view moved, so a voter who
//! reads the rankings after the answer sees their vote.

use std::{collections::HashMap, sync::Arc};

use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::{
    error::{Error, Result},
    ids::{UserId, VideoId},
    videos::Owner,
    view::RankingView,
    voting::{self, MAX_BATCH, NewVote},
};

/// Batches written at the same time. Two let a commit overlap the next batch; more made
/// batches smaller (about 14 votes each with four, at 11k votes a second on two cores) and
/// each batch costs two statements and a Redis script whatever its size.
const WRITERS: usize = 2;

/// Votes waiting for a writer before callers wait to hand theirs over.
const QUEUE: usize = 4 * MAX_BATCH;

struct Pending {
    vote: NewVote,
    /// `true` when the vote was new.
    reply: oneshot::Sender<Result<bool>>,
}

/// The hand-over point; cloning shares the writer loop.
#[derive(Clone)]
pub struct VoteBatcher {
    queue: mpsc::Sender<Pending>,
}

impl VoteBatcher {
    /// Starts the writer loop on the current runtime; it ends when every clone is dropped.
    pub fn start(view: Arc<RankingView>) -> Self {
        let (queue, pending) = mpsc::channel(QUEUE);
        tokio::spawn(gather(pending, view));
        Self { queue }
    }

    /// Writes `vote` and moves the view.
    ///
    /// # Errors
    /// [`Error::AlreadyVoted`] when the pair existed (or was written by another call a moment
    /// earlier); [`Error::Batch`] when the batch could not be written.
    pub async fn cast(&self, vote: NewVote) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { vote, reply })
            .await
            .map_err(|_| Error::ShuttingDown)?;
        match answer.await.map_err(|_| Error::ShuttingDown)?? {
            true => Ok(()),
            false => Err(Error::AlreadyVoted),
        }
    }
}

async fn gather(mut pending: mpsc::Receiver<Pending>, view: Arc<RankingView>) {
    let writers = Arc::new(Semaphore::new(WRITERS));
    while let Some(first) = pending.recv().await {
        // Waiting for a free writer first lets the next batch grow meanwhile.
        let Ok(writer) = writers.clone().acquire_owned().await else {
            return;
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match pending.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let view = view.clone();
        tokio::spawn(async move {
            write(&view, batch).await;
            drop(writer);
        });
    }
}

async fn write(view: &RankingView, batch: Vec<Pending>) {
    // One row per pair; a pair asked twice in one batch is new at most once.
    let mut waiting: HashMap<(UserId, VideoId), Vec<oneshot::Sender<Result<bool>>>> =
        HashMap::with_capacity(batch.len());
    let mut votes = Vec::with_capacity(batch.len());
    for Pending { vote, reply } in batch {
        let callers = waiting.entry((vote.voter, vote.video)).or_default();
        if callers.is_empty() {
            votes.push(vote);
        }
        callers.push(reply);
    }
    // Concurrent batches may hold the same pair (a voter's double click lands in two); a
    // row waits for the other batch's uncommitted copy, so both must take pairs in one
    // order or each could wait for the other.
    votes.sort_unstable_by_key(|vote| (vote.voter.0, vote.video.0));

    let inserted = match voting::insert_votes(&view.db, &votes).await {
        Ok(inserted) => inserted,
        Err(err) => {
            let err = Arc::new(err);
            for reply in waiting.into_values().flatten() {
                let _ = reply.send(Err(Error::Batch(err.clone())));
            }
            return;
        }
    };

    let owners = distinct_owners(&votes, |vote| inserted.contains(&(vote.voter, vote.video)));
    if !inserted.is_empty() {
        view.after_votes(&owners, inserted.len() as u64).await;
    }
    for (pair, callers) in waiting {
        let mut new = inserted.contains(&pair);
        for reply in callers {
            // A caller that gave up (client cancelled) has nobody to tell.
            let _ = reply.send(Ok(std::mem::take(&mut new)));
        }
    }
}

/// The owners of the votes `keep` selects, each once.
fn distinct_owners(votes: &[NewVote], keep: impl Fn(&NewVote) -> bool) -> Vec<Owner> {
    let mut owners: Vec<Owner> = Vec::new();
    for vote in votes.iter().filter(|vote| keep(vote)) {
        if !owners.iter().any(|seen| seen.user_id == vote.owner.user_id) {
            owners.push(vote.owner.clone());
        }
    }
    owners
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn vote(owner: Uuid, name: &str) -> NewVote {
        NewVote {
            voter: UserId(Uuid::now_v7()),
            video: VideoId(Uuid::now_v7()),
            owner: Owner {
                user_id: UserId(owner),
                display_name: name.to_owned(),
                city: "Cali".to_owned(),
            },
        }
    }

    #[test]
    fn each_owner_of_a_kept_vote_is_listed_once_in_first_seen_order() {
        let (ana, luis) = (Uuid::now_v7(), Uuid::now_v7());
        let votes = [
            vote(ana, "Ana"),
            vote(luis, "Luis"),
            vote(ana, "Ana"),
            vote(luis, "Luis"),
        ];
        let dropped = votes[1].video;

        let owners = distinct_owners(&votes, |vote| vote.video != dropped);

        let names: Vec<&str> = owners
            .iter()
            .map(|owner| owner.display_name.as_str())
            .collect();
        assert_eq!(names, ["Ana", "Luis"]);
    }
}
