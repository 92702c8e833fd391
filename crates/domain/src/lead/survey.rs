//! The customer's feedback (SPEC §4.5): 24 hours after the lead the customer is asked how the
//! dealer did; the answer returns into the lead, and a negative one alerts the observer.

use super::card::{History, Lead, LeadError, LeadField, LeadHistoryEntry};
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse, TextRule};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

const SURVEY_COMMENT: TextRule = TextRule::text("comment", "Комментарий", "", 2_000);

crate::coded_enum! {
    /// The customer's answer.
    pub enum SurveyAnswer {
        NoContact = "no_contact" / "Дилер не связался",
        Unhappy = "unhappy" / "Дилер связался, но обслуживание не устраивает",
        Happy = "happy" / "Дилер связался, обслуживание устраивает",
    }
}

impl SurveyAnswer {
    /// Whether the answer alerts the observer.
    pub fn is_negative(self) -> bool {
        match self {
            SurveyAnswer::NoContact | SurveyAnswer::Unhappy => true,
            SurveyAnswer::Happy => false,
        }
    }
}

/// What the survey page posts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurveyDraft {
    pub answer: Option<String>,
    pub comment: Option<String>,
}

/// A survey post that breaks the rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("survey: {} field(s) invalid", .fields.len())]
pub struct SurveyError {
    pub fields: Vec<FieldError>,
}

impl Refuse for SurveyError {
    fn refusal(&self) -> Refusal {
        let message = self
            .fields
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Refusal::new(RefusalKind::Invalid, "validation_failed", message)
            .with_fields(self.fields.clone())
    }
}

/// The customer's answer as kept in the lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResponse {
    pub answer: SurveyAnswer,
    pub comment: Option<String>,
    pub answered_at: DateTime<Utc>,
}

impl SurveyDraft {
    /// The answer and its cleaned comment; all problems at once.
    pub fn validate(&self) -> Result<(SurveyAnswer, Option<String>), SurveyError> {
        let mut fields = Vec::new();
        let answer = match self.answer.as_deref().map(str::trim) {
            None | Some("") => {
                fields.push(FieldError {
                    field: "answer",
                    message: "Выберите ответ.".to_string(),
                });
                None
            }
            Some(code) => SurveyAnswer::from_code(code).or_else(|| {
                fields.push(FieldError {
                    field: "answer",
                    message: "Такого ответа нет.".to_string(),
                });
                None
            }),
        };
        let comment = SURVEY_COMMENT
            .optional(self.comment.as_deref())
            .unwrap_or_else(|e| {
                fields.push(e);
                None
            });
        match answer {
            Some(answer) if fields.is_empty() => Ok((answer, comment)),
            _ => Err(SurveyError { fields }),
        }
    }
}

/// How long a survey link stays valid after the invitation was sent: long enough for a
/// customer back from a trip, short enough that an old letter does not speak for today.
pub const SURVEY_LINK_DAYS: i64 = 30;

/// When a survey link sent at `sent_at` stops working.
pub fn survey_link_expires_at(sent_at: DateTime<Utc>) -> DateTime<Utc> {
    sent_at + Duration::days(SURVEY_LINK_DAYS)
}

impl Lead {
    /// When the survey e-mail is due: 24 hours after the lead, unless the customer left no
    /// e-mail or was anonymised (then never).
    pub fn survey_due_at(&self) -> Option<DateTime<Utc>> {
        if self.anonymised_at.is_some() || self.person.email.is_none() {
            return None;
        }
        Some(self.created_at() + Duration::hours(24))
    }

    /// Records the customer's answer (the signed link is single use: a second answer is a
    /// conflict).
    pub fn record_survey(
        &self,
        answer: SurveyAnswer,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(Lead, Vec<LeadHistoryEntry>), LeadError> {
        if self.anonymised_at.is_some() {
            return Err(LeadError::Anonymised);
        }
        if self.survey.is_some() {
            return Err(LeadError::SurveyAnswered);
        }
        let mut next = self.clone();
        let mut log = History::new(None, now);
        let shown = match &comment {
            Some(c) => format!("{}: {c}", answer.label()),
            None => answer.label().to_string(),
        };
        log.push(LeadField::Survey, None, Some(shown));
        next.survey = Some(SurveyResponse {
            answer,
            comment,
            answered_at: now,
        });
        Ok(next.stamped(log))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::card::tests::{lead, t};
    use crate::lead::privacy::tests::anonymised;

    #[test]
    fn negative_answers_are_the_first_two() {
        assert!(SurveyAnswer::NoContact.is_negative());
        assert!(SurveyAnswer::Unhappy.is_negative());
        assert!(!SurveyAnswer::Happy.is_negative());
        assert_eq!(SurveyAnswer::NoContact.label(), "Дилер не связался");
    }

    #[test]
    fn the_survey_is_due_a_day_after_the_lead_if_there_is_an_email() {
        let l = lead();
        assert_eq!(l.survey_due_at(), Some(t(9, 0) + Duration::hours(24)));
        assert_eq!(anonymised().survey_due_at(), None);
    }

    #[test]
    fn a_survey_link_works_for_thirty_days_after_the_letter() {
        assert_eq!(
            survey_link_expires_at(t(9, 0)),
            t(9, 0) + Duration::days(30)
        );
    }

    #[test]
    fn an_answer_is_kept_once() {
        let (answer, comment) = SurveyDraft {
            answer: Some("unhappy".into()),
            comment: Some(" Долго ждал звонка ".into()),
        }
        .validate()
        .unwrap();
        let (l, h) = lead().record_survey(answer, comment, t(12, 0)).unwrap();
        assert_eq!(l.survey().unwrap().answer, SurveyAnswer::Unhappy);
        assert_eq!(
            h[0].new.as_deref(),
            Some("Дилер связался, но обслуживание не устраивает: Долго ждал звонка")
        );
        let e = l
            .record_survey(SurveyAnswer::Happy, None, t(13, 0))
            .unwrap_err();
        assert_eq!(e.refusal().kind, RefusalKind::Conflict);
    }

    #[test]
    fn a_survey_post_without_an_answer_is_refused() {
        let e = SurveyDraft::default().validate().unwrap_err();
        assert_eq!(e.fields[0].message, "Выберите ответ.");
        let e = SurveyDraft {
            answer: Some("meh".into()),
            comment: Some("я".repeat(2_001)),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.fields.len(), 2);
        assert_eq!(e.refusal().kind, RefusalKind::Invalid);
    }
}
