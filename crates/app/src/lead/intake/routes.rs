//! The intake's routes.

use crate::AppState;
use crate::lead::intake::{api, portal};
use axum::Router;
use axum::routing::{get, post, put};

/// Every route of the area.
pub fn routes() -> Router<AppState> {
    admin().merge(webhook()).merge(pages())
}

/// The admin's sites API (the `admin` Lambda).
pub fn admin() -> Router<AppState> {
    Router::new()
        .route(
            "/api/admin/sites",
            get(api::list_sites).post(api::issue_site),
        )
        .route("/api/admin/sites/{id}", put(api::update_site))
        .route("/api/admin/sites/{id}/rotate", post(api::rotate_site))
        .route("/api/admin/sites/{id}/revoke", post(api::revoke_site))
}

/// What the sites (and dealers typing a lead in) call (the `lead-webhook` Lambda).
pub fn webhook() -> Router<AppState> {
    Router::new()
        .route("/api/leads", post(api::post_lead).options(api::preflight))
        .route("/api/leads/form-token", get(api::form_token))
}

/// The admin's sites page, the sites' script and the dealer's «Новая заявка» (the portal).
pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/sites",
            get(portal::sites_page).post(portal::issue_site),
        )
        .route("/admin/sites/{id}/rotate", post(portal::rotate_site))
        .route("/admin/sites/{id}/revoke", post(portal::revoke_site))
        .route("/static/lead-form.js", get(portal::lead_form_js))
        .route(
            "/leads/new",
            get(portal::lead_new_form).post(portal::lead_new_submit),
        )
}
