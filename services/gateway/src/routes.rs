//! The route table: which handler serves which path, with which limits.

pub(crate) mod accounts;
pub(crate) mod health;
pub(crate) mod logout;
pub(crate) mod media;
mod paging;
pub(crate) mod profile;
pub(crate) mod public_videos;
pub(crate) mod rankings;
pub(crate) mod upload;
pub(crate) mod video_actions;
pub(crate) mod videos;
pub(crate) mod votes;
pub(crate) mod web;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware::{from_fn, from_fn_with_state, map_response},
    routing::{get, post},
};

use crate::{
    AppState, Limits,
    error::GatewayError,
    middleware::{Deadline, access_log, enforce_deadline, json_errors},
};

/// Largest JSON body: sign-up is the biggest and stays far below this.
const MAX_JSON_BYTES: usize = 64 * 1024;
/// Room for the multipart boundaries, part headers and text fields around the file.
const MULTIPART_SLACK_BYTES: u64 = 1024 * 1024;

/// Refuses a declared `Content-Length` over `limit` at once, before any byte is read (the
/// body limit alone would only notice after the limit's worth had streamed in).
async fn refuse_declared_oversize(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        let message = format!("the upload is larger than the limit of {limit} bytes");
        let error = GatewayError::TooLarge {
            code: "file_too_large",
            message,
        };
        return axum::response::IntoResponse::into_response(error);
    }
    next.run(request).await
}

pub(crate) fn router(state: AppState, limits: Limits) -> Router {
    let upload_body_limit = limits
        .max_upload_bytes
        .saturating_add(MULTIPART_SLACK_BYTES);
    let upload_body_limit = usize::try_from(upload_body_limit).unwrap_or(usize::MAX);
    let upload_route = post(upload::upload)
        .layer(DefaultBodyLimit::max(upload_body_limit))
        .layer(from_fn_with_state(
            upload_body_limit,
            refuse_declared_oversize,
        ))
        .layer(from_fn_with_state(
            Deadline::upload(limits.upload_timeout),
            enforce_deadline,
        ));

    Router::new()
        .route("/api/auth/signup", post(accounts::sign_up))
        .route("/api/auth/login", post(accounts::log_in))
        .route("/api/auth/logout", post(logout::log_out))
        .route("/api/auth/profile", get(profile::show))
        .route("/api/videos", get(videos::list))
        .route(
            "/api/videos/{video_id}",
            get(videos::show).delete(video_actions::delete),
        )
        .route(
            "/api/videos/{video_id}/publish",
            post(video_actions::publish),
        )
        .route("/api/public/videos", get(public_videos::list))
        .route("/api/public/videos/{video_id}/vote", post(votes::cast))
        .route("/api/public/rankings", get(rankings::list))
        .route("/api/user/votes", get(votes::mine))
        .route("/media/{folder}/{file}", get(media::serve))
        .route("/health", get(health::live))
        .route("/ready", get(health::ready))
        .merge(crate::openapi::router())
        .route_layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .route_layer(from_fn_with_state(
            Deadline::request(limits.request_timeout),
            enforce_deadline,
        ))
        .route("/api/videos/upload", upload_route)
        .merge(crate::grpc_web::router(state.upstreams.votes.clone()))
        .fallback(web::fallback)
        .method_not_allowed_fallback(wrong_method)
        .layer(map_response(json_errors))
        .layer(from_fn(access_log))
        .with_state(state)
}

async fn wrong_method() -> GatewayError {
    GatewayError::MethodNotAllowed
}
