//! The knowledge base's routes.

use crate::AppState;
use crate::kb::{api, portal, site};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages()).merge(site_pages())
}

/// `GET`/`POST /api/kb/articles`, `GET`/`PUT /api/kb/articles/{slug}`,
/// `POST /api/kb/articles/{slug}/publish`, `…/unpublish`,
/// `GET /api/kb/drafts/from-ticket/{id}` (the `kb-admin` Lambda, which publishes the site).
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/kb/articles", get(api::api_list).post(api::api_create))
        .route(
            "/api/kb/articles/{slug}",
            get(api::api_get).put(api::api_edit),
        )
        .route("/api/kb/articles/{slug}/publish", post(api::api_publish))
        .route(
            "/api/kb/articles/{slug}/unpublish",
            post(api::api_unpublish),
        )
        .route(
            "/api/kb/drafts/from-ticket/{id}",
            get(api::api_draft_from_ticket),
        )
}

/// The portal's pages of support staff: the list, the editor, publish and unpublish.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/articles",
            get(portal::portal_list).post(portal::portal_create),
        )
        .route("/articles/new", get(portal::portal_new))
        .route(
            "/articles/{slug}",
            get(portal::portal_card).post(portal::portal_edit),
        )
        .route("/articles/{slug}/publish", post(portal::portal_publish))
        .route("/articles/{slug}/unpublish", post(portal::portal_unpublish))
}

/// The built site at `/kb/` (the local server; in AWS a redirect to CloudFront).
pub fn site_pages() -> Router<AppState> {
    Router::new()
        .route("/kb", get(site::serve_root))
        .route("/kb/", get(site::serve))
        .route("/kb/{*path}", get(site::serve))
}
