//! `quarterly_survey`: at a quarter's start every dealer is invited to the survey.

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::job::{Job, JobReport};
use chrono::{DateTime, Utc};
use dealerdesk_domain::dealer_survey::invitation_due;
use dealerdesk_domain::{Audience, Notice};
use dealerdesk_store::{DirectoryRepo, OutboxRepo};

/// Invites every dealer's staff by e-mail to the current quarter's survey, in the first days
/// of the quarter ([`invitation_due`]). The notice key is the quarter and the dealer, so a
/// second run stores nothing new; the dashboard's banner shows until the dealer answers.
pub async fn invite_dealers(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::QuarterlySurvey.code(),
        ..JobReport::default()
    };
    let Some(quarter) = invitation_due(now) else {
        return Ok(report);
    };
    let notices: Vec<Notice> = state
        .store
        .dealers()
        .await?
        .into_iter()
        .map(|d| {
            Notice::new(
                format!("dealer-survey:{}:{}", quarter.code(), d.id),
                "dealer_survey",
                Audience::DealerStaff { dealer_id: d.id },
                now,
            )
            .with("quarter", quarter.code())
            .with("quarter_label", quarter.label())
        })
        .collect();
    report.done = state.store.enqueue(&notices).await?;
    Ok(report)
}
