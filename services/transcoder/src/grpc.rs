use std::sync::{Arc, atomic::Ordering};

use anb_grpc::status_with_reason;
use anb_proto::transcoder::v1::{
    DeadLetter, GetDeadLetterRequest, GetQueueStatsRequest, ListDeadLettersRequest,
    ListDeadLettersResponse, QueueStats, RedriveDeadLetterRequest, RedriveDeadLetterResponse,
    transcoder_service_server,
};
use anb_queue::JobQueue;
use tonic::{Code, Request, Response, Status};

use crate::{error::Error, worker::Counters};

/// The operator API of the processing pipeline: queue stats and the dead letters.
pub struct TranscoderService {
    queue: JobQueue,
    counters: Arc<Counters>,
}

impl TranscoderService {
    pub(crate) fn new(queue: JobQueue, counters: Arc<Counters>) -> Self {
        Self { queue, counters }
    }
}

#[tonic::async_trait]
impl transcoder_service_server::TranscoderService for TranscoderService {
    #[tracing::instrument(skip_all)]
    async fn get_queue_stats(
        &self,
        _request: Request<GetQueueStatsRequest>,
    ) -> Result<Response<QueueStats>, Status> {
        let stats = self.queue.stats().await.map_err(Error::from)?;

        Ok(Response::new(QueueStats {
            stream_length: saturating_i64(stats.stream_length),
            pending: saturating_i64(stats.pending),
            dead_letters: saturating_i64(stats.dead_letters),
            processed_by_this_worker: saturating_i64(
                self.counters.processed.load(Ordering::Relaxed),
            ),
            failed_by_this_worker: saturating_i64(self.counters.failed.load(Ordering::Relaxed)),
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_dead_letters(
        &self,
        request: Request<ListDeadLettersRequest>,
    ) -> Result<Response<ListDeadLettersResponse>, Status> {
        let request = request.into_inner();
        let limit = page_limit(request.limit)?;
        let after = match request.after.as_str() {
            "" => None,
            id => Some(stream_id(id)?),
        };
        let letters = self
            .queue
            .dead_letters_after(after, u64::from(limit))
            .await
            .map_err(Error::from)?;
        let next_after = if letters.len() == limit as usize {
            letters
                .last()
                .map(|letter| letter.id.clone())
                .unwrap_or_default()
        } else {
            String::new()
        };

        Ok(Response::new(ListDeadLettersResponse {
            dead_letters: letters.into_iter().map(to_message).collect(),
            next_after,
        }))
    }

    #[tracing::instrument(skip_all, fields(id = %request.get_ref().id))]
    async fn get_dead_letter(
        &self,
        request: Request<GetDeadLetterRequest>,
    ) -> Result<Response<DeadLetter>, Status> {
        let id = stream_id(&request.get_ref().id)?;
        let letter = self
            .queue
            .dead_letter_by_id(id)
            .await
            .map_err(Error::from)?
            .ok_or_else(dead_letter_not_found)?;
        Ok(Response::new(to_message(letter)))
    }

    #[tracing::instrument(skip_all, fields(id = %request.get_ref().id))]
    async fn redrive_dead_letter(
        &self,
        request: Request<RedriveDeadLetterRequest>,
    ) -> Result<Response<RedriveDeadLetterResponse>, Status> {
        let id = stream_id(&request.get_ref().id)?;
        let entry_id = match self.queue.redrive(id).await {
            Ok(Some(entry_id)) => entry_id,
            Ok(None) => return Err(dead_letter_not_found()),
            Err(anb_queue::Error::Malformed { reason, .. }) => {
                return Err(status_with_reason(
                    Code::FailedPrecondition,
                    "not_a_job",
                    format!("the dead letter holds no runnable job: {reason}"),
                ));
            }
            Err(err) => return Err(Error::from(err).into()),
        };
        tracing::info!(%entry_id, "dead letter re-driven");
        Ok(Response::new(RedriveDeadLetterResponse { entry_id }))
    }
}

/// 1..=100, 0 meaning 20, like every paged list of the platform.
fn page_limit(requested: u32) -> Result<u32, Status> {
    match requested {
        0 => Ok(20),
        1..=100 => Ok(requested),
        _ => Err(status_with_reason(
            Code::InvalidArgument,
            "invalid_limit",
            "limit must be between 1 and 100",
        )),
    }
}

/// A Redis stream id, `<milliseconds>-<sequence>`; anything else would reach Redis as a
/// command error.
fn stream_id(id: &str) -> Result<&str, Status> {
    let digits = |part: &str| {
        !part.is_empty() && part.len() <= 20 && part.bytes().all(|b| b.is_ascii_digit())
    };
    match id.split_once('-') {
        Some((ms, seq)) if digits(ms) && digits(seq) => Ok(id),
        _ => Err(status_with_reason(
            Code::InvalidArgument,
            "invalid_id",
            "a dead letter id looks like 1733000000000-0",
        )),
    }
}

fn dead_letter_not_found() -> Status {
    status_with_reason(
        Code::NotFound,
        "dead_letter_not_found",
        "no such dead letter",
    )
}

fn to_message(letter: anb_queue::DeadLetter) -> DeadLetter {
    let video_id = letter
        .job()
        .map(|job| job.video_id.to_string())
        .unwrap_or_default();
    DeadLetter {
        id: letter.id,
        entry_id: letter.entry_id,
        video_id,
        payload: letter.payload,
        reason: letter.reason,
        deliveries: letter.deliveries,
        failed_at_ms: letter.failed_at_ms,
    }
}

fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
