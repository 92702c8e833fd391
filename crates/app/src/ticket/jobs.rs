//! The scheduled SLA jobs: the SLA watch (SPEC §2.3) and auto-acceptance (SPEC §2.4).
//!
//! Both are one use case of "now", safe to run any number of times: each change is written
//! conditional on the ticket version read, together with its notices, so a second run — or
//! a second scheduler racing the first — finds nothing left to do and sends nothing.

use crate::AppState;
use crate::calendar;
use crate::kernel::error::AppError;
use crate::kernel::job::{Job, JobReport};
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::Notice;
use dealerdesk_store::{QueueRepo, StoreError, TicketRepo};

/// The SLA watch: tickets past 80 % of their reaction time without a reaction are reported
/// to the specialist team, tickets past their due time to the dealer's account manager.
/// `done` counts the notices enqueued.
pub async fn sla_watch(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::SlaWatch.code(),
        ..JobReport::default()
    };
    let due = state.store.tickets_due_for_watch(now).await?;
    if due.is_empty() {
        return Ok(report);
    }
    let calendar = calendar::load(state).await?;
    // The account manager is told which dealer: names are read once per run.
    let dealers = crate::kernel::names::dealer_names(state).await?;
    for ticket in due {
        let Some((marked, notices)) = ticket.sla_watch(&calendar, now) else {
            continue;
        };
        let dealer_name = dealers.get(&ticket.dealer_id).cloned().unwrap_or_default();
        let notices: Vec<Notice> = notices
            .into_iter()
            .map(|n| n.with("dealer_name", dealer_name.clone()))
            .collect();
        match state.store.save_ticket(&ticket, &marked, &notices).await {
            Ok(()) => {
                tracing::info!(ticket = %ticket.id, notices = notices.len(), "SLA watch notified");
                report.done += notices.len();
            }
            // The ticket moved (or the index copy was stale): the next run reads it again.
            Err(StoreError::Conflict { .. }) => {
                tracing::info!(ticket = %ticket.id, "SLA watch skipped a ticket that changed meanwhile");
                report.failed += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}

/// Auto-acceptance: a result left in «Результат на проверке» for `days` working days is
/// accepted by the system, with its history event and a notice to the dealer. `done`
/// counts the tickets accepted.
pub async fn auto_accept(
    state: &AppState,
    now: DateTime<Utc>,
    days: u32,
) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::AutoAccept.code(),
        ..JobReport::default()
    };
    // N working days are at least N calendar days: only tickets in review that long are
    // candidates; the calendar decides for each.
    let since = now - Duration::days(i64::from(days));
    let candidates = state.store.tickets_in_review_since(since).await?;
    if candidates.is_empty() {
        return Ok(report);
    }
    let calendar = calendar::load(state).await?;
    for ticket in candidates {
        if !ticket.is_auto_accept_due(&calendar, days, now) {
            continue;
        }
        let (accepted, event) = ticket.auto_accept(&calendar, now)?;
        let notices = accepted.notices(&event);
        match state
            .store
            .save_move(&ticket, &accepted, &event, &notices)
            .await
        {
            Ok(()) => {
                tracing::info!(ticket = %ticket.id, "result accepted automatically");
                report.done += 1;
            }
            // The dealer answered meanwhile (or the index copy was stale).
            Err(StoreError::Conflict { .. }) => report.failed += 1,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}
