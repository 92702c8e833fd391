//! The session's routes.

use crate::AppState;
use crate::kernel::templates;
use crate::session::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `POST /api/session`, `DELETE /api/session` (the `session` Lambda).
pub fn api() -> Router<AppState> {
    Router::new().route(
        "/api/session",
        post(api::create_session).delete(api::delete_session),
    )
}

/// Login, logout and the stylesheet (the start page is the dashboard's).
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/static/style.css", get(templates::style))
        .route("/login", get(portal::login_form).post(portal::login_submit))
        .route("/logout", post(portal::logout))
}
