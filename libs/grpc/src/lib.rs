//! Serving and calling gRPC the same way in every service: each server also exposes the
//! standard health service and reflection (v1 and v1alpha, for older grpcurl builds) and
//! drains in-flight calls on shutdown; clients connect lazily with bounded timeouts and pass
//! the caller's trace context along.
#![warn(missing_docs)]

mod error_code;
mod failure;
mod observe;
mod trace_context;
pub mod web_frames;

use std::{future::Future, time::Duration};

use tokio::{net::TcpListener, sync::Notify};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{
    server::NamedService,
    service::Routes,
    transport::{Channel, Endpoint, Server},
};

pub use error_code::{ERROR_CODE_KEY, reason_of, status_with_reason};
pub use failure::{error_chain, internal_status, unavailable_status};
pub use observe::{Observe, ObserveLayer, ObservedBody};
pub use trace_context::{continue_trace, inject_trace_context, trace_id};

/// Streams a caller may reset before the server accepted them, per connection, before the
/// server gives up on the connection. h2 counts them only while they wait to be accepted,
/// so this bounds a burst, not a total.
const MAX_PENDING_ACCEPT_RESETS: usize = 1024;

/// How long a client waits for a TCP connection to another service.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Serves `routes` on `listener` until `shutdown` resolves, then stops accepting, reports
/// NOT_SERVING on the health service and lets in-flight calls finish.
///
/// `served` names the services in `routes` (their `NamedService::NAME`) so the health
/// service can report each of them as SERVING.
///
/// # Errors
/// When the transport fails while serving.
pub async fn serve(
    listener: TcpListener,
    routes: Routes,
    served: &[&'static str],
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), tonic::transport::Error> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    for name in served {
        health_reporter
            .set_service_status(*name, tonic_health::ServingStatus::Serving)
            .await;
    }
    // The empty name is the whole server, which is what `grpcurl ... grpc.health.v1.Health/Check` asks.
    health_reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;

    let reflection_v1 = reflection_builder(served)
        .build_v1()
        .expect("the embedded descriptor sets are produced by our own build and always parse");
    let reflection_v1alpha = reflection_builder(served)
        .build_v1alpha()
        .expect("the embedded descriptor sets are produced by our own build and always parse");

    let routes = routes
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha);

    let address = listener.local_addr().ok();
    tracing::info!(?address, "gRPC server listening");

    let drain = async move {
        shutdown.await;
        for name in served {
            health_reporter
                .set_service_status(*name, tonic_health::ServingStatus::NotServing)
                .await;
        }
        health_reporter
            .set_service_status("", tonic_health::ServingStatus::NotServing)
            .await;
        tracing::info!("gRPC server draining");
    };

    Server::builder()
        // Every caller is another service multiplexing many users' requests on one
        // connection, so streams it cancels before they are accepted (users who went away,
        // deadlines) are routine; at h2's default of 20 such resets a burst made the server
        // close the whole connection, failing every other call on it.
        .http2_max_pending_accept_reset_streams(Some(MAX_PENDING_ACCEPT_RESETS))
        // One log line and one metrics sample per call; each service still logs its own
        // internal errors once at error level where it maps them.
        .layer(ObserveLayer)
        .add_routes(routes)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), drain)
        .await
}

/// [`serve`], except that once `shutdown` resolves, in-flight calls get at most `grace` to
/// finish: a call that never ends (a stuck query, an open stream) must not keep the process
/// from stopping. Stopping at the deadline is logged as a warning and is not an error.
///
/// # Errors
/// When the transport fails while serving.
pub async fn serve_with_grace(
    listener: TcpListener,
    routes: Routes,
    served: &[&'static str],
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
) -> Result<(), tonic::transport::Error> {
    let stopping = Notify::new();
    let signal = async {
        shutdown.await;
        stopping.notify_one();
    };
    let overdue = async {
        stopping.notified().await;
        tokio::time::sleep(grace).await;
    };

    tokio::select! {
        served = serve(listener, routes, served, signal) => served,
        () = overdue => {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "calls still running after the shutdown grace period; stopping anyway"
            );
            Ok(())
        }
    }
}

/// Reflection over every contract, advertising only what this server really serves (the
/// descriptor set holds all packages, so by default every service would be listed).
fn reflection_builder(served: &[&'static str]) -> tonic_reflection::server::Builder<'static> {
    let builder = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(anb_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .with_service_name("grpc.health.v1.Health");
    served
        .iter()
        .fold(builder, |builder, name| builder.with_service_name(*name))
}

/// The `NamedService::NAME` of a generated server type, for [`serve`]'s `served` list.
pub fn service_name<S: NamedService>() -> &'static str {
    S::NAME
}

/// Error of a malformed service address.
#[derive(Debug, thiserror::Error)]
#[error("invalid service address {address:?}")]
pub struct InvalidAddress {
    address: String,
    #[source]
    source: tonic::transport::Error,
}

/// A channel to another service (`http://host:port`) that connects on first use and
/// reconnects after failures, so start-up order between services does not matter.
///
/// # Errors
/// When `address` is not a valid URI.
pub fn lazy_channel(address: &str) -> Result<Channel, InvalidAddress> {
    let endpoint = Endpoint::from_shared(address.to_owned()).map_err(|source| InvalidAddress {
        address: address.to_owned(),
        source,
    })?;

    Ok(endpoint
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_keepalive(Some(Duration::from_secs(30)))
        .connect_lazy())
}
