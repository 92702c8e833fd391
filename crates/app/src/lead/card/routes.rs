//! The lead card's routes.

use crate::AppState;
use crate::lead::card::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the area.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/leads`, `GET /api/leads/search`, `GET`/`PATCH /api/leads/{id}`,
/// `POST /api/leads/{id}/contact`, `…/contract`, `…/transfer`, `GET /api/customers/{id}`
/// (the `leads` Lambda).
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/leads", get(api::api_list))
        .route("/api/leads/search", get(api::api_search))
        .route("/api/leads/{id}", get(api::api_get).patch(api::api_patch))
        .route("/api/leads/{id}/contact", post(api::api_contact))
        .route("/api/leads/{id}/contract", post(api::api_contract))
        .route("/api/leads/{id}/transfer", post(api::api_transfer))
        .route("/api/customers/{id}", get(api::api_customer))
}

/// The list and its download, the search, the card with its forms, the customer's page.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/leads", get(portal::portal_list))
        .route("/leads/export", get(portal::portal_export))
        .route("/leads/search", get(portal::portal_search))
        .route("/leads/{id}", get(portal::portal_card))
        .route("/leads/{id}/contact", post(portal::portal_contact))
        .route("/leads/{id}/contract", post(portal::portal_contract))
        .route("/leads/{id}/edit", post(portal::portal_edit))
        .route("/leads/{id}/transfer", post(portal::portal_transfer))
        .route("/customers/{id}", get(portal::portal_customer))
}
