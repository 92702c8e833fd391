//! Delete and restore in the JSON API:
//!
//! - `DELETE /api/leads/{id}?version=N`, `POST /api/leads/{id}/restore` `{version}` — the
//!   brand's head office and the admin;
//! - `DELETE /api/tickets/{id}?version=N`, `POST /api/tickets/{id}/restore` `{version}` —
//!   the admin;
//! - the deleted lists are `GET /api/leads?deleted=true` and `GET /api/tickets?deleted=true`
//!   (the lists' handlers ask [`deleted_requested`]).

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use crate::restore::{self, views::DeletionView};
use axum::Json;
use axum::extract::{RawQuery, State};
use dealerdesk_domain::TicketId;
use dealerdesk_domain::audit::Deletable;
use dealerdesk_domain::lead::LeadId;
use serde::Deserialize;

/// The version the caller saw, in a restore's body.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct VersionBody {
    /// The item's `version` as the caller read it.
    version: Option<u64>,
}

#[derive(Deserialize, Default)]
struct ListFlags {
    deleted: Option<String>,
    version: Option<String>,
}

fn flags(raw: Option<&str>) -> Result<ListFlags, AppError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))
}

fn version_required() -> AppError {
    AppError::bad_request(
        "version_required",
        "Укажите версию, которую вы видели (параметр version): так чужое изменение не потеряется.",
    )
}

/// Whether a list's query asks for the deleted items (`deleted=true`); `deleted=false` or
/// none is the live list, anything else a 400.
pub fn deleted_requested(raw: Option<&str>) -> Result<bool, AppError> {
    match flags(raw)?.deleted.as_deref() {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(AppError::bad_request(
            "bad_query",
            "Параметр deleted может быть true или false.",
        )),
    }
}

/// The `version` of a `DELETE`'s query.
fn query_version(raw: Option<&str>) -> Result<u64, AppError> {
    match flags(raw)?.version.as_deref() {
        None | Some("") => Err(version_required()),
        Some(v) => v.parse::<u64>().map_err(|_| version_required()),
    }
}

/// Whether the caller deletes and restores `what` (403 before the query is read).
fn allowed(caller: &ApiCaller, what: Deletable) -> Result<(), AppError> {
    restore::ensure_may(&caller.0.actor, what)
}

/// `DELETE /api/leads/{id}?version=N`
#[utoipa::path(delete, path = "/api/leads/{id}", tag = "leads", params(("id" = String, Path, description = "The lead id."), ("version" = u64, Query, description = "The lead's version as the caller read it.")), responses((status = 200, description = "The lead is deleted: out of every list, search and job until restored.", body = DeletionView), (status = "4XX", description = "Refused: the `error` envelope (403 for a role that may not delete leads, 409 for a stale version or a lead already deleted).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn delete_lead(
    State(state): State<AppState>,
    caller: ApiCaller,
    IdPath(id): IdPath<LeadId>,
    RawQuery(query): RawQuery,
) -> Result<Json<DeletionView>, AppError> {
    allowed(&caller, Deletable::Lead)?;
    let version = query_version(query.as_deref())?;
    let lead = restore::move_lead(&state, &caller.0.actor, &id, version, true).await?;
    Ok(Json(DeletionView::new(
        lead.id().as_str(),
        lead.version(),
        lead.deleted(),
    )))
}

/// `POST /api/leads/{id}/restore` `{version}`
#[utoipa::path(post, path = "/api/leads/{id}/restore", tag = "leads", request_body = VersionBody, params(("id" = String, Path, description = "The lead id.")), responses((status = 200, description = "The lead is back, with its history.", body = DeletionView), (status = "4XX", description = "Refused: the `error` envelope (409 for a stale version or a lead that is not deleted).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn restore_lead(
    State(state): State<AppState>,
    caller: ApiCaller,
    IdPath(id): IdPath<LeadId>,
    JsonBody(body): JsonBody<VersionBody>,
) -> Result<Json<DeletionView>, AppError> {
    allowed(&caller, Deletable::Lead)?;
    let version = body.version.ok_or_else(version_required)?;
    let lead = restore::move_lead(&state, &caller.0.actor, &id, version, false).await?;
    Ok(Json(DeletionView::new(
        lead.id().as_str(),
        lead.version(),
        lead.deleted(),
    )))
}

/// `DELETE /api/tickets/{id}?version=N`
#[utoipa::path(delete, path = "/api/tickets/{id}", tag = "tickets", params(("id" = String, Path, description = "The ticket id."), ("version" = u64, Query, description = "The ticket's version as the admin read it.")), responses((status = 200, description = "The ticket is deleted: out of every list, queue, job and estimate until restored.", body = DeletionView), (status = "4XX", description = "Refused: the `error` envelope (403 for anyone but the admin, 409 for a stale version or a ticket already deleted).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn delete_ticket(
    State(state): State<AppState>,
    caller: ApiCaller,
    IdPath(id): IdPath<TicketId>,
    RawQuery(query): RawQuery,
) -> Result<Json<DeletionView>, AppError> {
    allowed(&caller, Deletable::Ticket)?;
    let version = query_version(query.as_deref())?;
    let ticket = restore::move_ticket(&state, &caller.0.actor, &id, version, true).await?;
    Ok(Json(DeletionView::new(
        ticket.id.as_str(),
        ticket.version,
        ticket.deleted.as_ref(),
    )))
}

/// `POST /api/tickets/{id}/restore` `{version}`
#[utoipa::path(post, path = "/api/tickets/{id}/restore", tag = "tickets", request_body = VersionBody, params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, description = "The ticket is back, with its history.", body = DeletionView), (status = "4XX", description = "Refused: the `error` envelope (409 for a stale version or a ticket that is not deleted).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn restore_ticket(
    State(state): State<AppState>,
    caller: ApiCaller,
    IdPath(id): IdPath<TicketId>,
    JsonBody(body): JsonBody<VersionBody>,
) -> Result<Json<DeletionView>, AppError> {
    allowed(&caller, Deletable::Ticket)?;
    let version = body.version.ok_or_else(version_required)?;
    let ticket = restore::move_ticket(&state, &caller.0.actor, &id, version, false).await?;
    Ok(Json(DeletionView::new(
        ticket.id.as_str(),
        ticket.version,
        ticket.deleted.as_ref(),
    )))
}
