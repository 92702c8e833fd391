//! The audit log's routes.

use crate::AppState;
use crate::audit::{api, portal};
use axum::Router;
use axum::routing::get;

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/audit` (the `admin` Lambda).
pub fn api() -> Router<AppState> {
    Router::new().route("/api/audit", get(api::search))
}

/// The admin's «Журнал изменений».
pub fn pages() -> Router<AppState> {
    Router::new().route("/admin/audit", get(portal::audit_page))
}
