//! Sign-up and log-in (DESIGN §3 rows 1 and 2), answered by the auth service.

use anb_proto::auth::v1::{LogInRequest, SignUpRequest, User};
use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    error::{GatewayError, Result},
    extract::{ClientAddress, Json},
    upstream,
};

/// Metadata in which auth expects the HTTP client's address.
const CLIENT_IP_METADATA: &str = "x-anb-client-ip";

/// Absent fields arrive empty so that auth, which owns the rules, names the missing one.
/// No `Debug`: the passwords must not end up in a log.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(crate) struct SignUpBody {
    first_name: String,
    last_name: String,
    email: String,
    password1: String,
    password2: String,
    city: String,
    country: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SignedUp {
    message: &'static str,
    user: UserView,
}

/// A user as clients see it: never any password material.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = User)]
struct UserView {
    id: String,
    first_name: String,
    last_name: String,
    email: String,
    city: String,
    country: String,
    created_at: String,
}

impl From<User> for UserView {
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
    post,
    path = "/api/auth/signup",
    operation_id = "signUp",
    tag = "accounts",
    summary = "Create a player account",
    request_body = SignUpBody,
    responses(
        (status = 201, description = "Account created; the user without any password material", body = SignedUp),
        (status = 400, description = "A missing or invalid field, passwords that differ, a weak password (at least 8 characters with a lower-case letter, an upper-case letter and a digit) or an email already taken, in any letter case", body = crate::openapi::ApiError),
        (status = 413, description = "Body over 64 KiB", body = crate::openapi::ApiError),
        (status = 415, description = "Not `application/json`", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_up(
    State(state): State<AppState>,
    Json(body): Json<SignUpBody>,
) -> Result<(StatusCode, axum::Json<SignedUp>)> {
    let request = upstream::request(
        SignUpRequest {
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            password1: body.password1,
            password2: body.password2,
            city: body.city,
            country: body.country,
        },
        None,
    );
    let user = state
        .upstreams
        .auth
        .clone()
        .sign_up(request)
        .await?
        .into_inner()
        .user;
    let user =
        user.ok_or_else(|| GatewayError::Internal("SignUp answered without a user".into()))?;

    let body = SignedUp {
        message: "account created",
        user: user.into(),
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(crate) struct LogInBody {
    email: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LoggedIn {
    access_token: String,
    token_type: String,
    expires_in: i64,
}

#[utoipa::path(
    post,
    path = "/api/auth/login",
    operation_id = "logIn",
    tag = "accounts",
    summary = "Exchange email and password for an access token",
    request_body = LogInBody,
    responses(
        (status = 200, description = "Logged in", body = LoggedIn),
        (status = 400, description = "Malformed body", body = crate::openapi::ApiError),
        (status = 401, description = "Bad credentials; the same answer for an unknown email and a wrong password", body = crate::openapi::ApiError),
        (status = 415, description = "Not `application/json`", body = crate::openapi::ApiError),
        (status = 429, description = "Too many failed attempts for this account or client address; see `Retry-After`", body = crate::openapi::ApiError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn log_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Json(body): Json<LogInBody>,
) -> Result<axum::Json<LoggedIn>> {
    let mut request = upstream::request(
        LogInRequest {
            email: body.email,
            password: body.password,
        },
        None,
    );
    // Auth throttles failed log-ins per client address as well as per account.
    if let Some(address) = address {
        let value = address.to_string().parse().expect("an IP address is ASCII");
        request.metadata_mut().insert(CLIENT_IP_METADATA, value);
    }
    let answer = state
        .upstreams
        .auth
        .clone()
        .log_in(request)
        .await?
        .into_inner();

    Ok(axum::Json(LoggedIn {
        access_token: answer.access_token,
        token_type: answer.token_type,
        expires_in: answer.expires_in,
    }))
}
