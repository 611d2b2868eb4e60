//! The OpenAPI 3 document of everything the gateway serves, generated from the handlers'
//! `#[utoipa::path]` annotations and the `ToSchema` types they answer with, and the
//! interactive page (Swagger UI, its assets compiled into the binary) that renders it.

use axum::Router;
use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::{
        ContentBuilder, OpenApi as Document, RefOr, Response, ResponseBuilder, Schema,
        schema::Ref,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::{
    accounts, health, logout, media, profile, public_videos, rankings, upload, video_actions,
    videos, votes,
};

/// Where the JSON document is served.
pub(crate) const DOCUMENT_PATH: &str = "/api/openapi.json";
/// Where the interactive page is served; its assets live below it.
pub(crate) const PAGE_PATH: &str = "/api/docs";
/// The name protected operations use to require a bearer token.
pub(crate) const BEARER: &str = "bearer";

/// Every error answer of the gateway, whatever its status.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": "no such video", "code": "video_not_found"}))]
pub(crate) struct ApiError {
    /// A message a person can read; it may change between releases.
    error: String,
    /// A stable, machine-readable reason such as `token_expired` or `invalid_parameter`.
    code: String,
}

/// The contract's processing states of a video.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[expect(
    dead_code,
    reason = "names the values of the `status` strings in the document"
)]
pub(crate) enum VideoStatus {
    Uploaded,
    Processing,
    Processed,
    Failed,
}

/// `POST /api/videos/upload` as a `multipart/form-data` form.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the form in the document; the handler streams it"
)]
pub(crate) struct UploadForm {
    /// The MP4 file: at most the configured size (100 MB by default), 20–60 s long, its
    /// shorter side at least 1080 px. Judged by content, not by name or declared type.
    #[schema(value_type = String, format = Binary)]
    video_file: Vec<u8>,
    /// The video's title.
    title: String,
    /// `true` (default) to show the video in the public gallery once published.
    is_public: Option<bool>,
}

/// `GET /health` and `GET /ready` when all is well.
#[derive(Serialize, ToSchema)]
pub(crate) struct HealthStatus {
    /// `ok` (liveness) or `ready` (readiness).
    #[schema(example = "ok")]
    status: String,
}

/// `GET /ready` when a service behind the gateway does not answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct NotReady {
    error: String,
    /// Always `not_ready`.
    code: String,
    /// The services that did not report SERVING.
    failed: Vec<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ANB Rising Stars API",
        description = "The public REST surface of ANB Rising Stars. Every error is JSON \
            `{\"error\", \"code\"}` with a stable `code`; a 5xx means an outage or a bug, \
            never bad input. Protected operations take `Authorization: Bearer <access_token>` \
            from `POST /api/auth/login`."
    ),
    paths(
        accounts::sign_up,
        accounts::log_in,
        logout::log_out,
        profile::show,
        upload::upload,
        videos::list,
        videos::show,
        video_actions::delete,
        video_actions::publish,
        public_videos::list,
        votes::cast,
        rankings::list,
        votes::mine,
        media::serve,
        health::live,
        health::ready,
        openapi_document,
        docs_redirect,
        docs_page,
        docs_asset,
    ),
    components(schemas(ApiError)),
    modifiers(&BearerScheme, &DefaultError),
    tags(
        (name = "accounts", description = "Sign-up, log-in, log-out and the caller's profile"),
        (name = "videos", description = "A player's own videos"),
        (name = "public", description = "The gallery, votes and rankings"),
        (name = "media", description = "Files behind signed, short-lived links"),
        (name = "operations", description = "Health, readiness and this documentation"),
    )
)]
struct ApiDoc;

/// The document as served at [`DOCUMENT_PATH`].
pub(crate) fn document() -> Document {
    ApiDoc::openapi()
}

/// The routes of the document and the page, to merge into the gateway's router.
pub(crate) fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    SwaggerUi::new(PAGE_PATH)
        .url(DOCUMENT_PATH, document())
        .into()
}

/// Declares the bearer scheme the protected operations name.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "An EdDSA-signed access token from `POST /api/auth/login`; refused with 401 \
                 once expired or revoked by log-out.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

// The document and the page are routes too, served by the swagger-ui crate; these bodiless
// functions only carry their descriptions.

#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "getOpenApiDocument",
    tag = "operations",
    summary = "This OpenAPI document",
    responses((status = 200, description = "The document", content_type = "application/json", body = Object))
)]
#[expect(dead_code, reason = "documents a route served by utoipa-swagger-ui")]
fn openapi_document() {}

#[utoipa::path(
    get,
    path = "/api/docs",
    operation_id = "redirectToDocs",
    tag = "operations",
    summary = "Redirects to the interactive API page",
    responses((status = 303, description = "Redirect to `/api/docs/`"))
)]
#[expect(dead_code, reason = "documents a route served by utoipa-swagger-ui")]
fn docs_redirect() {}

#[utoipa::path(
    get,
    path = "/api/docs/",
    operation_id = "getDocsPage",
    tag = "operations",
    summary = "The interactive API page, rendering this document",
    responses((status = 200, description = "The page", content_type = "text/html", body = String))
)]
#[expect(dead_code, reason = "documents a route served by utoipa-swagger-ui")]
fn docs_page() {}

#[utoipa::path(
    get,
    path = "/api/docs/{asset}",
    operation_id = "getDocsAsset",
    tag = "operations",
    summary = "A script, stylesheet or image of the page, served by the gateway itself",
    params(("asset" = String, Path, description = "e.g. `swagger-ui-bundle.js`")),
    responses(
        (status = 200, description = "The asset", content_type = "application/octet-stream", body = String),
        (status = 404, description = "No such asset", body = ApiError),
    )
)]
#[expect(dead_code, reason = "documents a route served by utoipa-swagger-ui")]
fn docs_asset() {}

/// Any operation may also fail for reasons it does not list (an outage: 503/504; a bug:
/// 500); they all share the error shape.
struct DefaultError;

impl Modify for DefaultError {
    fn modify(&self, openapi: &mut Document) {
        let schema: RefOr<Schema> = Ref::from_schema_name("ApiError").into();
        let content = ContentBuilder::new().schema(Some(schema)).build();
        let response: RefOr<Response> = ResponseBuilder::new()
            .description("Any other error: 5xx means an outage or a bug")
            .content("application/json", content)
            .build()
            .into();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.delete,
                &mut item.put,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                operation
                    .responses
                    .responses
                    .entry("default".to_owned())
                    .or_insert_with(|| response.clone());
            }
        }
    }
}
