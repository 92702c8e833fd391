//! The outbox's one page.

use crate::AppState;
use crate::outbox::portal;
use axum::Router;
use axum::routing::get;

/// `GET /dev/mail` (the portal group).
pub fn routes() -> Router<AppState> {
    Router::new().route("/dev/mail", get(portal::dev_mail))
}
