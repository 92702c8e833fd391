//! The scheduled jobs' names and what a run reports. The jobs themselves live in their
//! features (`ticket::jobs`, `cost::jobs`, `outbox::jobs`); [`crate::jobs::run`] dispatches.

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
    /// Tell the dealer of a lead unprocessed for 2 working hours, its representative after
    /// 4 (SPEC §4.4).
    LeadEscalations,
    /// Mail the customer survey 24 hours after a lead (SPEC §4.5).
    LeadSurveys,
    /// Invite every dealer to the quarterly survey at the quarter's start (SPEC §2.9).
    QuarterlySurvey,
    /// Issue the invoices and acts of the quarter just ended (SPEC §3).
    QuarterlyBills,
    /// Deliver pending notices from the outbox.
    Outbox,
}

impl Job {
    /// Every job, in the order the scheduler runs them (notices last, so that what the
    /// other jobs enqueue goes out in the same tick).
    pub const ALL: [Job; 9] = [
        Job::SlaWatch,
        Job::AutoAccept,
        Job::CostReminders,
        Job::CostCutoff,
        Job::LeadEscalations,
        Job::LeadSurveys,
        Job::QuarterlySurvey,
        Job::QuarterlyBills,
        Job::Outbox,
    ];

    /// The name used on the command line and in the Lambda's configuration.
    pub fn code(self) -> &'static str {
        match self {
            Job::SlaWatch => "sla_watch",
            Job::AutoAccept => "auto_accept",
            Job::CostReminders => "cost_reminders",
            Job::CostCutoff => "cost_cutoff",
            Job::LeadEscalations => "lead_escalations",
            Job::LeadSurveys => "lead_surveys",
            Job::QuarterlySurvey => "quarterly_survey",
            Job::QuarterlyBills => "quarterly_bills",
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
