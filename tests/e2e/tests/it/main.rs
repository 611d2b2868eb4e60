//! The platform as its users meet it: only the gateway's public REST contract.

mod access;
mod auth_session;
mod contract;
mod gallery;
mod observe;
mod support;
mod upload_memory;
mod upload_to_processed;
mod vote_storm;
mod voting;
