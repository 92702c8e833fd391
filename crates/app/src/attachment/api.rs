//! The files' JSON API: upload and download.

use crate::AppState;
use crate::attachment::views::{AttachmentView, file_response};
use crate::attachment::{
    self, FILE_NAME_HEADER, body_error, no_file, percent_decode, read_multipart,
    refuse_declared_length,
};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::ids::{IdPath, IdPath2};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::{AttachmentError, AttachmentId, TicketId};

/// `POST /api/tickets/{id}/attachments`: the raw file as the body, its type in
/// `Content-Type` and its name in `X-File-Name` (percent-encoded UTF-8); or a
/// `multipart/form-data` body with the file in the field `file`. → 201 with the file's
/// description.
#[utoipa::path(post, path = "/api/tickets/{id}/attachments", tag = "attachments", request_body(content = Vec<u8>, description = "The raw file (its type in `Content-Type`, its percent-encoded name in `X-File-Name`), or `multipart/form-data` with the field `file`.", content_type = "application/octet-stream"), params(("id" = String, Path, description = "The ticket id.")), responses((status = 201, description = "The file's description.", body = AttachmentView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_upload(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
    request: Request,
) -> Result<Response, AppError> {
    refuse_declared_length(request.headers())?;
    let declared = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (declared, name, bytes) = if declared.as_deref().is_some_and(|d| {
        d.trim_start()
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
    }) {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| body_error(e.status()))?;
        read_multipart(multipart).await?.file.ok_or_else(no_file)?
    } else {
        let name = match request.headers().get(FILE_NAME_HEADER) {
            None => return Err(AttachmentError::BadName.into()),
            Some(v) => v
                .to_str()
                .ok()
                .and_then(percent_decode)
                .ok_or(AttachmentError::BadName)?,
        };
        let bytes = Bytes::from_request(request, &state)
            .await
            .map_err(|e| body_error(e.status()))?;
        (declared, name, bytes.to_vec())
    };
    let meta = attachment::upload(
        &state,
        &caller.actor,
        &id,
        declared.as_deref(),
        &name,
        bytes,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AttachmentView::new(&meta))).into_response())
}

/// `GET /api/tickets/{id}/attachments/{att}`: the file, as a download.
#[utoipa::path(get, path = "/api/tickets/{id}/attachments/{att}", tag = "attachments", params(("id" = String, Path, description = "The ticket id."), ("att" = String, Path, description = "The attachment id.")), responses((status = 200, description = "The file, as a download.", content_type = "application/octet-stream", body = Vec<u8>), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_download(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath2(id, att): IdPath2<TicketId, AttachmentId>,
) -> Result<Response, AppError> {
    let (meta, bytes) = attachment::download(&state, &caller.actor, &id, &att).await?;
    Ok(file_response(&meta, bytes))
}
