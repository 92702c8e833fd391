//! The customer survey (SPEC §4.5): 24 hours after the lead the customer gets an e-mail with
//! a signed, expiring link to a public page; the answer returns into the lead (a history
//! line) and the customer profile in one transaction, once, and a negative one alerts the
//! observer.
//!
//! A `GET` of the link only shows the page (mail scanners open every link); only the form's
//! `POST` records.

pub mod jobs;
pub mod portal;
pub mod routes;
pub mod views;

use crate::AppState;
use crate::calendar;
use crate::kernel::error::AppError;
use crate::kernel::sign::{self, TokenError};
use crate::lead::derived_of;
use chrono::{DateTime, Utc};
use dealerdesk_domain::Notice;
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::lead::survey::survey_link_expires_at;
use dealerdesk_domain::lead::{Lead, LeadError, LeadId, SurveyAnswer, SurveyDraft, survey_alert};
use dealerdesk_store::{CustomerRepo, CustomerWrite, DirectoryRepo, LeadRepo, LeadSave};
use views::SurveyLeadView;

/// What survey tokens are signed for (a token made for another use is worthless here).
const PURPOSE: &str = "survey";

/// How often an answer is tried again when the lead or the profile changed meanwhile (a
/// dealer editing the card, another lead of the person).
const ANSWER_ATTEMPTS: usize = 3;

/// The survey link of `lead`, sent at `now`: valid for [`SURVEY_LINK_DAYS`] days.
///
/// [`SURVEY_LINK_DAYS`]: dealerdesk_domain::lead::survey::SURVEY_LINK_DAYS
pub fn link(state: &AppState, lead: &LeadId, now: DateTime<Utc>) -> String {
    let token = sign::sign(
        &state.settings.signing_key,
        PURPOSE,
        lead.as_str(),
        survey_link_expires_at(now),
    );
    format!(
        "{}/s/{token}",
        state.settings.public_url.trim_end_matches('/')
    )
}

/// The refusal of a link that is not ours.
pub fn invalid_link() -> AppError {
    AppError::Refused(Refusal::new(
        RefusalKind::NotFound,
        "survey_link_invalid",
        "Ссылка на опрос недействительна. Откройте её из письма целиком.",
    ))
}

/// The refusal of a link whose time is over, or whose lead no longer takes answers.
fn link_gone(code: &'static str, message: &str) -> AppError {
    AppError::Refused(Refusal::new(RefusalKind::Gone, code, message))
}

/// The lead a survey link was sent for, if the link is genuine and not expired.
pub fn read_link(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<LeadId, AppError> {
    match sign::verify(&state.settings.signing_key, PURPOSE, token, now) {
        Ok(signed) => Ok(LeadId::new(signed.data)),
        Err(TokenError::Invalid) => Err(invalid_link()),
        Err(TokenError::Expired) => Err(link_gone(
            "survey_link_expired",
            "Срок действия ссылки на опрос истёк. Спасибо, что хотели ответить!",
        )),
    }
}

/// The lead behind a link, while it still takes an answer.
async fn answerable(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<Lead, AppError> {
    let id = read_link(state, token, now)?;
    let lead = state.store.lead(&id).await?.ok_or_else(invalid_link)?;
    if lead.deleted().is_some() {
        return Err(link_gone("survey_closed", "Этот опрос закрыт."));
    }
    if lead.anonymised_at().is_some() {
        return Err(link_gone(
            "survey_closed",
            "Этот опрос закрыт: данные заявки удалены по вашему запросу.",
        ));
    }
    if lead.survey().is_some() {
        return Err(LeadError::SurveyAnswered.into());
    }
    Ok(lead)
}

/// What the page shows for a link. Nothing is recorded.
pub async fn open(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<SurveyLeadView, AppError> {
    let lead = answerable(state, token, now).await?;
    let dealer = state.store.dealer(lead.dealer()).await?;
    Ok(SurveyLeadView::of(&lead, dealer.as_ref()))
}

/// Records the customer's answer on the lead (a history line) and the customer profile,
/// with the observer's alert for a negative answer, in one transaction. A second answer
/// through the same link is a 409 («Ответ на опрос уже получен»).
pub async fn answer(
    state: &AppState,
    token: &str,
    draft: &SurveyDraft,
    now: DateTime<Utc>,
) -> Result<SurveyAnswer, AppError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let lead = answerable(state, token, now).await?;
        let (answer, comment) = draft.validate()?;
        match record(state, &lead, answer, comment, now).await {
            Err(AppError::Refused(r))
                if r.kind == RefusalKind::Conflict && attempt < ANSWER_ATTEMPTS =>
            {
                // Someone changed the lead or the profile meanwhile: read both again (a
                // concurrent answer through the same link then finds the survey answered).
            }
            Err(e) => return Err(e),
            Ok(()) => return Ok(answer),
        }
    }
}

async fn record(
    state: &AppState,
    lead: &Lead,
    answer: SurveyAnswer,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (after, history) = lead.record_survey(answer, comment, now)?;
    let notices: Vec<Notice> = survey_alert(&after).into_iter().collect();
    let profile = match after.customer() {
        Some(id) => state.store.customer(id).await?,
        None => None,
    };
    let profile = profile.map(|p| (p.record_survey(after.id(), answer, now), p.version()));
    let calendar = calendar::load(state).await?;
    let (escalate_at, tally) = derived_of(state, &after, &calendar).await?;
    state
        .store
        .save_lead(LeadSave {
            before: lead,
            lead: &after,
            history: &history,
            notices: &notices,
            escalate_at,
            customer: profile.as_ref().map(|(p, expected)| CustomerWrite {
                profile: p,
                expected_version: *expected,
                new_claims: Vec::new(),
            }),
            tally: tally.as_ref(),
        })
        .await?;
    Ok(())
}
