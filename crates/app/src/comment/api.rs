//! `POST /api/tickets/{id}/comments`

use crate::AppState;
use crate::comment::{self, views::comment_json};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::TicketId;
use serde::Deserialize;

/// The body of a new comment.
#[derive(Deserialize)]
pub struct CommentBody {
    text: String,
}

/// `POST /api/tickets/{id}/comments` `{text}` → 201 with the comment.
pub async fn api_create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<CommentBody>,
) -> Result<Response, AppError> {
    let comment = comment::add(&state, &caller.actor, &id, &body.text).await?;
    Ok((StatusCode::CREATED, Json(comment_json(&comment))).into_response())
}
