//! The gateway against small in-test gRPC services (test doubles of auth, videos and votes
//! on 127.0.0.1:0): exact status codes and JSON bodies of the REST contract.

mod accounts;
mod fakes;
mod grpc_web;
mod harness;
mod media;
mod openapi;
mod public_videos;
mod session;
mod slow_clients;
mod surface;
mod upload;
mod video_actions;
mod videos;
mod votes;
mod web;
