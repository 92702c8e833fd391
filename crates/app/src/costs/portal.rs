//! The portal's «Детализация» block (`templates/ticket_cost.html`) and its forms: time
//! entries and corrections, reclassification, the dealer's confirm / dispute, the
//! specialist's answer, and the estimate banner.

use crate::AppState;
use crate::costs::{self, cost_actions, ledger_names};
use crate::error::AppError;
use crate::portal::{PortalCaller, error_page, form, new_ticket_page_with, ticket_page};
use crate::views::local;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::{
    Action, Actor, Billing, Category, CorrectionDraft, CostAction, Estimate, ReclassifyDraft,
    Ticket, TicketDraft, TicketId, TimeEntryDraft, TimeEntryId, ValidationError,
    effective_minutes, format_rub, minutes_text,
};
use minijinja::{Value, context};
use std::collections::HashMap;

/// The block's context: time entries, cost history, the estimate banner and which forms
/// the viewer gets.
pub async fn block(state: &AppState, actor: &Actor, ticket: &Ticket) -> Result<Value, AppError> {
    let ledger = costs::ledger(state, ticket).await?;
    let names = ledger_names(state, &ledger).await?;
    let who = |id: Option<&dealerdesk_domain::UserId>| match id {
        Some(id) => names.get(id).cloned().unwrap_or_else(|| id.to_string()),
        None => "Система".to_string(),
    };
    let entries: Vec<Value> = ledger
        .time_entries
        .iter()
        .map(|e| {
            context! {
                id => e.id.as_str(),
                at_local => local(e.at),
                who => who(Some(&e.specialist_id)),
                minutes => e.minutes,
                note => e.note.clone(),
                is_correction => e.is_correction(),
                current => (!e.is_correction())
                    .then(|| effective_minutes(&ledger.time_entries, &e.id))
                    .flatten(),
            }
        })
        .collect();
    let events: Vec<Value> = ledger
        .events
        .iter()
        .map(|e| {
            context! {
                at_local => local(e.at),
                who => who(e.actor_id.as_ref()),
                action_label => e.kind.label(),
                from_label => e.from.label(),
                to_label => e.to.label(),
                comment => e.comment.clone(),
                detail => e.detail.clone(),
                cost_label => format_rub(e.cost),
                minutes_label => minutes_text(e.minutes),
            }
        })
        .collect();
    // The banner is informational: any failure to build it must not break the card.
    let estimate = if ticket.billing == Billing::Paid && !ticket.status.is_done() {
        match costs::ticket_estimate(state, actor, &ticket.id).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(ticket = %ticket.id, error = %e, "estimate banner unavailable");
                None
            }
        }
    } else {
        None
    };
    let estimate = estimate.as_ref().map(banner);
    let actions = cost_actions(ticket, actor);
    let categories: Vec<_> = Category::ALL
        .iter()
        .map(|c| context! { code => c.code(), label => c.label(), billing => c.default_billing().label() })
        .collect();
    let billings: Vec<_> = Billing::ALL
        .iter()
        .map(|b| context! { code => b.code(), label => b.label() })
        .collect();
    Ok(context! {
        entries => entries,
        events => events,
        estimate => estimate,
        can_log => actions.contains(&"log_time"),
        can_correct => actions.contains(&"correct_time"),
        can_reclassify => actions.contains(&"reclassify"),
        can_confirm => actions.contains(&"confirm"),
        can_dispute => actions.contains(&"dispute"),
        can_answer => actions.contains(&"answer"),
        can_send_estimate => ticket.available_actions(actor).contains(&Action::SendEstimate),
        deadline_label => ticket
            .cost
            .quarter
            .filter(|_| ticket.cost.is_open())
            .map(|q| dealerdesk_domain::confirmation_deadline(q).format("%d.%m.%Y").to_string()),
        categories => categories,
        billings => billings,
    })
}

/// The estimate banner's words.
fn banner(e: &Estimate) -> Value {
    context! {
        median => format_rub(e.median),
        low => format_rub(e.low),
        high => format_rub(e.high),
        count => e.count,
        period_days => e.period_days,
    }
}

/// `POST /tickets/new/estimate`: the new-ticket form again, with what similar work cost
/// (SPEC §2.5) for what the dealer has typed so far. Works without JavaScript: the form's
/// second button posts here.
pub async fn new_ticket_estimate(State(state): State<AppState>, caller: PortalCaller, body: Bytes) -> Response {
    let fields = form(&body);
    if let Err(e) = caller.principal.check_csrf(fields.get("csrf").map(String::as_str)) {
        return error_page(&state, Some(&caller), &e);
    }
    let draft = TicketDraft {
        title: text_field(&fields, "title"),
        text: text_field(&fields, "text"),
        category: text_field(&fields, "category"),
        criticality: text_field(&fields, "criticality"),
        billing: text_field(&fields, "billing"),
    };
    match costs::draft_estimate(&state, &caller.principal.actor, &draft).await {
        Ok(estimate) => {
            let banner = estimate.as_ref().map_or_else(
                || context! { none => true },
                banner,
            );
            new_ticket_page_with(&state, &caller, axum::http::StatusCode::OK, &fields, None, banner)
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// Reads a whole number of minutes from a form field; empty is absent.
fn minutes_field(value: Option<&String>) -> Result<Option<i64>, AppError> {
    match value.map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ValidationError::field("minutes", "Время — целое число минут.").into()
        }),
    }
}

fn version_field(fields: &HashMap<String, String>) -> Result<u64, AppError> {
    fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::bad_request("bad_form", "Форма заполнена некорректно."))
}

fn text_field(fields: &HashMap<String, String>, name: &str) -> Option<String> {
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
    if let Err(e) = caller.principal.check_csrf(fields.get("csrf").map(String::as_str)) {
        return error_page(state, Some(caller), &e);
    }
    match run(&fields).await {
        Ok(()) => Redirect::to(&format!("/tickets/{id}#cost")).into_response(),
        Err(e) => {
            let comment = fields.get("comment").map(String::as_str).unwrap_or("");
            ticket_page(state, caller, id, e.status(), Some(&e), comment).await
        }
    }
}

/// `POST /tickets/{id}/time-entries`
pub async fn log_time(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let id = TicketId::new(id);
    let actor = caller.principal.actor.clone();
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let draft = TimeEntryDraft {
            minutes: minutes_field(f.get("minutes"))?,
            note: f.get("note").cloned(),
        };
        costs::log_time(&state, &actor, &id, &draft, version).await.map(|_| ())
    })
    .await
}

/// `POST /tickets/{id}/time-entries/{entry}/correction`
pub async fn correct_time(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path((id, entry)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let id = TicketId::new(id);
    let entry = TimeEntryId::new(entry);
    let actor = caller.principal.actor.clone();
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let draft = CorrectionDraft {
            minutes: minutes_field(f.get("minutes"))?,
            note: f.get("note").cloned(),
        };
        costs::correct_time(&state, &actor, &id, &entry, &draft, version)
            .await
            .map(|_| ())
    })
    .await
}

/// `POST /tickets/{id}/reclassify`
pub async fn reclassify(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let id = TicketId::new(id);
    let actor = caller.principal.actor.clone();
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let draft = ReclassifyDraft {
            category: text_field(f, "category"),
            billing: text_field(f, "billing"),
            reason: f.get("reason").cloned(),
        };
        costs::reclassify(&state, &actor, &id, &draft, version)
            .await
            .map(|_| ())
    })
    .await
}

/// `POST /tickets/{id}/cost/{move}`: `confirm`, `dispute` or `answer`.
pub async fn cost_move(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path((id, step)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let id = TicketId::new(id);
    let actor = caller.principal.actor.clone();
    if !matches!(step.as_str(), "confirm" | "dispute" | "answer") {
        return error_page(&state, Some(&caller), &AppError::NotFound);
    }
    submit(&state, &caller, &id, &body, async |f| {
        let version = version_field(f)?;
        let comment = f.get("comment").cloned().unwrap_or_default();
        let action = match step.as_str() {
            "confirm" => CostAction::Confirm,
            "dispute" => CostAction::Dispute { comment },
            _ => CostAction::AnswerDispute { comment },
        };
        costs::cost_move(&state, &actor, &id, action, version)
            .await
            .map(|_| ())
    })
    .await
}
