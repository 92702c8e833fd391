//! Anonymisation (152-ФЗ): a customer's personal data leave the lead, while what the
//! network's reports need stays: key properties, statuses, stamped times, the dealer, the
//! city, the car and the answers.

use super::card::{ContactOutcome, ContractOutcome, History, Lead, LeadField, LeadHistoryEntry};
use chrono::{DateTime, Utc};

/// What stands in for an erased name.
pub const ANONYMOUS_NAME: &str = "Аноним";
/// What stands in for an erased text.
pub const ERASED: &str = "[удалено]";

impl Lead {
    /// The lead without personal data: name, surname, phone, e-mail, every free text
    /// (comments, «Другое» reasons, the survey comment) replaced. Key properties, statuses
    /// and stamped times stay. Anonymising twice changes nothing.
    pub fn anonymise(&self, now: DateTime<Utc>) -> (Lead, Vec<LeadHistoryEntry>) {
        if self.anonymised_at.is_some() {
            return (self.clone(), Vec::new());
        }
        let mut next = self.clone();
        let erase = |text: &mut Option<String>| {
            if text.is_some() {
                *text = Some(ERASED.to_string());
            }
        };
        next.person.name = ANONYMOUS_NAME.to_string();
        next.person.surname = None;
        next.person.phone = None;
        next.person.email = None;
        erase(&mut next.comment);
        erase(&mut next.contact.comment);
        erase(&mut next.contract.comment);
        if let Some(ContactOutcome::No { text, .. }) = &mut next.contact.outcome {
            erase(text);
        }
        if let Some(ContractOutcome::No { text, .. }) = &mut next.contract.outcome {
            erase(text);
        }
        if let Some(survey) = &mut next.survey {
            erase(&mut survey.comment);
        }
        // The consent stays as a fact (when, which text); the address it came from goes.
        if let Some(consent) = &mut next.consent {
            consent.address = None;
        }
        next.anonymised_at = Some(now);
        let mut log = History::new(None, now);
        // The entry says what happened without repeating what was erased.
        log.push(
            LeadField::PersonalData,
            None,
            Some("Персональные данные удалены".to_string()),
        );
        next.stamped(log)
    }
}

/// The lead's stored history with personal texts erased: comments, and the text after
/// «Другое:» or a survey answer. Who and when stay.
pub fn anonymise_history(entries: &[LeadHistoryEntry]) -> Vec<LeadHistoryEntry> {
    entries
        .iter()
        .map(|e| {
            let scrub: fn(&str) -> String = match e.field {
                LeadField::Comment | LeadField::ContactComment | LeadField::ContractComment => {
                    |_| ERASED.to_string()
                }
                LeadField::Contact | LeadField::Contract | LeadField::Survey => {
                    |v| match v.split_once(": ") {
                        Some((head, _)) => format!("{head}: {ERASED}"),
                        None => v.to_string(),
                    }
                }
                _ => |v| v.to_string(),
            };
            LeadHistoryEntry {
                old: e.old.as_deref().map(scrub),
                new: e.new.as_deref().map(scrub),
                ..e.clone()
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lead::card::tests::{dealer_actor, lead, t};
    use crate::lead::card::{LeadChange, LeadStatus, NoContactReason};
    use crate::lead::survey::SurveyAnswer;

    pub(crate) fn anonymised() -> Lead {
        lead().anonymise(t(20, 0)).0
    }

    #[test]
    fn anonymisation_erases_personal_data_and_keeps_the_keys_and_status() {
        let me = dealer_actor("vostok");
        let (l, mut history) = lead()
            .apply(
                &me,
                &[
                    LeadChange::Contact(ContactOutcome::No {
                        reason: NoContactReason::Other,
                        text: Some("Жена Мария просила звонить на 8-914-000-00-00".into()),
                    }),
                    LeadChange::Comment(Some("Иван Петрович, ул. Светланская 1".into())),
                ],
                t(10, 0),
            )
            .unwrap();
        let (l, h) = l
            .record_survey(
                SurveyAnswer::Unhappy,
                Some("Я, Иван, недоволен".into()),
                t(11, 0),
            )
            .unwrap();
        history.extend(h);
        let (a, entries) = l.anonymise(t(12, 0));
        assert_eq!(a.person().name, ANONYMOUS_NAME);
        assert_eq!(a.person().surname, None);
        assert_eq!(a.person().phone, None);
        assert_eq!(a.person().email, None);
        assert_eq!(a.comment(), Some(ERASED));
        assert_eq!(
            a.contact().outcome(),
            Some(&ContactOutcome::No {
                reason: NoContactReason::Other,
                text: Some(ERASED.into())
            })
        );
        assert_eq!(a.survey().unwrap().comment.as_deref(), Some(ERASED));
        assert_eq!(a.keys(), l.keys());
        assert_eq!(a.status(), LeadStatus::NotProcessed);
        assert_eq!(a.city(), l.city());
        assert_eq!(entries.len(), 1);
        assert!(!format!("{entries:?}").contains("Иван"));
        let (again, none) = a.anonymise(t(13, 0));
        assert!(none.is_empty());
        assert_eq!(again, a);

        let scrubbed = anonymise_history(&history);
        let text = format!("{scrubbed:?}");
        assert!(!text.contains("Мария") && !text.contains("Иван"), "{text}");
        assert!(text.contains("Нет — Другое: [удалено]"));
        assert!(text.contains("Дилер связался, но обслуживание не устраивает: [удалено]"));
    }

    #[test]
    fn anonymisation_keeps_the_consent_but_not_its_address() {
        let mut l = lead();
        l.consent = Some(crate::lead::Consent::given(
            t(9, 0),
            Some("203.0.113.7".into()),
            None,
            "v1",
        ));
        let (a, _) = l.anonymise(t(12, 0));
        let consent = a.consent().expect("the consent stays");
        assert_eq!(consent.address, None);
        assert_eq!(
            (consent.given_at, consent.text_version.as_str()),
            (t(9, 0), "v1")
        );
    }

    #[test]
    fn an_anonymised_lead_no_longer_changes() {
        let me = dealer_actor("vostok");
        let e = anonymised()
            .apply(&me, &[LeadChange::Contact(ContactOutcome::Yes)], t(21, 0))
            .unwrap_err();
        assert_eq!(e, crate::lead::card::LeadError::Anonymised);
    }
}
