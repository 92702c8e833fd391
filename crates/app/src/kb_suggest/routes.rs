//! The suggestions' routes.

use crate::AppState;
use crate::kb_suggest::{api, portal};
use axum::Router;
use axum::routing::get;

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/kb/suggest` (the `kb-suggest` Lambda).
pub fn api() -> Router<AppState> {
    Router::new().route("/api/kb/suggest", get(api::api_suggest))
}

/// The suggestion link, the admin's report and the form's script.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/kb-suggest/open/{slug}", get(portal::open))
        .route("/admin/kb-suggest", get(portal::report_page))
        .route("/static/kb-suggest.js", get(portal::script))
}
