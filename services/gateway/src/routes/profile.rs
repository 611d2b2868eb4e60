//! The caller's profile (DESIGN §3 row 4), answered by auth.
//!
//! TODO: no `counts` (videos uploaded, votes received) yet — videos and votes offer no RPC
//! for a player's totals, so clients must count `GET /api/videos` themselves.

use anb_proto::auth::v1::{GetProfileRequest, User};
use axum::extract::State;
use serde::Serialize;

use crate::{AppState, error::Result, extract::Caller, upstream};

/// The account as its owner sees it: never any password material.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Profile {
    id: String,
    first_name: String,
    last_name: String,
    email: String,
    city: String,
    country: String,
    created_at: String,
}

impl From<User> for Profile {
    fn from(user: User) -> Self {
        Self {
            id: user.user_id,
            first_name: user.first_name,
            last_name: user.last_name,
            email: user.email,
            city: user.city,
            country: user.country,
            created_at: user.created_at,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/auth/profile",
    operation_id = "getProfile",
    tag = "accounts",
    summary = "The caller's account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Profile>> {
    let request = upstream::request(GetProfileRequest {}, Some(&caller.authorization));
    let user = state.upstreams.auth.clone().get_profile(request).await?;

    Ok(axum::Json(user.into_inner().into()))
}
