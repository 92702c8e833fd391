//! Delete and restore routes.

use crate::AppState;
use crate::restore::{api, portal};
use axum::Router;
use axum::routing::{delete, get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    lead_api().merge(ticket_api()).merge(pages())
}

/// `DELETE /api/leads/{id}`, `POST /api/leads/{id}/restore` (the `leads` Lambda).
pub fn lead_api() -> Router<AppState> {
    Router::new()
        .route("/api/leads/{id}", delete(api::delete_lead))
        .route("/api/leads/{id}/restore", post(api::restore_lead))
}

/// `DELETE /api/tickets/{id}`, `POST /api/tickets/{id}/restore` (the `tickets-actions`
/// Lambda).
pub fn ticket_api() -> Router<AppState> {
    Router::new()
        .route("/api/tickets/{id}", delete(api::delete_ticket))
        .route("/api/tickets/{id}/restore", post(api::restore_ticket))
}

/// The deleted lists and the confirmation pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/leads/deleted", get(portal::deleted_leads))
        .route(
            "/leads/{id}/delete",
            get(portal::confirm_lead_delete).post(portal::lead_delete),
        )
        .route(
            "/leads/{id}/restore",
            get(portal::confirm_lead_restore).post(portal::lead_restore),
        )
        .route("/tickets/deleted", get(portal::deleted_tickets))
        .route(
            "/tickets/{id}/delete",
            get(portal::confirm_ticket_delete).post(portal::ticket_delete),
        )
        .route(
            "/tickets/{id}/restore",
            get(portal::confirm_ticket_restore).post(portal::ticket_restore),
        )
}
