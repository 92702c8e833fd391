//! The tickets' JSON API. Each handler parses, calls one use case, renders.

use crate::AppState;
use crate::attachment::views::AttachmentView;
use crate::comment::views::CommentView;
use crate::cost;
use crate::cost::views::TimeEntryView;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use crate::kernel::paging::page_request;
use crate::ticket::views::{TicketCard, TicketPage, TicketView, event_json};
use crate::ticket::{self, queue};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{
    Action, CostEvent, HistoryEvent, State as TicketState, TicketDraft, TicketId,
};
use dealerdesk_store::{CostRepo, PageRequest};
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /api/tickets`
#[utoipa::path(post, path = "/api/tickets", tag = "tickets", request_body(content = Object, description = "The draft: `title`, `description`, `category`, … (see `TicketDraft`)."), params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key.")), responses((status = 201, body = TicketView, description = "The ticket."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn create_ticket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
    JsonBody(draft): JsonBody<TicketDraft>,
) -> Result<Response, AppError> {
    let key = idempotency_header(&headers)?;
    let (ticket, replayed) = ticket::file_ticket(&state, &caller.actor, &draft, key).await?;
    let response = (
        StatusCode::CREATED,
        Json(TicketView::new(&ticket, state.clock.now())),
    )
        .into_response();
    Ok(with_replayed(response, replayed))
}

/// The `Idempotency-Key` header, if sent.
fn idempotency_header(headers: &HeaderMap) -> Result<Option<&str>, AppError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str().map_err(|_| {
                AppError::bad_request(
                    "bad_idempotency_key",
                    "Ключ идемпотентности: только ASCII-символы.",
                )
            })
        })
        .transpose()
}

/// Marks the answer to a retry (`Idempotent-Replayed: true`).
fn with_replayed(mut response: Response, replayed: bool) -> Response {
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

#[derive(Deserialize, Default)]
struct StateQuery {
    state: Option<String>,
}

/// Reads `state`, `limit` and `cursor` of a ticket listing.
pub fn parse_list_query(raw: Option<&str>) -> Result<(Option<TicketState>, PageRequest), AppError> {
    let q: StateQuery = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))?;
    let filter = match q.state.as_deref() {
        None | Some("") | Some("all") => None,
        Some(code) => Some(TicketState::from_code(code).ok_or_else(|| {
            AppError::bad_request(
                "bad_state",
                "Состояние может быть: new, approval, in_progress, review, done.",
            )
        })?),
    };
    Ok((filter, page_request(raw)?))
}

/// `GET /api/tickets`
#[utoipa::path(get, path = "/api/tickets", tag = "tickets", params(("state" = Option<String>, Query, description = "new, approval, in_progress, review, done or all."), ("view" = Option<String>, Query, description = "`queue` for the specialist's queue."), ("deleted" = Option<bool>, Query, description = "`true`: the deleted tickets instead, most recently deleted first (the admin only)."), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, 50 by default."), ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page.")), responses((status = 200, description = "`{items, next_cursor}`, newest first.", body = TicketPage), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn list_tickets(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<TicketPage>, AppError> {
    let (filter, page) = parse_list_query(query.as_deref())?;
    let page = match queue::parse_view(query.as_deref())? {
        _ if crate::restore::api::deleted_requested(query.as_deref())? => {
            crate::restore::deleted_tickets(&state, &caller.actor, &page).await?
        }
        Some(queue::View::Queue) => queue::list(&state, &caller.actor, filter, &page).await?,
        _ => ticket::list_tickets(&state, &caller.actor, filter, &page).await?,
    };
    let now = state.clock.now();
    Ok(Json(TicketPage {
        items: page.items.iter().map(|t| TicketView::new(t, now)).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// `GET /api/tickets/{id}`
#[utoipa::path(get, path = "/api/tickets/{id}", tag = "tickets", params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, description = "The ticket card: the ticket, SLA, cost, history, time entries, comments, attachments, available actions.", body = TicketCard), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_ticket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
) -> Result<Json<TicketCard>, AppError> {
    let (ticket, history) = ticket::ticket_card(&state, &caller.actor, &id).await?;
    let ledger = state.store.ticket_ledger(&ticket.id).await?;
    let notes = crate::comment::notes(&state, &ticket).await?;
    let auto_accept = ticket::auto_accept_part(&state, &ticket).await?;
    Ok(Json(TicketCard {
        ticket: TicketView::new(&ticket, state.clock.now()),
        history: merged_history(&history, &ledger.events),
        available_actions: ticket
            .available_actions(&caller.actor)
            .into_iter()
            .map(Action::code)
            .collect(),
        time_entries: ledger
            .time_entries
            .iter()
            .map(|e| TimeEntryView::new(e, &ledger.time_entries))
            .collect(),
        cost_actions: cost::views::cost_actions(&ticket, &caller.actor),
        comments: notes.comments.iter().map(CommentView::new).collect(),
        attachments: notes.attachments.iter().map(AttachmentView::new).collect(),
        auto_accept,
    }))
}

/// A move with its data, against the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActionBody {
    action: String,
    comment: Option<String>,
    /// Required for `send_estimate`: the work estimate, minutes.
    estimate_minutes: Option<i64>,
    version: u64,
}

/// `POST /api/tickets/{id}/actions`
#[utoipa::path(post, path = "/api/tickets/{id}/actions", tag = "tickets", request_body = ActionBody, params(("id" = String, Path, description = "The ticket id."), ("Idempotency-Key" = Option<String>, Header, description = "A retry of a move whose answer was lost gets the ticket as it is (not a 409); the same key for a different move is a 422.")), responses((status = 200, body = TicketView, description = "The ticket."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn act_on_ticket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ActionBody>,
) -> Result<Response, AppError> {
    let action = Action::from_code(&body.action)
        .filter(|a| *a != Action::AutoAccept)
        .ok_or_else(|| {
            AppError::bad_request(
                "unknown_action",
                "Неизвестное действие. Допустимы: take, ask_info, answer, send_estimate, approve_estimate, reject_estimate, send_for_review, accept, return, declare_impossible.",
            )
        })?;
    let key = idempotency_header(&headers)?;
    let m = ticket::Move {
        id: &id,
        action,
        comment: body.comment.as_deref(),
        estimate_minutes: body.estimate_minutes,
        seen_version: body.version,
        idempotency_key: key,
    };
    let (ticket, replayed) = crate::cost::act(&state, &caller.actor, &m).await?;
    Ok(with_replayed(
        Json(TicketView::new(&ticket, state.clock.now())).into_response(),
        replayed,
    ))
}

/// The ticket's history with its cost events merged in by time (`kind` = `status` or
/// `cost`), so the dealer reads one history.
pub fn merged_history(history: &[HistoryEvent], events: &[CostEvent]) -> Vec<Value> {
    let mut all: Vec<(DateTime<Utc>, Value)> = history
        .iter()
        .map(|e| {
            let mut v = event_json(e);
            v["kind"] = json!("status");
            (e.at, v)
        })
        .chain(
            events
                .iter()
                .map(|e| (e.at, cost::views::cost_event_json(e))),
        )
        .collect();
    // Stable: within one instant the lifecycle move comes before the cost step.
    all.sort_by_key(|(at, _)| *at);
    all.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_defaults_to_fifty_of_every_state() {
        let (filter, page) = parse_list_query(None).unwrap();
        assert_eq!(filter, None);
        assert_eq!(page.limit, 50);
    }

    #[test]
    fn a_listing_reads_state_limit_and_cursor() {
        let (filter, page) = parse_list_query(Some("state=review&limit=10&cursor=abc")).unwrap();
        assert_eq!(filter, Some(TicketState::Review));
        assert_eq!(page.limit, 10);
        assert_eq!(page.cursor.as_deref(), Some("abc"));
    }

    #[test]
    fn bad_listing_parameters_are_400s() {
        for q in ["state=closed", "limit=0", "limit=101", "limit=x"] {
            let err = parse_list_query(Some(q)).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{q}");
        }
    }
}
