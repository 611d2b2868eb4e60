//! The grpc-web endpoint of WatchRankings: a browser's preflight is allowed, and a
//! grpc-web request gets votes' snapshots as grpc-web frames, then status 0, with no token.

use anb_grpc::web_frames::{FrameReader, WebFrame, encode_request};
use anb_proto::votes::v1::{RankingsSnapshot, WatchRankingsRequest};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use prost::Message as _;

use crate::harness::Gateway;

const PATH: &str = "/anb.votes.v1.VotesService/WatchRankings";

#[tokio::test]
async fn a_browser_preflight_for_grpc_web_is_allowed() {
    let gateway = Gateway::start().await;
    let request = Request::options(PATH)
        .header(header::ORIGIN, "http://localhost:5173")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,x-grpc-web,x-user-agent",
        )
        .body(Body::empty())
        .expect("valid request");

    let reply = gateway.send(request).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let allowed = reply.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .expect("ASCII header");
    assert!(allowed.contains("x-grpc-web"), "{allowed}");
}

#[tokio::test]
async fn watch_rankings_streams_votes_snapshots_as_grpc_web_frames() {
    let gateway = Gateway::start().await;
    let asked = WatchRankingsRequest {
        limit: 3,
        city: Some("Bogotá".to_owned()),
    };
    let request = Request::post(PATH)
        .header(header::CONTENT_TYPE, "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .header(header::ORIGIN, "http://localhost:5173")
        .body(Body::from(encode_request(&asked.encode_to_vec())))
        .expect("valid request");

    let reply = gateway.send(request).await;
    let mut reader = FrameReader::new();
    reader.push(&reply.body);
    let frames: Vec<WebFrame> = std::iter::from_fn(|| reader.next_frame()).collect();

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/grpc-web+proto"
    );
    assert_eq!(reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let snapshots: Vec<(String, i64)> = frames
        .iter()
        .filter_map(|frame| match frame {
            WebFrame::Data(bytes) => RankingsSnapshot::decode(bytes.as_slice()).ok(),
            WebFrame::Trailers(_) => None,
        })
        .map(|snapshot| (snapshot.entries[0].city.clone(), snapshot.entries[0].votes))
        .collect();
    assert_eq!(
        snapshots,
        [("Bogotá".to_owned(), 3), ("Bogotá".to_owned(), 4)]
    );
    assert_eq!(frames.last().and_then(WebFrame::grpc_status), Some(0));
    assert_eq!(gateway.forwarded_authorization(), [None]);
}
