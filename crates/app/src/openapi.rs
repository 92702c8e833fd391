//! The OpenAPI 3 document of the JSON API, generated from the handlers' `#[utoipa::path]`
//! attributes and the request and response types, served at `GET /api/openapi.json`.
//!
//! A new `/api` route is added here (its handler in [`ApiDoc`]'s `paths`) in the same change:
//! the e2e test `tickets_api::the_openapi_document_covers_every_api_route` reads the routers
//! from the features' `routes.rs` and fails on a route the document does not have.

use crate::{
    accountant, attachment, audit, billing, calendar, comment, cost, dashboard, dealer_survey,
    inbox, kb, kb_suggest, lead, report, restore, session, settings, ticket, wish,
};
use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// The body of every `/api` answer that is not a success.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// What went wrong.
    pub error: ErrorBody,
}

/// A refusal: a machine code and a Russian message, with the faulty fields of a form.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine code, e.g. `not_found`, `version_conflict`, `validation`.
    pub code: String,
    /// The Russian message to show.
    pub message: String,
    /// The fields at fault, when the input was invalid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// One faulty field of a request.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name in the request.
    pub field: String,
    /// The Russian message for it.
    pub message: String,
}

/// The API's document; `paths` lists every `/api` handler.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "DealerDesk API",
        description = "The helpdesk's JSON API. Every answer that is not a success is the \
            `{\"error\": {code, message, fields?}}` envelope (`ErrorEnvelope`) with a Russian message. \
            Authentication: the session cookie or `Authorization: Bearer <token>` from `POST /api/session`."
    ),
    paths(
        openapi_json,
        session::api::create_session,
        session::api::delete_session,
        ticket::api::create_ticket,
        ticket::api::list_tickets,
        ticket::api::get_ticket,
        ticket::api::act_on_ticket,
        cost::api::estimate,
        cost::api::estimates,
        cost::api::log_time,
        cost::api::correct_time,
        cost::api::reclassify,
        cost::api::confirm,
        cost::api::dispute,
        cost::api::answer,
        comment::api::api_create,
        attachment::api::api_upload,
        attachment::api::api_download,
        wish::api::api_create,
        wish::api::api_list,
        wish::api::api_get,
        wish::api::api_act,
        kb::api::api_list,
        kb::api::api_create,
        kb::api::api_get,
        kb::api::api_edit,
        kb::api::api_publish,
        kb::api::api_unpublish,
        kb::api::api_draft_from_ticket,
        calendar::api::overview,
        calendar::api::get_hours,
        calendar::api::put_hours,
        calendar::api::get_year,
        calendar::api::put_year,
        settings::api::get_settings,
        settings::api::put_settings,
        kb_suggest::api::api_suggest,
        inbox::api::api_list,
        inbox::api::api_read,
        inbox::api::api_read_all,
        lead::card::api::api_list,
        lead::card::api::api_get,
        lead::card::api::api_patch,
        lead::card::api::api_contact,
        lead::card::api::api_contract,
        lead::card::api::api_search,
        lead::card::api::api_transfer,
        lead::card::api::api_customer,
        lead::intake::api::list_sites,
        lead::intake::api::issue_site,
        lead::intake::api::update_site,
        lead::intake::api::rotate_site,
        lead::intake::api::revoke_site,
        lead::intake::api::form_token,
        lead::intake::api::post_lead,
        lead::intake::api::preflight,
        lead::escalation::api::get_hours,
        lead::escalation::api::put_hours,
        lead::escalation::api::get_network,
        lead::escalation::api::put_network,
        lead::escalation::api::get_overdue,
        lead::privacy::api::anonymise_customer,
        dashboard::api::api_dashboard,
        billing::api::get_price_list,
        billing::api::put_price_list,
        billing::api::get_billing,
        billing::api::put_billing,
        billing::api::get_subscription,
        billing::api::put_subscription,
        billing::api::get_requisites,
        billing::api::put_requisites,
        accountant::api::api_invite,
        accountant::api::api_list,
        accountant::api::api_revoke,
        dealer_survey::api::api_get,
        dealer_survey::api::api_put,
        dealer_survey::api::api_results,
        dealer_survey::api::api_tasks,
        dealer_survey::api::api_close,
        audit::api::search,
        restore::api::delete_lead,
        restore::api::restore_lead,
        restore::api::delete_ticket,
        restore::api::restore_ticket,
        billing::documents_api::list_documents,
        billing::documents_api::get_document,
        billing::documents_api::mark_paid,
        billing::documents_api::correct,
        report::api::api_report,
    ),
    components(schemas(ErrorEnvelope, ErrorBody, FieldProblem))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`: this document (no authentication).
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document of the API.", body = Object))
)]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
