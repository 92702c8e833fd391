//! The dashboard's routes.

use crate::AppState;
use crate::dashboard::{api, portal};
use axum::Router;
use axum::routing::get;

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/dashboard` (the `dashboard` Lambda).
pub fn api() -> Router<AppState> {
    Router::new().route("/api/dashboard", get(api::api_dashboard))
}

/// `GET /`: the start page — the dashboard for a dealer and its accountant, the ticket list
/// for those who work tickets, a short note for everyone else.
pub fn pages() -> Router<AppState> {
    Router::new().route("/", get(portal::home))
}
