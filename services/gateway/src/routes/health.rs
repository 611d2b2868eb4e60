//! Liveness and readiness for load balancers and operators.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::AppState;

/// The process is up and answering.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "live",
    tag = "operations",
    summary = "Liveness",
    responses(
        (status = 200, description = "The process answers", body = crate::openapi::HealthStatus),
    )
)]
pub(crate) async fn live() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Every service behind the gateway answers its gRPC health check with SERVING.
#[utoipa::path(
    get,
    path = "/ready",
    operation_id = "ready",
    tag = "operations",
    summary = "Readiness: every service behind the gateway answers",
    responses(
        (status = 200, description = "Ready", body = crate::openapi::HealthStatus),
        (status = 503, description = "Some service does not answer", body = crate::openapi::NotReady),
    )
)]
pub(crate) async fn ready(State(state): State<AppState>) -> Response {
    let failed = state.upstreams.not_serving().await;
    if failed.is_empty() {
        return Json(json!({ "status": "ready" })).into_response();
    }

    tracing::warn!(failed = ?failed, "not ready");
    let body = json!({
        "error": format!("not ready: {} not serving", failed.join(", ")),
        "code": "not_ready",
        "failed": failed,
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}
