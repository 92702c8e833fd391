//! The wishes' routes.

use crate::AppState;
use crate::wish::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `POST`/`GET /api/wishes`, `GET /api/wishes/{id}`, `POST /api/wishes/{id}/actions` (the
/// `wishes` Lambda).
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/wishes", post(api::api_create).get(api::api_list))
        .route("/api/wishes/{id}", get(api::api_get))
        .route("/api/wishes/{id}/actions", post(api::api_act))
}

/// The list, the card and their forms.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/wishes",
            get(portal::portal_list).post(portal::portal_create),
        )
        .route("/wishes/{id}", get(portal::portal_card))
        .route("/wishes/{id}/actions", post(portal::portal_act))
}
