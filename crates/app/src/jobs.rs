//! Scheduled work. Each job is one use case of "now", safe to run any number of times: a
//! second run at the same instant changes nothing and sends nothing. The same function
//! runs from an EventBridge-scheduled Lambda, from the local server's scheduler and from
//! `dealerdesk job <name> --at <time>`.

use crate::AppState;
use crate::kernel::error::AppError;
use chrono::{DateTime, Utc};

pub use crate::kernel::job::{Job, JobReport};

/// Runs one job at `now`.
pub async fn run(state: &AppState, job: Job, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let report = match job {
        Job::SlaWatch => crate::ticket::jobs::sla_watch(state, now).await?,
        Job::AutoAccept => {
            let days = crate::settings::current(state).await?.auto_accept_days;
            crate::ticket::jobs::auto_accept(state, now, days).await?
        }
        Job::CostReminders => crate::cost::jobs::send_cost_reminders(state, now).await?,
        Job::CostCutoff => crate::cost::jobs::run_cost_cutoff(state, now).await?,
        Job::LeadEscalations => crate::lead::escalation::jobs::lead_escalations(state, now).await?,
        Job::LeadSurveys => crate::lead::survey::jobs::send_surveys(state, now).await?,
        Job::QuarterlySurvey => crate::dealer_survey::jobs::invite_dealers(state, now).await?,
        Job::QuarterlyBills => crate::billing::jobs::quarterly_bills(state, now).await?,
        Job::Outbox => crate::outbox::jobs::deliver_outbox(state, now).await?,
    };
    tracing::info!(
        job = report.job,
        done = report.done,
        failed = report.failed,
        dead = report.dead,
        "job ran"
    );
    Ok(report)
}
