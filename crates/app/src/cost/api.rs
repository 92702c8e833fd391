//! The time-and-cost JSON API. Each handler parses, calls one use case, renders.
//!
//! - `POST /api/tickets/{id}/time-entries` `{minutes, note, version}` → 201, the ticket
//!   with `time_entry`
//! - `POST /api/tickets/{id}/time-entries/{entry}/correction` `{minutes, note, version}`
//!   → 201, the ticket with `time_entry` (the correction)
//! - `POST /api/tickets/{id}/reclassify` `{category?, billing?, reason, version}` → the ticket
//! - `POST /api/tickets/{id}/cost/confirm` `{version}`, `…/cost/dispute` `{comment, version}`,
//!   `…/cost/answer` `{comment, version}` → the ticket
//! - `GET /api/tickets/{id}/estimate` → `{median, low, high, count, period_days}` or 204
//! - `GET /api/estimates?category=&criticality=&text=` (`title`, `billing` optional) → the
//!   same banner for a ticket not filed yet, or 204

use crate::AppState;
use crate::cost;
use crate::cost::views::{EstimateView, TimeEntryView};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::{IdPath, IdPath2};
use crate::ticket::views::TicketView;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::{
    CorrectionDraft, CostAction, EstimateDraft, ReclassifyDraft, Ticket, TicketId, TimeEntry,
    TimeEntryDraft, TimeEntryId,
};
use serde::{Deserialize, Serialize};

/// Minutes and a note for a time entry or its correction, against the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct TimeBody {
    minutes: Option<i64>,
    note: Option<String>,
    version: u64,
}

/// The ticket after a time entry, with the entry.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketWithEntry {
    #[serde(flatten)]
    ticket: TicketView,
    time_entry: TimeEntryView,
}

fn with_entry(state: &AppState, ticket: &Ticket, entry: &TimeEntry) -> Response {
    let body = TicketWithEntry {
        ticket: TicketView::new(ticket, state.clock.now()),
        time_entry: TimeEntryView::new(entry, std::slice::from_ref(entry)),
    };
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `POST /api/tickets/{id}/time-entries`
#[utoipa::path(post, path = "/api/tickets/{id}/time-entries", tag = "cost", request_body = TimeBody, params(("id" = String, Path, description = "The ticket id.")), responses((status = 201, description = "The ticket with `time_entry`.", body = TicketWithEntry), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn log_time(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<TimeBody>,
) -> Result<Response, AppError> {
    let draft = TimeEntryDraft {
        minutes: body.minutes,
        note: body.note,
    };
    let (ticket, entry) = cost::log_time(&state, &caller.actor, &id, &draft, body.version).await?;
    Ok(with_entry(&state, &ticket, &entry))
}

/// `POST /api/tickets/{id}/time-entries/{entry}/correction`
#[utoipa::path(post, path = "/api/tickets/{id}/time-entries/{entry}/correction", tag = "cost", request_body = TimeBody, params(("id" = String, Path, description = "The ticket id."), ("entry" = String, Path, description = "The time entry id.")), responses((status = 201, description = "The ticket with `time_entry` (the correction).", body = TicketWithEntry), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn correct_time(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath2(id, entry): IdPath2<TicketId, TimeEntryId>,
    JsonBody(body): JsonBody<TimeBody>,
) -> Result<Response, AppError> {
    let draft = CorrectionDraft {
        minutes: body.minutes,
        note: body.note,
    };
    let (ticket, correction) =
        cost::correct_time(&state, &caller.actor, &id, &entry, &draft, body.version).await?;
    Ok(with_entry(&state, &ticket, &correction))
}

/// A new category and/or billing class with the reason, against the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReclassifyBody {
    category: Option<String>,
    billing: Option<String>,
    reason: Option<String>,
    version: u64,
}

/// `POST /api/tickets/{id}/reclassify`
#[utoipa::path(post, path = "/api/tickets/{id}/reclassify", tag = "cost", request_body = ReclassifyBody, params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, body = TicketView, description = "The ticket."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn reclassify(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<ReclassifyBody>,
) -> Result<Json<TicketView>, AppError> {
    let draft = ReclassifyDraft {
        category: body.category,
        billing: body.billing,
        reason: body.reason,
    };
    let ticket = cost::reclassify(&state, &caller.actor, &id, &draft, body.version).await?;
    Ok(Json(TicketView::new(&ticket, state.clock.now())))
}

/// A cost move's words (a dispute's or an answer's), against the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CostBody {
    #[serde(default)]
    comment: String,
    version: u64,
}

async fn cost_move(
    state: &AppState,
    caller: &ApiCaller,
    id: TicketId,
    body: CostBody,
    action: impl FnOnce(String) -> CostAction,
) -> Result<Json<TicketView>, AppError> {
    let ticket = cost::cost_move(
        state,
        &caller.0.actor,
        &id,
        action(body.comment),
        body.version,
    )
    .await?;
    Ok(Json(TicketView::new(&ticket, state.clock.now())))
}

/// `POST /api/tickets/{id}/cost/confirm`
#[utoipa::path(post, path = "/api/tickets/{id}/cost/confirm", tag = "cost", request_body = CostBody, params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, body = TicketView, description = "The ticket."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<CostBody>,
) -> Result<Json<TicketView>, AppError> {
    cost_move(&state, &caller, id, body, |_| CostAction::Confirm).await
}

/// `POST /api/tickets/{id}/cost/dispute`
#[utoipa::path(post, path = "/api/tickets/{id}/cost/dispute", tag = "cost", request_body = CostBody, params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, body = TicketView, description = "The ticket."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn dispute(
    State(state): State<AppState>,
    caller: ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<CostBody>,
) -> Result<Json<TicketView>, AppError> {
    cost_move(&state, &caller, id, body, |comment| CostAction::Dispute {
        comment,
    })
    .await
}

/// `POST /api/tickets/{id}/cost/answer`
#[utoipa::path(post, path = "/api/tickets/{id}/cost/answer", tag = "cost", request_body = CostBody, params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, body = TicketView, description = "The ticket."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn answer(
    State(state): State<AppState>,
    caller: ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<CostBody>,
) -> Result<Json<TicketView>, AppError> {
    cost_move(&state, &caller, id, body, |comment| {
        CostAction::AnswerDispute { comment }
    })
    .await
}

/// `GET /api/tickets/{id}/estimate`
#[utoipa::path(get, path = "/api/tickets/{id}/estimate", tag = "cost", params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, description = "`{median, low, high, count, period_days}`.", body = EstimateView), (status = 204, description = "Too few similar tickets for an estimate."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn estimate(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
) -> Result<Response, AppError> {
    match cost::ticket_estimate(&state, &caller.actor, &id).await? {
        Some(e) => Ok(Json(EstimateView::new(&e)).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// The query of `GET /api/estimates`: the new-ticket form's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EstimateQuery {
    category: Option<String>,
    criticality: Option<String>,
    text: Option<String>,
    title: Option<String>,
    billing: Option<String>,
}

/// `GET /api/estimates`
#[utoipa::path(get, path = "/api/estimates", tag = "cost", params(("category" = String, Query, description = "The category code."), ("criticality" = String, Query, description = "low, medium or high."), ("text" = String, Query, description = "What needs doing: the ticket's text."), ("title" = Option<String>, Query, description = "The ticket's title, if typed."), ("billing" = Option<String>, Query, description = "paid or free; the category's default when absent.")), responses((status = 200, description = "`{median, low, high, count, period_days}` of similar finished paid work.", body = EstimateView), (status = 204, description = "Free work, or too few similar tickets for an estimate."), (status = "4XX", description = "Refused: the `error` envelope (400 for an unknown or repeated parameter, 422 with `fields` for a bad value).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn estimates(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let q: EstimateQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))?;
    let draft = EstimateDraft {
        category: q.category,
        criticality: q.criticality,
        billing: q.billing,
        title: q.title,
        text: q.text,
    };
    match cost::draft_estimate(&state, &caller.actor, &draft).await? {
        Some(e) => Ok(Json(EstimateView::new(&e)).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}
