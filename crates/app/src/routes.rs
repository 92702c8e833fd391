//! Routers per endpoint group. Each Lambda mounts one group; the local server mounts all.

use crate::{AppState, api, attachments, comments, portal, telemetry, wishes};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

fn finish(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(portal::fallback)
        .layer(axum::middleware::from_fn(telemetry::request_span))
        .with_state(state)
}

/// `POST /api/session`, `DELETE /api/session`
pub fn session(state: AppState) -> Router {
    finish(session_routes(), state)
}

/// `POST /api/tickets`
pub fn tickets_create(state: AppState) -> Router {
    finish(tickets_create_routes(), state)
}

/// `GET /api/tickets`, `GET /api/tickets/{id}`, `GET /api/tickets/{id}/attachments/{att}`
pub fn tickets_read(state: AppState) -> Router {
    finish(tickets_read_routes(), state)
}

/// `POST /api/tickets/{id}/actions`, `POST /api/tickets/{id}/comments`,
/// `POST /api/tickets/{id}/attachments`
pub fn tickets_actions(state: AppState) -> Router {
    finish(tickets_actions_routes(), state)
}

/// `POST /api/wishes`, `GET /api/wishes`, `GET /api/wishes/{id}`,
/// `POST /api/wishes/{id}/actions`
pub fn wishes(state: AppState) -> Router {
    finish(wishes_routes(), state)
}

/// The portal: login, ticket pages, static assets.
pub fn portal(state: AppState) -> Router {
    finish(portal_routes(), state)
}

/// Every route on one router, for the local server and end-to-end tests.
pub fn all(state: AppState) -> Router {
    let routes = session_routes()
        .merge(tickets_create_routes())
        .merge(tickets_read_routes())
        .merge(tickets_actions_routes())
        .merge(wishes_routes())
        .merge(portal_routes());
    finish(routes, state)
}

fn session_routes() -> Router<AppState> {
    Router::new().route("/api/session", post(api::create_session).delete(api::delete_session))
}

fn tickets_create_routes() -> Router<AppState> {
    Router::new().route("/api/tickets", post(api::create_ticket))
}

fn tickets_read_routes() -> Router<AppState> {
    Router::new()
        .route("/api/tickets", get(api::list_tickets))
        .route("/api/tickets/{id}", get(api::get_ticket))
        .route(
            "/api/tickets/{id}/attachments/{att}",
            get(attachments::api_download),
        )
}

fn tickets_actions_routes() -> Router<AppState> {
    Router::new()
        .route("/api/tickets/{id}/actions", post(api::act_on_ticket))
        .route("/api/tickets/{id}/comments", post(comments::api_create))
        .route(
            "/api/tickets/{id}/attachments",
            post(attachments::api_upload)
                .layer(DefaultBodyLimit::max(attachments::UPLOAD_BODY_LIMIT)),
        )
}

fn wishes_routes() -> Router<AppState> {
    Router::new()
        .route("/api/wishes", post(wishes::api_create).get(wishes::api_list))
        .route("/api/wishes/{id}", get(wishes::api_get))
        .route("/api/wishes/{id}/actions", post(wishes::api_act))
}

fn portal_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(portal::home))
        .route("/static/style.css", get(portal::style))
        .route("/login", get(portal::login_form).post(portal::login_submit))
        .route("/logout", post(portal::logout))
        .route("/tickets", get(portal::tickets).post(portal::create_ticket))
        .route("/tickets/new", get(portal::new_ticket))
        .route("/tickets/{id}", get(portal::ticket))
        .route("/tickets/{id}/actions", post(portal::act))
        .route("/tickets/{id}/comments", post(comments::portal_create))
        .route(
            "/tickets/{id}/attachments",
            post(attachments::portal_upload)
                .layer(DefaultBodyLimit::max(attachments::UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/tickets/{id}/attachments/{att}",
            get(attachments::portal_download),
        )
        .route("/wishes", get(wishes::portal_list).post(wishes::portal_create))
        .route("/wishes/{id}", get(wishes::portal_card))
        .route("/wishes/{id}/actions", post(wishes::portal_act))
        .route("/dev/mail", get(portal::dev_mail))
}
