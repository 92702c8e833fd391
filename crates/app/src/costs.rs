//! Time, cost, estimates and cost confirmation (SPEC §2.2–§2.6): the use cases, their
//! JSON, and the two cost jobs. The rules are the domain's (`costing`, `cost`, `pricing`,
//! `estimate`); each use case here authorises, applies one rule and stores the ticket with
//! its time entry, cost event and notices in one conditional transaction.

pub mod api;
pub mod portal;

use crate::AppState;
use crate::error::AppError;
use crate::jobs::{Job, JobReport};
use crate::usecases;
use crate::views::utc;
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::{
    Action, Actor, CorrectionDraft, CostAction, CostEvent, CostState, DealerId, Estimate,
    EstimateSettings, HistoryEvent, Quarter, ReclassifyDraft, Ticket, TicketId, TimeEntry,
    TimeEntryDraft, TimeEntryId, UserId, check_estimate_minutes, confirmation_deadline,
    cost_reminder_notice, cutoff_due, effective_minutes, estimate_with, format_rub, minutes_text,
    platform_date, reminder_due,
};
use dealerdesk_store::{CostRepo, Ledger, LedgerWrite, OutboxRepo, TicketRepo};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

// ---------------------------------------------------------------- JSON

/// Adds a ticket's time and cost to its API JSON: `minutes`, `cost` (a decimal string,
/// `"590"`), `cost_state` with its label, the billing quarter and its deadline, and the
/// estimate sent for approval.
pub fn add_cost_fields(v: &mut Value, t: &Ticket) {
    let cost = &t.cost;
    v["minutes"] = json!(cost.minutes);
    v["minutes_label"] = json!(minutes_text(cost.minutes));
    v["cost"] = json!(t.cost_amount().to_string());
    v["cost_label"] = json!(format_rub(t.cost_amount()));
    v["cost_state"] = json!(cost.state.code());
    v["cost_state_label"] = json!(cost.state.label());
    v["cost_quarter"] = json!(cost.quarter.map(Quarter::code));
    v["cost_quarter_label"] = json!(cost.quarter.map(Quarter::label));
    v["cost_deadline"] = json!(
        cost.quarter
            .map(|q| confirmation_deadline(q).format("%Y-%m-%d").to_string())
    );
    v["estimate_minutes"] = json!(cost.estimate_minutes);
    v["estimate_cost"] = json!(t.estimate_amount().map(|a| a.to_string()));
    v["estimate_label"] = json!(t.estimate_text());
    v["completed_at"] = json!(cost.completed_at.map(utc));
}

/// A time entry as the API returns it; an original entry also says what it amounts to
/// after its corrections (`current_minutes`).
pub fn time_entry_json(e: &TimeEntry, ledger: &[TimeEntry]) -> Value {
    json!({
        "id": e.id,
        "minutes": e.minutes,
        "note": e.note,
        "at": utc(e.at),
        "specialist_id": e.specialist_id,
        "corrects": e.corrects,
        "current_minutes": if e.is_correction() { None } else { effective_minutes(ledger, &e.id) },
    })
}

/// A cost event as a history entry (`kind` = `cost`): the action, the cost state from and
/// to, the words, and the ticket's minutes and cost after it.
pub fn cost_event_json(e: &CostEvent) -> Value {
    json!({
        "kind": "cost",
        "at": utc(e.at),
        "actor_id": e.actor_id,
        "actor_role": e.actor_role.map(|r| r.code()),
        "action": e.kind.code(),
        "action_label": e.kind.label(),
        "from_cost_state": e.from.code(),
        "from_label": e.from.label(),
        "to_cost_state": e.to.code(),
        "to_label": e.to.label(),
        "comment": e.comment,
        "detail": e.detail,
        "minutes": e.minutes,
        "cost": e.cost.to_string(),
    })
}

/// The ticket's history with its cost events merged in by time (`kind` = `status` or
/// `cost`), so the dealer reads one history.
pub fn merged_history(history: &[HistoryEvent], events: &[CostEvent]) -> Vec<Value> {
    let mut all: Vec<(DateTime<Utc>, Value)> = history
        .iter()
        .map(|e| {
            let mut v = crate::views::event_json(e);
            v["kind"] = json!("status");
            (e.at, v)
        })
        .chain(events.iter().map(|e| (e.at, cost_event_json(e))))
        .collect();
    // Stable: within one instant the lifecycle move comes before the cost step.
    all.sort_by_key(|(at, _)| *at);
    all.into_iter().map(|(_, v)| v).collect()
}

/// The time-and-cost moves `actor` can make on `ticket` now, for buttons and clients:
/// `log_time`, `correct_time`, `reclassify`, `confirm`, `dispute`, `answer`.
pub fn cost_actions(ticket: &Ticket, actor: &Actor) -> Vec<&'static str> {
    let mut actions = Vec::new();
    let done = ticket.status.is_done();
    let state = ticket.cost.state;
    if actor.role.works_tickets() {
        if !done {
            actions.extend(["log_time", "correct_time", "reclassify"]);
        } else if state == CostState::Disputed {
            actions.extend(["correct_time", "reclassify", "answer"]);
        }
    } else if actor.is_staff_of(&ticket.dealer_id) && state == CostState::Pending {
        actions.extend(["confirm", "dispute"]);
    }
    actions
}

/// Adds the ticket card's time-and-cost parts to its API JSON: `time_entries`, the
/// history with cost events merged in, and `cost_actions`.
pub async fn add_to_card(
    state: &AppState,
    actor: &Actor,
    ticket: &Ticket,
    history: &[HistoryEvent],
    body: &mut Value,
) -> Result<(), AppError> {
    let ledger = state.store.ticket_ledger(&ticket.id).await?;
    body["time_entries"] = ledger
        .time_entries
        .iter()
        .map(|e| time_entry_json(e, &ledger.time_entries))
        .collect();
    body["history"] = merged_history(history, &ledger.events).into();
    body["cost_actions"] = json!(cost_actions(ticket, actor));
    Ok(())
}

// ---------------------------------------------------------------- use cases

/// The ticket, if the caller may see it (403 for roles without tickets, 404 for another
/// dealer's).
async fn visible_ticket(state: &AppState, actor: &Actor, id: &TicketId) -> Result<Ticket, AppError> {
    if !actor.reads_tickets() {
        return Err(AppError::Forbidden);
    }
    let ticket = state.store.ticket(id).await?.ok_or(AppError::NotFound)?;
    usecases::ensure_visible(state, actor, &ticket).await?;
    Ok(ticket)
}

fn same_version(ticket: &Ticket, seen: u64) -> Result<(), AppError> {
    if ticket.version == seen {
        Ok(())
    } else {
        Err(AppError::VersionConflict)
    }
}

fn platform_only(actor: &Actor) -> Result<(), AppError> {
    if actor.role.works_tickets() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn new_entry_id() -> TimeEntryId {
    TimeEntryId::new(ulid::Ulid::new().to_string())
}

async fn save(
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
    save(state, &ticket, &next, None, Some(&event), &next.cost_notices(&event)).await?;
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
    save(state, &ticket, &next, None, Some(&event), &next.cost_notices(&event)).await?;
    tracing::info!(ticket = %next.id, action = code, to = next.cost.state.code(), "cost moved");
    Ok(next)
}

/// A lifecycle move; `send_estimate` also carries the estimate in minutes (required, the
/// dealer approves its amount). Other moves ignore `estimate_minutes`, so the action API
/// stays as it was for them.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    action: Action,
    comment: Option<&str>,
    estimate_minutes: Option<i64>,
    seen_version: u64,
) -> Result<Ticket, AppError> {
    if action != Action::SendEstimate {
        return usecases::act(state, actor, id, action, comment, seen_version).await;
    }
    usecases::act_with(state, actor, id, action, comment, seen_version, |moved| {
        moved.cost.estimate_minutes = Some(check_estimate_minutes(estimate_minutes)?);
        Ok(())
    })
    .await
}

/// The estimate banner of a ticket (SPEC §2.5): completed paid work of its category and
/// criticality in the last 90 days, ranked by text; `None` when there is nothing similar
/// (or the ticket is free).
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
    similar_estimate(state, ticket.category, ticket.criticality, &text, Some(&ticket.id)).await
}

/// The estimate banner for a ticket the dealer is still writing (the new-ticket form):
/// `None` for free work, unknown codes or nothing similar. Only for those who file.
pub async fn draft_estimate(
    state: &AppState,
    actor: &Actor,
    draft: &dealerdesk_domain::TicketDraft,
) -> Result<Option<Estimate>, AppError> {
    if actor.filing_dealer().is_none() {
        return Err(AppError::Forbidden);
    }
    let code = |v: &Option<String>| v.clone().unwrap_or_default();
    let (Some(category), Some(criticality)) = (
        dealerdesk_domain::Category::from_code(&code(&draft.category)),
        dealerdesk_domain::Criticality::from_code(&code(&draft.criticality)),
    ) else {
        return Ok(None);
    };
    let billing = match draft.billing.as_deref() {
        None | Some("") => Some(category.default_billing()),
        Some(b) => dealerdesk_domain::Billing::from_code(b),
    };
    if billing != Some(dealerdesk_domain::Billing::Paid) {
        return Ok(None);
    }
    let text = format!("{}\n{}", code(&draft.title), code(&draft.text));
    similar_estimate(state, category, criticality, &text, None).await
}

async fn similar_estimate(
    state: &AppState,
    category: dealerdesk_domain::Category,
    criticality: dealerdesk_domain::Criticality,
    text: &str,
    itself: Option<&TicketId>,
) -> Result<Option<Estimate>, AppError> {
    let settings = EstimateSettings::default();
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
    Ok(estimate_with(&settings, text, category, criticality, now, &candidates))
}

/// The card's ledger (time entries and cost events).
pub async fn ledger(state: &AppState, ticket: &Ticket) -> Result<Ledger, AppError> {
    Ok(state.store.ticket_ledger(&ticket.id).await?)
}

/// Estimate JSON: decimal strings.
pub fn estimate_json(e: &Estimate) -> Value {
    json!({
        "median": e.median.to_string(),
        "low": e.low.to_string(),
        "high": e.high.to_string(),
        "count": e.count,
        "period_days": e.period_days,
    })
}

// ---------------------------------------------------------------- jobs

/// `cost_reminders`: 7 days and 1 day before the quarter's deadline (the 26th of its last
/// month), one notice to each dealer with costs awaiting confirmation. The notice key is
/// the dealer and the reminder date, so running again that day (or on the days up to the
/// next reminder) sends nothing more.
pub async fn send_cost_reminders(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::CostReminders.code(),
        ..JobReport::default()
    };
    let Some((quarter, date)) = reminder_due(platform_date(now)) else {
        return Ok(report);
    };
    let open = state.store.open_costs(quarter).await?;
    let mut by_dealer: BTreeMap<&DealerId, Vec<&Ticket>> = BTreeMap::new();
    for t in open.iter().filter(|t| t.cost.state == CostState::Pending) {
        by_dealer.entry(&t.dealer_id).or_default().push(t);
    }
    let notices: Vec<_> = by_dealer
        .into_iter()
        .map(|(dealer, mut tickets)| {
            tickets.sort_by_key(|t| t.number);
            cost_reminder_notice(dealer, quarter, date, &tickets, now)
        })
        .collect();
    report.done = state.store.enqueue(&notices).await?;
    Ok(report)
}

/// `cost_cutoff`: after the quarter's deadline, pending costs count as confirmed and
/// disputed ones move to the next quarter, each with a history event and a notice to the
/// dealer. A ticket changed meanwhile (a stale index read, a concurrent move) is left for
/// the next run; a second run finds nothing to change.
pub async fn run_cost_cutoff(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::CostCutoff.code(),
        ..JobReport::default()
    };
    let today = platform_date(now);
    let current = Quarter::of(today);
    let due = if cutoff_due(current, today) {
        current
    } else {
        current.previous()
    };
    for ticket in state.store.open_costs(due).await? {
        let Some((next, event)) = ticket.cutoff_on(today, now) else {
            continue;
        };
        let notices = next.cost_notices(&event);
        match save(state, &ticket, &next, None, Some(&event), &notices).await {
            Ok(()) => report.done += 1,
            Err(AppError::VersionConflict) => {
                tracing::info!(ticket = %ticket.id, "cost changed meanwhile; the next run sees it");
                report.failed += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------- helpers for views

/// Names of the people in a ledger, for the portal.
pub async fn ledger_names(state: &AppState, ledger: &Ledger) -> Result<HashMap<UserId, String>, AppError> {
    let people: Vec<UserId> = ledger
        .time_entries
        .iter()
        .map(|e| e.specialist_id.clone())
        .chain(ledger.events.iter().filter_map(|e| e.actor_id.clone()))
        .collect();
    usecases::user_names(state, &people).await
}
