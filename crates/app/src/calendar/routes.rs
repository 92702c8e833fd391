//! The working calendar's routes (the admin's).

use crate::AppState;
use crate::calendar::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/admin/calendars`, `GET`/`PUT /api/admin/calendars/{year}`,
/// `GET`/`PUT /api/admin/calendars/hours` (the `admin` Lambda).
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/admin/calendars", get(api::overview))
        .route(
            "/api/admin/calendars/hours",
            get(api::get_hours).put(api::put_hours),
        )
        .route(
            "/api/admin/calendars/{year}",
            get(api::get_year).put(api::put_year),
        )
}

/// The admin's calendar page and its forms.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/calendars", get(portal::calendars))
        .route("/admin/calendars/hours", post(portal::set_hours))
        .route("/admin/calendars/{year}/days", post(portal::set_day))
        .route("/admin/calendars/{year}/xml", post(portal::upload_xml))
}
