//! Time and cost routes, in the groups the deployment serves from separate Lambdas.

use crate::AppState;
use crate::cost::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    read().merge(estimates()).merge(actions()).merge(pages())
}

/// `GET /api/estimates`: the banner before a ticket exists (the `cost-estimate` Lambda).
pub fn estimates() -> Router<AppState> {
    Router::new().route("/api/estimates", get(api::estimates))
}

/// `GET /api/tickets/{id}/estimate` (part of `tickets-read`).
pub fn read() -> Router<AppState> {
    Router::new().route("/api/tickets/{id}/estimate", get(api::estimate))
}

/// Time entries, corrections, reclassification and the cost moves (part of
/// `tickets-actions`).
pub fn actions() -> Router<AppState> {
    Router::new()
        .route("/api/tickets/{id}/time-entries", post(api::log_time))
        .route(
            "/api/tickets/{id}/time-entries/{entry}/correction",
            post(api::correct_time),
        )
        .route("/api/tickets/{id}/reclassify", post(api::reclassify))
        .route("/api/tickets/{id}/cost/confirm", post(api::confirm))
        .route("/api/tickets/{id}/cost/dispute", post(api::dispute))
        .route("/api/tickets/{id}/cost/answer", post(api::answer))
}

/// The card's «Детализация» forms and the new-ticket form's estimate button.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/tickets/{id}/time-entries", post(portal::log_time))
        .route(
            "/tickets/{id}/time-entries/{entry}/correction",
            post(portal::correct_time),
        )
        .route("/tickets/{id}/reclassify", post(portal::reclassify))
        .route("/tickets/{id}/cost/{step}", post(portal::cost_move))
}
