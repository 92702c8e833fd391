//! Scheduled work. Each job is one use case of "now", safe to run any number of times: a
//! second run at the same instant changes nothing and sends nothing. The same function
//! runs from an EventBridge-scheduled Lambda, from the local server's scheduler and from
//! `dealerdesk job <name> --at <time>`.

use crate::AppState;
use crate::kernel::error::AppError;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;

pub use crate::kernel::job::{Job, JobReport};

/// Runs one job at `now`.
pub async fn run(state: &AppState, job: Job, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    job.runner().run(state, now).await
}

/// What one job's run returns.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<JobReport, AppError>> + Send + 'a>>;

/// One job's use case, ready to run. A job's Lambda takes it from a constant
/// (`const { Job::Outbox.runner() }`), so the binary names that job's code only and the
/// link-time optimiser drops the other jobs'.
#[derive(Clone, Copy)]
pub struct JobRunner {
    pub job: Job,
    start: for<'a> fn(&'a AppState, DateTime<Utc>) -> JobFuture<'a>,
}

impl JobRunner {
    /// Runs the job at `now` and logs its report.
    pub async fn run(self, state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
        let report = (self.start)(state, now).await?;
        tracing::info!(
            job = report.job,
            done = report.done,
            failed = report.failed,
            dead = report.dead,
            "job ran"
        );
        Ok(report)
    }
}

impl Job {
    /// This job's use case (see [`JobRunner`]).
    pub const fn runner(self) -> JobRunner {
        let start: for<'a> fn(&'a AppState, DateTime<Utc>) -> JobFuture<'a> = match self {
            Job::SlaWatch => sla_watch,
            Job::AutoAccept => auto_accept,
            Job::CostReminders => cost_reminders,
            Job::CostCutoff => cost_cutoff,
            Job::LeadEscalations => lead_escalations,
            Job::LeadSurveys => lead_surveys,
            Job::QuarterlySurvey => quarterly_survey,
            Job::QuarterlyBills => quarterly_bills,
            Job::Outbox => outbox,
        };
        JobRunner { job: self, start }
    }
}

fn sla_watch(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::ticket::jobs::sla_watch(state, now))
}

fn auto_accept(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(async move {
        let days = crate::settings::current(state).await?.auto_accept_days;
        crate::ticket::jobs::auto_accept(state, now, days).await
    })
}

fn cost_reminders(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::cost::jobs::send_cost_reminders(state, now))
}

fn cost_cutoff(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::cost::jobs::run_cost_cutoff(state, now))
}

fn lead_escalations(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::lead::escalation::jobs::lead_escalations(state, now))
}

fn lead_surveys(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::lead::survey::jobs::send_surveys(state, now))
}

fn quarterly_survey(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::dealer_survey::jobs::invite_dealers(state, now))
}

fn quarterly_bills(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::billing::jobs::quarterly_bills(state, now))
}

fn outbox(state: &AppState, now: DateTime<Utc>) -> JobFuture<'_> {
    Box::pin(crate::outbox::jobs::deliver_outbox(state, now))
}
