//! Search across dealers and the transfer (SPEC §4.3): a dealer visited by a customer who
//! chose another dealer online finds the lead by surname and name plus e-mail or phone, sees
//! only a redacted view, and takes the lead over only together with a concluded contract.

use super::LeadId;
use super::card::{
    ContactOutcome, ContractOutcome, Lead, LeadChange, LeadError, LeadField, LeadHistoryEntry,
    LeadStatus,
};
use super::cities::fold;
use super::contact::{mask_email, mask_phone, normalise_email};
use super::kind::LeadType;
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse};
use crate::{Actor, DealerId, Role, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The fewest digits a partial phone must have: fewer would find half the network.
pub const MIN_PHONE_DIGITS: usize = 4;

/// What the search form posts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchDraft {
    pub name: Option<String>,
    pub surname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A checked search: every given criterion must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadQuery {
    name: String,
    surname: String,
    email: Option<String>,
    phone_digits: Option<String>,
}

/// A search the rules refuse: every failing field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("lead search: {} field(s) invalid", .fields.len())]
pub struct SearchError {
    pub fields: Vec<FieldError>,
}

impl Refuse for SearchError {
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

impl SearchDraft {
    /// Surname and name are required, and an e-mail or (part of) a phone of at least four
    /// digits.
    pub fn validate(&self) -> Result<LeadQuery, SearchError> {
        let mut fields = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            fields.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        let norm = |v: &Option<String>| v.as_deref().map(fold).filter(|s| !s.is_empty());
        let name = norm(&self.name);
        let surname = norm(&self.surname);
        if surname.is_none() {
            bad("surname", "Укажите фамилию.");
        }
        if name.is_none() {
            bad("name", "Укажите имя.");
        }
        let email_text = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let phone_text = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let email = email_text.and_then(|e| {
            normalise_email(e)
                .map(|e| e.as_str().to_string())
                .or_else(|| {
                    bad("email", "Неверный адрес электронной почты.");
                    None
                })
        });
        let phone_digits = phone_text.and_then(|p| {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < MIN_PHONE_DIGITS {
                bad("phone", "Укажите хотя бы 4 цифры телефона.");
                None
            } else {
                Some(digits)
            }
        });
        if email_text.is_none() && phone_text.is_none() {
            bad(
                "email",
                "Укажите электронную почту или телефон (хотя бы 4 цифры).",
            );
        }
        match (name, surname) {
            (Some(name), Some(surname)) if fields.is_empty() => Ok(LeadQuery {
                name,
                surname,
                email,
                phone_digits,
            }),
            _ => Err(SearchError { fields }),
        }
    }
}

/// The key a lead is found under: its folded surname and name (case, spacing and «ё»
/// ignored), as the search asks for them. `None` for a lead without a surname or whose
/// personal data were erased: the search never finds those.
pub fn search_key(lead: &Lead) -> Option<String> {
    let person = lead.person();
    if lead.anonymised_at().is_some() {
        return None;
    }
    let surname = fold(person.surname.as_deref()?);
    let name = fold(&person.name);
    (!surname.is_empty() && !name.is_empty()).then(|| format!("{surname}#{name}"))
}

impl LeadQuery {
    /// The key the leads this query can match are found under (see [`search_key`]).
    pub fn key(&self) -> String {
        format!("{}#{}", self.surname, self.name)
    }

    /// Whether `lead` is the customer: same name and surname (case and «ё» ignored), and the
    /// e-mail and/or phone digits given. An anonymised lead never matches.
    pub fn matches(&self, lead: &Lead) -> bool {
        let person = lead.person();
        if lead.anonymised_at().is_some()
            || fold(&person.name) != self.name
            || person.surname.as_deref().map(fold).as_deref() != Some(self.surname.as_str())
        {
            return false;
        }
        let email_ok = self
            .email
            .as_ref()
            .is_none_or(|q| person.email.as_ref().is_some_and(|e| e.as_str() == q));
        let phone_ok = self.phone_digits.as_ref().is_none_or(|q| {
            person.phone.as_ref().is_some_and(|p| {
                let digits = p.digits();
                // «8…» is how Russians write «+7…».
                digits.contains(q.as_str())
                    || (q.starts_with('8')
                        && digits.starts_with('7')
                        && digits[1..].starts_with(&q[1..]))
            })
        });
        email_ok && phone_ok
    }
}

/// What a foreign dealer sees of a found lead: who and what, never comments or history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RedactedLead {
    pub id: LeadId,
    pub name: String,
    pub surname: Option<String>,
    /// `+7 912 ***-**-89`.
    pub phone: Option<String>,
    /// `i***@mail.ru`.
    pub email: Option<String>,
    #[serde(rename = "type")]
    pub kind: LeadType,
    pub type_label: &'static str,
    pub model: Option<String>,
    pub created_at: DateTime<Utc>,
    pub status: LeadStatus,
    pub status_label: &'static str,
    pub dealer: DealerId,
}

impl Lead {
    /// The redacted view for a dealer who found the lead by search.
    pub fn redacted(&self) -> RedactedLead {
        let person = self.person();
        let status = self.status();
        RedactedLead {
            id: self.id().clone(),
            name: person.name.clone(),
            surname: person.surname.clone(),
            phone: person.phone.as_ref().map(mask_phone),
            email: person.email.as_ref().map(mask_email),
            kind: self.kind(),
            type_label: self.kind().label(),
            model: self.model().map(str::to_string),
            created_at: self.created_at(),
            status,
            status_label: status.label(),
            dealer: self.dealer().clone(),
        }
    }

    /// The searching dealer takes the lead over (SPEC §4.3). Allowed only together with a
    /// concluded contract: the lead already is «Договор заключен», or `record_contract` — the
    /// searching dealer records «Договор — Да» (and the contact it had) as part of the
    /// transfer. `observer` is the representative of the new dealer for this lead's
    /// direction. The original dealer and every stamped time stay as they were.
    pub fn transfer(
        &self,
        actor: &Actor,
        record_contract: bool,
        observer: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<(Lead, Vec<LeadHistoryEntry>), LeadError> {
        let to = match (actor.role, &actor.dealer_id) {
            (Role::Dealer, Some(dealer)) => dealer.clone(),
            _ => return Err(LeadError::OnlyDealerStaff),
        };
        if self.anonymised_at().is_some() {
            return Err(LeadError::Anonymised);
        }
        if to == self.dealer {
            return Err(LeadError::AlreadyYours);
        }
        let mut changes = Vec::new();
        if self.status() != LeadStatus::Contract {
            if !record_contract {
                return Err(LeadError::TransferNeedsContract);
            }
            if self.contact().outcome() != Some(&ContactOutcome::Yes) {
                changes.push(LeadChange::Contact(ContactOutcome::Yes));
            }
            changes.push(LeadChange::Contract(ContractOutcome::Yes));
        }
        let (mut next, mut log) = self.changed_unsaved(Some(&actor.user_id), &changes, now)?;
        log.push(
            LeadField::Dealer,
            Some(self.dealer.to_string()),
            Some(to.to_string()),
        );
        next.dealer = to;
        if next.observer != observer {
            log.push(
                LeadField::Observer,
                next.observer.as_ref().map(ToString::to_string),
                observer.as_ref().map(ToString::to_string),
            );
            next.observer = observer;
        }
        Ok(next.stamped(log))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::card::tests::{dealer_actor, lead, t};

    fn query(
        name: &str,
        surname: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<LeadQuery, SearchError> {
        SearchDraft {
            name: Some(name.into()),
            surname: Some(surname.into()),
            email: email.map(String::from),
            phone: phone.map(String::from),
        }
        .validate()
    }

    #[test]
    fn a_lead_is_found_under_its_folded_surname_and_name_as_the_search_asks() {
        let l = lead(); // Иван Петров
        let q = query(" иван ", "ПЕТРОВ", None, Some("4567")).unwrap();
        assert_eq!(search_key(&l).as_deref(), Some(q.key().as_str()));
        assert_eq!(q.key(), "петров#иван");
        let yo = query("Иван", "Пётров", None, Some("4567")).unwrap();
        assert_eq!(yo.key(), "петров#иван", "«ё» is «е»");
    }

    #[test]
    fn a_search_needs_surname_and_name_and_an_email_or_phone() {
        let e = SearchDraft::default().validate().unwrap_err();
        let fields: Vec<_> = e.fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["surname", "name", "email"]);
        let e = query("Иван", "Петров", None, Some("912")).unwrap_err();
        assert_eq!(e.fields[0].message, "Укажите хотя бы 4 цифры телефона.");
        assert_eq!(e.refusal().kind, RefusalKind::Invalid);
        assert!(query("Иван", "Петров", None, Some("6789")).is_ok());
        assert!(query("Иван", "Петров", Some("ivan@mail.ru"), None).is_ok());
    }

    #[test]
    fn the_matcher_ignores_case_and_yo_and_finds_part_of_a_phone() {
        let l = lead(); // Иван Петров, +79123456789, ivan@mail.ru
        let hits = [
            query("иван", "ПЕТРОВ", None, Some("4567")),
            query(" Иван ", "Петров", Some("IVAN@mail.ru"), None),
            query("Иван", "Петров", None, Some("8 912 345")),
            query("Иван", "Петров", None, Some("+7 (912) 345-67-89")),
            query("Иван", "Петров", Some("ivan@mail.ru"), Some("6789")),
        ];
        for q in hits {
            assert!(q.unwrap().matches(&l));
        }
        let misses = [
            query("Иван", "Петрова", None, Some("4567")),
            query("Пётр", "Петров", None, Some("4567")),
            query("Иван", "Петров", None, Some("0000")),
            query("Иван", "Петров", Some("ivan@yandex.ru"), None),
            query("Иван", "Петров", Some("ivan@mail.ru"), Some("0000")),
        ];
        for q in misses {
            assert!(!q.unwrap().matches(&l));
        }
    }

    #[test]
    fn yo_and_ye_are_the_same_letter() {
        let new = crate::lead::intake::LeadDraft {
            kind: Some("test_drive".into()),
            name: Some("Пётр".into()),
            surname: Some("Семёнов".into()),
            phone: Some("+7 912 000 11 22".into()),
            consent: Some("1".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let l = Lead::create(
            LeadId::new("L2"),
            new,
            crate::lead::LeadSource::BrandSite,
            crate::lead::card::Placement {
                dealer: DealerId::new("vostok"),
                observer: None,
                customer: None,
            },
            t(9, 0),
        );
        assert!(
            query("петр", "семенов", None, Some("1122"))
                .unwrap()
                .matches(&l)
        );
    }

    #[test]
    fn a_foreign_dealer_sees_a_redacted_lead() {
        let me = dealer_actor("vostok");
        let (l, _) = lead()
            .apply(
                &me,
                &[LeadChange::Comment(Some("секрет дилера".into()))],
                t(10, 0),
            )
            .unwrap();
        let view = l.redacted();
        assert_eq!(view.phone.as_deref(), Some("+7 912 ***-**-89"));
        assert_eq!(view.email.as_deref(), Some("i***@mail.ru"));
        assert_eq!(view.status_label, "Новый");
        let json = serde_json::to_string(&view).unwrap();
        assert!(!json.contains("секрет"), "{json}");
        assert!(!json.contains("79123456789"));
    }

    #[test]
    fn a_transfer_needs_a_concluded_contract() {
        let zapad = dealer_actor("zapad");
        let e = lead().transfer(&zapad, false, None, t(12, 0)).unwrap_err();
        assert_eq!(e, LeadError::TransferNeedsContract);
        assert_eq!(e.refusal().kind, RefusalKind::Conflict);

        let (moved, history) = lead()
            .transfer(&zapad, true, Some(UserId::new("rep-west")), t(12, 0))
            .unwrap();
        assert_eq!(moved.dealer(), &DealerId::new("zapad"));
        assert_eq!(moved.keys().original_dealer, DealerId::new("vostok"));
        assert_eq!(moved.status(), LeadStatus::Contract);
        assert_eq!(moved.contract().contract_at(), Some(t(12, 0)));
        assert_eq!(moved.observer(), Some(&UserId::new("rep-west")));
        assert_eq!(moved.version(), 2);
        let fields: Vec<_> = history.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                LeadField::Contact,
                LeadField::ContactedAt,
                LeadField::Contract,
                LeadField::ContractAt,
                LeadField::Status,
                LeadField::Dealer,
                LeadField::Observer
            ]
        );
        assert!(history.iter().all(|e| e.by == Some(zapad.user_id.clone())));
        // Now it is theirs: the first dealer still reads it (and where it went, in the
        // history), but no longer edits it; a third dealer does not even see it.
        assert!(moved.visible_to(&zapad) && moved.editable_by(&zapad));
        assert!(moved.visible_to(&dealer_actor("vostok")));
        assert!(!moved.editable_by(&dealer_actor("vostok")));
        assert!(!moved.visible_to(&dealer_actor("sever")));
        assert_eq!(
            moved
                .apply(
                    &dealer_actor("vostok"),
                    &[LeadChange::Comment(Some("x".into()))],
                    t(13, 0)
                )
                .unwrap_err(),
            LeadError::NotYourLead
        );
        assert_eq!(
            moved.transfer(&zapad, true, None, t(13, 0)).unwrap_err(),
            LeadError::AlreadyYours
        );
    }

    #[test]
    fn a_lead_with_a_contract_moves_without_a_new_stamp() {
        let vostok = dealer_actor("vostok");
        let (signed, _) = lead()
            .apply(
                &vostok,
                &[
                    LeadChange::Contact(ContactOutcome::Yes),
                    LeadChange::Contract(ContractOutcome::Yes),
                ],
                t(10, 0),
            )
            .unwrap();
        let (moved, history) = signed
            .transfer(
                &dealer_actor("zapad"),
                false,
                Some(UserId::new("rep-east")),
                t(12, 0),
            )
            .unwrap();
        assert_eq!(moved.contract().contract_at(), Some(t(10, 0)));
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].field, LeadField::Dealer);
        let rep = Actor {
            user_id: UserId::new("rep-east"),
            role: Role::RegionalRep,
            dealer_id: None,
        };
        assert_eq!(
            signed
                .transfer(&rep, true, None, t(12, 0))
                .unwrap_err()
                .refusal()
                .kind,
            RefusalKind::Forbidden
        );
    }
}
