//! `POST /api/videos/upload` (DESIGN §3 row 5): the multipart body is streamed to the
//! videos service's client-streaming `Upload` as it arrives, through a bounded channel of
//! bounded chunks, so memory use does not grow with the file size.

use anb_proto::videos::v1::{UploadMetadata, UploadRequest, upload_request::Part};
use axum::{
    extract::{
        Multipart, State,
        multipart::{Field, MultipartError, MultipartRejection},
    },
    http::{HeaderMap, StatusCode, header},
};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::{
    AppState,
    error::{GatewayError, Result},
    extract::Caller,
    upstream,
};

/// Size of the chunk messages sent to videos.
const CHUNK_BYTES: usize = 128 * 1024;
/// Chunks waiting for the gRPC stream; with [`CHUNK_BYTES`] this bounds the gateway's
/// buffer per upload to 512 KiB beyond what HTTP/2 flow control holds.
const CHANNEL_CAPACITY: usize = 4;
/// How long a partial chunk may wait for more bytes before it is sent anyway.
const FLUSH_AFTER: std::time::Duration = std::time::Duration::from_millis(250);
/// Longest text field read; titles are far shorter.
const MAX_TEXT_FIELD_BYTES: usize = 8 * 1024;

/// The 201 answer.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct UploadAccepted {
    message: &'static str,
    task_id: String,
    video_id: String,
}

#[utoipa::path(
    post,
    path = "/api/videos/upload",
    operation_id = "uploadVideo",
    tag = "videos",
    summary = "Upload a video and queue its processing",
    request_body(content = crate::openapi::UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored as `uploaded`; processing is queued", body = UploadAccepted),
        (status = 400, description = "Not an MP4, unreadable or truncated, pictures larger than 4096x2304, duration outside 20–60 s, shorter side below 1080 px, missing title or file, malformed form", body = crate::openapi::ApiError),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
        (status = 408, description = "The body arrived too slowly (`upload_timeout`)", body = crate::openapi::ApiError),
        (status = 413, description = "Larger than the size limit; refused as soon as it is crossed", body = crate::openapi::ApiError),
        (status = 415, description = "Not `multipart/form-data`", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %caller.identity.user_id))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, axum::Json<UploadAccepted>)> {
    require_form_data(&headers)?;
    let multipart = multipart?;

    let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
    let request = upstream::request(ReceiverStream::new(receiver), Some(&caller.authorization));
    let mut videos = state.upstreams.videos.clone();
    let call = videos.upload(request);
    tokio::pin!(call);

    // The metadata goes last, only once the whole form was read: hyper reports a cancelled
    // request stream to the server as a normal end, so its absence is what tells videos
    // that a broken-off upload is incomplete.
    let answer = tokio::select! {
        pumped = pump(multipart, sender) => match pumped {
            Ok(()) | Err(Pump::Closed) => call.await,
            Err(Pump::Form(err)) => return Err(err),
        },
        // videos refused before the body ended, e.g. over the size limit.
        answer = &mut call => answer,
    };
    let accepted = answer?.into_inner();
    tracing::debug!(video_id = %accepted.video_id, "upload accepted");

    let body = UploadAccepted {
        message: "video uploaded; processing has been queued",
        task_id: accepted.task_id,
        video_id: accepted.video_id,
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

fn require_form_data(headers: &HeaderMap) -> Result<()> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let is_form = content_type.is_some_and(|value| {
        value
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
    });
    if is_form {
        Ok(())
    } else {
        Err(GatewayError::UnsupportedMediaType(
            "uploads must be sent as multipart/form-data".to_owned(),
        ))
    }
}

/// Why pumping the form stopped early.
enum Pump {
    /// The form is malformed or too large.
    Form(GatewayError),
    /// videos ended the call; its answer explains why.
    Closed,
}

impl From<GatewayError> for Pump {
    fn from(err: GatewayError) -> Self {
        Self::Form(err)
    }
}

impl From<MultipartError> for Pump {
    fn from(err: MultipartError) -> Self {
        Self::Form(err.into())
    }
}

/// The text fields, sent together as the metadata message.
#[derive(Default)]
struct Form {
    title: String,
    is_public: Option<bool>,
    file_name: String,
    has_file: bool,
}

/// Streams the file field's bytes to `sender` as they arrive, collects the text fields
/// whatever their position, and sends them last as the metadata message.
async fn pump(mut multipart: Multipart, sender: mpsc::Sender<UploadRequest>) -> Result<(), Pump> {
    let mut form = Form::default();
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "video_file" if form.has_file => {
                let message = "only one video_file part is accepted";
                return Err(GatewayError::bad_request("duplicate_file", message).into());
            }
            "video_file" => {
                form.has_file = true;
                form.file_name = field.file_name().unwrap_or_default().to_owned();
                stream_file(&mut field, &sender).await?;
            }
            "title" => form.title = read_text(&mut field).await?,
            "is_public" => form.is_public = Some(parse_flag(&read_text(&mut field).await?)?),
            _ => while field.chunk().await?.is_some() {},
        }
    }

    let metadata = UploadMetadata {
        title: form.title,
        is_public: form.is_public,
        file_name: form.file_name,
    };
    send(&sender, Part::Metadata(metadata)).await
}

/// Re-cuts the field into [`CHUNK_BYTES`] messages, whatever sizes the network delivers.
/// A partial chunk is sent once the client pauses for [`FLUSH_AFTER`], so a slow client's
/// bytes reach videos (and keep its idle timer from firing) instead of waiting here.
async fn stream_file(
    field: &mut Field<'_>,
    sender: &mpsc::Sender<UploadRequest>,
) -> Result<(), Pump> {
    let mut chunk = Vec::with_capacity(CHUNK_BYTES);
    loop {
        let next = if chunk.is_empty() {
            field.chunk().await?
        } else {
            match tokio::time::timeout(FLUSH_AFTER, field.chunk()).await {
                Ok(next) => next?,
                Err(_) => {
                    let partial = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES));
                    send(sender, Part::Chunk(partial)).await?;
                    continue;
                }
            }
        };
        let Some(mut bytes) = next else { break };
        while !bytes.is_empty() {
            let take = bytes.len().min(CHUNK_BYTES - chunk.len());
            chunk.extend_from_slice(&bytes.split_to(take));
            if chunk.len() == CHUNK_BYTES {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES));
                send(sender, Part::Chunk(full)).await?;
            }
        }
    }
    if !chunk.is_empty() {
        send(sender, Part::Chunk(chunk)).await?;
    }
    Ok(())
}

/// Bytes of video files passed on to videos, whatever videos then decides about them.
static UPLOAD_BYTES: std::sync::LazyLock<anb_metrics::IntCounter> =
    std::sync::LazyLock::new(|| {
        anb_metrics::counter(
            "anb_gateway_upload_bytes_total",
            "Bytes of uploaded video files streamed to the videos service",
        )
    });

async fn send(sender: &mpsc::Sender<UploadRequest>, part: Part) -> Result<(), Pump> {
    let bytes = match &part {
        Part::Chunk(chunk) => chunk.len() as u64,
        Part::Metadata(_) => 0,
    };
    let message = UploadRequest { part: Some(part) };
    sender.send(message).await.map_err(|_| Pump::Closed)?;
    UPLOAD_BYTES.inc_by(bytes);
    Ok(())
}

/// A text field, read in pieces so an oversized one is refused without being buffered.
async fn read_text(field: &mut Field<'_>) -> Result<String, Pump> {
    let name = field.name().unwrap_or_default().to_owned();
    let mut text = Vec::new();
    while let Some(bytes) = field.chunk().await? {
        if text.len() + bytes.len() > MAX_TEXT_FIELD_BYTES {
            let message = format!("{name} must be at most {MAX_TEXT_FIELD_BYTES} bytes");
            return Err(GatewayError::bad_request("field_too_long", message).into());
        }
        text.extend_from_slice(&bytes);
    }
    String::from_utf8(text).map_err(|_| {
        GatewayError::bad_request("invalid_field", format!("{name} must be UTF-8 text")).into()
    })
}

/// `is_public` as HTML forms and scripts send it.
fn parse_flag(value: &str) -> Result<bool, Pump> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" => Ok(false),
        _ => {
            let message = "is_public must be \"true\" or \"false\"";
            Err(GatewayError::bad_request("invalid_is_public", message).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_accept_form_spellings_and_refuse_anything_else() {
        assert!(matches!(parse_flag(" TRUE "), Ok(true)));
        assert!(matches!(parse_flag("on"), Ok(true)));
        assert!(matches!(parse_flag("0"), Ok(false)));
        assert!(matches!(parse_flag("maybe"), Err(Pump::Form(_))));
    }

    #[test]
    fn only_multipart_form_data_is_accepted() {
        let mut headers = HeaderMap::new();
        assert!(require_form_data(&headers).is_err());

        headers.insert(
            header::CONTENT_TYPE,
            "Multipart/Form-Data; boundary=x".parse().expect("valid"),
        );
        assert!(require_form_data(&headers).is_ok());

        headers.insert(
            header::CONTENT_TYPE,
            "application/json".parse().expect("valid"),
        );
        assert!(require_form_data(&headers).is_err());
    }
}
