//! The reports' routes.

use crate::AppState;
use crate::report::{api, portal};
use axum::Router;
use axum::routing::get;

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/reports/{report}` (the `reports` Lambda).
pub fn api() -> Router<AppState> {
    Router::new().route("/api/reports/{report}", get(api::api_report))
}

/// «Отчёты» and a report's page (its files too, with `format=`).
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/reports", get(portal::list_page))
        .route("/reports/{report}", get(portal::report_page))
}
