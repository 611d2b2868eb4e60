//! The platform as its users meet it: only the gateway's public REST contract.

mod access;
mod support;
mod upload_memory;
mod upload_to_processed;
