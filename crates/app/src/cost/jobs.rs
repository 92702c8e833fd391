//! The cost jobs: `cost_reminders` and `cost_cutoff` (SPEC §2.6).

use crate::AppState;
use crate::cost::save;
use crate::kernel::error::AppError;
use crate::kernel::job::{Job, JobReport};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{
    CostState, DealerId, Quarter, Ticket, cost_reminder_notice, cutoff_due, platform_date,
    reminder_due,
};
use dealerdesk_store::{CostRepo, OutboxRepo};
use std::collections::BTreeMap;

/// `cost_reminders`: 7 days and 1 day before the quarter's deadline (the 26th of its last
/// month), one notice to each dealer with costs awaiting confirmation. The notice key is
/// the dealer and the reminder date, so running again that day (or on the days up to the
/// next reminder) sends nothing more.
pub async fn send_cost_reminders(
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<JobReport, AppError> {
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
            Err(e) if e.code() == "version_conflict" => {
                tracing::info!(ticket = %ticket.id, "cost changed meanwhile; the next run sees it");
                report.failed += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}
