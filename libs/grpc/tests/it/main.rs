//! A served mesh server as an operator's grpcurl sees it: health and reflection.

mod observe;

use std::time::Duration;

use tokio::{net::TcpListener, sync::oneshot};
use tonic::{service::Routes, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};

pub(crate) async fn start() -> (Channel, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(anb_grpc::serve(listener, Routes::default(), &[], async {
        let _ = stopped.await;
    }));
    let channel = anb_grpc::lazy_channel(&format!("http://{address}")).expect("channel");
    (channel, stop)
}

#[tokio::test]
async fn reflection_lists_only_what_the_server_serves_and_health_answers_serving() {
    let (channel, _stop) = start().await;

    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = ServerReflectionClient::new(channel.clone())
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection call")
        .into_inner();
    let response = responses
        .message()
        .await
        .expect("a response")
        .expect("not empty");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer {response:?}");
    };
    let mut names: Vec<String> = list
        .service
        .into_iter()
        .map(|service| service.name)
        .collect();
    names.sort();
    assert_eq!(names, ["grpc.health.v1.Health"]);

    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);
}

#[tokio::test]
async fn after_shutdown_the_server_stops_answering() {
    let (channel, stop) = start().await;
    let mut health = HealthClient::new(channel);
    health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("serving first");

    stop.send(()).expect("server running");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let after = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await;
    assert!(
        after.is_err() || after.is_ok_and(|r| r.into_inner().status() == ServingStatus::NotServing)
    );
}

#[tokio::test]
async fn a_call_still_open_after_the_grace_period_does_not_hold_up_shutdown() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let grace = Duration::from_millis(300);
    let server = tokio::spawn(anb_grpc::serve_with_grace(
        listener,
        Routes::default(),
        &[],
        async {
            let _ = stopped.await;
        },
        grace,
    ));
    let channel = anb_grpc::lazy_channel(&format!("http://{address}")).expect("channel");
    // A health watch is a stream that stays open until the client drops it.
    let _watch = HealthClient::new(channel)
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("watch opened");

    let asked = tokio::time::Instant::now();
    stop.send(()).expect("server running");
    let served = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops soon after the grace period")
        .expect("server task");

    assert!(served.is_ok());
    assert!(asked.elapsed() >= grace, "stopped before the grace period");
}
