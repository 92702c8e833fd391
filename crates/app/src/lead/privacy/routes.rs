//! The anonymisation's routes.

use crate::AppState;
use crate::lead::privacy::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the area.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `POST /api/customers/{id}/anonymise` (the `admin` Lambda: an admin's action).
pub fn api() -> Router<AppState> {
    Router::new().route(
        "/api/customers/{id}/anonymise",
        post(api::anonymise_customer),
    )
}

/// The admin's page of a customer and its form.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/customers/{id}", get(portal::page))
        .route("/admin/customers/{id}/anonymise", post(portal::anonymise))
}
