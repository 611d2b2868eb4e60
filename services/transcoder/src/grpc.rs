use std::sync::{Arc, atomic::Ordering};

use anb_proto::transcoder::v1::{GetQueueStatsRequest, QueueStats, transcoder_service_server};
use anb_queue::JobQueue;
use tonic::{Request, Response, Status};

use crate::{error::Error, worker::Counters};

/// The operator API of the processing pipeline.
///
/// TODO: list, inspect and re-drive dead letters over gRPC (DESIGN.md §4) — the contract has
/// only GetQueueStats so far, so operators use `XRANGE <prefix>:transcode:dead` in
/// redis-cli and re-enqueue by hand.
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
}

fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
