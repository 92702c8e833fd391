//! `POST /api/session` (log in) and `DELETE /api/session` (log out).

use crate::AppState;
use crate::kernel::address::ClientIp;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::session::{self, views::SessionView};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Credentials.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    email: String,
    password: String,
}

/// `POST /api/session`
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = LoginBody, responses((status = 200, description = "The session: token, user and its role.", body = SessionView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn create_session(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    JsonBody(LoginBody { email, password }): JsonBody<LoginBody>,
) -> Result<Response, AppError> {
    // The answer sets the portal's cookie, so a page of another site must not be able to log
    // a visitor's browser in as the attacker (login CSRF): a browser always names the page's
    // origin on a cross-site POST, and it must be ours. Clients that are not browsers send no
    // `Origin` and are not affected.
    if !auth::same_origin(&headers) {
        return Err(AppError::foreign_origin());
    }
    let outcome = session::login(&state, &email, &password, client).await?;
    let cookie = auth::set_cookie(
        auth::SESSION_COOKIE,
        &outcome.token,
        state.settings.session_hours * 3600,
        state.settings.cookie_secure,
    );
    let mut response = Json(SessionView::new(&outcome)).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `DELETE /api/session`
#[utoipa::path(delete, path = "/api/session", tag = "session", responses((status = 204, description = "Logged out."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn delete_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    let token = auth::bearer_token(&headers).ok_or_else(AppError::unauthenticated)?;
    session::logout(&state, token).await?;
    Ok(StatusCode::NO_CONTENT)
}
