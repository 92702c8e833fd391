//! Routers per endpoint group: each Lambda mounts one group, the local server mounts all.
//! This file only composes the features' routes; each feature declares its own in its
//! `routes.rs`.

use crate::kernel::{self, templates};
use crate::{
    AppState, accountant, attachment, audit, billing, calendar, comment, cost, dashboard,
    dealer_survey, inbox, kb, kb_suggest, lead, openapi, outbox, report, restore, session,
    settings, telemetry, ticket, wish,
};
use axum::Router;
use axum::routing::get;

/// The layers every group has: the fallbacks, the security headers, the request's span.
fn finish(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(templates::fallback)
        .method_not_allowed_fallback(templates::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kernel::headers::security_headers,
        ))
        .layer(axum::middleware::from_fn(telemetry::request_span))
        .with_state(state)
}

/// [`finish`] for the groups with the ticket card's forms (the portal, the local server): a
/// refused form shows the card again with the refusal. Only there, so an API function does not
/// link the card's page.
fn finish_pages(router: Router<AppState>, state: AppState) -> Router {
    let card =
        axum::middleware::from_fn_with_state(state.clone(), ticket::portal::show_refused_card);
    finish(router.layer(card), state)
}

/// `POST /api/session`, `DELETE /api/session`; the caller's notification inbox:
/// `GET /api/notifications`, `POST /api/notifications/{id}/read`,
/// `POST /api/notifications/read-all`
pub fn session(state: AppState) -> Router {
    finish(session::routes::api().merge(inbox::routes::api()), state)
}

/// `POST /api/tickets`
pub fn tickets_create(state: AppState) -> Router {
    finish(ticket::routes::create(), state)
}

/// `GET /api/tickets`, `GET /api/tickets/{id}`, `GET /api/tickets/{id}/estimate`,
/// `GET /api/tickets/{id}/attachments/{att}`
pub fn tickets_read(state: AppState) -> Router {
    finish(tickets_read_routes(), state)
}

fn tickets_read_routes() -> Router<AppState> {
    ticket::routes::read()
        .merge(cost::routes::read())
        .merge(attachment::routes::read())
        .merge(openapi_routes())
}

/// `GET /api/estimates`: the cost estimate before a ticket exists (SPEC §2.5), a function of
/// its own in the deployment.
pub fn cost_estimate(state: AppState) -> Router {
    finish(cost::routes::estimates(), state)
}

/// `POST /api/tickets/{id}/actions` and the time-and-cost moves: `…/time-entries`,
/// `…/time-entries/{entry}/correction`, `…/reclassify`, `…/cost/{confirm,dispute,answer}`;
/// `POST /api/tickets/{id}/comments`, `POST /api/tickets/{id}/attachments`,
/// `DELETE /api/tickets/{id}`, `POST /api/tickets/{id}/restore`
/// `GET /api/openapi.json`, the API's document (no authentication).
fn openapi_routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi::openapi_json))
}

pub fn tickets_actions(state: AppState) -> Router {
    finish(tickets_actions_routes(), state)
}

fn tickets_actions_routes() -> Router<AppState> {
    ticket::routes::actions()
        .merge(restore::routes::ticket_api())
        .merge(cost::routes::actions())
        .merge(comment::routes::actions())
        .merge(attachment::routes::actions())
}

/// `GET /api/admin/calendars`, `GET`/`PUT /api/admin/calendars/{year}`,
/// `GET`/`PUT /api/admin/calendars/hours`, `GET`/`PUT /api/admin/settings`,
/// `GET`/`POST /api/admin/sites`, `PUT /api/admin/sites/{id}`,
/// `POST /api/admin/sites/{id}/rotate`, `POST /api/admin/sites/{id}/revoke`,
/// `POST /api/customers/{id}/anonymise`, `GET /api/audit`; the lead network's settings:
/// `GET`/`PUT /api/dealers/{id}/hours`, `GET`/`PUT /api/leads/network`,
/// `GET /api/leads/overdue`; billing: `GET`/`PUT /api/admin/price-list`,
/// `GET`/`PUT /api/admin/billing`, `GET`/`PUT /api/dealers/{id}/subscription`,
/// `GET`/`PUT /api/dealers/{id}/requisites`
pub fn admin_calendars(state: AppState) -> Router {
    finish(
        calendar::routes::api()
            .merge(billing::routes::api())
            .merge(settings::routes::api())
            .merge(lead::intake::routes::admin())
            .merge(lead::privacy::routes::api())
            .merge(lead::escalation::routes::api())
            .merge(audit::routes::api()),
        state,
    )
}

/// Billing documents: `GET /api/documents`, `GET /api/documents/{id}`,
/// `POST /api/documents/{id}/paid`, `POST /api/documents/{id}/correct`
pub fn documents(state: AppState) -> Router {
    finish(billing::routes::documents(), state)
}

/// The lead webhook: `POST /api/leads` (websites, and dealers typing a lead in), its CORS
/// preflight, `GET /api/leads/form-token` (the sites' pages).
pub fn lead_webhook(state: AppState) -> Router {
    finish(lead::intake::routes::webhook(), state)
}

/// `POST /api/wishes`, `GET /api/wishes`, `GET /api/wishes/{id}`,
/// `POST /api/wishes/{id}/actions`
pub fn wishes(state: AppState) -> Router {
    finish(wish::routes::api(), state)
}

/// `GET /api/kb/suggest`: knowledge-base suggestions for a ticket's text.
pub fn kb_suggest(state: AppState) -> Router {
    finish(kb_suggest::routes::api(), state)
}

/// The lead card: `GET /api/leads`, `GET /api/leads/search`,
/// `GET`/`PATCH`/`DELETE /api/leads/{id}`, `POST /api/leads/{id}/restore`,
/// `POST /api/leads/{id}/contact`, `…/contract`, `…/transfer`, `GET /api/customers/{id}`
pub fn leads(state: AppState) -> Router {
    finish(
        lead::card::routes::api().merge(restore::routes::lead_api()),
        state,
    )
}

/// `GET /s/{token}`, `POST /s/{token}`: the customer survey's public page (SPEC §4.5), the
/// `survey-callback` function.
pub fn survey_callback(state: AppState) -> Router {
    finish(lead::survey::routes::callback(), state)
}

/// The dealer's own space: `GET /api/dashboard`; `GET`/`POST /api/dealers/{id}/accountants`,
/// `DELETE /api/dealers/{id}/accountants/{user}`; the quarterly survey:
/// `GET /api/surveys/results`, `GET`/`PUT /api/surveys/{quarter}`, `GET /api/survey-tasks`,
/// `POST /api/survey-tasks/{id}/close`
pub fn dashboard(state: AppState) -> Router {
    finish(
        dashboard::routes::api()
            .merge(accountant::routes::api())
            .merge(dealer_survey::routes::api()),
        state,
    )
}

/// `GET /api/reports/{report}`: the reports (JSON, CSV, XLSX), the `reports` function.
pub fn reports(state: AppState) -> Router {
    finish(report::routes::api(), state)
}

/// The portal: login, ticket pages, wishes, the admin calendar, static assets.
pub fn portal(state: AppState) -> Router {
    finish_pages(portal_routes(), state)
}

fn portal_routes() -> Router<AppState> {
    session::routes::pages()
        .merge(ticket::routes::pages())
        .merge(cost::routes::pages())
        .merge(comment::routes::pages())
        .merge(attachment::routes::pages())
        .merge(wish::routes::pages())
        .merge(calendar::routes::pages())
        .merge(settings::routes::pages())
        .merge(kb_suggest::routes::pages())
        .merge(kb::routes::pages())
        .merge(kb::routes::site_pages())
        .merge(lead::intake::routes::pages())
        .merge(lead::escalation::routes::pages())
        .merge(outbox::routes::routes())
        .merge(inbox::routes::pages())
        .merge(lead::card::routes::pages())
        .merge(lead::privacy::routes::pages())
        .merge(accountant::routes::pages())
        .merge(dealer_survey::routes::pages())
        .merge(dashboard::routes::pages())
        .merge(audit::routes::pages())
        .merge(restore::routes::pages())
        .merge(billing::routes::pages())
        .merge(report::routes::pages())
}

/// `GET`/`POST /api/kb/articles`, `GET`/`PUT /api/kb/articles/{slug}`,
/// `POST /api/kb/articles/{slug}/publish`, `…/unpublish`, `GET /api/kb/drafts/from-ticket/{id}`:
/// support staff's articles; a publish rebuilds the site into the site bucket.
pub fn kb_admin(state: AppState) -> Router {
    finish(kb::routes::api(), state)
}

/// Every route on one router, for the local server and end-to-end tests.
pub fn all(state: AppState) -> Router {
    let routes = session::routes()
        .merge(ticket::routes())
        .merge(cost::routes())
        .merge(comment::routes())
        .merge(attachment::routes())
        .merge(wish::routes())
        .merge(calendar::routes())
        .merge(settings::routes())
        .merge(kb_suggest::routes())
        .merge(kb::routes())
        .merge(lead::intake::routes::routes())
        .merge(outbox::routes())
        .merge(inbox::routes())
        .merge(lead::card::routes())
        .merge(lead::escalation::routes())
        .merge(lead::survey::routes::routes())
        .merge(lead::privacy::routes::routes())
        .merge(billing::routes())
        .merge(accountant::routes::routes())
        .merge(dealer_survey::routes())
        .merge(dashboard::routes())
        .merge(audit::routes())
        .merge(restore::routes())
        .merge(report::routes())
        .merge(openapi_routes());
    finish_pages(routes, state)
}
