//! The accountants' routes.

use crate::AppState;
use crate::accountant::{api, portal};
use crate::kernel::ids::PathId;
use axum::Router;
use axum::routing::{delete, get, post};
use dealerdesk_domain::UserId;

/// A user from the path: ULIDs for invited people, plain ids (`user-accountant1`) for those
/// an operator created; anything else is a 404 before the store is asked.
impl PathId for UserId {
    fn parse(raw: &str) -> Option<Self> {
        let plain = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plain.then(|| UserId::new(raw))
    }
}

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `POST`/`GET /api/dealers/{id}/accountants`, `DELETE /api/dealers/{id}/accountants/{user}`
/// (the `dashboard` Lambda).
pub fn api() -> Router<AppState> {
    Router::new()
        .route(
            "/api/dealers/{id}/accountants",
            post(api::api_invite).get(api::api_list),
        )
        .route(
            "/api/dealers/{id}/accountants/{user}",
            delete(api::api_revoke),
        )
}

/// `GET`/`POST /invite/{token}`: the public page where an invited accountant sets a password
/// (no login: the signed link is the credential).
pub fn pages() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(portal::page).post(portal::submit))
}
