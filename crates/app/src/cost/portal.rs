//! The portal's «Детализация» block (`templates/ticket_cost.html`) and its forms: time
//! entries and corrections, reclassification, the dealer's confirm / dispute, the
//! specialist's answer, and the estimate banner.

use crate::AppState;
use crate::cost;
use crate::kernel::caller::PortalCaller;
use crate::kernel::card::CardRefusal;
use crate::kernel::error::AppError;
use crate::kernel::extract::form;
use crate::kernel::ids::{IdPath, IdPath2};
use crate::kernel::templates::error_page;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::{
    CorrectionDraft, CostAction, ReclassifyDraft, TicketId, TimeEntryDraft, TimeEntryId,
    ValidationError,
};
use std::collections::HashMap;

/// Reads a whole number of minutes from a form field; empty is absent.
fn minutes_field(value: Option<&String>) -> Result<Option<i64>, AppError> {
    match value.map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ValidationError::field("minutes", "Время — целое число минут.").into()),
    }
}

fn version_field(fields: &HashMap<String, String>) -> Result<u64, AppError> {
    fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::bad_request("bad_form", "Форма заполнена некорректно."))
}

pub(crate) fn text_field(fields: &HashMap<String, String>, name: &str) -> Option<String> {
    fields.get(name).cloned().filter(|v| !v.trim().is_empty())
}

/// Runs one form's use case: back to the card on success, the card with the error (and
/// the typed words kept) otherwise.
async fn submit(
    state: &AppState,
    caller: &PortalCaller,
    id: &TicketId,
    body: &Bytes,
    run: impl AsyncFnOnce(&HashMap<String, String>) -> Result<(), AppError>,
) -> Response {
    let fields = form(body);
    if let Err(e) = caller
        .principal
        .check_csrf(fields.get("csrf").map(String::as_str))
    {
        return error_page(state, Some(caller), &e);
    }
    match run(&fields).await {
        Ok(()) => Redirect::to(&format!("/tickets/{id}#cost")).into_response(),
        Err(e) => {
            let comment = fields.get("comment").map(String::as_str).unwrap_or("");
            CardRefusal::new(caller.clone(), id.clone(), e, comment).into_response()
        }
    }
}

/// `POST /tickets/{id}/time-entries`
pub async fn log_time(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<TicketId>,
    body: Bytes,
) -> Response {
    let actor = caller.principal.actor.clone();
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let draft = TimeEntryDraft {
            minutes: minutes_field(f.get("minutes"))?,
            note: f.get("note").cloned(),
        };
        cost::log_time(&state, &actor, &id, &draft, version)
            .await
            .map(|_| ())
    })
    .await
}

/// `POST /tickets/{id}/time-entries/{entry}/correction`
pub async fn correct_time(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath2(id, entry): IdPath2<TicketId, TimeEntryId>,
    body: Bytes,
) -> Response {
    let actor = caller.principal.actor.clone();
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let draft = CorrectionDraft {
            minutes: minutes_field(f.get("minutes"))?,
            note: f.get("note").cloned(),
        };
        cost::correct_time(&state, &actor, &id, &entry, &draft, version)
            .await
            .map(|_| ())
    })
    .await
}

/// `POST /tickets/{id}/reclassify`
pub async fn reclassify(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<TicketId>,
    body: Bytes,
) -> Response {
    let actor = caller.principal.actor.clone();
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let draft = ReclassifyDraft {
            category: text_field(f, "category"),
            billing: text_field(f, "billing"),
            reason: f.get("reason").cloned(),
        };
        cost::reclassify(&state, &actor, &id, &draft, version)
            .await
            .map(|_| ())
    })
    .await
}

/// `POST /tickets/{id}/cost/{move}`: `confirm`, `dispute` or `answer`.
pub async fn cost_move(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath2(id, step): IdPath2<TicketId, String>,
    body: Bytes,
) -> Response {
    let actor = caller.principal.actor.clone();
    if !matches!(step.as_str(), "confirm" | "dispute" | "answer") {
        return error_page(&state, Some(&caller), &AppError::not_found());
    }
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let comment = f.get("comment").cloned().unwrap_or_default();
        let action = match step.as_str() {
            "confirm" => CostAction::Confirm,
            "dispute" => CostAction::Dispute { comment },
            _ => CostAction::AnswerDispute { comment },
        };
        cost::cost_move(&state, &actor, &id, action, version)
            .await
            .map(|_| ())
    })
    .await
}
