//! The tickets' routes, in the groups the deployment serves from separate Lambdas.

use crate::AppState;
use crate::ticket::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    create().merge(read()).merge(actions()).merge(pages())
}

/// `POST /api/tickets` (the `tickets-create` Lambda).
pub fn create() -> Router<AppState> {
    Router::new().route("/api/tickets", post(api::create_ticket))
}

/// `GET /api/tickets`, `GET /api/tickets/{id}` (part of `tickets-read`).
pub fn read() -> Router<AppState> {
    Router::new()
        .route("/api/tickets", get(api::list_tickets))
        .route("/api/tickets/{id}", get(api::get_ticket))
}

/// `POST /api/tickets/{id}/actions` (part of `tickets-actions`).
pub fn actions() -> Router<AppState> {
    Router::new().route("/api/tickets/{id}/actions", post(api::act_on_ticket))
}

/// The list, the new-ticket form, the card and its lifecycle form.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/tickets", get(portal::tickets).post(portal::create_ticket))
        .route("/tickets/new", get(portal::new_ticket))
        .route("/tickets/new/estimate", post(portal::new_ticket_estimate))
        .route("/tickets/{id}", get(portal::ticket))
        .route("/tickets/{id}/actions", post(portal::act))
}
