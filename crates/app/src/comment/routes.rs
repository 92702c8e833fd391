//! The comments' routes.

use crate::AppState;
use crate::comment::{api, portal};
use axum::Router;
use axum::routing::post;

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    actions().merge(pages())
}

/// `POST /api/tickets/{id}/comments` (part of `tickets-actions`).
pub fn actions() -> Router<AppState> {
    Router::new().route("/api/tickets/{id}/comments", post(api::api_create))
}

/// The card's comment form.
pub fn pages() -> Router<AppState> {
    Router::new().route("/tickets/{id}/comments", post(portal::portal_create))
}
