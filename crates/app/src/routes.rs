//! Routers per endpoint group. Each Lambda mounts one group; the local server mounts all.

use crate::{
    AppState, api, attachments, calendar_api, calendar_portal, comments, costs, portal, telemetry,
    wishes,
};
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

/// `GET /api/tickets`, `GET /api/tickets/{id}`, `GET /api/tickets/{id}/estimate`,
/// `GET /api/tickets/{id}/attachments/{att}`
pub fn tickets_read(state: AppState) -> Router {
    finish(tickets_read_routes(), state)
}

/// `POST /api/tickets/{id}/actions` and the time-and-cost moves: `…/time-entries`,
/// `…/time-entries/{entry}/correction`, `…/reclassify`, `…/cost/{confirm,dispute,answer}`;
/// `POST /api/tickets/{id}/comments`, `POST /api/tickets/{id}/attachments`
pub fn tickets_actions(state: AppState) -> Router {
    finish(tickets_actions_routes(), state)
}

/// `GET /api/admin/calendars`, `GET`/`PUT /api/admin/calendars/{year}`,
/// `GET`/`PUT /api/admin/calendars/hours`
pub fn admin_calendars(state: AppState) -> Router {
    finish(admin_calendar_routes(), state)
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
        .merge(admin_calendar_routes())
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
        .route("/api/tickets/{id}/estimate", get(costs::api::estimate))
        .route(
            "/api/tickets/{id}/attachments/{att}",
            get(attachments::api_download),
        )
}

fn tickets_actions_routes() -> Router<AppState> {
    Router::new()
        .route("/api/tickets/{id}/actions", post(api::act_on_ticket))
        .route("/api/tickets/{id}/time-entries", post(costs::api::log_time))
        .route(
            "/api/tickets/{id}/time-entries/{entry}/correction",
            post(costs::api::correct_time),
        )
        .route("/api/tickets/{id}/reclassify", post(costs::api::reclassify))
        .route("/api/tickets/{id}/cost/confirm", post(costs::api::confirm))
        .route("/api/tickets/{id}/cost/dispute", post(costs::api::dispute))
        .route("/api/tickets/{id}/cost/answer", post(costs::api::answer))
        .route("/api/tickets/{id}/comments", post(comments::api_create))
        .route(
            "/api/tickets/{id}/attachments",
            post(attachments::api_upload)
                .layer(DefaultBodyLimit::max(attachments::UPLOAD_BODY_LIMIT)),
        )
}

fn admin_calendar_routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/calendars", get(calendar_api::overview))
        .route(
            "/api/admin/calendars/hours",
            get(calendar_api::get_hours).put(calendar_api::put_hours),
        )
        .route(
            "/api/admin/calendars/{year}",
            get(calendar_api::get_year).put(calendar_api::put_year),
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
        .route("/tickets/new/estimate", post(costs::portal::new_ticket_estimate))
        .route("/tickets/{id}", get(portal::ticket))
        .route("/tickets/{id}/actions", post(portal::act))
        .route("/tickets/{id}/time-entries", post(costs::portal::log_time))
        .route(
            "/tickets/{id}/time-entries/{entry}/correction",
            post(costs::portal::correct_time),
        )
        .route("/tickets/{id}/reclassify", post(costs::portal::reclassify))
        .route("/tickets/{id}/cost/{step}", post(costs::portal::cost_move))
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
        .route("/admin/calendars", get(calendar_portal::calendars))
        .route("/admin/calendars/hours", post(calendar_portal::set_hours))
        .route("/admin/calendars/{year}/days", post(calendar_portal::set_day))
        .route("/admin/calendars/{year}/xml", post(calendar_portal::upload_xml))
}
