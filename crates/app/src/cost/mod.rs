//! Time, cost, estimates and cost confirmation (SPEC §2.2–§2.6). The rules are the
//! domain's (`costing`, `cost`, `pricing`, `estimate`); each use case here authorises,
//! applies one rule and stores the ticket with its time entry, cost event and notices in
//! one conditional transaction. The ticket itself comes from [`crate::ticket`].

pub mod api;
pub mod jobs;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::names::user_names;
use crate::ticket::{self, visible_ticket};
use chrono::Duration;
use dealerdesk_domain::{
    Action, Actor, CorrectionDraft, CostAction, CostEvent, Estimate, EstimateDraft,
    ReclassifyDraft, Ticket, TicketId, TimeEntry, TimeEntryDraft, TimeEntryId, UserId,
    check_estimate_minutes, estimate_with,
};
use dealerdesk_store::{CostRepo, Ledger, LedgerWrite};
use std::collections::HashMap;

fn same_version(ticket: &Ticket, seen: u64) -> Result<(), AppError> {
    if ticket.version == seen {
        Ok(())
    } else {
        Err(AppError::stale(dealerdesk_store::Entity::Ticket))
    }
}

fn platform_only(actor: &Actor) -> Result<(), AppError> {
    if actor.role.works_tickets() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn new_entry_id() -> TimeEntryId {
    TimeEntryId::new(ulid::Ulid::new().to_string())
}

pub(crate) async fn save(
    state: &AppState,
    previous: &Ticket,
    ticket: &Ticket,
    time_entry: Option<&TimeEntry>,
    event: Option<&CostEvent>,
    notices: &[dealerdesk_domain::Notice],
) -> Result<(), AppError> {
    state
        .store
        .save_ledger_write(&LedgerWrite {
            previous,
            ticket,
            time_entry,
            event,
            notices,
        })
        .await?;
    Ok(())
}

/// A specialist logs `{minutes, note}` on a ticket seen at `seen_version`.
pub async fn log_time(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    draft: &TimeEntryDraft,
    seen_version: u64,
) -> Result<(Ticket, TimeEntry), AppError> {
    let ticket = visible_ticket(state, actor, id).await?;
    platform_only(actor)?;
    let new = draft.validate()?;
    same_version(&ticket, seen_version)?;
    let (next, entry) = ticket.log_time(actor, new_entry_id(), new, state.clock.now())?;
    save(state, &ticket, &next, Some(&entry), None, &[]).await?;
    tracing::info!(ticket = %next.id, minutes = entry.minutes, total = next.cost.minutes, "time logged");
    Ok((next, entry))
}

/// A specialist corrects time entry `entry` to `{minutes, note}`. On a finished ticket
/// this answers the dealer's dispute: the cost is pending again and the dealer is told.
pub async fn correct_time(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    entry: &TimeEntryId,
    draft: &CorrectionDraft,
    seen_version: u64,
) -> Result<(Ticket, TimeEntry), AppError> {
    let ticket = visible_ticket(state, actor, id).await?;
    platform_only(actor)?;
    let correction = draft.validate()?;
    same_version(&ticket, seen_version)?;
    // Read after the ticket: a ledger change bumps the version, so a ledger newer than
    // `ticket` makes the conditional write below fail rather than mix two states.
    let ledger = state.store.ticket_ledger(id).await?;
    let (next, time, event) = ticket.correct_time(
        actor,
        &ledger.time_entries,
        entry,
        new_entry_id(),
        correction,
        state.clock.now(),
    )?;
    let notices = if ticket.status.is_done() {
        next.cost_notices(&event)
    } else {
        Vec::new()
    };
    save(state, &ticket, &next, Some(&time), Some(&event), &notices).await?;
    tracing::info!(ticket = %next.id, entry = %entry, total = next.cost.minutes, "time corrected");
    Ok((next, time))
}

/// A specialist changes a ticket's category and/or billing class with a reason; the dealer
/// is told.
pub async fn reclassify(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    draft: &ReclassifyDraft,
    seen_version: u64,
) -> Result<Ticket, AppError> {
    let ticket = visible_ticket(state, actor, id).await?;
    platform_only(actor)?;
    let change = draft.validate((ticket.category, ticket.billing))?;
    same_version(&ticket, seen_version)?;
    let (next, event) = ticket.reclassify(actor, &change, state.clock.now())?;
    save(
        state,
        &ticket,
        &next,
        None,
        Some(&event),
        &next.cost_notices(&event),
    )
    .await?;
    tracing::info!(ticket = %next.id, category = next.category.code(), billing = next.billing.code(), "ticket reclassified");
    Ok(next)
}

/// The dealer confirms or disputes a cost, or the specialist answers a dispute; the other
/// side is told.
pub async fn cost_move(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    action: CostAction,
    seen_version: u64,
) -> Result<Ticket, AppError> {
    let ticket = visible_ticket(state, actor, id).await?;
    same_version(&ticket, seen_version)?;
    let code = action.kind().code();
    let (next, event) = ticket.cost_move(actor, action, state.clock.now())?;
    save(
        state,
        &ticket,
        &next,
        None,
        Some(&event),
        &next.cost_notices(&event),
    )
    .await?;
    tracing::info!(ticket = %next.id, action = code, to = next.cost.state.code(), "cost moved");
    Ok(next)
}

/// A lifecycle move; `send_estimate` also carries the estimate in minutes (required, the
/// dealer approves its amount). Other moves ignore `estimate_minutes`, so the action API
/// stays as it was for them.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    m: &ticket::Move<'_>,
) -> Result<(Ticket, bool), AppError> {
    if m.action != Action::SendEstimate {
        return ticket::act(state, actor, m).await;
    }
    ticket::act_with(state, actor, m, |moved| {
        moved.cost.estimate_minutes = Some(check_estimate_minutes(m.estimate_minutes)?);
        Ok(())
    })
    .await
}

/// The estimate banner of a ticket (SPEC §2.5): completed paid work of its category and
/// criticality over the configured period, ranked by text; `None` when there is too little
/// similar work (or the ticket is free).
pub async fn ticket_estimate(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
) -> Result<Option<Estimate>, AppError> {
    let ticket = visible_ticket(state, actor, id).await?;
    if ticket.billing == dealerdesk_domain::Billing::Free {
        return Ok(None);
    }
    let text = format!("{}\n{}", ticket.title, ticket.text);
    similar_estimate(
        state,
        ticket.category,
        ticket.criticality,
        &text,
        Some(&ticket.id),
    )
    .await
}

/// The estimate banner before a ticket exists (`GET /api/estimates`, the new-ticket form):
/// only for those who file tickets; the draft is checked like the form (a bad field is a
/// validation refusal); `None` for free work or too little similar work.
pub async fn draft_estimate(
    state: &AppState,
    actor: &Actor,
    draft: &EstimateDraft,
) -> Result<Option<Estimate>, AppError> {
    if actor.filing_dealer().is_none() {
        return Err(AppError::forbidden());
    }
    let request = draft.validate()?;
    if !request.is_paid() {
        return Ok(None);
    }
    similar_estimate(
        state,
        request.category,
        request.criticality,
        &request.text,
        None,
    )
    .await
}

async fn similar_estimate(
    state: &AppState,
    category: dealerdesk_domain::Category,
    criticality: dealerdesk_domain::Criticality,
    text: &str,
    itself: Option<&TicketId>,
) -> Result<Option<Estimate>, AppError> {
    let settings = &state.settings.estimate;
    let now = state.clock.now();
    let since = now - Duration::days(i64::from(settings.period_days));
    let candidates: Vec<_> = state
        .store
        .completed_work(category, criticality, since)
        .await?
        .into_iter()
        // A finished ticket is not similar work for itself.
        .filter(|w| Some(&w.ticket_id) != itself)
        .map(|w| w.work)
        .collect();
    Ok(estimate_with(
        settings,
        text,
        category,
        criticality,
        now,
        &candidates,
    ))
}

/// The card's ledger (time entries and cost events).
pub async fn ledger(state: &AppState, ticket: &Ticket) -> Result<Ledger, AppError> {
    Ok(state.store.ticket_ledger(&ticket.id).await?)
}

/// Names of the people in a ledger, for the portal.
pub async fn ledger_names(
    state: &AppState,
    ledger: &Ledger,
) -> Result<HashMap<UserId, String>, AppError> {
    let people: Vec<UserId> = ledger
        .time_entries
        .iter()
        .map(|e| e.specialist_id.clone())
        .chain(ledger.events.iter().filter_map(|e| e.actor_id.clone()))
        .collect();
    user_names(state, &people).await
}
