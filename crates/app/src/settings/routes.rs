//! The settings' routes (the admin's).

use crate::AppState;
use crate::settings::{api, portal};
use axum::Router;
use axum::routing::get;

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET`/`PUT /api/admin/settings` (the `admin` Lambda).
pub fn api() -> Router<AppState> {
    Router::new().route(
        "/api/admin/settings",
        get(api::get_settings).put(api::put_settings),
    )
}

/// The admin's settings page and its form.
pub fn pages() -> Router<AppState> {
    Router::new().route(
        "/admin/settings",
        get(portal::settings_page).post(portal::save_settings),
    )
}
