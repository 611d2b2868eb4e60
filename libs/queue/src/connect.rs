use std::time::Duration;

use fred::prelude::{Builder, Client, ClientLike, Config, ReconnectPolicy};
use tokio::time::Instant;

use crate::Error;

/// Longest a single Redis command may take. It must stay above the BLOCK time of
/// [`crate::JobQueue::read_new`] callers, or a quiet queue would look like an outage.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(15);

/// Pause between connection attempts at start-up.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Connects to Redis at `url`, retrying for up to `wait` so services may start before
/// Redis does. Once connected the client reconnects by itself after a drop.
///
/// # Errors
/// [`Error::Redis`] for a malformed URL, [`Error::Unreachable`] when Redis did not answer
/// within `wait`.
pub async fn connect(url: &str, wait: Duration) -> Result<Client, Error> {
    let config = Config::from_url(url)?;
    let mut builder = Builder::from_config(config);
    builder
        .with_performance_config(|perf| perf.default_command_timeout = COMMAND_TIMEOUT)
        .with_connection_config(|conn| conn.connection_timeout = Duration::from_secs(3))
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2));

    let deadline = Instant::now() + wait;
    loop {
        let client = builder.build()?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, client.init()).await {
            Ok(Ok(_connection_task)) => return Ok(client),
            Ok(Err(err)) if Instant::now() + RETRY_PAUSE < deadline => {
                tracing::warn!(error = %err, "redis not reachable yet; retrying");
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            Ok(Err(err)) => {
                return Err(Error::Unreachable {
                    waited: wait,
                    source: Some(err),
                });
            }
            Err(_elapsed) => {
                return Err(Error::Unreachable {
                    waited: wait,
                    source: None,
                });
            }
        }
    }
}
