//! The browser app at `/`: its files with their cache policy, the entry page for the app's
//! own routes, and the API surface untouched by the fallback.

use std::path::Path;

use anb_gateway::{Config, ConfigError};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use tempfile::TempDir;

use crate::harness::{Gateway, Reply};

const INDEX: &str = "<!doctype html><title>ANB</title><div id=root></div>";
const SCRIPT: &str = "console.log('anb');";

fn built_app() -> TempDir {
    let root = tempfile::tempdir().expect("temporary app folder");
    std::fs::create_dir(root.path().join("assets")).expect("assets folder");
    std::fs::write(root.path().join("index.html"), INDEX).expect("index written");
    std::fs::write(root.path().join("assets/index-3f9a1c.js"), SCRIPT).expect("script written");
    root
}

async fn serving(root: &Path) -> Gateway {
    let root = root.to_owned();
    Gateway::start_with(move |config| config.web_root = Some(root)).await
}

fn cache_control(reply: &Reply) -> &str {
    reply
        .headers
        .get(header::CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_entry_page_is_served_at_the_root_and_must_be_revalidated() {
    let app = built_app();
    let gateway = serving(app.path()).await;

    let reply = gateway.get("/").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(String::from_utf8_lossy(&reply.body), INDEX);
    assert_eq!(cache_control(&reply), "no-cache");
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn hashed_assets_are_immutable_for_a_year() {
    let app = built_app();
    let gateway = serving(app.path()).await;

    let reply = gateway.get("/assets/index-3f9a1c.js").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(String::from_utf8_lossy(&reply.body), SCRIPT);
    assert_eq!(cache_control(&reply), "public, max-age=31536000, immutable");
}

#[tokio::test]
async fn client_routes_get_the_entry_page_but_missing_files_are_404() {
    let app = built_app();
    let gateway = serving(app.path()).await;

    let route = gateway.get("/mis-videos?x=1").await;
    let missing_asset = gateway.get("/assets/index-000000.js").await;
    let missing_file = gateway.get("/robots.txt").await;

    assert_eq!(route.status, StatusCode::OK);
    assert_eq!(String::from_utf8_lossy(&route.body), INDEX);
    assert_eq!(cache_control(&route), "no-cache");
    assert_eq!(missing_asset.status, StatusCode::NOT_FOUND);
    assert_eq!(missing_file.status, StatusCode::NOT_FOUND);
    assert_eq!(cache_control(&missing_asset), "");
}

#[tokio::test]
async fn the_api_surface_keeps_its_json_404s_and_routes() {
    let app = built_app();
    let gateway = serving(app.path()).await;

    let api = gateway.get("/api/nope").await;
    let media = gateway.get("/media/x").await;
    let grpc_web = gateway
        .send(
            Request::post("/anb.votes.v1.VotesService/Nope")
                .header(header::CONTENT_TYPE, "application/grpc-web+proto")
                .body(Body::empty())
                .expect("valid request"),
        )
        .await;
    let health = gateway.get("/health").await;
    let post = gateway.post_json("/galeria", serde_json::json!({})).await;

    assert_eq!(
        api.error_code(),
        (StatusCode::NOT_FOUND, "route_not_found".to_owned())
    );
    assert_eq!(media.error_code().0, StatusCode::NOT_FOUND);
    assert_eq!(grpc_web.status, StatusCode::NOT_FOUND);
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(
        post.error_code(),
        (StatusCode::NOT_FOUND, "route_not_found".to_owned())
    );
}

#[tokio::test]
async fn without_an_app_folder_every_unknown_path_is_a_json_404() {
    let gateway = Gateway::start().await;

    let reply = gateway.get("/galeria").await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::NOT_FOUND, "route_not_found".to_owned())
    );
}

#[tokio::test]
async fn an_app_folder_without_index_html_is_refused_at_start() {
    let empty = tempfile::tempdir().expect("temporary folder");
    let gateway = Gateway::start().await;
    let mut config: Config = gateway.config.clone();
    config.web_root = Some(empty.path().to_owned());

    assert_eq!(
        config.validate(),
        Err(ConfigError::WebRoot(empty.path().to_owned()))
    );
}
