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

use crate::AppState;
use crate::api::{ApiCaller, parse_json};
use crate::costs::{self, estimate_json, time_entry_json};
use crate::error::AppError;
use crate::views::ticket_json;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::{
    CorrectionDraft, CostAction, ReclassifyDraft, Ticket, TicketId, TimeEntry, TimeEntryDraft,
    TimeEntryId,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct TimeBody {
    minutes: Option<i64>,
    note: Option<String>,
    version: u64,
}

fn with_entry(state: &AppState, ticket: &Ticket, entry: &TimeEntry) -> Response {
    let mut body = ticket_json(ticket, state.clock.now());
    body["time_entry"] = time_entry_json(entry, std::slice::from_ref(entry));
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `POST /api/tickets/{id}/time-entries`
pub async fn log_time(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let body: TimeBody = parse_json(&body)?;
    let draft = TimeEntryDraft {
        minutes: body.minutes,
        note: body.note,
    };
    let (ticket, entry) =
        costs::log_time(&state, &caller.actor, &TicketId::new(id), &draft, body.version).await?;
    Ok(with_entry(&state, &ticket, &entry))
}

/// `POST /api/tickets/{id}/time-entries/{entry}/correction`
pub async fn correct_time(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((id, entry)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let body: TimeBody = parse_json(&body)?;
    let draft = CorrectionDraft {
        minutes: body.minutes,
        note: body.note,
    };
    let (ticket, correction) = costs::correct_time(
        &state,
        &caller.actor,
        &TicketId::new(id),
        &TimeEntryId::new(entry),
        &draft,
        body.version,
    )
    .await?;
    Ok(with_entry(&state, &ticket, &correction))
}

#[derive(Deserialize)]
struct ReclassifyBody {
    category: Option<String>,
    billing: Option<String>,
    reason: Option<String>,
    version: u64,
}

/// `POST /api/tickets/{id}/reclassify`
pub async fn reclassify(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let body: ReclassifyBody = parse_json(&body)?;
    let draft = ReclassifyDraft {
        category: body.category,
        billing: body.billing,
        reason: body.reason,
    };
    let ticket =
        costs::reclassify(&state, &caller.actor, &TicketId::new(id), &draft, body.version).await?;
    Ok(Json(ticket_json(&ticket, state.clock.now())))
}

#[derive(Deserialize)]
struct CostBody {
    #[serde(default)]
    comment: String,
    version: u64,
}

async fn cost_move(
    state: &AppState,
    caller: &ApiCaller,
    id: String,
    body: &Bytes,
    action: impl FnOnce(String) -> CostAction,
) -> Result<Json<serde_json::Value>, AppError> {
    let body: CostBody = parse_json(body)?;
    let ticket = costs::cost_move(
        state,
        &caller.0.actor,
        &TicketId::new(id),
        action(body.comment),
        body.version,
    )
    .await?;
    Ok(Json(ticket_json(&ticket, state.clock.now())))
}

/// `POST /api/tickets/{id}/cost/confirm`
pub async fn confirm(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    cost_move(&state, &caller, id, &body, |_| CostAction::Confirm).await
}

/// `POST /api/tickets/{id}/cost/dispute`
pub async fn dispute(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    cost_move(&state, &caller, id, &body, |comment| CostAction::Dispute { comment }).await
}

/// `POST /api/tickets/{id}/cost/answer`
pub async fn answer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    cost_move(&state, &caller, id, &body, |comment| CostAction::AnswerDispute { comment }).await
}

/// `GET /api/tickets/{id}/estimate`
pub async fn estimate(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match costs::ticket_estimate(&state, &caller.actor, &TicketId::new(id)).await? {
        Some(e) => Ok(Json(estimate_json(&e)).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}
