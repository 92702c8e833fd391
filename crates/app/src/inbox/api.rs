//! The inbox's JSON API: every logged-in user reads and marks their own notifications.

use crate::AppState;
use crate::inbox::views::{NotificationPage, NotificationView, ReadView};
use crate::inbox::{self, NotificationId};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::ids::IdPath;
use crate::kernel::paging::page_request;
use axum::Json;
use axum::extract::{RawQuery, State};

/// `GET /api/notifications` (`limit`, `cursor`)
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, 50 by default."), ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page.")), responses((status = 200, description = "`{items, next_cursor, unread}`, newest first.", body = NotificationPage), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<NotificationPage>, AppError> {
    let page = page_request(query.as_deref())?;
    let page = inbox::list(&state, &caller.actor, &page).await?;
    let unread = inbox::unread(&state, &caller.actor).await?;
    Ok(Json(NotificationPage {
        items: page.items.iter().map(NotificationView::new).collect(),
        next_cursor: page.next_cursor,
        unread,
    }))
}

/// `POST /api/notifications/{id}/read`
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "notifications", params(("id" = String, Path, description = "The notification id.")), responses((status = 200, description = "The notification, read.", body = NotificationView), (status = "4XX", description = "Refused: the `error` envelope (another user's notification is a 404).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_read(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<NotificationId>,
) -> Result<Json<NotificationView>, AppError> {
    let entry = inbox::read(&state, &caller.actor, &id).await?;
    Ok(Json(NotificationView::new(&entry)))
}

/// `POST /api/notifications/read-all`
#[utoipa::path(post, path = "/api/notifications/read-all", tag = "notifications", responses((status = 200, description = "`{marked, unread}`.", body = ReadView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_read_all(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<ReadView>, AppError> {
    let marked = inbox::read_all(&state, &caller.actor).await?;
    let unread = inbox::unread(&state, &caller.actor).await?;
    Ok(Json(ReadView { marked, unread }))
}
