//! Log-out (DESIGN §3 row 3): auth revokes the caller's token until it expires.

use anb_proto::auth::v1::LogOutRequest;
use axum::extract::State;
use serde::Serialize;

use crate::{AppState, error::Result, extract::Caller, upstream};

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LoggedOut {
    message: &'static str,
}

#[utoipa::path(
    post,
    path = "/api/auth/logout",
    operation_id = "logOut",
    tag = "accounts",
    summary = "Revoke the caller's token until it expires",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token is revoked", body = LoggedOut),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
pub(crate) async fn log_out(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<LoggedOut>> {
    let request = upstream::request(LogOutRequest {}, Some(&caller.authorization));
    state.upstreams.auth.clone().log_out(request).await?;
    // This gateway refuses the token at once, before auth's announcement reaches its copy
    // of the revocation list.
    state.verifier.note_revoked(&caller.identity);

    Ok(axum::Json(LoggedOut {
        message: "logged out; the token is revoked",
    }))
}
