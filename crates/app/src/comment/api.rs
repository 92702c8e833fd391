//! `POST /api/tickets/{id}/comments`

use crate::AppState;
use crate::comment::{self, views::CommentView};
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
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CommentBody {
    text: String,
}

/// `POST /api/tickets/{id}/comments` `{text}` → 201 with the comment.
#[utoipa::path(post, path = "/api/tickets/{id}/comments", tag = "comments", request_body = CommentBody, params(("id" = String, Path, description = "The ticket id.")), responses((status = 201, description = "The comment.", body = CommentView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<CommentBody>,
) -> Result<Response, AppError> {
    let comment = comment::add(&state, &caller.actor, &id, &body.text).await?;
    Ok((StatusCode::CREATED, Json(CommentView::new(&comment))).into_response())
}
