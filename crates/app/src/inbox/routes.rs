//! The inbox's routes.

use crate::AppState;
use crate::inbox::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/notifications`, `POST /api/notifications/{id}/read`,
/// `POST /api/notifications/read-all` (the `session` Lambda: the caller's own things).
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/notifications", get(api::api_list))
        .route("/api/notifications/read-all", post(api::api_read_all))
        .route("/api/notifications/{id}/read", post(api::api_read))
}

/// `/notifications` and its forms.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(portal::portal_list))
        .route("/notifications/read-all", post(portal::portal_read_all))
        .route("/notifications/{id}/read", post(portal::portal_read))
}
