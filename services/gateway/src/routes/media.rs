//! `GET /media/{folder}/{file}?expires=&sig=`: files behind the short-lived URLs that
//! videos signs. The signature is the whole authorization, so the route takes no token and
//! browsers can use the URLs directly in `<video>` and `<img>`.

use std::time::{SystemTime, UNIX_EPOCH};

use anb_storage::{MediaKind, SignatureError};
use axum::{
    body::Body,
    extract::{Path, Query, Request, State, rejection::PathRejection, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

use crate::{
    AppState,
    error::{GatewayError, Result},
};

/// Shared caches must not keep a file whose URL grants access to one person; browsers may
/// briefly, while the link is still valid anyway.
const CACHE_CONTROL: &str = "private, max-age=60";

#[derive(Deserialize)]
pub(crate) struct LinkParams {
    expires: i64,
    sig: String,
}

#[utoipa::path(
    get,
    path = "/media/{folder}/{file}",
    operation_id = "getMedia",
    tag = "media",
    summary = "A media file behind a signed link; supports `Range`",
    params(
        ("folder" = String, Path, description = "`originals`, `processed` or `posters`"),
        ("file" = String, Path, description = "`<video_id>.mp4`, or `<video_id>.jpg` for posters"),
        ("expires" = i64, Query, description = "Unix time the link expires"),
        ("sig" = String, Query, description = "The link's signature"),
        ("Range" = Option<String>, Header, description = "Byte range, e.g. `bytes=0-1023`"),
    ),
    responses(
        (status = 200, description = "The whole file", content((String = "video/mp4"), (String = "image/jpeg"))),
        (status = 206, description = "The requested byte range", content((String = "video/mp4"), (String = "image/jpeg"))),
        (status = 403, description = "Missing, wrong or expired signature (`invalid_signature`, `media_link_expired`)", body = crate::openapi::ApiError),
        (status = 404, description = "No such file", body = crate::openapi::ApiError),
        (status = 416, description = "Unsatisfiable range", body = crate::openapi::ApiError),
    )
)]
pub(crate) async fn serve(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    params: Result<Query<LinkParams>, QueryRejection>,
    request: Request,
) -> Result<Response> {
    let not_found = || GatewayError::not_found("media_not_found", "no such media file");
    let Path((folder, file)) = path.map_err(|_| not_found())?;
    let key = format!("{folder}/{file}");
    let (kind, video_id) = MediaKind::parse_key(&key).ok_or_else(not_found)?;

    let Query(params) = params.map_err(|_| SignatureError::Invalid)?;
    state
        .signer
        .verify(&key, params.expires, &params.sig, unix_now())?;

    let file = ServeFile::new(state.storage.path(kind, video_id));
    let response = match file.oneshot(ignore_foreign_range_units(request)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return Err(not_found());
    }

    let mut response = response.map(Body::new).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    Ok(response)
}

/// RFC 9110 §14.2: a range unit the server does not understand is ignored and the whole
/// file served; tower-http would answer 416 instead.
fn ignore_foreign_range_units(mut request: Request) -> Request {
    let in_bytes = request
        .headers()
        .get(header::RANGE)
        .and_then(|value| value.as_bytes().get(..6))
        .is_some_and(|unit| unit.eq_ignore_ascii_case(b"bytes="));
    if !in_bytes {
        request.headers_mut().remove(header::RANGE);
    }
    request
}

fn unix_now() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
}
