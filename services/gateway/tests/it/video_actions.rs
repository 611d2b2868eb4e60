//! `DELETE /api/videos/{video_id}` and `POST /api/videos/{video_id}/publish`.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

use crate::{
    fakes::{FAILED_VIDEO, FOREIGN_VIDEO, KNOWN_VIDEO, VOTES},
    harness::{Gateway, Reply},
};

async fn call(gateway: &Gateway, method: &str, uri: &str, token: bool) -> Reply {
    let bearer = token.then(|| gateway.bearer());
    call_with(gateway, method, uri, bearer.as_deref()).await
}

async fn call_with(gateway: &Gateway, method: &str, uri: &str, bearer: Option<&str>) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(bearer) = bearer {
        request = request.header(header::AUTHORIZATION, bearer);
    }
    gateway
        .send(request.body(Body::empty()).expect("valid request"))
        .await
}

#[tokio::test]
async fn deleting_an_unpublished_video_answers_its_id_and_forwards_the_token() {
    let gateway = Gateway::start().await;
    let bearer = gateway.bearer();

    let uri = format!("/api/videos/{FAILED_VIDEO}");
    let reply = call_with(&gateway, "DELETE", &uri, Some(&bearer)).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"message": "video deleted", "video_id": FAILED_VIDEO})
    );
    assert_eq!(gateway.forwarded_authorization(), vec![Some(bearer)]);
}

#[tokio::test]
async fn delete_refusals_map_to_400_403_404_and_401() {
    let gateway = Gateway::start().await;
    let uri = |id: &str| format!("/api/videos/{id}");

    let published = call(&gateway, "DELETE", &uri(KNOWN_VIDEO), true).await;
    let foreign = call(&gateway, "DELETE", &uri(FOREIGN_VIDEO), true).await;
    let unknown = call(
        &gateway,
        "DELETE",
        &uri("0192f6a0-0000-7000-8000-000000000000"),
        true,
    )
    .await;
    let malformed = call(&gateway, "DELETE", &uri("not-a-uuid"), true).await;
    let anonymous = call(&gateway, "DELETE", &uri(FAILED_VIDEO), false).await;

    assert_eq!(
        published.error_code(),
        (StatusCode::BAD_REQUEST, "already_published".to_owned())
    );
    assert_eq!(
        foreign.error_code(),
        (StatusCode::FORBIDDEN, "not_owner".to_owned())
    );
    assert_eq!(
        unknown.error_code(),
        (StatusCode::NOT_FOUND, "video_not_found".to_owned())
    );
    assert_eq!(
        malformed.error_code(),
        (StatusCode::NOT_FOUND, "video_not_found".to_owned())
    );
    assert_eq!(anonymous.error_code().0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn publishing_answers_the_video_detail_with_votes() {
    let gateway = Gateway::start().await;

    let reply = call(
        &gateway,
        "POST",
        &format!("/api/videos/{KNOWN_VIDEO}/publish"),
        true,
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["video_id"], KNOWN_VIDEO);
    assert_eq!(body["is_public"], true);
    assert_eq!(body["status"], "processed");
    assert_eq!(body["votes"], VOTES);
    assert!(body["processed_url"].is_string() && body["poster_url"].is_string());
}

#[tokio::test]
async fn publishing_an_unprocessed_or_foreign_video_is_refused() {
    let gateway = Gateway::start().await;
    let uri = |id: &str| format!("/api/videos/{id}/publish");

    let unprocessed = call(&gateway, "POST", &uri(FAILED_VIDEO), true).await;
    let foreign = call(&gateway, "POST", &uri(FOREIGN_VIDEO), true).await;
    let anonymous = call(&gateway, "POST", &uri(KNOWN_VIDEO), false).await;

    assert_eq!(
        unprocessed.error_code(),
        (StatusCode::BAD_REQUEST, "not_processed".to_owned())
    );
    assert_eq!(
        foreign.error_code(),
        (StatusCode::FORBIDDEN, "not_owner".to_owned())
    );
    assert_eq!(anonymous.error_code().0, StatusCode::UNAUTHORIZED);
}
