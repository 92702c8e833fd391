//! Scheduled work. Each job is one use case of "now", safe to run any number of times: a
//! second run at the same instant changes nothing and sends nothing. The same function
//! runs from an EventBridge-scheduled Lambda, from the local server's scheduler and from
//! `dealerdesk job <name> --at <time>`.

use crate::AppState;
use crate::error::AppError;
use crate::mail;
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::{Audience, Role};
use dealerdesk_store::{DirectoryRepo, OutboxEntry, OutboxRepo, UserRepo};
use serde::Serialize;

/// A scheduled job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    /// Warn the specialist team at 80 % of a reaction time, tell the account manager of a
    /// breach (SPEC §2.3).
    SlaWatch,
    /// Accept results left in review for the configured working days (SPEC §2.4).
    AutoAccept,
    /// Remind dealers of costs awaiting confirmation, 7 days and 1 day before the
    /// quarter's deadline (SPEC §2.6).
    CostReminders,
    /// The quarter's cut-off: pending costs count as confirmed, disputed ones move to the
    /// next quarter (SPEC §2.6).
    CostCutoff,
    /// Deliver pending notices from the outbox.
    Outbox,
}

impl Job {
    /// Every job, in the order the scheduler runs them (notices last, so that what the
    /// other jobs enqueue goes out in the same tick).
    pub const ALL: [Job; 5] = [
        Job::SlaWatch,
        Job::AutoAccept,
        Job::CostReminders,
        Job::CostCutoff,
        Job::Outbox,
    ];

    /// The name used on the command line and in the Lambda's configuration.
    pub fn code(self) -> &'static str {
        match self {
            Job::SlaWatch => "sla_watch",
            Job::AutoAccept => "auto_accept",
            Job::CostReminders => "cost_reminders",
            Job::CostCutoff => "cost_cutoff",
            Job::Outbox => "outbox",
        }
    }

    /// Parses a job name.
    pub fn from_code(code: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.code() == code)
    }
}

/// What one run did, for logs and the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JobReport {
    pub job: &'static str,
    /// Things the job changed or sent.
    pub done: usize,
    /// Things it tried and will retry.
    pub failed: usize,
    /// Things it gave up on.
    pub dead: usize,
}

/// Runs one job at `now`.
pub async fn run(state: &AppState, job: Job, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let report = match job {
        Job::SlaWatch => crate::sla_jobs::sla_watch(state, now).await?,
        Job::AutoAccept => {
            crate::sla_jobs::auto_accept(state, now, state.settings.auto_accept_days).await?
        }
        Job::CostReminders => crate::costs::send_cost_reminders(state, now).await?,
        Job::CostCutoff => crate::costs::run_cost_cutoff(state, now).await?,
        Job::Outbox => deliver_outbox(state, now).await?,
    };
    tracing::info!(job = report.job, done = report.done, failed = report.failed, dead = report.dead, "job ran");
    Ok(report)
}

/// How long a sender holds a notice before another may try it.
const LEASE: Duration = Duration::minutes(5);
/// After this many failed attempts a notice is given up and kept for inspection.
const MAX_ATTEMPTS: u32 = 8;
/// Notices per run; the next run takes the rest.
const BATCH: u32 = 100;

async fn recipients(state: &AppState, audience: &Audience) -> Result<Vec<String>, AppError> {
    let store = &state.store;
    let users = match audience {
        Audience::Address { email } => return Ok(vec![email.clone()]),
        Audience::User { user_id } => store.user(user_id).await?.into_iter().collect(),
        Audience::DealerStaff { dealer_id } => store
            .users_of_dealer(dealer_id)
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Dealer)
            .collect(),
        Audience::AccountManagerOf { dealer_id } => {
            match store.dealer(dealer_id).await?.and_then(|d| d.account_manager_id) {
                Some(manager) => store.user(&manager).await?.into_iter().collect(),
                None => Vec::new(),
            }
        }
        Audience::Role { role } => store.users_with_role(*role).await?,
    };
    Ok(users.into_iter().map(|u| u.email).collect())
}

/// Delivers what the outbox holds. A notice is leased before delivery and marked sent
/// after, so two senders never send it together and a delivered notice is not sent again.
async fn deliver_outbox(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::Outbox.code(),
        ..JobReport::default()
    };
    for OutboxEntry { notice, attempts } in state.store.pending_notices(now, BATCH).await? {
        if !state.store.claim_notice(&notice.key, now, now + LEASE).await? {
            continue;
        }
        let to = recipients(state, &notice.audience).await?;
        let outcome = if to.is_empty() {
            // Nobody to tell (e.g. a dealer without an account manager): done, logged.
            tracing::warn!(notice = %notice.key, "notice has no recipients");
            Ok(())
        } else {
            match mail::render(&state.templates, &notice, to, &state.settings.public_url) {
                Ok(email) => state.mailer.deliver(&notice.key, &email, now).await,
                Err(e) => Err(e),
            }
        };
        match outcome {
            Ok(()) => {
                state.store.mark_sent(&notice.key, now).await?;
                report.done += 1;
            }
            Err(error) => {
                let attempts = attempts + 1;
                let dead = attempts >= MAX_ATTEMPTS;
                let retry_at = now + Duration::minutes(i64::from(attempts * attempts));
                tracing::warn!(notice = %notice.key, attempts, dead, error = %error, "delivery failed");
                state.store.mark_failed(&notice.key, &error, retry_at, dead).await?;
                if dead {
                    report.dead += 1;
                } else {
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}
