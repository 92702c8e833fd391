//! The files' routes.

use crate::AppState;
use crate::attachment::{UPLOAD_BODY_LIMIT, api, portal};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    read().merge(actions()).merge(pages())
}

/// `GET /api/tickets/{id}/attachments/{att}` (part of `tickets-read`).
pub fn read() -> Router<AppState> {
    Router::new().route(
        "/api/tickets/{id}/attachments/{att}",
        get(api::api_download),
    )
}

/// `POST /api/tickets/{id}/attachments` (part of `tickets-actions`).
pub fn actions() -> Router<AppState> {
    Router::new().route(
        "/api/tickets/{id}/attachments",
        post(api::api_upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
    )
}

/// The card's upload form and download links.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/tickets/{id}/attachments",
            post(portal::portal_upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/tickets/{id}/attachments/{att}",
            get(portal::portal_download),
        )
}
