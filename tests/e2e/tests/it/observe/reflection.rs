//! What an operator's grpcurl does, from a client of our own: list each server's services
//! and describe a method through the reflection protocol (v1, and v1alpha for older
//! grpcurl builds), and ask every service's standard health service.

use prost::Message as _;
use prost_types::FileDescriptorProto;
use tonic::transport::Channel;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};
use tonic_reflection::pb::{
    v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    },
    v1alpha,
};

use super::{Endpoints, GRPC_SERVICES};
use crate::support::Platform;

/// Each server's own service and one method of it, with the method's message types.
const CONTRACTS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "auth",
        "anb.auth.v1.AuthService",
        "SignUp",
        ".anb.auth.v1.SignUpRequest",
        ".anb.auth.v1.SignUpResponse",
    ),
    (
        "videos",
        "anb.videos.v1.VideosService",
        "GetVideo",
        ".anb.videos.v1.GetVideoRequest",
        ".anb.videos.v1.Video",
    ),
    (
        "votes",
        "anb.votes.v1.VotesService",
        "CastVote",
        ".anb.votes.v1.CastVoteRequest",
        ".anb.votes.v1.CastVoteResponse",
    ),
    (
        "transcoder",
        "anb.transcoder.v1.TranscoderService",
        "GetQueueStats",
        ".anb.transcoder.v1.GetQueueStatsRequest",
        ".anb.transcoder.v1.QueueStats",
    ),
];

async fn channel(address: &str) -> Channel {
    Channel::from_shared(format!("http://{address}"))
        .expect("a valid address")
        .connect()
        .await
        .expect("the service accepts connections")
}

async fn reflect(channel: &Channel, request: MessageRequest) -> MessageResponse {
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    };
    let mut answers = ServerReflectionClient::new(channel.clone())
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection answers")
        .into_inner();
    let answer = answers
        .message()
        .await
        .expect("a reflection message")
        .expect("one answer per request");
    answer.message_response.expect("an answer body")
}

async fn list_v1alpha(channel: &Channel) -> Vec<String> {
    use v1alpha::server_reflection_request::MessageRequest as Request;
    use v1alpha::server_reflection_response::MessageResponse as Response;
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(Request::ListServices(String::new())),
    };
    let mut answers =
        v1alpha::server_reflection_client::ServerReflectionClient::new(channel.clone())
            .server_reflection_info(tokio_stream::iter([request]))
            .await
            .expect("v1alpha reflection answers")
            .into_inner();
    let answer = answers
        .message()
        .await
        .expect("a message")
        .expect("an answer");
    let Some(Response::ListServicesResponse(list)) = answer.message_response else {
        panic!("unexpected v1alpha answer {answer:?}");
    };
    let mut names: Vec<String> = list
        .service
        .into_iter()
        .map(|service| service.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn every_server_lists_and_describes_its_contract_and_reports_serving() {
    let platform = Platform::from_env();
    let endpoints = Endpoints::read(platform.state_dir());

    for (service, full_name, method, input, output) in CONTRACTS {
        let channel = channel(&endpoints.address(service, "grpc")).await;

        let MessageResponse::ListServicesResponse(list) =
            reflect(&channel, MessageRequest::ListServices(String::new())).await
        else {
            panic!("{service}: ListServices answered something else");
        };
        let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
        names.sort();
        assert_eq!(names, [full_name, "grpc.health.v1.Health"], "{service}");
        assert_eq!(
            list_v1alpha(&channel).await,
            names,
            "{service} over v1alpha"
        );

        let symbol = format!("{full_name}.{method}");
        let MessageResponse::FileDescriptorResponse(files) = reflect(
            &channel,
            MessageRequest::FileContainingSymbol(symbol.clone()),
        )
        .await
        else {
            panic!("{service}: {symbol} is not described");
        };
        let described = files
            .file_descriptor_proto
            .iter()
            .map(|bytes| FileDescriptorProto::decode(bytes.as_slice()).expect("a file descriptor"))
            .flat_map(|file| file.service)
            .find(|candidate| full_name.ends_with(&format!(".{}", candidate.name())))
            .and_then(|found| found.method.into_iter().find(|m| m.name() == method))
            .unwrap_or_else(|| panic!("{symbol} is missing from its file descriptor"));
        assert_eq!(
            (described.input_type(), described.output_type()),
            (input, output),
            "{symbol}"
        );

        let mut health = HealthClient::new(channel);
        for name in ["", full_name] {
            let status = health
                .check(HealthCheckRequest {
                    service: name.to_owned(),
                })
                .await
                .unwrap_or_else(|err| panic!("{service} health of {name:?}: {err}"))
                .into_inner()
                .status();
            assert_eq!(
                status,
                ServingStatus::Serving,
                "{service} health of {name:?}"
            );
        }
    }
    assert_eq!(CONTRACTS.map(|(service, ..)| service), GRPC_SERVICES);
}
