//! `GET /api/openapi.json` describes exactly the routes the gateway serves, and `/api/docs`
//! is an interactive page whose assets all come from the gateway.

use std::collections::BTreeSet;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::Value;

use crate::harness::Gateway;

/// Every route the gateway serves, as (method, OpenAPI path template). The document must
/// list exactly these, and the router must answer each of them with a handler.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/auth/signup"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/logout"),
    ("get", "/api/auth/profile"),
    ("post", "/api/videos/upload"),
    ("get", "/api/videos"),
    ("get", "/api/videos/{video_id}"),
    ("delete", "/api/videos/{video_id}"),
    ("post", "/api/videos/{video_id}/publish"),
    ("get", "/api/public/videos"),
    ("post", "/api/public/videos/{video_id}/vote"),
    ("get", "/api/public/rankings"),
    ("get", "/api/user/votes"),
    ("get", "/media/{folder}/{file}"),
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/api/openapi.json"),
    ("get", "/api/docs"),
    ("get", "/api/docs/"),
    ("get", "/api/docs/{asset}"),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const VIDEO_ID: &str = "0b6f3c3e-8a2d-4f7e-9d1c-5e4a3b2c1d0e";

fn expected_routes() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect()
}

/// (method, path) of every operation in the document.
fn documented_routes(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths is an object");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| ((*method).to_owned(), path.clone()))
        })
        .collect()
}

/// A concrete URI for a path template.
fn concrete(path: &str) -> String {
    path.replace("{video_id}", VIDEO_ID)
        .replace("{folder}", "processed")
        .replace("{file}", &format!("{VIDEO_ID}.mp4"))
        .replace("{asset}", "swagger-ui.css")
}

async fn document(gateway: &Gateway) -> Value {
    let reply = gateway.get("/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()
}

/// A request without a token or body, as an anonymous client would send it.
async fn anonymous(gateway: &Gateway, method: &str, uri: &str) -> crate::harness::Reply {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("valid request");
    gateway.send(request).await
}

#[tokio::test]
async fn document_lists_exactly_the_routes_the_gateway_serves() {
    let gateway = Gateway::start().await;

    let document = document(&gateway).await;

    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(documented_routes(&document), expected_routes());
}

#[tokio::test]
async fn every_listed_route_is_served_and_no_other_method_on_its_path() {
    let gateway = Gateway::start().await;

    for (method, path) in ROUTES {
        let reply = anonymous(&gateway, method, &concrete(path)).await;
        let code = serde_json::from_slice::<Value>(&reply.body)
            .ok()
            .and_then(|body| body["code"].as_str().map(str::to_owned));
        assert_ne!(code.as_deref(), Some("route_not_found"), "{method} {path}");
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
    let paths: BTreeSet<&str> = ROUTES.iter().map(|(_, path)| *path).collect();
    for path in paths {
        for method in ["get", "post", "put", "delete", "patch"] {
            if ROUTES.contains(&(method, path)) {
                continue;
            }
            let reply = anonymous(&gateway, method, &concrete(path)).await;
            assert_eq!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is served but not documented"
            );
        }
    }
}

#[tokio::test]
async fn exactly_the_routes_that_refuse_anonymous_callers_require_the_bearer_scheme() {
    let gateway = Gateway::start().await;
    let document = document(&gateway).await;

    let mut refused = BTreeSet::new();
    for (method, path) in ROUTES {
        let reply = anonymous(&gateway, method, &concrete(path)).await;
        if reply.status == StatusCode::UNAUTHORIZED {
            refused.insert(((*method).to_owned(), (*path).to_owned()));
        }
    }
    let secured: BTreeSet<_> = documented_routes(&document)
        .into_iter()
        .filter(|(method, path)| {
            let security = &document["paths"][path][method]["security"];
            security == &serde_json::json!([{"bearer": []}])
        })
        .collect();

    assert_eq!(secured, refused);
    assert_eq!(refused.len(), 9, "{refused:?}");
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"],
        serde_json::json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": document["components"]["securitySchemes"]["bearer"]["description"]})
    );
}

#[tokio::test]
async fn every_operation_answers_errors_with_the_error_schema() {
    let gateway = Gateway::start().await;
    let document = document(&gateway).await;

    let error = &document["components"]["schemas"]["ApiError"];
    assert_eq!(error["required"], serde_json::json!(["error", "code"]));
    assert_eq!(error["properties"]["code"]["type"], "string");
    for (method, path) in ROUTES {
        let responses = &document["paths"][path][method]["responses"];
        let default = &responses["default"]["content"]["application/json"]["schema"];
        assert_eq!(
            default["$ref"], "#/components/schemas/ApiError",
            "{method} {path}"
        );
    }
    let upload = &document["paths"]["/api/videos/upload"]["post"];
    let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(form["$ref"], "#/components/schemas/UploadForm");
    for status in ["201", "400", "401", "413", "415"] {
        assert!(upload["responses"][status].is_object(), "upload {status}");
    }
    let signup = &document["paths"]["/api/auth/signup"]["post"]["responses"]["201"];
    let user = &signup["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(user, "#/components/schemas/SignedUp");
}

#[tokio::test]
async fn docs_page_is_html_and_every_asset_it_loads_comes_from_the_gateway() {
    let gateway = Gateway::start().await;

    let redirect = anonymous(&gateway, "get", "/api/docs").await;
    let page = anonymous(&gateway, "get", "/api/docs/").await;

    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_eq!(redirect.headers[header::LOCATION], "/api/docs/");
    assert_eq!(page.status, StatusCode::OK);
    let content_type = page.headers[header::CONTENT_TYPE].to_str().expect("ASCII");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = String::from_utf8(page.body).expect("UTF-8 page");
    let assets = asset_references(&html);
    assert!(assets.len() >= 4, "page loads {assets:?}");
    for asset in &assets {
        assert!(
            !asset.contains("//"),
            "{asset} would load from another host"
        );
        let reply = anonymous(&gateway, "get", &format!("/api/docs/{asset}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{asset}");
        assert!(!reply.body.is_empty(), "{asset} is empty");
    }
    let initializer = anonymous(&gateway, "get", "/api/docs/swagger-initializer.js").await;
    let script = String::from_utf8(initializer.body).expect("UTF-8 script");
    assert!(script.contains("/api/openapi.json"), "{script}");
}

/// `src` and `href` values of the page, relative to it.
fn asset_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for (start, _) in html.match_indices(attribute) {
            let rest = &html[start + attribute.len()..];
            let value = rest.split('"').next().unwrap_or_default();
            found.push(value.trim_start_matches("./").to_owned());
        }
    }
    found
}
