//! Billing's routes.

use crate::AppState;
use crate::billing::api;
use axum::Router;
use axum::routing::get;

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api()
}

/// `GET`/`PUT /api/admin/price-list`, `GET`/`PUT /api/admin/billing`,
/// `GET`/`PUT /api/dealers/{id}/subscription`, `GET`/`PUT /api/dealers/{id}/requisites`
/// (the `admin` Lambda).
pub fn api() -> Router<AppState> {
    Router::new()
        .route(
            "/api/admin/price-list",
            get(api::get_price_list).put(api::put_price_list),
        )
        .route(
            "/api/admin/billing",
            get(api::get_billing).put(api::put_billing),
        )
        .route(
            "/api/dealers/{id}/subscription",
            get(api::get_subscription).put(api::put_subscription),
        )
        .route(
            "/api/dealers/{id}/requisites",
            get(api::get_requisites).put(api::put_requisites),
        )
}
