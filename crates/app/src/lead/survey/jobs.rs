//! The survey's scheduled job: 24 hours after a lead, its customer's invitation.

use crate::AppState;
use crate::jobs::JobReport;
use crate::kernel::error::AppError;
use crate::lead::survey::link;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::survey_invitation;
use dealerdesk_store::{LeadRepo, LeadSurveyRepo};

/// `dealerdesk job lead_surveys`: every lead whose survey fell due (the sparse `LEAD#SURVEY`
/// index, never the leads) gets its invitation into the outbox in the transaction that
/// removes the due marker — so each customer is asked once, however often the job runs. A
/// lead that no longer gets a survey (anonymised since, or gone) only loses its marker.
pub async fn send_surveys(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: "lead_surveys",
        ..JobReport::default()
    };
    for (id, due) in state.store.surveys_due(now).await? {
        let lead = state.store.lead(&id).await?;
        let invitation = lead
            .as_ref()
            .and_then(|lead| survey_invitation(lead, &link(state, lead.id(), now), now));
        match state.store.survey_sent(&id, invitation.as_ref()).await {
            Ok(true) if invitation.is_some() => report.done += 1,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(lead = %id, due = %due, error = %e, "survey invitation not stored; the next run retries");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}
