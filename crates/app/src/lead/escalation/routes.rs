//! The escalation area's routes.

use crate::AppState;
use crate::kernel::ids::PathId;
use crate::lead::escalation::{api, portal};
use axum::Router;
use axum::routing::get;
use dealerdesk_domain::DealerId;

/// A dealer's id in a path: letters, digits, `-` and `_`, at most 64 (`dealer-4`).
impl PathId for DealerId {
    fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| DealerId::new(raw))
    }
}

/// Every route of the area.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET`/`PUT /api/dealers/{id}/hours`, `GET`/`PUT /api/leads/network`,
/// `GET /api/leads/overdue`.
pub fn api() -> Router<AppState> {
    Router::new()
        .route(
            "/api/dealers/{id}/hours",
            get(api::get_hours).put(api::put_hours),
        )
        .route(
            "/api/leads/network",
            get(api::get_network).put(api::put_network),
        )
        .route("/api/leads/overdue", get(api::get_overdue))
}

/// The hours page, the rules page and their forms, the overdue leads.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dealers/hours", get(portal::dealers_page))
        .route(
            "/dealers/{id}/hours",
            get(portal::hours_page).post(portal::save_hours),
        )
        .route(
            "/leads/network",
            get(portal::network_rules_page).post(portal::save_network_rules),
        )
        .route("/leads/overdue", get(portal::overdue_page))
}
