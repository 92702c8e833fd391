//! Billing's routes.

use crate::AppState;
use crate::billing::{api, documents_api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(documents()).merge(pages())
}

/// `GET /api/documents`, `GET /api/documents/{id}` (the PDF), `POST /api/documents/{id}/paid`,
/// `POST /api/documents/{id}/correct` (the `documents` Lambda).
pub fn documents() -> Router<AppState> {
    Router::new()
        .route("/api/documents", get(documents_api::list_documents))
        .route("/api/documents/{id}", get(documents_api::get_document))
        .route("/api/documents/{id}/paid", post(documents_api::mark_paid))
        .route("/api/documents/{id}/correct", post(documents_api::correct))
}

/// «Документы» (the list, the downloads, the admin's payment mark and corrective document)
/// and «Подписки» (the dealers' subscriptions and their form).
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/documents", get(portal::documents_page))
        .route("/documents/{id}/pdf", get(portal::download))
        .route("/documents/{id}/paid", post(portal::mark_paid))
        .route("/documents/{id}/correct", post(portal::correct))
        .route("/subscriptions", get(portal::subscriptions_page))
        .route(
            "/dealers/{id}/subscription",
            get(portal::subscription_page).post(portal::save_subscription),
        )
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
