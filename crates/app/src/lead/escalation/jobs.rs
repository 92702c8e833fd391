//! The escalation job (SPEC §4.4, `dealerdesk job lead_escalations`): a lead still «Новый»
//! or «Не обработан» after 2 working hours of its dealer → the dealer's staff are told,
//! after 4 → its regional representative.
//!
//! It reads only the sparse due index (`LEAD#ESCALATE`, kept by every save of a lead at
//! the instant its next step falls due) and writes each step on the lead (`record_escalations`)
//! in the same transaction as its notice, conditional on the version read: however often
//! it runs, each notice goes once. Contact «Да» or «Отказ» takes the lead off the index.

use crate::AppState;
use crate::calendar;
use crate::kernel::error::AppError;
use crate::kernel::job::{Job, JobReport};
use crate::kernel::time::local;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{DealerHours, escalation_notice, escalations_due};
use dealerdesk_domain::{DealerId, Notice};
use dealerdesk_store::{LeadRepo, LeadSave, StoreError};
use std::collections::HashMap;

/// Sends the escalations due at `now`; `done` counts the notices enqueued, `failed` the
/// leads that changed meanwhile (the next run reads them again).
pub async fn lead_escalations(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::LeadEscalations.code(),
        ..JobReport::default()
    };
    let due = state.store.leads_to_escalate(now).await?;
    if due.is_empty() {
        return Ok(report);
    }
    let calendar = calendar::load(state).await?;
    // The representative is told which dealer: names are read once per run.
    let dealers = crate::kernel::names::dealer_names(state).await?;
    let mut hours: HashMap<DealerId, DealerHours> = HashMap::new();
    for lead in due {
        let dealer = lead.dealer().clone();
        if !hours.contains_key(&dealer) {
            let h = crate::lead::dealer_hours(state, &dealer).await?;
            hours.insert(dealer.clone(), h);
        }
        let Some(dealer_hours) = hours.get(&dealer) else {
            continue;
        };
        let plan = escalations_due(&lead, now, dealer_hours, &calendar);
        let (next, history) = lead.record_escalations(&plan.due, now);
        let notices: Vec<Notice> = plan
            .due
            .iter()
            .map(|step| {
                escalation_notice(&next, *step, now)
                    .with(
                        "dealer_name",
                        dealers
                            .get(&dealer)
                            .cloned()
                            .unwrap_or_else(|| dealer.to_string()),
                    )
                    .with("created_local", local(next.created_at()))
            })
            .collect();
        // Nothing due (the hours changed since the lead was indexed, or it was processed):
        // the lead is re-indexed at its next step, or leaves the index.
        let (escalate_at, tally) = crate::lead::derived_on(&next, dealer_hours, &calendar);
        match state
            .store
            .save_lead(LeadSave {
                before: &lead,
                lead: &next,
                history: &history,
                notices: &notices,
                escalate_at,
                customer: None,
                tally: tally.as_ref(),
            })
            .await
        {
            Ok(()) => {
                if !notices.is_empty() {
                    tracing::info!(lead = %lead.id(), notices = notices.len(), "lead escalated");
                }
                report.done += notices.len();
            }
            Err(StoreError::Conflict { .. }) => {
                tracing::info!(lead = %lead.id(), "escalation skipped a lead that changed meanwhile");
                report.failed += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}
