//! The browser app (web/, built by Vite) at `/`. Paths that no route claims are looked up
//! in the assets folder; client-side routes of the app (paths without a file extension)
//! get `index.html`. The API, media, health and gRPC-web prefixes never fall through to the
//! app, so a wrong API path stays a JSON 404.

use std::{
    convert::Infallible,
    path::{Path, PathBuf},
};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use crate::{AppState, error::GatewayError};

/// Vite puts content-hashed file names here: a name never changes content, so browsers
/// may keep them for a year without asking again.
const HASHED_PREFIX: &str = "/assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (index.html above all) must be revalidated so a new release shows up
/// on the next load.
const REVALIDATE: &str = "no-cache";

/// Prefixes that belong to the API surface, never to the app.
const RESERVED: [&str; 4] = ["/api", "/media", "/health", "/ready"];

/// The built app, if the gateway was given one (`GATEWAY_WEB_ROOT`).
#[derive(Clone, Default)]
pub(crate) struct WebAssets {
    served: Option<Served>,
}

#[derive(Clone)]
struct Served {
    files: ServeDir,
    index: ServeFile,
}

impl WebAssets {
    pub(crate) fn new(root: Option<&Path>) -> Self {
        let served = root.map(|root| Served {
            files: ServeDir::new(root).append_index_html_on_directories(true),
            index: ServeFile::new(index_of(root)),
        });
        Self { served }
    }
}

/// Where the app's entry page must be for `root` to be a usable assets folder.
pub(crate) fn index_of(root: &Path) -> PathBuf {
    root.join("index.html")
}

/// The router's fallback: a file of the app, the app's entry page, or the JSON 404.
pub(crate) async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let Some(served) = state
        .web
        .served
        .clone()
        .filter(|_| is_app_request(&request))
    else {
        return GatewayError::not_found("route_not_found", "no such route").into_response();
    };

    let response = respond(served.files, request.map(|_| ()), &path).await;
    if response.status() != StatusCode::NOT_FOUND || !is_client_route(&path) {
        return response;
    }
    let index = Request::builder()
        .method(Method::GET)
        .uri("/index.html")
        .body(())
        .expect("a fixed request is valid");
    respond(served.index, index, "/index.html").await
}

/// Only reads of paths outside the API surface can be the app.
fn is_app_request(request: &Request) -> bool {
    let path = request.uri().path();
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let reserved = RESERVED
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")));
    // gRPC-web calls look like `/anb.votes.v1.VotesService/Method`.
    let grpc = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .is_some_and(|first| first.starts_with("anb.") || first.starts_with("grpc."));
    reads && !reserved && !grpc
}

/// A path the app routes itself (`/galeria`, `/mis-videos`): no extension in its last
/// segment and not under the hashed assets, where a miss is a real 404.
fn is_client_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    !path.starts_with(HASHED_PREFIX) && !last.contains('.')
}

async fn respond<S>(service: S, request: Request<()>, path: &str) -> Response
where
    S: tower::Service<
            Request<()>,
            Response = Response<tower_http::services::fs::ServeFileSystemResponseBody>,
            Error = Infallible,
        >,
{
    let Ok(response) = service.oneshot(request).await;
    let mut response = response.map(axum::body::Body::new);
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let policy = if path.starts_with(HASHED_PREFIX) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_routes_get_the_entry_page_and_files_do_not() {
        assert!(is_client_route("/"));
        assert!(is_client_route("/mis-videos"));
        assert!(is_client_route("/galeria/algo"));
        assert!(!is_client_route("/assets/index-abc123.js"));
        assert!(!is_client_route("/assets/missing"));
        assert!(!is_client_route("/favicon.ico"));
    }

    #[test]
    fn the_api_surface_never_falls_through_to_the_app() {
        let get = |path: &str| {
            Request::get(path)
                .body(axum::body::Body::empty())
                .expect("valid request")
        };

        assert!(is_app_request(&get("/")));
        assert!(is_app_request(&get("/rankings")));
        assert!(is_app_request(&get("/apix")));
        assert!(!is_app_request(&get("/api")));
        assert!(!is_app_request(&get("/api/nope")));
        assert!(!is_app_request(&get("/media/x/y")));
        assert!(!is_app_request(&get("/health")));
        assert!(!is_app_request(&get("/ready/")));
        assert!(!is_app_request(&get(
            "/anb.votes.v1.VotesService/WatchRankings"
        )));
        let post = Request::post("/galeria")
            .body(axum::body::Body::empty())
            .expect("valid request");
        assert!(!is_app_request(&post));
    }
}
